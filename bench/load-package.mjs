// Loads the built package (pkg/index.cjs, the require entry) and keeps a handle on the wasm
// instance it creates, so benchmarks and the soak can read its linear memory.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function loadPackage() {
  let instance;
  const Instance = WebAssembly.Instance;
  WebAssembly.Instance = function (module, imports) {
    instance = new Instance(module, imports);
    return instance;
  };
  try {
    const api = createRequire(import.meta.url)(path.join(root, "pkg/index.cjs"));
    // The wasm starts on first use: start it while the hook above is in place.
    api.validateSendGroupWithAck({});
    return { ...api, wasmMemoryBytes: () => instance.exports.memory.buffer.byteLength };
  } finally {
    WebAssembly.Instance = Instance;
  }
}
