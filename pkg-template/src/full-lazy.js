// @ts-check
// "#full" of web.mjs, index.mjs and index.cjs, whose own core is the single-send one (the core's
// `sender` build): the full core is many.mjs, imported when the client first needs a run
// to many or a store. Every bundler splits it into a file of its own, fetched only then.
// In index.cjs it is many.cjs, required then (scripts/bundle-pkg.mjs turns the import()
// into a require() in a promise): Node.js loads it only then, but a bundler given
// index.cjs includes it in its output (a require is not a split point).

/** Not in this bundle: see `loadFull`. */
export const bundledFull = undefined;

/** many.mjs (many.cjs), loaded (once: the runtime keeps the module). */
export function loadFull() {
  return import("#many");
}
