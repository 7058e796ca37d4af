// Which request field a key names (0..4, in the order of KNOWN_FIELDS in validate.rs),
// or -1: comparing here spares copying every key into wasm memory.
const FIELDS = { accountId: 0, recipientProfileUrn: 1, groupId: 2, message: 3, messageUrns: 4 };

export function fieldIndex(key) {
  return Object.prototype.hasOwnProperty.call(FIELDS, key) ? FIELDS[key] : -1;
}
