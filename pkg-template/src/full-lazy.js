// @ts-check
// "#full" of index.mjs, whose own core is the single-send one (the core's `sender`
// build): the full core is many.mjs, imported when the client first needs a run to many
// or a store. Every bundler splits it into a file of its own, fetched only then.

/** Not in this bundle: see `loadFull`. */
export const bundledFull = undefined;

/** many.mjs, loaded (once: the runtime keeps the module). */
export function loadFull() {
  return import("#many");
}
