// Which file of the package each kind of consumer gets (package.json's exports): pages the
// single-send core built for size (web.mjs, by `import`), servers the same core built for
// speed (index.mjs and index.cjs, by `node`), edge runtimes edge.mjs. Resolved here by
// esbuild as a bundler for each platform resolves it, and by Node.js itself; the matrix
// runs each bundler and runtime for real.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The package's file esbuild bundles for `code` (run from tests/js) with `options`. */
async function resolved(code, options) {
  const { metafile } = await build({ stdin: { contents: code, resolveDir: here }, bundle: true, write: false, metafile: true, logLevel: "silent", external: ["*.wasm?module"], ...options });
  return Object.keys(metafile.inputs).map((f) => path.basename(f)).filter((f) => /\.(mjs|cjs)$/.test(f)).sort();
}

test("a bundle for a browser, or for no platform in particular, gets web.mjs, the single-send core built for size (and many.mjs, which it imports on first need)", async () => {
  for (const options of [{ platform: "browser", format: "esm" }, { platform: "neutral", format: "esm" }, { platform: "browser", format: "iife" }]) {
    assert.deepEqual(await resolved('export { ConnectSafelyClient } from "connectsafely-wasm";', options), ["many.mjs", "web.mjs"], JSON.stringify(options));
  }
});

test("a bundle for Node.js gets index.mjs, the same core built for speed; edge runtimes get edge.mjs", async () => {
  assert.deepEqual(await resolved('export { ConnectSafelyClient } from "connectsafely-wasm";', { platform: "node", format: "esm" }), ["index.mjs", "many.mjs"]);
  assert.deepEqual(await resolved('module.exports = require("connectsafely-wasm");', { platform: "node", format: "cjs" }), ["index.cjs", "many.cjs"]);
  assert.deepEqual(await resolved('export { ConnectSafelyClient } from "connectsafely-wasm";', { platform: "neutral", format: "esm", conditions: ["workerd"] }), ["edge.mjs"]);
  assert.deepEqual(await resolved('export { ConnectSafelyClient } from "connectsafely-wasm";', { platform: "browser", format: "esm", conditions: ["edge-light"] }), ["edge.mjs"]);
});

test("Node.js itself resolves the main entry to index.mjs by import and index.cjs by require", () => {
  assert.equal(path.basename(fileURLToPath(import.meta.resolve("connectsafely-wasm"))), "index.mjs");
  assert.equal(path.basename(require.resolve("connectsafely-wasm")), "index.cjs");
});
