// @ts-check
// One HTTP exchange, performed for the core: fetch called unbound, the timeout and
// the caller's signal merged into one AbortController, redirects not followed, then
// the status, the rate-limit headers and the body read, each step ended by the timeout
// or the abort where it stands (a fetch that ignores its signal still ends). It never
// rejects: it reports how far it got (`Exchanged`) and what cut it short (`Cut`), and
// the core decides.
import { unconnected } from "#unconnected";
import { Cut, Exchanged, bodyRules, rateLimitHeaderNames } from "./glue.js";
import { names } from "./names.js";

/**
 * The core's rules, read on the first exchange (a client, which started the core, asked
 * for it): the response headers it reads, in the order `Core.exchanged` takes them, and
 * how a body is read (`[maxBody, keptBody, redacted]`), and which header is
 * X-RateLimit-Action, the one text among them.
 * @type {{ headerNames: string[], action: number, bodyRule: [number, number, string] } | undefined}
 */
let rules;

/**
 * @param {string[]} headerNames
 * @param {[number, number, string]} bodyRule
 */
const made = (headerNames, bodyRule) => ({ headerNames, action: headerNames.indexOf("x-ratelimit-action"), bodyRule });

/**
 * `s` with `key` (the API key) replaced by `redacted` wherever it stands, when `s` is a
 * string; anything else as it is.
 * @template T
 * @param {T} s
 * @param {string} key
 * @param {string} redacted
 * @returns {T}
 */
const scrub = (s, key, redacted) => (typeof s === "string" && key && s.includes(key) ? /** @type {T} */ (s.split(key).join(redacted)) : s);

/** Requests one controller serves at most (see `Pooled`). */
const USES = 8;
/** Controllers kept free per client: one for sequential sends, up to eight for a run's concurrent workers. */
const FREE = 8;

/**
 * A pooled controller: one whose signal a client hands to fetch, how many requests it served, and
 * the timer that times its request out. A controller whose request was read to its end
 * before anything ended the exchange goes back to the client's free list and serves its
 * next request: creating one (its signal) costs Node.js 20 about 2.5 µs (one in-process
 * send's CPU with reuse: 0.93-0.97x, bench/compare.mjs). Node's own fetch keeps state per
 * request for any signal, so over it a reused and a new signal cost the same (0.925x and
 * 0.933x a raw fetch over loopback). Aborting it later cannot touch a
 * request it served before (that fetch settled and its body was read), but a fetch keeps
 * a listener on the signal until its request is collected, so each serves at most `USES`
 * requests; one that aborted is never given back (`stop` aborts it, and ends the exchange
 * before its body can be read).
 * @typedef {{ controller: AbortController, served: number, timer: any, ms: number, fire: (() => void) | null }} Pooled
 */

/**
 * A free controller, else a new one (null: the runtime has none).
 * @param {Pooled[]} free
 * @returns {Pooled | null}
 */
function take(free) {
  return free.pop() ?? (typeof AbortController === "function" ? { controller: new AbortController(), served: 0, timer: undefined, ms: 0, fire: null } : null);
}

/**
 * Ends a pooled controller's request: back to the free list when the request's body was read (its
 * timer let go: it fires later, if not re-armed first, and does nothing), else let go
 * (its timer cleared).
 * @param {Pooled[]} free
 * @param {Pooled} pooled
 * @param {boolean} read  the whole answer was read, nothing aborted
 */
function release(free, pooled, read) {
  pooled.fire = null;
  if (read && ++pooled.served < USES && free.length < FREE) {
    if (pooled.timer !== undefined) pooled.timer.unref();
    free.push(pooled);
  } else {
    clearTimeout(pooled.timer);
  }
}

/**
 * Calls `fire` in `ms` unless the request ends first (`release`). Where timers can be re-armed and let go
 * (Node.js and Bun: `refresh`, `ref`, `unref`), a pooled controller keeps one timer for its requests:
 * setting and clearing a timer per request costs Node.js 20 ~3.4 µs a send (its list of
 * timers of that duration is emptied and built again); re-arming the controller's instead made
 * one in-process send 0.91x the CPU (bench/compare.mjs). Its timer holds the process open
 * only while a request is in flight.
 * @param {Pooled | null} pooled
 * @param {number} ms
 * @param {() => void} fire
 * @returns {any} the timer to clear (undefined: the controller's own)
 */
