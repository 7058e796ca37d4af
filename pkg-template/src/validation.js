// @ts-check
// Validation without a client: `validateSendGroupWithAck`, in both entries (the main one
// and `connectsafely-wasm/validate`, whose wasm holds validation only). A body the fast
// path reads (fast.js) is decided by one call into the core; any other by the full path.
import { fastValidate, validateSendGroupWithAck as validateInCore } from "./glue.js";
import { start } from "./start.js";
import { valid } from "./shapes.js";
import { encode, last } from "./fast.js";

/**
 * @param {unknown} body
 * @param {{ maxMessageLength?: number }} [options]
 */
export function validateSendGroupWithAck(body, options) {
  start();
  if (options === undefined && encode(body)) {
    const { account, urns } = last;
    const trimmed = fastValidate(last.bytes, last.len, account !== undefined, urns ? urns.length : -1);
    // The result the core would build, by the same shape function (shapes.js): the
    // caller's own strings (messageUrns fast.js's copy of the entries), or the core's
    // once trimmed.
    if (trimmed === true) return valid(account, last.urn, last.group, last.message, urns);
    if (typeof trimmed === "string") {
      const f = trimmed.split("\0");
      return valid(account === undefined ? undefined : f[0], f[1], f[2], f[3], urns && f.slice(4));
    }
  }
  return validateInCore(body, options);
}
