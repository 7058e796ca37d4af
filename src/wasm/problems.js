// Validation's field errors, their messages written here from the core's templates
// (src/problem.rs): the core hands each problem over as numbers, not as strings built in
// the wasm and copied out (most of an invalid body's validation was that), and hands the
// table over once (setMessages: its parts separated by NUL, as `messages_text` says).
// `T`: each template split at its slots (odd indices: the slot, \x01 the field, \x02 and
// \x03 the numbers, \x04 the text, \x05 the number past 32 bits, n1 * 2^32 + n0).
let HEAD, KIND, OPTION, FIELDS, CODES, T;
export function setMessages(text) {
  const a = text.split("\0");
  [HEAD, KIND, OPTION] = a;
  FIELDS = a.slice(3, 8);
  CODES = a.slice(8, 15);
  T = a.slice(15).map((t) => t.split(/([\x01-\x05])/));
}

// One problem, written as the field error of contract 3.2 and put on `list`. `name`: a
// known field's index (0-4), the body (5), the option (6), the key `key` (7), or
// messageUrns' entry `name - 8`.
export function problem(list, name, key, code, message, n0, n1, s) {
  const field = name < 5 ? FIELDS[name] : name === 5 ? "" : name === 6 ? OPTION : name === 7 ? key : `${FIELDS[4]}[${name - 8}]`;
  const parts = T[message];
  let text = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    // By code (a bundler prints the characters themselves: controls in a line of source).
    const slot = parts[i].charCodeAt(0);
    text += (slot === 1 ? field : slot === 2 ? n0 : slot === 3 ? n1 : slot === 4 ? s : n1 * 4294967296 + n0) + parts[i + 1];
  }
  list.push({ field, code: CODES[code], message: text });
}

// The invalid result of these field errors (shapes.js's `invalid` of `sendError`), its
// message as SendError::validation writes it.
export function invalidOf(list) {
  let message = HEAD;
  for (let i = 0; i < list.length; i++) message += (i ? "; " : "") + list[i].message;
  return { ok: false, error: { kind: KIND, message, fieldErrors: list, retryAfterMs: null, deliveryUnknown: false } };
}
