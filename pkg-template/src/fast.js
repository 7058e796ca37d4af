// @ts-check
// The validation fast path's input: a body's string fields (and messageUrns' entries)
// joined by NUL and written as UTF-8 straight into a scratch buffer of the wasm's memory,
// so the core decides a body with one call, no copy, instead of a JS read per field. Only
// routes: whether the fields are valid is the core's call (`fastValidate`,
// `Core.beginFast`, over the wasm's one scratch buffer: `fastPath`; the format is
// described in src/wasm/fast.rs). Any other body (a non-plain object, a field of another type, an
// unknown key) is `false` here, and the full path reads it. `validation`: an entry's
// validateSendGroupWithAck, the fast path first (validation.js, describe.js).
import { fastAt, fastValidate } from "./glue.js";
import { valid } from "./shapes.js";
import { fieldNames, memoryView, start } from "./start.js";

/** What `encode` read of the last body it accepted (reused: no allocation a call). */
export const last = {
  /** @type {string | undefined} */ account: undefined,
  urn: "",
  group: "",
  message: "",
  /** @type {string[] | undefined} */ urns: undefined,
  /** How many bytes of the scratch buffer the fields fill. */
  len: 0,
};

/** @type {((n: number) => Uint8Array) | undefined} */
let shared;
/** The view `place` hands out. */
let region = new Uint8Array(0);

/**
 * Forgets the view of the buffer: the core may have lost it (describe.js, when the core
 * failed, out of memory, while it held the buffer).
 */
export function forget() {
  region = new Uint8Array(0);
}

/**
 * This bundle's fast path, made on first use (the wasm started): `place`, where `encode`
 * writes, a view of at least `n` bytes of the wasm's one scratch buffer (which validation
 * and every client of this wasm, `Core.beginFast`, read a body from), kept until it is
 * too small or the memory grew (which detaches it: its length then reads 0).
 */
export function fastPath() {
  if (shared) return shared;
  start();
  /** @param {number} n */
  const place = (n) => {
    if (region.length >= n) return region;
    const cap = Math.max(n, 1024);
    // Forgotten first: should the core fail to allocate (out of memory), its buffer is gone
    // and this view must not be written again.
    region = new Uint8Array(0);
    return (region = memoryView(fastAt(cap), cap));
  };
  return (shared = place);
}

// messageUrns' limit (the core's MAX_MESSAGE_URNS; a longer list takes the full path,
// which says so). And the longest body read here, in UTF-16 units: a message of 100,000
// code points with room to spare; longer bodies take the full path.
export const MAX_URNS = 100;
const MAX_UNITS = 1 << 18;
export const encoder = new TextEncoder();

/**
 * Reads `body` for the fast path into `last`: true when it is a plain object whose own
 * keys are only the request's fields, each a string (accountId and messageUrns may also
 * be null or undefined; messageUrns an array of at most 100 strings), its fields then
 * written to `place`.
 * @param {unknown} body
 * @param {(n: number) => Uint8Array} place a `fastPath()`
 */
export function encode(body, place) {
  try {
    if (typeof body !== "object" || body === null || Object.getPrototypeOf(body) !== Object.prototype) return false;
    const o = /** @type {Record<string, unknown>} */ (body);
    // Read by index: destructuring an array cost 1% of a three-strings validation.
    const names = fieldNames;
    const ACCOUNT = names[0];
    const URN = names[1];
    const GROUP = names[2];
    const MESSAGE = names[3];
    const URNS = names[4];
    // Its own enumerable keys, as the full path reads them: only the fields may be there.
    // (Not for-in: 1.4% fewer instructions, but it yields a key a page made enumerable on
    // Object.prototype as if the body had it.)
    let own = 0;
    for (const key of Object.keys(o)) {
      if (key === URN) own |= 1;
      else if (key === GROUP) own |= 2;
      else if (key === MESSAGE) own |= 4;
      else if (key === ACCOUNT) own |= 8;
      else if (key === URNS) own |= 16;
      else return false;
    }
    if ((own & 7) !== 7) return false;
    // Each field read once, by name (a getter runs once; nothing inherited is read).
    const urn = o[URN];
    const group = o[GROUP];
    const message = o[MESSAGE];
    if (typeof urn !== "string" || typeof group !== "string" || typeof message !== "string") return false;
    const given = own & 8 ? o[ACCOUNT] : undefined;
    if (given !== undefined && given !== null && typeof given !== "string") return false;
    const account = typeof given === "string" ? given : undefined;
    const list = own & 16 ? o[URNS] : undefined;
    /** @type {string[] | undefined} */ let urns;
    if (list !== undefined && list !== null) {
      if (!Array.isArray(list) || list.length > MAX_URNS) return false;
      // Each entry read once, into a plain array of the package's own.
      urns = new Array(list.length);
      for (let i = 0; i < urns.length; i++) {
        const u = list[i];
        if (typeof u !== "string") return false;
        urns[i] = u;
      }
    }
    // One string, encoded by one native call: a JS loop over the characters costs more
    // than the whole call for any body longer than a few dozen characters.
    let joined = `${account ?? ""}\0${urn}\0${group}\0${message}`;
    if (urns) for (let i = 0; i < urns.length; i++) joined += `\0${urns[i]}`;
    // Past what any body the fast path accepts holds, the full path reads it (and no
    // buffer is kept for it).
    if (joined.length > MAX_UNITS) return false;
    // At most three UTF-8 bytes a UTF-16 unit.
    const { read = 0, written = 0 } = encoder.encodeInto(joined, place(3 * joined.length));
    // All of it, or the core would read a shorter body (never: the view holds three bytes a unit).
    if (read !== joined.length) return false;
    last.account = account;
    last.urn = urn;
    last.group = group;
    last.message = message;
    last.urns = urns;
    last.len = written;
    return true;
  } catch {
    return false;
  }
}

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
 * `validateSendGroupWithAck` of an entry: the fast path's result for a body it decides,
 * else `full`'s (the entry's full path). The fast path inline with the call to `full`: a
 * call returning "undecided" to a caller that then asked `full` cost the fast path's
 * bodies 0.2-1.4% more instructions.
 * @param {unknown} body
 * @param {unknown} options
 * @param {(body: unknown, options: any) => import("./index").ValidationResult} full
 */
export function validation(body, options, full) {
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
  return full(body, options);
}
