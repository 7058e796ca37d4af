// @ts-check
// "#full" of edge.mjs: its own core is the full one (Workers and edge runtimes load
// everything at once), so the client never switches.
import { runMany, storeSwap } from "./runs.js";

/** @type {import("./runs.js").Full} what the client needs of the full core's bundle besides its own `Core` */
export const bundledFull = { runMany, storeSwap };

/**
 * Never called: the bundle's own core is the full one.
 * @returns {Promise<typeof import("./many.js")>}
 */
export function loadFull() {
  return Promise.reject(new Error("connectsafely-wasm: this bundle holds the full core"));
}
