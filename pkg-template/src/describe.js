// @ts-check
// `validateSendGroupWithAck` of connectsafely-wasm/validate, whose wasm holds no JS value
// (no externref table, no JS call per field): a body the fast path does not decide
// (fast.js) is read here, once, into the fast path's buffer as src/value.rs's `decode`
// reads it, and validated by one call (`checkBody`), whose result problems.js makes.
//
// What is read, and in which order, is what the main entry's reader reads
// (src/wasm/read.rs's `body`; the differential tests hold the two entries' results
// equal): the body's own enumerable keys (Object.keys), each known field's value once,
// messageUrns' length and entries, nothing deeper; a string longer than any rule lets
// through is measured, not copied; a getter or proxy trap that throws makes its value
// unreadable, never the call throw.
import { bodyCap, checkBody } from "./glue.js";
import { encoder, fastPath, forget, MAX_URNS, validation } from "./fast.js";
import { reset, resultOf } from "./problems.js";
import { valid } from "./shapes.js";
import { wellFormed } from "./fields.js";
import { fieldNames } from "./start.js";

// value.rs's `decode` tags: 0 absent, 1 false, 2 true, 3 a number, 4 a BigInt, 5 a symbol,
// 6 a function, 7 unreadable, 8 and 9 a string (well formed or not), 10 a string measured,
// not copied, 11 an array, 12 an array too long to read, 13 an object; 14 a key by its
// text, 16 + i the known field i.
const NUMBER = 3;
const UNREADABLE = 7;
const STRING = 8;
const LONG_STRING = 10;
const ARRAY = 11;
const LONG_ARRAY = 12;
const OBJECT = 13;
const KEY = 14;
const KNOWN = 16;
// An unknown key longer than this (UTF-16 units) is named by its start and "…", as the
// main entry's reader names it (src/value.rs's KEY_UNITS; tests/boundary.rs holds the two
// equal): copied whole, half a billion characters ran the wasm out of memory.
const KEY_UNITS = 256;
// A text longer than this (UTF-16 units) is encoded before the buffer is sized, so the
// buffer holds its exact length, not three bytes a unit (a key of millions of characters).
const EXACT = 1 << 16;


/**
 * @param {unknown} body
 * @param {unknown} options
 */
function check(body, options) {
  // maxMessageLength as src/wasm/validate.rs's `limit` takes it: 0 not given, 1 the number
  // `n`, 2 anything else (read as the main entry reads it: Reflect.get, whose target must
  // be an object).
  let option = 0;
  let n = 0;
  if (options !== undefined && options !== null) {
    const type = typeof options;
    /** @type {unknown} */ let given;
    try {
      if (type !== "object" && type !== "function" && type !== "undefined") throw 0;
      given = /** @type {{ maxMessageLength?: unknown }} */ (options).maxMessageLength;
    } catch {
      option = 2;
    }
    if (typeof given === "number") {
      option = 1;
      n = given;
    } else if (given !== undefined) option = 2;
  }
  const cap = bodyCap(option, n);
  /** @type {unknown[]} */ const ops = [];
  // 0: the option is invalid, which the core reports without reading the body.
  if (cap) value(ops, body, cap, 1);
  try {
    const len = cap ? write(ops, fastPath()) : 0;
    reset();
    return resultOf(checkBody(len, option, n), valid);
  } catch (e) {
    // The core failed (out of memory) while it held the buffer, which it may have lost.
    forget();
    throw e;
  }
}

/**
 * @param {unknown} body
 * @param {{ maxMessageLength?: number }} [options]
 */
export function validateSendGroupWithAck(body, options) {
  return validation(body, options, check);
}

/**
 * Puts `v` on `ops` as tags and what follows them. `open`: 1 the body (an object's entries
 * read), 2 messageUrns (an array's entries read), 0 anything else (neither).
 * @param {unknown[]} ops
 * @param {unknown} v
 * @param {number} cap
 * @param {number} open
 */
function value(ops, v, cap, open) {
  // (Not `v == null`: document.all is loosely null, and read.rs reads it as unreadable.)
  if (v === null) return void (ops[ops.length] = 0);
  switch (typeof v) {
    case "undefined":
      // document.all's type is "undefined" too.
      if (v === undefined) return void (ops[ops.length] = 0);
      break;
    case "string":
      // At least one code point per two UTF-16 units.
      if (v.length > cap) ops[ops.length] = LONG_STRING, ops[ops.length] = (v.length + 1) >>> 1;
      else text(ops, wellFormedText(v) ? STRING : STRING + 1, v);
      return;
    case "boolean":
      return void (ops[ops.length] = v ? 2 : 1);
    case "number":
      ops[ops.length] = NUMBER;
      ops[ops.length] = v;
      return;
    case "bigint":
      return void (ops[ops.length] = 4);
    case "symbol":
      return void (ops[ops.length] = 5);
    case "function":
      return void (ops[ops.length] = 6);
    case "object": {
      let array;
      try {
        array = Array.isArray(v);
      } catch {
        // A revoked proxy.
        break;
      }
      if (array ? open === 2 : open === 1) return array ? entries(ops, /** @type {unknown[]} */ (v), cap) : fields(ops, v, cap);
      ops[ops.length] = array ? ARRAY : OBJECT;
      ops[ops.length] = 0;
      return;
    }
  }
  // A revoked proxy, or what is none of the above (document.all).
  ops[ops.length] = UNREADABLE;
}

