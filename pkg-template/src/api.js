// The entry of every build (index.mjs, index.cjs, edge.mjs): the public API.
export { ConnectSafelyClient, validateSendGroupWithAck } from "./client.js";
