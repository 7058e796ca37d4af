// @ts-check
// Validation without a client: `validateSendGroupWithAck`, in both entries (the main one
// and `connectsafely-wasm/validate`, whose wasm holds validation only). A body the fast
// path reads (fast.js) is decided by one call into the core; any other by the full path.
import { fastValidate, validateSendGroupWithAck as validateInCore } from "./glue.js";
import { valid } from "./shapes.js";
import { encode, fastPath, last } from "./fast.js";

// What the fast path trims (the core's `trim_ascii_space`): ASCII whitespace only (tab
// to carriage return, space), which the full path would trim alike. By a scan from each
// end, not a regular expression (a quarter of the instructions a padded body's
// validation took) nor String.prototype.trim, which a page may replace.
/** @param {number} c */
const space = (c) => c === 32 || (c >= 9 && c <= 13);
/** @param {string} s */
function trim(s) {
  let a = 0;
  let b = s.length;
  while (a < b && space(s.charCodeAt(a))) a++;
  while (b > a && space(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * @param {unknown} body
 * @param {{ maxMessageLength?: number }} [options]
 */
export function validateSendGroupWithAck(body, options) {
  const place = fastPath();
  if (options === undefined && encode(body, place)) {
    const { account, urns } = last;
    const answer = fastValidate(last.len, account !== undefined, urns ? urns.length : -1);
    // The result the core would build, by the same shape function (shapes.js): the
    // caller's own strings (messageUrns fast.js's copy of the entries), trimmed as the
    // core trimmed them.
    if (answer === 1) return valid(account, last.urn, last.group, last.message, urns);
    if (answer === 2) return valid(account === undefined ? undefined : trim(account), trim(last.urn), trim(last.group), last.message, urns?.map(trim));
  }
  return validateInCore(body, options);
}
