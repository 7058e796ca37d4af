// @ts-check
// "#unconnected" of the files servers load (index.mjs, index.cjs, edge.mjs): whether what a
// fetch rejected with says it never connected. web.mjs, for pages, has unconnected-web.js.

/**
 * The codes of an error from a fetch that never connected (a refused connection, a name
 * that does not resolve, no route, a connect timeout): Node.js's fetch puts one on the
 * error's `cause`, Bun's on the error.
 */
const UNCONNECTED = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"];

/**
 * Whether `e`, what fetch rejected with, says the request never left: a code of
 * `UNCONNECTED`, or Deno's "client error (Connect)". Anything else may have been
 * delivered (a browser says only "Failed to fetch", also for a CORS refusal of an answer).
 * @param {any} e
 */
export function unconnected(e) {
  try {
    const cause = e.cause;
    return UNCONNECTED.includes(e.code) || (!!cause && (UNCONNECTED.includes(cause.code) || String(cause.message).includes("client error (Connect)")));
  } catch {
    return false;
  }
}
