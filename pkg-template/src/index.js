// The main entry (web.mjs, index.mjs, index.cjs, edge.mjs): the public API.
export { ConnectSafelyClient } from "./client.js";
export { validateSendGroupWithAck } from "./validation.js";
