// @ts-check
// One HTTP exchange, performed for the core: fetch called unbound, the timeout and
// the caller's signal merged into one AbortController, redirects not followed, then
// the status, the rate-limit headers and the body read, each step raced with the
// abort (a fetch that ignores its signal still ends). It never rejects: it reports
// how far it got (`Exchanged`) and what cut it short (`Cut`), and the core decides.
import { Cut, Exchanged } from "./glue.js";
import { headerNames } from "./start.js";

// No answer of this API comes near 1 MiB: a huge body is cut before it crosses into
// wasm memory (which never shrinks) and is classified on its start.
const MAX_UNITS = 1 << 20;
const KEPT_UNITS = 64 * 1024;
const STOP = {};

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
 * @param {AbortSignal | undefined} caller
 * @param {number} timeoutMs  0 = none
 * @returns {Promise<Report>}
 */
export async function exchange(fetchFn, url, apiKey, headers, body, caller, timeoutMs) {
  /** @type {Report} */
  const out = { what: Exchanged.NotSent, cut: Cut.None, status: 0, headers: undefined, text: undefined, json: undefined, thrown: undefined };
  if (typeof fetchFn !== "function") {
    out.what = Exchanged.NoFetch;
    return out;
  }
  // One promise to race each step with, settled by the timeout or the caller's signal
  // (directly, not through a listener on our own signal: a listener costs more than
  // the send itself in Node.js).
  /** @type {(value: unknown) => void} */
  let wake = () => {};
  const stopped = new Promise((resolve) => (wake = resolve));
  const controller = typeof AbortController === "function" ? new AbortController() : null;
  let timedOut = false;
  const onTimeout = () => {
    timedOut = true;
    if (controller) controller.abort();
    wake(STOP);
  };
  const onAbort = () => {
    if (controller) controller.abort();
    wake(STOP);
  };
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const done = () => {
    if (caller && caller.aborted) out.cut = Cut.Aborted;
    else if (timedOut) out.cut = Cut.Timeout;
    return out;
  };
  try {
    if (caller) {
      if (caller.aborted) onAbort();
      else caller.addEventListener("abort", onAbort);
    }
    if (timeoutMs > 0) timer = setTimeout(onTimeout, Math.min(timeoutMs, 2147483647));
    /** @type {RequestInit} */
    const init = {
      method: "POST",
      headers,
      body,
      redirect: "manual",
    };
    if (controller) init.signal = controller.signal;
    let pending;
    try {
      pending = fetchFn.call(undefined, url, init);
    } catch (e) {
      out.thrown = e;
      return done();
    }
    out.what = Exchanged.NoResponse;
    /** @type {any} */
    let res;
    try {
      res = await Promise.race([pending, stopped]);
    } catch (e) {
      out.thrown = e;
      return done();
    }
    if (res === STOP) return done();
    if (!res || typeof res.status !== "number") {
      out.what = Exchanged.NotAResponse;
      return done();
    }
    out.status = res.status;
    if (res.type === "opaqueredirect" || res.status === 0) {
      out.what = Exchanged.Opaque;
      return done();
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
      if (i > 0) lines += "\n";
      lines += typeof v === "string" && v.indexOf("\n") < 0 && v.indexOf("\0") < 0 ? v : "\0";
    }
    out.headers = lines;
    let text;
    try {
      text = await Promise.race([res.text(), stopped]);
    } catch (e) {
      out.thrown = e;
      return done();
    }
    if (text === STOP) return done();
    out.what = Exchanged.Complete;
    text = typeof text !== "string" ? "" : text.length > MAX_UNITS ? text.slice(0, KEPT_UNITS) : text;
    // The key never reaches a result, even when a server echoes it.
    if (apiKey && text.includes(apiKey)) text = text.split(apiKey).join("[redacted]");
    out.text = text;
    try {
      out.json = text === "" ? undefined : JSON.parse(text);
    } catch {}
    return done();
  } finally {
    clearTimeout(timer);
    if (caller) caller.removeEventListener("abort", onAbort);
    // Settle the race promise: fetch implementations may keep the signal (and with it
    // every reaction on a pending promise) alive after the call.
    wake(STOP);
  }
}

/**
 * Waits `ms`, unless `signal` aborts first.
 * @param {number} ms
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<boolean>} true when the whole wait passed
 */
export function sleep(ms, signal) {
  if (signal && signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      if (signal) signal.removeEventListener("abort", finish);
      resolve(!(signal && signal.aborted));
    };
    const timer = setTimeout(finish, Math.min(ms, 2147483647));
    if (signal) signal.addEventListener("abort", finish);
  });
}
