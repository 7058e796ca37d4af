// The npm package's wasm builds and the files each goes into: the one list build-pkg.sh,
// bundle-pkg.mjs, check-driver.mjs, size-budget.mjs and the tests read.
//
// ENTRIES, one per wasm, each built from the core with its own features:
//   name      its name
//   driver    where it differs from name, the module of pkg-template/src (DRIVER.js) that
//             check-driver.mjs type-checks against its glue (each file's module: BUNDLES' api)
//   features  cargo features of its wasm
//   base      wasm-bindgen's --out-name: GLUE/BASE_bg.wasm, GLUE/BASE.js
//   target    cargo's target dir (one per feature set: cargo would rebuild one over the other)
//   glue      wasm-bindgen's output dir
//   scan      where it differs from Cargo.toml's (2), the opt-level of the validation fast
//             path's crate (connectsafely-scan) in this wasm: z in the validate-only one,
//             1.3 KiB smaller gzipped for 1.25-1.44x its instructions on a valid body (a
//             page that only validates pays in bytes what a form never notices in µs);
//             z in web.mjs's too, for the same reason
//
// BUNDLES, one per file of the package holding a wasm (scripts/bundle-pkg.mjs):
//   file      pkg/FILE
//   api       pkg-template/src/API.js, the module bundled
//   wasm      the ENTRIES name whose wasm and glue it holds
//   format    esm or cjs
//   loader    inline (the wasm in the file, one character a byte: pkg-template/src/inline.js),
//             base64 (in the file as base64, for the files servers load: base64.js) or
//             edge (a .wasm?module import of BASE_bg.wasm,
//             shipped beside it)
//   full      for a file whose own core is the single-send one: the file of the full core
//             its client loads on first need (import() in ESM, require() in CommonJS)
//
// index.mjs, what ES module runtimes import (web.mjs below is what pages get), holds the single-send core
// (`sender`: no run to many, shared store or journal); its client switches to many.mjs,
// the full core, imported on first need, which bundlers split into a file of its own.
// index.cjs likewise, its client requiring many.cjs on first need: a process that only
// validates or sends one starts on the smaller core. edge.mjs holds the full core: a
// Worker's wasm is compiled at deploy time, where one module is simplest to ship.
//
// web.mjs is index.mjs for pages (the `import` condition: every browser bundler, a page
// by URL; Parcel, which reads no `exports` by default, by the `module` field): the same
// single-send core built for size, its validation fast path at opt-level z as in the
// validate-only wasm (what that trades: docs/performance-history.md). Servers, which
// validate and send in bulk, get index.mjs by the `node` condition (Node.js, Deno, Bun,
// a build that sets it: webpack's and Next.js's for a server, esbuild's
// --platform=node) and edge.mjs by `workerd` and `edge-light`.
//
//   node scripts/entries.mjs    prints "NAME FEATURES BASE TARGET GLUE SCAN" ("-": Cargo.toml's), a line per entry (for build-pkg.sh)
import { fileURLToPath } from "node:url";

export const ENTRIES = [
  { name: "index", features: "npm,sender", base: "connectsafely_one", target: "target/one", glue: "target/bindgen-one" },
  { name: "many", features: "npm", base: "connectsafely_wasm", target: "target", glue: "target/bindgen" },
  { name: "validate", features: "npm,validator", base: "connectsafely_validate", target: "target/validate", glue: "target/bindgen-validate", scan: "z" },
  { name: "web", driver: "index", features: "npm,sender", base: "connectsafely_web", target: "target/web", glue: "target/bindgen-web", scan: "z" },
];

export const BUNDLES = [
  { file: "index.mjs", api: "index", wasm: "index", format: "esm", loader: "base64", full: "many.mjs" },
  { file: "web.mjs", api: "index", wasm: "web", format: "esm", loader: "inline", full: "many.mjs" },
  { file: "many.mjs", api: "many", wasm: "many", format: "esm", loader: "inline" },
  { file: "index.cjs", api: "index", wasm: "index", format: "cjs", loader: "base64", full: "many.cjs" },
  { file: "many.cjs", api: "many", wasm: "many", format: "cjs", loader: "inline" },
  { file: "edge.mjs", api: "index", wasm: "many", format: "esm", loader: "edge" },
  { file: "validate.mjs", api: "validate", wasm: "validate", format: "esm", loader: "inline" },
  { file: "validate.cjs", api: "validate", wasm: "validate", format: "cjs", loader: "inline" },
  { file: "validate-edge.mjs", api: "validate", wasm: "validate", format: "esm", loader: "edge" },
];

/** The entry named `name`. */
export function entry(name) {
  const e = ENTRIES.find((x) => x.name === name);
  if (!e) throw new Error(`entries: no entry ${name}`);
  return e;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const e of ENTRIES) console.log([e.name, e.features, e.base, e.target, e.glue, e.scan ?? "-"].join(" "));
}
