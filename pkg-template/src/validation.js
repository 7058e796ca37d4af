// @ts-check
// Validation without a client: `validateSendGroupWithAck`, in both entries (the main one
// and `connectsafely-wasm/validate`, whose wasm holds validation only), and the fast
// path's routing the client's sends share.
import { validUnchanged, validateSendGroupWithAck as validateInCore } from "./glue.js";
import { fieldNames, start } from "./start.js";
import { valid } from "./shapes.js";

/**
 * A body's fields for the core's validation fast path, when the body is a plain object
 * whose own keys are only the four string fields (no messageUrns); else `undefined`, and
 * the full path reads it. Only routes: whether the fields are valid is the core's call.
 * @param {unknown} body
 * @returns {[string, string, string, string] | undefined} account ("" = absent), urn, group, message
 */
export function plainFields(body) {
  try {
    if (typeof body !== "object" || body === null || Object.getPrototypeOf(body) !== Object.prototype) return undefined;
    const [ACCOUNT, URN, GROUP, MESSAGE] = fieldNames;
    const o = /** @type {Record<string, unknown>} */ (body);
    let account = "";
    let urn, group, message;
    for (const key of Object.keys(o)) {
      const v = o[key];
      if (key === ACCOUNT) {
        if (v === undefined || v === null) continue;
        if (typeof v !== "string" || v === "") return undefined;
        account = v;
      } else if (typeof v !== "string") return undefined;
      else if (key === URN) urn = v;
      else if (key === GROUP) group = v;
      else if (key === MESSAGE) message = v;
      else return undefined;
    }
    return urn === undefined || group === undefined || message === undefined ? undefined : [account, urn, group, message];
  } catch {
    return undefined;
  }
}

/**
 * @param {unknown} body
 * @param {{ maxMessageLength?: number }} [options]
 */
export function validateSendGroupWithAck(body, options) {
  start();
  if (options === undefined) {
    const f = plainFields(body);
    // The result the core would build, by the same shape function (shapes.js).
    if (f && validUnchanged(f[0], f[1], f[2], f[3])) return valid(f[0] || undefined, f[1], f[2], f[3], undefined);
  }
  return validateInCore(body, options);
}
