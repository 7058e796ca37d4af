// @ts-check
// "#unconnected" of web.mjs, for pages: a browser's fetch rejects with "Failed to fetch"
// alone, for a request that never left as for a CORS refusal of an answer to one that was
// delivered, so no failure of it says nothing was sent (unconnected.js reads what Node.js,
// Bun and Deno say).

/**
 * @param {unknown} _thrown
 * @returns {boolean}
 */
export function unconnected(_thrown) {
  return false;
}
