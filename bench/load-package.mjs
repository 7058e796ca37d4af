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
    // The package's cores export their memory as `memory` (the tiny module inline.js
    // decodes the inlined bytes with exports `m`, and is not counted).
    if (instance.exports.memory instanceof WebAssembly.Memory) instances.push(instance);
    return instance;
  };
  const api = createRequire(import.meta.url)(path.join(root, "pkg/index.cjs"));
  /** The linear memory of every instance the package made, in bytes. */
  const wasmMemoryBytes = () => instances.reduce((n, i) => n + i.exports.memory.buffer.byteLength, 0);
  return { ...api, wasmMemoryBytes };
}
