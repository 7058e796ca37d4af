// Loads the built package (pkg/index.cjs, the require entry) and keeps a handle on every
// wasm instance it creates, so benchmarks and the soak can read their linear memory: the
// single-send core it starts on, and the full core (many.cjs) its clients load on the
// first run to many or send with a store, after this returns.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function loadPackage() {
  /** @type {WebAssembly.Instance[]} */
  const instances = [];
  const Instance = WebAssembly.Instance;
  // Kept for the process's life: the full core is instantiated later, on first need.
  WebAssembly.Instance = function (module, imports) {
    const instance = new Instance(module, imports);
    // Only the package's cores: each imports the result shapes `valid` and `invalid`
    // (src/wasm/shapes.js) and exports its memory (not the tiny module inline.js decodes
    // the inlined bytes with, nor any other wasm of the process).
    const names = new Set(WebAssembly.Module.imports(module).map((i) => i.name));
    if (names.has("valid") && names.has("invalid") && instance.exports.memory instanceof WebAssembly.Memory) instances.push(instance);
    return instance;
  };
  const api = createRequire(import.meta.url)(path.join(root, "pkg/index.cjs"));
  /** The linear memory of every instance the package made, in bytes. */
  const wasmMemoryBytes = () => instances.reduce((n, i) => n + i.exports.memory.buffer.byteLength, 0);
  return { ...api, wasmMemoryBytes };
}
