// The npm package's entries that carry a wasm, each built from the core with its own
// features: the one list build-pkg.sh, check-driver.mjs, size-budget.mjs and the tests
// read. Per entry:
//   name      pkg-template/src/NAME.js, bundled into pkg/NAME.mjs, NAME.cjs and
//             NAME-edge.mjs (edge.mjs for index)
//   features  cargo features of its wasm
//   base      wasm-bindgen's --out-name: pkg/BASE_bg.wasm
//   target    cargo's target dir (one per feature set: cargo would rebuild one over the other)
//   glue      wasm-bindgen's output dir
//
//   node scripts/entries.mjs    prints "NAME FEATURES BASE TARGET GLUE", a line each (for build-pkg.sh)
import { fileURLToPath } from "node:url";

export const ENTRIES = [
  { name: "index", features: "npm", base: "connectsafely_wasm", target: "target", glue: "target/bindgen" },
  { name: "validate", features: "npm,validator", base: "connectsafely_validate", target: "target/validate", glue: "target/bindgen-validate" },
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const e of ENTRIES) console.log([e.name, e.features, e.base, e.target, e.glue].join(" "));
}
