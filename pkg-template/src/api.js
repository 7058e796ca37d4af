// The public API of every entry: wasm-bindgen's class and function, started on
// first use. Importing does no work (no top-level await, nothing compiled or
// instantiated), so any bundler may keep, split or drop this module, and an
// import that is never used costs nothing at start-up.
import {
  ConnectSafelyClient as StartedClient,
  validateSendGroupWithAck as validateStarted,
  __wbg_get_imports,
  __wbg_finalize_init,
} from "./glue.js";
// Per entry: the wasm inlined as base64 (compiled on first use), or imported as a
// compiled module where a runtime forbids compiling bytes (workerd, edge runtimes).
import { wasmModule } from "#wasm";

let started = false;

function start() {
  if (started) return;
  if (typeof WebAssembly !== "object" || WebAssembly === null || typeof WebAssembly.Instance !== "function") {
    throw new Error("connectsafely-wasm needs WebAssembly, which this runtime does not provide (was Node.js started with --jitless?)");
  }
  const module = wasmModule();
  // Not wasm-bindgen's initSync: its `instanceof WebAssembly.Module` check rejects a
  // module compiled in another JS realm, which is what Next.js's edge sandbox hands over.
  __wbg_finalize_init(new WebAssembly.Instance(module, __wbg_get_imports()), module);
  started = true;
}

export class ConnectSafelyClient extends StartedClient {
  constructor(options) {
    start();
    super(options);
  }
}

export function validateSendGroupWithAck(body, options) {
  start();
  return validateStarted(body, options);
}