function arm(pooled, ms, fire) {
  if (!pooled) return setTimeout(fire, ms);
  pooled.fire = fire;
  if (pooled.timer !== undefined && pooled.ms === ms) {
    pooled.timer.ref();
    pooled.timer.refresh();
    return undefined;
  }
  clearTimeout(pooled.timer);
  pooled.timer = undefined;
  /** @type {any} */
  const timer = setTimeout(() => {
    const f = pooled.fire;
    pooled.fire = null;
    if (f) f();
  }, ms);
  const reusable = timer !== null && typeof timer === "object" && typeof timer.refresh === "function" && typeof timer.ref === "function" && typeof timer.unref === "function";
  if (!reusable) return timer;
  pooled.timer = timer;
  pooled.ms = ms;
  return undefined;
}

/**
 * @typedef {object} Report
 * @property {Exchanged} what
 * @property {Cut} cut
 * @property {number} status
 * @property {string | undefined} headers  the values of `headerNames`, in order, one
 *   per line ("\0" for one absent): one string for the core to take in. No header value
 *   can hold a line break or NUL (Fetch refuses them); one that does counts as absent.
 * @property {string | undefined} text
 * @property {unknown} json
 * @property {unknown} thrown
 */

/**
 * @param {unknown} fetchFn  the fetch to call (the option, else the global one)
 * @param {string} url
 * @param {string} apiKey  (scrubbed from the body read)
 * @param {Record<string, string>} headers  the request's headers, Authorization included
 * @param {string} body
 * @param {AbortSignal | undefined} caller  not fired yet: the driver makes no request under
 *   a signal that fired (`fired`, which client.js asks first), as a fetch that ignores its signal would still send
 * @param {number} timeoutMs  0 = none
 * @param {Pooled[]} free  the client's controllers free for another request (see `Pooled`)
 * @returns {Promise<Report>}
 */
