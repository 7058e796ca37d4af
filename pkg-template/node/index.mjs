// Node.js (and Bun) entry for import: the CommonJS build, re-exported by name.
import cjs from "./index.cjs";

export const { ConnectSafelyClient, validateSendGroupWithAck } = cjs;
