// @ts-check
// `ConnectSafelyClient` (exported by index.js): a small driver around the core. The core (Rust, in
// wasm: `Core` of src/wasm/mod.rs) validates, asks the guard, classifies and decides
// every next step of a send or a run; this driver only performs what it is told
// (fetch, timers, abort) and reports back. Every call into the core is synchronous.
//
// Two cores: in web.mjs, index.mjs and index.cjs the bundle's own core is the single-send one
// (no
// run to many, shared store or journal: most pages and processes send one at a time), and
// the client switches to the full one (many.mjs or many.cjs, "#full") on the first run to
// many, or the first send of a client with a store. The switch waits for the sends in
// flight on the first core, hands its account registry (the guard, the last rate limit,
// the last start) over to the full core, and from then on every call goes there. In
// edge.mjs the bundle's own core is the full one and no switch happens.
import { Core, Cut, Exchanged, Step } from "./glue.js";
import { exchange, fired, sleep } from "./exchange.js";
import { DEBUG, log, notify } from "./report.js";
import { bundledFull, loadFull } from "#full";
import { bulk, failure, sendError, withCause } from "./shapes.js";
import { fieldNames, start } from "./start.js";
import { encode, fastPath, last } from "./fast.js";

/**
 * Calls hook `name` with `view`; neither a throw nor a rejected promise escapes, and
 * nothing waits for it.
 * @param {any} hooks
 * @param {string} name
 * @param {object} view
 */
function hook(hooks, name, view) {
  try {
    const f = hooks[name];
    if (typeof f !== "function") return;
    const r = f.call(hooks, view);
    if (r && typeof r.then === "function") r.then(undefined, () => {});
  } catch {}
}

/**
 * The request headers as an object: the client's own two, then `pairs` ([name, value, ...]).
 * @param {string} apiKey
 * @param {string[]} pairs
 * @returns {Record<string, string>}
 */
