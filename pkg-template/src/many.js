// @ts-check
// many.mjs and many.cjs: the full core (runs to many, a shared store, the journal), which
// the client of web.mjs and index.mjs (index.cjs) loads and switches to on first need
// (full-lazy.js). Not an entry of the package's own: nothing but those load it.
export { BulkStep, Core } from "./glue-full.js";
export { start } from "./start.js";
export { fastPath } from "./fast.js";
export { runMany, storeSwap } from "./runs.js";
