// One HTTP exchange for the wasm layer, in one call: fetch called unbound, the
// timeout and the caller's signal merged into one AbortController, redirects not
// followed, then the status, the rate-limit headers and the body read, each step
// raced with the abort (a fetch that ignores its signal still ends). It never
// rejects: it reports how far it got, and the Rust core classifies the rest.
const NAMES = ["x-ratelimit-action", "x-ratelimit-limit", "x-ratelimit-used", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after"];
// No answer of this API comes near 1 MiB: a huge body is cut before it crosses into
// wasm memory (which never shrinks) and is classified on its start.
const MAX_UNITS = 1 << 20;
const KEPT_UNITS = 64 * 1024;
const STOP = {};

export async function exchange(fetchFn, url, apiKey, body, caller, timeoutMs) {
  const out = { stage: "not-sent", status: 0, opaque: false, headers: null, text: "", json: undefined, error: undefined, timedOut: false, callerAborted: false };
  let wake;
  const stopped = new Promise((resolve) => (wake = () => resolve(STOP)));
  const controller = typeof AbortController === "function" ? new AbortController() : null;
  const onAbort = () => controller && controller.abort();
  let timer;
  const done = () => {
    out.callerAborted = !!(caller && caller.aborted);
    out.timedOut = !out.callerAborted && !!(controller && controller.signal.aborted);
    return out;
  };
  try {
    if (controller) controller.signal.addEventListener("abort", wake);
    if (caller) caller.addEventListener("abort", onAbort);
    if (controller && timeoutMs > 0) timer = setTimeout(onAbort, Math.min(timeoutMs, 2147483647));
    const init = {
      method: "POST",
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json", Accept: "application/json" },
      body,
      redirect: "manual",
    };
    if (controller) init.signal = controller.signal;
    let pending;
    try {
      pending = fetchFn.call(undefined, url, init);
    } catch (e) {
      out.error = e;
      return done();
    }
    out.stage = "sent";
    let res;
    try {
      res = await Promise.race([pending, stopped]);
    } catch (e) {
      out.error = e;
      return done();
    }
    if (res === STOP) return done();
    if (!res || typeof res.status !== "number") {
      out.error = new TypeError("fetch resolved to something that is not a Response");
      return done();
    }
    out.stage = "response";
    out.status = res.status;
    out.opaque = res.type === "opaqueredirect" || res.status === 0;
    let headers = null;
    try {
      headers = res.headers;
    } catch {}
    out.headers = NAMES.map((name) => {
      try {
        const v = headers.get(name);
        return typeof v === "string" ? v : null;
      } catch {
        return null;
      }
    });
    if (out.opaque) return done();
    let text;
    try {
      text = await Promise.race([res.text(), stopped]);
    } catch (e) {
      out.error = e;
      return done();
    }
    if (text === STOP) return done();
    out.stage = "body";
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
    if (controller) controller.signal.removeEventListener("abort", wake);
    // Settle the race promise: fetch implementations may keep the signal (and with it
    // every reaction on a pending promise) alive after the call.
    wake();
  }
}