/**
 * The body's own enumerable keys, and each known field's value.
 * @param {unknown[]} ops
 * @param {object} o
 * @param {number} cap
 */
function fields(ops, o, cap) {
  let keys;
  try {
    keys = Object.keys(o);
  } catch {
    return void (ops[ops.length] = UNREADABLE);
  }
  ops[ops.length] = OBJECT;
  ops[ops.length] = keys.length;
  const names = fieldNames;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    let i = 0;
    while (i < names.length && names[i] !== key) i++;
    if (i === names.length) {
      // Unknown keys only need their name: at most KEY_UNITS of it.
      text(ops, KEY, key.length > KEY_UNITS ? key.slice(0, KEY_UNITS) + "\u2026" : key);
      ops[ops.length] = 0;
      continue;
    }
    ops[ops.length] = KNOWN + i;
    let field;
    try {
      field = /** @type {Record<string, unknown>} */ (o)[key];
    } catch {
      ops[ops.length] = UNREADABLE;
      continue;
    }
    // messageUrns, the last of the names (src/request.rs's KNOWN_FIELDS), as fast.js reads them.
    value(ops, field, cap, i === 4 ? 2 : 0);
  }
}

/**
 * messageUrns' entries, up to one past the limit.
 * @param {unknown[]} ops
 * @param {unknown[]} a
 * @param {number} cap
 */
function entries(ops, a, cap) {
  let n;
  try {
    n = a.length;
  } catch {
    return void (ops[ops.length] = UNREADABLE);
  }
  // A proxy's length may be anything: read as Rust's `as usize` reads a number (toward
  // zero, at most 2^32 - 1).
  if (typeof n !== "number" || !(n >= 0)) return void (ops[ops.length] = UNREADABLE);
  const len = n >= 4294967295 ? 4294967295 : n - (n % 1);
  if (len > MAX_URNS) {
    ops[ops.length] = LONG_ARRAY;
    ops[ops.length] = len;
    return;
  }
  ops[ops.length] = ARRAY;
  ops[ops.length] = len;
  for (let i = 0; i < len; i++) {
    let item;
    try {
      item = a[i];
    } catch {
      ops[ops.length] = UNREADABLE;
      continue;
    }
    value(ops, item, cap, 0);
  }
}

/**
 * Puts a text on `ops`: its tag, then the text, or its UTF-8 where it is long (`EXACT`).
 * @param {unknown[]} ops
 * @param {number} tag
 * @param {string} s
 */
function text(ops, tag, s) {
  ops[ops.length] = tag;
  ops[ops.length] = s.length > EXACT ? encoder.encode(s) : s;
}

/**
 * Writes `ops` into the buffer (`place`): each tag a byte, a number as its f64, a count or
 * length as a u32, a text as its UTF-8 byte length (u32) and its UTF-8. Returns the bytes
 * written.
 * @param {unknown[]} ops
 * @param {(n: number) => Uint8Array} place
 */
function write(ops, place) {
  // At most: a byte a tag, eight bytes a number, four a count, 4 + 3 a UTF-16 unit a text.
  let size = 0;
  for (let i = 0; i < ops.length; i++) {
    const t = /** @type {number} */ (ops[i]);
    if (t === NUMBER) (size += 9), i++;
    else if (t === STRING || t === STRING + 1 || t === KEY) {
      const s = /** @type {string | Uint8Array} */ (ops[++i]);
      size += 5 + (typeof s === "string" ? 3 : 1) * s.length;
    }
    else if (t >= LONG_STRING && t <= OBJECT) (size += 5), i++;
    else size++;
  }
  const bytes = place(size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let at = 0;
  for (let i = 0; i < ops.length; i++) {
    const t = /** @type {number} */ (ops[i]);
    bytes[at++] = t;
    if (t === NUMBER) {
      view.setFloat64(at, /** @type {number} */ (ops[++i]), true);
      at += 8;
    } else if (t === STRING || t === STRING + 1 || t === KEY) {
      // (Sized at three bytes a UTF-16 unit, the most UTF-8 takes: all of it is written.)
      const s = /** @type {string | Uint8Array} */ (ops[++i]);
      let written = s.length;
      if (typeof s === "string") written = encoder.encodeInto(s, bytes.subarray(at + 4)).written ?? 0;
      else bytes.set(s, at + 4);
      view.setUint32(at, written, true);
      at += 4 + written;
    } else if (t >= LONG_STRING && t <= OBJECT) {
      view.setUint32(at, /** @type {number} */ (ops[++i]), true);
      at += 4;
    }
  }
  return at;
}

/**
 * Whether `s` is well-formed UTF-16 (no unpaired surrogate, which UTF-8 cannot hold:
 * TextEncoder writes U+FFFD for it): String.prototype.isWellFormed where the runtime has
 * it (a native scan; a loop costs an 8000-character message microseconds), as it was when
 * the package loaded, else fields.js's loop.
 * @param {string} s
 */
function wellFormedText(s) {
  return nativeWellFormed ? nativeWellFormed.call(s) === true : wellFormed(s);
}

/** String.prototype.isWellFormed as the runtime had it when the package loaded: a page's
 * later replacement (a broken polyfill) must not decide what the main entry decides alike. */
const nativeWellFormed = typeof String.prototype.isWellFormed === "function" ? String.prototype.isWellFormed : undefined;
