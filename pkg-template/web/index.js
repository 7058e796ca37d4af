// Browser entry, loadable by URL from <script type="module"> with no bundler:
// instantiates the wasm next to this file, then exports the API.
import init, { ConnectSafelyClient, validateSendGroupWithAck } from "./connectsafely_wasm.js";

await init({ module_or_path: new URL("./connectsafely_wasm_bg.wasm", import.meta.url) });

export { ConnectSafelyClient, validateSendGroupWithAck };
