// ESM entry for Node.js: the CommonJS build, re-exported by name.
import cjs from "./connectsafely_wasm.js";

export const { ConnectSafelyClient, validateSendGroupWithAck } = cjs;
