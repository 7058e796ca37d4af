// The names come from the core once (setNames), so they are defined in one place:
// the request's known fields (KNOWN_FIELDS) and the response-body keys its
// classification reads (BODY_KEYS).
let FIELDS = new Map();
let BODY_KEYS = [];

// Each list's names separated by commas.
export function setNames(fields, bodyKeys) {
  FIELDS = new Map(fields.split(",").map((name, i) => [name, i]));
  BODY_KEYS = bodyKeys.split(",");
}

// Which request field a key names (its index in KNOWN_FIELDS), or -1: comparing here
// spares copying every key into wasm memory.
export function fieldIndex(key) {
  const i = typeof key === "string" ? FIELDS.get(key) : undefined;
  return i === undefined ? -1 : i;
}

// `o[k]`, for JSON.parse results (plain data: reading cannot throw, so no catch wrapper).
export function dataProp(o, k) {
  return o[k];
}

// `o[BODY_KEYS[i]]` when `o` is a JSON object (not an array), else undefined: one call
// per field read, and no key string made; for JSON.parse results (plain data: reading
// cannot throw).
export function bodyField(o, i) {
  return o !== null && typeof o === "object" && !Array.isArray(o) ? o[BODY_KEYS[i]] : undefined;
}
