// @ts-check
// Validation without a client: `validateSendGroupWithAck`, in both entries (the main one
// and `connectsafely-wasm/validate`, whose wasm holds validation only). A body the fast
// path reads (fast.js) is decided by one call into the core; any other by the full path.
import { validateSendGroupWithAck as validateInCore } from "./glue.js";
import { valid } from "./shapes.js";
import { encode, fastPath, last } from "./fast.js";

// What the fast path trims (the core's `trim_ascii_space`): ASCII whitespace only, which
// the full path would trim alike. Not String.prototype.trim, which a page may replace.
const SPACE = /^[\t-\r ]+|[\t-\r ]+$/g;
/** @param {string} s */
const trim = (s) => s.replace(SPACE, "");

/**
 * @param {unknown} body
 * @param {{ maxMessageLength?: number }} [options]
 */
export function validateSendGroupWithAck(body, options) {
  const { fast, place } = fastPath();
  if (options === undefined && encode(body, place)) {
    const { account, urns } = last;
    const answer = fast.validate(last.len, account !== undefined, urns ? urns.length : -1);
    // The result the core would build, by the same shape function (shapes.js): the
    // caller's own strings (messageUrns fast.js's copy of the entries), trimmed as the
    // core trimmed them.
    if (answer === 1) return valid(account, last.urn, last.group, last.message, urns);
    if (answer === 2) return valid(account === undefined ? undefined : trim(account), trim(last.urn), trim(last.group), last.message, urns?.map(trim));
  }
  return validateInCore(body, options);
}
