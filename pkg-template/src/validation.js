// @ts-check
// Validation without a client: `validateSendGroupWithAck` of the main entry (that of
// `connectsafely-wasm/validate`, whose wasm holds validation only and no JS value, is
// describe.js's). A body the fast path reads (fast.js) is decided by one call into the
// core; any other by the full path, which reads it from JavaScript (src/wasm/read.rs).
import { validateSendGroupWithAck as validateInCore } from "./glue.js";
import { validation } from "./fast.js";

/**
 * @param {unknown} body
 * @param {{ maxMessageLength?: number }} [options]
 */
export function validateSendGroupWithAck(body, options) {
  return validation(body, options, validateInCore);
}
