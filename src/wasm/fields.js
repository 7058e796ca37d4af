// Which request field a key names (its index in the core's KNOWN_FIELDS), or -1:
// comparing here spares copying every key into wasm memory. The names come from the
// core once (setFields), so they are defined in one place.
let FIELDS = new Map();

export function setFields(names) {
  FIELDS = new Map(names.map((name, i) => [name, i]));
}

export function fieldIndex(key) {
  const i = typeof key === "string" ? FIELDS.get(key) : undefined;
  return i === undefined ? -1 : i;
}

// `o[k]`, for JSON.parse results (plain data: reading cannot throw, so no catch wrapper).
export function dataProp(o, k) {
  return o[k];
}

// The response-body keys the core's classification reads (from the core: setBodyKeys),
// named by index: one call per field read, and no key string made.
let BODY_KEYS = [];

export function setBodyKeys(names) {
  BODY_KEYS = names;
}

// `o[BODY_KEYS[i]]` when `o` is a JSON object (not an array), else undefined; for
// JSON.parse results (plain data: reading cannot throw).
export function bodyField(o, i) {
  return o !== null && typeof o === "object" && !Array.isArray(o) ? o[BODY_KEYS[i]] : undefined;
}
