// @ts-check
// "#unconnected" of the files servers load (index.mjs, index.cjs, edge.mjs): whether what a
// fetch rejected with says it never connected. web.mjs, for pages, has unconnected-web.js.

/**
 * The codes of a connection that could not be opened, when the call that failed is the
 * `connect` (the same codes from a `read` or `write` come from a connection that was open,
 * whose request may have been delivered), and of a name that did not resolve.
 */
const CONNECT = ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH"];
const LOOKUP = ["ENOTFOUND", "EAI_AGAIN"];

/**
 * Whether `x` (an error or its cause) says the connection was never opened: a code of
 * `CONNECT` from `connect`, of `LOOKUP` from `getaddrinfo` (Node.js's fetch on the cause,
 * Bun's on the error), or undici's connect timeout.
 * @param {any} x
 */
function never(x) {
  return (
    !!x &&
    ((CONNECT.includes(x.code) && x.syscall === "connect") || (LOOKUP.includes(x.code) && x.syscall === "getaddrinfo") || x.code === "UND_ERR_CONNECT_TIMEOUT")
  );
}

/**
 * Whether `e`, what fetch rejected with, says the request never left: `never` of its cause
 * or of it, Bun's "Unable to connect" (a refused connection, no `syscall`), or Deno's
 * "client error (Connect)". Anything else may have been delivered (a browser says only
 * "Failed to fetch", also for a CORS refusal of an answer). A `fetch` of your own that
 * retries defeats this: its last failure tells nothing of the tries before it.
 * @param {any} e
 */
export function unconnected(e) {
  try {
    return never(e.cause) || never(e) || (CONNECT.includes(e.code) && String(e.message).includes("Unable to connect")) || (!!e.cause && String(e.cause.message).includes("client error (Connect)"));
  } catch {
    return false;
  }
}
