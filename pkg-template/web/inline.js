// Entry for bundlers (Vite, esbuild, webpack, ...) and Deno: the wasm is inlined
// below, so no bundler plugin, asset rule or file permission is needed.
import init, { ConnectSafelyClient, validateSendGroupWithAck } from "./connectsafely_wasm.js";

if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
  throw new Error("connectsafely-wasm needs WebAssembly, which this runtime does not provide");
}
const b64 = "__WASM_BASE64__";
const bin = atob(b64);
const bytes = new Uint8Array(bin.length);
for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
await init({ module_or_path: bytes });

export { ConnectSafelyClient, validateSendGroupWithAck };