function headerObject(apiKey, pairs) {
  /** @type {Record<string, string>} */
  const out = { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" };
  for (let i = 0; i + 1 < pairs.length; i += 2) out[pairs[i]] = pairs[i + 1];
  return out;
}

/**
 * What a hook sees of a request's headers: a frozen copy, the key replaced.
 * @param {Record<string, string>} headers
 */
function redactedHeaders(headers) {
  return Object.freeze({ ...headers, Authorization: "Bearer [redacted]" });
}

/**
 * A copy of `v` as it is now, for a core to read later as it would have read `v` now: the
 * client's options for the full core when the client switches, and the input of a call
 * that waits for the switch (so a body or options changed after the call change nothing).
 * Plain objects (their own enumerable keys) and arrays (up to 1,000 entries) are copied,
 * anything else (functions, a signal, the store, a class instance) kept as it is. A body's
 * known fields are read as the core reads them (inherited or not enumerable too) and kept
 * out of its keys. Throws what a getter throws.
 * @param {unknown} v
 * @param {boolean} [isBody]
 * @param {number} [depth]
 * @returns {unknown}
 */
function snapshot(v, isBody = false, depth = 0) {
  if (typeof v !== "object" || v === null || depth > 8) return v;
  if (Array.isArray(v)) return v.length > 1000 ? v : v.map((x) => snapshot(x, false, depth + 1));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  // No prototype: a key "__proto__" (JSON.parse makes one) is copied as the key it is,
  // which the core refuses as it refuses it in the original, not taken as the prototype.
  /** @type {Record<string, unknown>} */
  const out = Object.create(null);
  for (const key of Object.keys(v)) out[key] = snapshot(/** @type {any} */ (v)[key], false, depth + 1);
  if (isBody) {
    for (const name of fieldNames) {
      if (Object.prototype.propertyIsEnumerable.call(v, name)) continue;
      const value = /** @type {any} */ (v)[name];
      if (value !== undefined) Object.defineProperty(out, name, { value: snapshot(value, false, depth + 1), enumerable: false });
    }
  }
  return out;
}

/**
 * `snapshot(v)`, or `v` itself when reading it throws (the core then reads it, and says so).
 * @param {unknown} v
 * @param {boolean} [isBody]
 */
function copied(v, isBody) {
  try {
    return snapshot(v, isBody);
  } catch {
    return v;
  }
}

const ABORTED = Symbol("aborted");

/** The most bodies a run takes (src/policy.rs's MAX_RUN_BODIES; tests/boundary.rs holds the two equal). */
const MAX_RUN_BODIES = 1_000_000;

/**
 * Resolves when the call's `signal` (of its options) fires; never, without one.
 * @param {unknown} options
 * @returns {Promise<void>}
 */
function aborted(options) {
  return new Promise((resolve) => {
    try {
      const signal = typeof options === "object" && options !== null ? /** @type {any} */ (options).signal : undefined;
      if (!signal) return;
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    } catch {}
  });
}

/**
 * The failure a send resolves to when the full core could not be loaded: nothing was sent.
 * @param {unknown} thrown
 */
function notLoaded(thrown) {
  const why = thrown instanceof Error ? thrown.message : String(thrown);
  const error = sendError("network", `Nothing was sent: connectsafely-wasm could not load its full core (many.mjs or many.cjs), which runs to many and sends with a store need: ${why}`, [], null, false);
  withCause(error, thrown);
  return failure(null, error, null, null);
}

/**
 * What a send or a run called without its client resolves to (the method passed on
 * unbound, as in `bodies.map(client.sendGroupWithAck)`): it threw on `this`.
 * @param {string} name
 */
function unbound(name) {
  const message = `Nothing was sent: ${name} was called without its client; pass client.${name}.bind(client)`;
  return failure(null, sendError("validation", message, [], null, false), null, null);
}

/** This process's id among the processes sharing a store (lease and claim owner). */
function runnerId() {
  const c = /** @type {any} */ (globalThis).crypto;
  if (c && typeof c.getRandomValues === "function") return c.getRandomValues(new Uint32Array(1))[0];
  return Math.floor(Math.random() * 2 ** 32);
}

export class ConnectSafelyClient {
  /** The class's name, as Node.js's console and util.inspect print a client: the
   * package's bundles shorten local names (scripts/bundle-pkg.mjs). */
  static get name() {
    return "ConnectSafelyClient";
  }
  /** @type {import("./glue-full.js").Core} the single-send core until the switch, then the full one */
  #core;
  /** @type {ReturnType<typeof fastPath>} the fast path of `#core`'s bundle: where fast.js writes a body for `#core.beginFast` */
  #fast;
  /** @type {import("./runs.js").Full | undefined} what the client needs of the full core's bundle, once it has it (at once where the bundle holds it) */
  #full = bundledFull;
  /** @type {Promise<unknown> | undefined} the switch to the full core, while it is on: what it threw, or undefined */
  #switching;
  /** Whether every send needs the full core (a client with a store). */
  #needsFull = false;
  /** Sends in flight on the single-send core, which the switch waits for. */
  #inFlight = 0;
  /** Set while the core reads a call's input: a getter there that calls this client again
   * (which the core, borrowed, would refuse with a throw) has its call wait a microtask. */
  #reading = false;
  /** @type {(() => void) | undefined} */
  #drained;
  /** @type {unknown} the options as read when the client was made, for the full core */
  #options;
  /** @type {number} */
  #runner;
  /** @type {any} */
  #store;
  /** @type {string} */
  #apiKey;
  /** @type {string} */
  #endpoint;
  /** @type {Function | undefined} */
  #fetch;
  /** @type {number} */
  #storeTimeoutMs;
  /** @type {Record<string, string>} */
  #headers;
  /** @type {number} */
  #level;
  /** @type {any} */
  #logger;
  /** @type {any} */
  #hooks;
  /** @type {import("./exchange.js").Pooled[]} */
  #free = [];

  /** @param {import("./index").ClientOptions} options */
  constructor(options) {
    start();
    this.#runner = runnerId();
    this.#core = /** @type {any} */ (new Core(options, this.#runner));
    this.#fast = fastPath();
    if (!this.#full) this.#options = copied(options);
    const [apiKey, endpoint, fetch, store, storeTimeoutMs, level, logger, hooks, pairs] = this.#core.setup;
    this.#apiKey = apiKey;
    this.#endpoint = endpoint;
    this.#fetch = fetch;
    this.#store = store;
    this.#storeTimeoutMs = storeTimeoutMs;
    this.#level = level;
    this.#logger = logger;
    this.#hooks = hooks;
    this.#headers = headerObject(apiKey, pairs);
    this.#needsFull = store !== undefined;
  }

  /**
   * Switches to the full core (once; again after a failed try, which a browser answers
   * from its record of the failed import until the page reloads): loads it, waits for the
   * sends in flight on the single-send core, hands the account registry over. Resolves
   * to what it threw when it failed, else undefined; never rejects.
   * @returns {Promise<unknown>}
   */
  #switch() {
    if (this.#full) return Promise.resolve(undefined);
    return (this.#switching ??= (async () => {
      try {
        const m = await loadFull();
        m.start();
        const full = new m.Core(this.#options, this.#runner);
        while (this.#inFlight > 0) await new Promise((resolve) => (this.#drained = () => resolve(undefined)));
        // The single-send core (the `sender` build's Core: its hand-over exports).
        const one = /** @type {{ handOverText(): string, handOverNumbers(): Float64Array, free(): void }} */ (/** @type {unknown} */ (this.#core));
        full.takeOver(one.handOverText(), one.handOverNumbers());
        this.#core = full;
        this.#fast = m.fastPath();
        this.#full = m;
        one.free();
        return undefined;
      } catch (e) {
        return e ?? new Error("the full core failed to start");
      } finally {
        this.#switching = undefined;
      }
    })());
  }

  get baseUrl() {
    return this.#core.baseUrl;
  }

  get workspace() {
    return this.#core.workspace;
  }

  toString() {
    return this.#core.toString();
  }

  toJSON() {
    return this.#core.toJSON();
  }

  /**
   * @param {unknown} body
   * @param {unknown} [options]
   */
  sendGroupWithAck(body, options) {
    if (!(this instanceof ConnectSafelyClient)) return Promise.resolve(unbound("sendGroupWithAck"));
    if (!this.#full && (this.#needsFull || this.#switching)) return this.#queued(copied(body, true), copied(options));
    return this.#send(body, options);
  }

  /**
   * A send that waits for the switch to the full core: a client with a store sends
   * through it, and so does every send once a switch is on (the single-send core's sends
   * in flight drain meanwhile). Its input is a copy made at the call. If the call's signal
   * fires first, it is sent nowhere: the core it goes to sees the signal and reports the
   * send aborted, nothing sent.
   * @param {unknown} body
   * @param {unknown} options
   */
  async #queued(body, options) {
    const r = await Promise.race([this.#switch(), aborted(options).then(() => ABORTED)]);
    // Switched; or a client without a store, whose single sends a failed load changes
    // nothing for; or a store client's signal fired first, which the core it goes to
    // reports as aborted (nothing sent, no store needed).
    if (this.#full || !this.#needsFull || r === ABORTED) return this.#send(body, options);
    return notLoaded(r);
  }

  /**
   * @param {unknown} body
   * @param {unknown} options
   * @returns {Promise<unknown>}
   */
  #send(body, options) {
    if (this.#reading) return Promise.resolve().then(() => this.sendGroupWithAck(body, options));
    const core = this.#core;
    let id;
    this.#reading = true;
    try {
      const fast = encode(body, this.#fast) ? core.beginFast(last.len, last.account !== undefined, last.urns ? last.urns.length : -1, options) : undefined;
      id = fast === undefined ? core.begin(body, options) : fast;
    } finally {
      this.#reading = false;
    }
    const counted = !this.#full;
    if (counted) this.#inFlight += 1;
    return this.#settle(core, id, counted);
  }

  /**
   * Drives send `id` to its end and resolves to its result. One async function, not
   * then() and finally(): two promises fewer a send.
   * @param {import("./glue-full.js").Core} core
   * @param {number} id
   * @param {boolean} counted  counted in `#inFlight` (a send on the single-send core)
   */
  async #settle(core, id, counted) {
    try {
      await this.#drive(core, id);
      this.#logOutcome(core, id);
      return core.finish(id);
    } finally {
      if (counted && --this.#inFlight === 0) this.#drained?.();
    }
  }

  /**
   * @param {import("./glue-full.js").Core} core
   * @param {number} id
   */
  #logOutcome(core, id) {
    if (this.#level === 0) return;
    const said = core.logOutcome(id);
    if (said) log(this.#logger, said[0], said[1]);
  }

  /**
   * Performs what `core` asks for its send `id` until it is done.
   * @param {import("./glue-full.js").Core} core
   * @param {number} id
   */
  async #drive(core, id) {
    const hooks = this.#hooks;
    const debug = this.#level >= DEBUG;
    const [body, signal, timeoutMs, own] = core.request(id);
    const headers = own ? headerObject(this.#apiKey, own) : this.#headers;
    let attempt = 0;
    for (;;) {
      const step = core.step(id);
      // A signal that fired already: no request is made for it, and the core is told
      // nothing left (`Exchanged.Withheld`), so a journal gives its item back and a
      // reservation its room.
      if (step === Step.Fetch && fired(signal)) {
        // The caller's signal fired before the request (while a store answered): none is
        // made, so there is no attempt for hooks or logs.
        core.exchanged(id, Exchanged.Withheld, Cut.Aborted, 0, undefined, undefined, undefined, undefined);
      } else if (step === Step.Fetch) {
        attempt += 1;
        /** @type {any} */
        let view;
        if (hooks) {
          view = Object.freeze({ method: "POST", url: this.#endpoint, headers: redactedHeaders(headers), attempt });
          hook(hooks, "onRequest", view);
        }
        const began = debug || hooks ? Date.now() : 0;
        let r;
        try {
          // The fetch option, else the global fetch looked up now (it may be replaced at any time).
          const fetchFn = this.#fetch ?? globalThis.fetch;
          r = await exchange(fetchFn, this.#endpoint, this.#apiKey, headers, body, signal, timeoutMs, this.#free);
        } catch (e) {
          // A hostile runtime (a signal whose methods throw, ...): the request may have left.
          r = { what: Exchanged.NoResponse, cut: Cut.None, status: 0, headers: undefined, text: undefined, json: undefined, thrown: e };
        }
        // The parsed body, or its text when it is not JSON: the body crosses once, parsed once.
        const text = r.json === undefined ? r.text : undefined;
        // (The core reads what fetch threw, and the JSON: getters a page may have put there.)
        this.#reading = true;
        try {
          core.exchanged(id, r.what, r.cut, r.status, r.headers, text, r.json, r.thrown);
        } finally {
          this.#reading = false;
        }
        const durationMs = debug || hooks ? Date.now() - began : 0;
        if (debug) log(this.#logger, DEBUG, core.logAttempt(id, attempt, durationMs));
        if (hooks) {
          const [status, rateLimit, kind, deliveryUnknown] = core.attemptSeen(id);
          if (status !== undefined) {
            hook(hooks, "onResponse", Object.freeze({ request: view, status, durationMs, rateLimit }));
          } else {
            hook(hooks, "onError", Object.freeze({ request: view, durationMs, error: Object.freeze({ kind: kind ?? "network", deliveryUnknown }) }));
          }
        }
      } else if (step === Step.Swap) {
        try {
          // Only the full core asks for swaps: its bundle brought storeSwap.
          const full = /** @type {import("./runs.js").Full} */ (this.#full);
          const r = await full.storeSwap(this.#store, this.#storeTimeoutMs, core.swap(id));
          core.swapped(id, r.ok, r.value, r.version);
        } catch (e) {
          this.#reading = true;
          try {
            core.storeFailed(id, e);
          } finally {
            this.#reading = false;
          }
        }
      } else if (step === Step.Wait) {
        if (debug) log(this.#logger, DEBUG, core.logWait(id));
        let waited = false;
        try {
          waited = await sleep(core.waitMs(id), signal);
        } catch {}
        if (waited) core.waited(id);
        else core.abort(id);
      } else {
        return;
      }
    }
  }

  /**
   * A run that could not start for want of the full core: every item not attempted (a
   * later run sends it), its result the failure that says why; `onResult` is called for each.
   * @param {unknown} bodies
   * @param {unknown} options
   * @param {unknown} thrown
   */
  #notRun(bodies, options, thrown) {
    /** @type {unknown[]} */
    let results = [];
    try {
      if (Array.isArray(bodies)) results = bodies.map(() => notLoaded(thrown));
      const onResult = typeof options === "object" && options !== null ? /** @type {any} */ (options).onResult : undefined;
      if (typeof onResult === "function") results.forEach((r, i) => notify(onResult, i, r));
    } catch {}
    return bulk(results, 0, 0, results.map((_, i) => i), null, null);
  }

  /**
   * @param {unknown} bodies
   * @param {unknown} [options]
   */
  async sendGroupWithAckMany(bodies, options) {
    if (!(this instanceof ConnectSafelyClient)) return bulk([unbound("sendGroupWithAckMany")], 0, 1, [], null, null);
    if (this.#reading) await null;
    if (!this.#full) {
      // The run reads its input as it was at the call.
      // (Not a list over what a run takes, which the core refuses unread: a sparse one of
      // 2^32 - 1 took a minute to copy, every timer of the process stopped meanwhile.)
      try {
        bodies = Array.isArray(bodies) && bodies.length <= MAX_RUN_BODIES ? bodies.map((b) => copied(b, true)) : bodies;
      } catch {}
      options = copied(options);
      const thrown = await this.#switch();
      if (!this.#full) return this.#notRun(bodies, options, thrown);
    }
    const core = this.#core;
    // The run reads its input before its first await.
    this.#reading = true;
    try {
      return this.#full.runMany(
        { core, store: this.#store, storeTimeoutMs: this.#storeTimeoutMs, level: this.#level, logger: this.#logger, drive: (id) => this.#drive(core, id), sleep },
        bodies,
        options,
      );
    } finally {
      this.#reading = false;
    }
  }
}
