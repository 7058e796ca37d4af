// Cloudflare Workers (workerd): wrangler and Miniflare import a .wasm file as a
// compiled WebAssembly.Module, so instantiation is synchronous and needs no fetch.
import module from "../web/connectsafely_wasm_bg.wasm";
import { initSync, ConnectSafelyClient, validateSendGroupWithAck } from "../web/connectsafely_wasm.js";

initSync({ module });

export { ConnectSafelyClient, validateSendGroupWithAck };
