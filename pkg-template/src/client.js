// @ts-check
// `ConnectSafelyClient` (exported by index.js): a small driver around the core. The core (Rust, in
// wasm: `Core` of src/wasm/mod.rs) validates, asks the guard, classifies and decides
// every next step of a send or a run; this driver only performs what it is told
// (fetch, timers, abort) and reports back. Every call into the core is synchronous.
import { BulkStep, Core, Cut, Exchanged, Step } from "./glue.js";
import { exchange, sleep } from "./exchange.js";
import { start } from "./start.js";
import { plainFields } from "./validation.js";

/**
 * Calls the caller's onResult; neither a throw nor a rejected promise from it escapes.
 * @param {Function | undefined} onResult
 * @param {number} index
 * @param {unknown} result
 */
function notify(onResult, index, result) {
  if (!onResult) return;
  try {
    const r = onResult(index, result);
    if (r && typeof r.then === "function") r.then(undefined, () => {});
  } catch {}
}

const LEVELS = ["off", "error", "warn", "info", "debug"];
const DEBUG = 4;
const INFO = 3;

/**
 * Writes `line` at `level` (1 error ... 4 debug); a logger that throws changes nothing.
 * @param {any} logger
 * @param {number} level
 * @param {string} line
 */
function log(logger, level, line) {
  try {
    logger[LEVELS[level]](`connectsafely-wasm: ${line}`);
  } catch {}
}

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

/** This process's id among the processes sharing a store (lease and claim owner). */
function runnerId() {
  const c = /** @type {any} */ (globalThis).crypto;
  if (c && typeof c.getRandomValues === "function") return c.getRandomValues(new Uint32Array(1))[0];
  return Math.floor(Math.random() * 2 ** 32);
}

/**
 * One compare-and-swap on the store, checked and bounded in time; throws on anything
 * but an answer of the documented shape.
 * @param {any} store
 * @param {number} timeoutMs
 * @param {string} key
 * @param {number | undefined} expected
 * @param {string | undefined} value
 * @returns {Promise<{ ok: boolean, value: string | undefined, version: number }>}
 */
async function storeSwap(store, timeoutMs, key, expected, value) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the store did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const r = await Promise.race([store.swap(key, expected === undefined ? null : expected, value === undefined ? null : value), late]);
    const ok = r && typeof r.ok === "boolean" && typeof r.version === "number" && (r.value === null || r.value === undefined || typeof r.value === "string");
    if (!ok) throw new TypeError("the store's swap() answered something other than { ok, value, version }");
    return { ok: r.ok, value: r.value === null ? undefined : r.value, version: r.version };
  } finally {
    clearTimeout(timer);
  }
}

export class ConnectSafelyClient {
  /** @type {Core} */
  #core;
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
    this.#core = new Core(options, runnerId());
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
    const core = this.#core;
    const f = plainFields(body);
    const fast = f && core.beginUnchanged(f[0], f[1], f[2], f[3], options);
    const id = fast === undefined ? core.begin(body, options) : fast;
    return this.#drive(id).then(() => {
      this.#logOutcome(id);
      return this.#core.finish(id);
    });
  }

  /** @param {number} id */
  #logOutcome(id) {
    if (this.#level === 0) return;
    const said = this.#core.logOutcome(id);
    if (said) log(this.#logger, said[0], said[1]);
  }

  /**
   * Performs what the core asks for send `id` until it is done.
   * @param {number} id
   */
  async #drive(id) {
    const core = this.#core;
    const hooks = this.#hooks;
    const debug = this.#level >= DEBUG;
    const [body, signal, timeoutMs, own] = core.request(id);
    const headers = own ? headerObject(this.#apiKey, own) : this.#headers;
    let attempt = 0;
    for (;;) {
      const step = core.step(id);
      if (step === Step.Fetch) {
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
        core.exchanged(id, r.what, r.cut, r.status, r.headers, text, r.json, r.thrown);
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
          const [key, expected, value] = core.swap(id);
          const r = await storeSwap(this.#store, this.#storeTimeoutMs, key, expected, value);
          core.swapped(id, r.ok, r.value, r.version);
        } catch (e) {
          core.storeFailed(id, e);
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
   * @param {unknown} bodies
   * @param {unknown} [options]
   */
  async sendGroupWithAckMany(bodies, options) {
    const core = this.#core;
    const run = core.bulkBegin(bodies, options);
    // Before anything is sent: the journal's format, read (and written where new), and
    // for a new journal an earlier build's entries looked for; at most 64 at a time.
    for (let checks = core.bulkChecks(run); checks.length > 0; checks = core.bulkChecks(run)) {
      /** @type {boolean[]} */
      const wrote = [];
      /** @type {(string | undefined)[]} */
      const values = [];
      let thrown;
      try {
        for (let at = 0; at < checks.length; at += 64) {
          const answers = await Promise.all(checks.slice(at, at + 64).map(([key, expected, value]) => storeSwap(this.#store, this.#storeTimeoutMs, key, expected, value)));
          for (const r of answers) {
            wrote.push(r.ok);
            values.push(r.value);
          }
        }
      } catch (e) {
        thrown = e ?? new Error("the store failed");
      }
      core.bulkChecked(run, wrote, values, thrown);
    }
    const { signal, onResult, workers, results, invalid } = core.bulkSettings(run);
    for (const i of invalid) notify(onResult, i, results[i]);
    const worker = async () => {
      for (;;) {
        if (signal && signal.aborted) core.bulkAbort(run);
        const next = core.bulkNext(run);
        if (next === BulkStep.Start) {
          const id = core.bulkSend(run);
          await this.#drive(id);
          const said = this.#level === 0 ? undefined : core.logOutcome(id);
          const i = core.bulkSettle(run, id);
          // An item left not attempted (refused before a request) is the run's summary's to report.
          if (said && i >= 0) log(this.#logger, said[0], said[1]);
          if (i >= 0) notify(onResult, i, results[i]);
        } else if (next === BulkStep.Wait) {
          if (!(await sleep(core.bulkWaitMs(run), signal))) core.bulkAbort(run);
        } else {
          return;
        }
      }
    };
    const all = [];
    for (let w = 0; w < workers; w++) all.push(worker());
    await Promise.all(all);
    if (this.#level >= INFO) {
      const line = core.bulkLog(run);
      if (line) log(this.#logger, INFO, line);
    }
    return core.bulkFinish(run);
  }
}
