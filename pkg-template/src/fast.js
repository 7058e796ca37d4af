// @ts-check
// The validation fast path's input: a body's string fields (and messageUrns' entries)
// joined by NUL and written as UTF-8 into one buffer, so the core decides a body with one
// call and one copy instead of a JS read per field. Only routes: whether the fields are
// valid is the core's call (`fastValidate`, `Core.beginFast`; the format is described in
// src/wasm/fast.rs). Any other body (a non-plain object, a field of another type, an
// unknown key) is `false` here, and the full path reads it.
import { fieldNames } from "./start.js";

/** What `encode` read of the last body it accepted (reused: no allocation a call). */
export const last = {
  /** @type {string | undefined} */ account: undefined,
  urn: "",
  group: "",
  message: "",
  /** @type {string[] | undefined} */ urns: undefined,
  /** The fields as UTF-8, for the core: the first `len` bytes of `bytes`. */
  bytes: new Uint8Array(0),
  len: 0,
};

// Short bodies (nearly all) are written to `small` and handed over whole: copying it is
// cheaper than making a view of the part written. Longer ones to `large`, grown as needed.
const small = new Uint8Array(1024);
let large = new Uint8Array(0);
// messageUrns' limit (the core's MAX_MESSAGE_URNS; a longer list takes the full path,
// which says so). And the longest body read here, in UTF-16 units: a message of 100,000
// code points with room to spare; longer bodies take the full path.
const MAX_URNS = 100;
const MAX_UNITS = 1 << 18;
const encoder = new TextEncoder();

/**
 * Reads `body` for the fast path into `last`: true when it is a plain object whose own
 * keys are only the request's fields, each a string (accountId and messageUrns may also
 * be null or undefined; messageUrns an array of at most 100 strings).
 * @param {unknown} body
 */
export function encode(body) {
  try {
    if (typeof body !== "object" || body === null || Object.getPrototypeOf(body) !== Object.prototype) return false;
    const o = /** @type {Record<string, unknown>} */ (body);
    const [ACCOUNT, URN, GROUP, MESSAGE, URNS] = fieldNames;
    // Its own enumerable keys, as the full path reads them: only the fields may be there.
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
    const long = 3 * joined.length > small.length;
    if (long && 3 * joined.length > large.length) large = new Uint8Array(3 * joined.length);
    const { written = 0 } = encoder.encodeInto(joined, long ? large : small);
    last.account = account;
    last.urn = urn;
    last.group = group;
    last.message = message;
    last.urns = urns;
    last.bytes = long ? large.subarray(0, written) : small;
    last.len = written;
    return true;
  } catch {
    return false;
  }
}
