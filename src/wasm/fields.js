// The names come from the core once (setNames), so they are defined in one place:
// the request's known fields (KNOWN_FIELDS) and the response-body keys its
// classification reads (BODY_KEYS).
let FIELDS = new Map();
let BODY_KEYS = [];
// BODY_KEYS one by one, each read at a site of its own in bodyShape: a site that sees one
// key is a fast (monomorphic) load, where one loop over the nine made each read a
// megamorphic one (~1,400 instructions a send). tests/boundary.rs holds them to the
// core's list: one variable, and one read at its bits, per key. (The validate-only core
// imports nothing of this file: its driver, pkg-template/src/describe.js, reads its
// bodies, with `wellFormed` of this file.)
let K0, K1, K2, K3, K4, K5, K6, K7, K8;

// Each list's names separated by commas, the two lists by a semicolon. Left as `split`
// makes them: made internalized keys (as names.js does for the driver's lists) they read a
// send in 1.001x the instructions and an invalid body in 0.992x: not worth a second copy of
// names.js (a snippet cannot import it).
export function setNames(names) {
  const [fields, bodyKeys] = names.split(";");
  FIELDS = new Map(fields.split(",").map((name, i) => [name, i]));
  BODY_KEYS = bodyKeys ? bodyKeys.split(",") : [];
  [K0, K1, K2, K3, K4, K5, K6, K7, K8] = BODY_KEYS;
}

// Which request field a key names (its index in KNOWN_FIELDS), or -1: comparing here
// spares copying every key into wasm memory.
export function fieldIndex(key) {
  const i = typeof key === "string" ? FIELDS.get(key) : undefined;
  return i === undefined ? -1 : i;
}

// What `v` is, in one call (the core's reader, read.rs, asked up to eight questions a
// value): 0 undefined, 1 null, 2 a string, 3 false, 4 true, 5 a number, 6 a bigint, 7 a
// symbol, 8 a function, 9 an array, 10 another object, 11 a revoked proxy of an object
// (which Array.isArray throws for), 12 anything else (document.all). read.rs's `Type`
// reads these numbers (tests/js/hostile.test.mjs reads a field of each type through both).
export function typeOf(v) {
  if (v === undefined) return 0;
  if (v === null) return 1;
  switch (typeof v) {
    case "string":
      return 2;
    case "boolean":
      return v ? 4 : 3;
    case "number":
      return 5;
    case "bigint":
      return 6;
    case "symbol":
      return 7;
    case "function":
      return 8;
    case "object":
      try {
        return Array.isArray(v) ? 9 : 10;
      } catch {
        return 11;
      }
  }
  return 12;
}

// Whether `s` is well-formed UTF-16 (no unpaired surrogate): asked by read.rs only of a
// string whose UTF-8 copy holds U+FFFD, which is also what an unpaired surrogate becomes,
// and by describe.js where the runtime has no String.prototype.isWellFormed (Node.js 18).
// A loop rather than isWellFormed, for those runtimes.
export function wellFormed(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false;
    const d = s.charCodeAt(++i);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
  }
  return true;
}

// Whether `v` is a Map or a Headers (options.rs: header options, whose entries are no
// keys of the object); false where a runtime has no Headers.
export function entries(v) {
  try {
    return v instanceof Map || v instanceof Headers;
  } catch {
    return false;
  }
}

// Whether `v`, what fetch threw, holds `key` anywhere a reader of a result's `error.cause`
// could reach it: a string or symbol's text, and an object's own property names and
// values (message, stack, errors, causes, a request config's headers...), as deep as four
// objects and 256 properties in all; true when that cannot be told (deeper, more, or a read that
// throws): the result then keeps no cause (result.rs).
export function mentions(v, key) {
  let left = 256;
  const seen = new Set();
  /** @param {unknown} x @param {number} depth @returns {boolean} */
  const holds = (x, depth) => {
    if (typeof x === "string") return x.includes(key);
    if (typeof x === "symbol") return String(x.description).includes(key);
    if (x === null || (typeof x !== "object" && typeof x !== "function")) return false;
    if (seen.has(x)) return false;
    seen.add(x);
    if (depth > 4) return true;
    for (const k of Reflect.ownKeys(x)) {
      if (--left < 0 || holds(k, depth) || holds(/** @type {any} */ (x)[k], depth + 1)) return true;
    }
    return false;
  };
  try {
    return holds(v, 0);
  } catch {
    return true;
  }
}

// `o[k]`, for JSON.parse results: plain data, but a key they lack is looked up on
// Object.prototype, where a page's getter may throw; read as absent then (a throw would
// cross the wasm and leave the core borrowed for every later call).
export function dataProp(o, k) {
  try {
    return o[k];
  } catch {
    return undefined;
  }
}

// `o[BODY_KEYS[i]]` when `o` is a JSON object (not an array), else undefined: one call
// per field read, and no key string made; for JSON.parse results (a throwing getter of a
// polluted Object.prototype read as absent, as in dataProp).
export function bodyField(o, i) {
  try {
    return o !== null && typeof o === "object" && !Array.isArray(o) ? o[BODY_KEYS[i]] : undefined;
  } catch {
    return undefined;
  }
}

// `bodyField(o, i)` when that is a string, else undefined.
export function bodyString(o, i) {
  const v = bodyField(o, i);
  return typeof v === "string" ? v : undefined;
}

// What `o`, a JSON.parse result, is at its top level, in one call: bit 0 set when it is a
// JSON object (not an array), then three bits per key of BODY_KEYS, in order, for its
// value there: 0 absent, 1 a string, 2 true, 3 false, 4 a number (or what no JSON holds: a
// function inherited from a polluted Object.prototype), 5 null, 6 an array, 7 an object
// (the core's `JsJson` reads them). 0 when it is no object, or reading it threw (a getter
// of a polluted Object.prototype): the core then reads it a value at a time.
export function bodyShape(o) {
  if (o === null || typeof o !== "object" || Array.isArray(o)) return 0;
  try {
    // Read in the order of BODY_KEYS (left to right).
    const shape =
      1 | (kind(o[K0]) << 1) | (kind(o[K1]) << 4) | (kind(o[K2]) << 7) | (kind(o[K3]) << 10) | (kind(o[K4]) << 13) |
      (kind(o[K5]) << 16) | (kind(o[K6]) << 19) | (kind(o[K7]) << 22) | (kind(o[K8]) << 25);
    return shape >>> 0;
  } catch {
    return 0;
  }
}

/** @param {unknown} v */
function kind(v) {
  return v === undefined ? 0 : typeof v === "string" ? 1 : v === true ? 2 : v === false ? 3 : typeof v !== "object" ? 4 : v === null ? 5 : Array.isArray(v) ? 6 : 7;
}
