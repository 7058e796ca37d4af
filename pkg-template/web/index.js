// Browser entry, loadable by URL from <script type="module"> with no bundler:
// instantiates the .wasm beside this file (streaming), then exports the API.
import init, { ConnectSafelyClient, validateSendGroupWithAck } from "./connectsafely_wasm.js";

if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
  throw new Error("connectsafely-wasm needs WebAssembly, which this browser does not provide");
}
await init({ module_or_path: new URL("./connectsafely_wasm_bg.wasm", import.meta.url) });

export { ConnectSafelyClient, validateSendGroupWithAck };