export function exchange(fetchFn, url, apiKey, headers, body, caller, timeoutMs, free) {
  /** @type {Report} */
  const out = { what: Exchanged.NotSent, cut: Cut.None, status: 0, headers: undefined, text: undefined, json: undefined, thrown: undefined };
  if (typeof fetchFn !== "function") {
    out.what = Exchanged.NoFetch;
    return Promise.resolve(out);
  }
  const { headerNames, action, bodyRule } = (rules ??= made(names(rateLimitHeaderNames()), bodyRules()));
  return new Promise((resolve) => {
    // Each step is a callback that does nothing once the exchange has ended: the timeout
    // or the caller's signal ends it where it stands (a fetch that ignores its signal
    // still ends), and `out` is never written after it was handed over. Callbacks, not
    // awaits raced against a stop promise: two races and an async function cost more
    // than the rest of this driver.
    const pooled = take(free);
    const controller = pooled && pooled.controller;
    let ended = false;
    let timedOut = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    /** @param {boolean} [read]  the whole answer was read: the controller may serve again */
    const end = (read) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      if (pooled) release(free, pooled, read === true);
      if (caller) {
        try {
          caller.removeEventListener("abort", stop);
        } catch {}
      }
      try {
        if (caller && caller.aborted) out.cut = Cut.Aborted;
        else if (timedOut) out.cut = Cut.Timeout;
      } catch {}
      resolve(out);
    };
    const stop = () => {
      if (ended) return;
      try {
        if (controller) controller.abort();
      } catch {}
      end();
    };
    /** @param {unknown} e */
    const failed = (e) => {
      if (ended) return;
      out.thrown = e;
      // A fetch that could not connect sent nothing: the next run sends the item.
      if (out.what === Exchanged.NoResponse && unconnected(e)) out.what = Exchanged.NotSent;
      end();
    };
    // A step that throws (a Response-like whose getters throw, ...) ends the exchange
    // with what it threw: nothing escapes into an unhandled rejection or leaves it open.
    /** @param {(value: any) => void} step */
    const guarded = (step) => (/** @type {any} */ value) => {
      try {
        step(value);
      } catch (e) {
        failed(e);
      }
    };
    /** @param {unknown} text */
    const read = (text) => {
      if (ended) return;
      out.what = Exchanged.Complete;
      // The core's rules (`bodyRules`): no answer of this API comes near the most, so a
      // huge body is cut before it crosses into wasm memory (which never shrinks) and is
      // classified on its start; the key never reaches a result, even when a server echoes it.
      const [most, kept, redacted] = bodyRule;
      let t = typeof text !== "string" ? "" : text.length > most ? text.slice(0, kept) : text;
      try {
        // JSON is scrubbed string by string (a reviver, slower: only when the text holds the
        // key, or an escape, which can hide it from a scrub of the text and JSON.parse
        // restores): a scrub of the text matched a short key ("1") inside numbers too.
        out.json = t === "" ? undefined : apiKey && (t.includes(apiKey) || t.includes("\\")) ? JSON.parse(t, (_, v) => scrub(v, apiKey, redacted)) : JSON.parse(t);
      } catch {}
      out.text = scrub(t, apiKey, redacted);
      // The whole answer was read before anything ended the exchange (what aborts the
      // controller ends it first): its signal may serve the next request.
      end(true);
    };
    /** @param {any} res */
    const answered = (res) => {
      if (ended) return;
      if (!res || typeof res.status !== "number") {
        out.what = Exchanged.NotAResponse;
        return end();
      }
      out.status = res.status;
      if (res.type === "opaqueredirect" || res.status === 0) {
        out.what = Exchanged.Opaque;
        return end();
      }
      out.what = Exchanged.HeadOnly;
      let got = null;
      try {
        got = res.headers;
      } catch {}
      let lines = "";
      for (let i = 0; i < headerNames.length; i++) {
        let v;
        try {
          v = got.get(headerNames[i]);
        } catch {}
        // (X-RateLimit-Action, the one text among them, echoing the API key must not carry it
        // into a result; the others are numbers and dates, which a short key would match.)
        if (i === action) v = scrub(v, apiKey, bodyRule[2]);
        if (i > 0) lines += "\n";
        // (A rate-limit header is a number or a date: a longer one is not read.)
        lines += typeof v === "string" && v.length <= 256 && v.indexOf("\n") < 0 && v.indexOf("\0") < 0 ? v : "\0";
      }
      out.headers = lines;
      Promise.resolve(res.text()).then(guarded(read), failed);
    };
    try {
      if (caller) caller.addEventListener("abort", stop);
      if (timeoutMs > 0) timer = arm(pooled, Math.min(timeoutMs, 2147483647), () => ((timedOut = true), stop()));
      /** @type {RequestInit} */
      const init = {
        method: "POST",
        headers,
        body,
        redirect: "manual",
      };
      if (controller) init.signal = controller.signal;
      // The request may leave from the call on: a signal or timeout that ends the exchange
      // while fetch runs (an abort listener, a wrapper that aborts) reports it as maybe
      // delivered, and what fetch settles to is still handled (never an unhandled rejection).
      out.what = Exchanged.NoResponse;
      /** @type {unknown} */
      let pending;
      try {
        pending = fetchFn.call(undefined, url, init);
      } catch (e) {
        // A fetch that throws at once: nothing left.
        if (!ended) out.what = Exchanged.NotSent;
        throw e;
      }
      Promise.resolve(pending).then(guarded(answered), failed);
    } catch (e) {
      // A fetch that throws at once (nothing sent), a hostile runtime (a signal whose
      // methods throw, ...).
      failed(e);
    }
  });
}

/**
 * Waits `ms`, unless `signal` aborts first.
 * @param {number} ms
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<boolean>} true when the whole wait passed
 */
export function sleep(ms, signal) {
  if (fired(signal)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      try {
        if (signal) signal.removeEventListener("abort", finish);
      } catch {}
      resolve(!fired(signal));
    };
    const timer = setTimeout(finish, Math.min(ms, 2147483647));
    try {
      if (signal) signal.addEventListener("abort", finish);
    } catch {}
  });
}

/**
 * Whether `signal` fired already. A signal whose `aborted` throws (a hostile one that got
 * past the core's check of the options) counts as not fired: a wait runs its course and
 * a request's own timeout ends it.
 * @param {AbortSignal | undefined} signal
 */
export function fired(signal) {
  try {
    return !!signal && signal.aborted === true;
  } catch {
    return false;
  }
}
