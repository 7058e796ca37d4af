// Validation's field errors, their messages written here from the core's templates
// (src/problem.rs): the validate-only core hands each problem over as numbers, not as
// strings built in the wasm and copied out (most of an invalid body's validation was
// that), and hands the templates over once (setMessages).
//
// This runs on the first invalid body, after the caller's own code: it reads with
// charCodeAt and slice alone, as validation.js trims, never with what a page may have
// replaced (split, a RegExp's methods, an array's iterator, map).

// `P`: the core's `messages_text`, its parts (separated by NUL) at even indices, in this
// order: the summary's head, the error's kind, the option's name, the five known fields,
// the seven codes, then the templates. `T`: each template as [text, slot, text, ...], a
// slot its code (problem.rs: 1 the field, 2 and 3 the numbers, 4 the text, 5 the number
// past 32 bits, n1 * 2^32 + n0).
let P, T;
export function setMessages(text) {
  P = cut(text, 1);
  T = [];
  for (let i = 30; i < P.length; i += 2) T[T.length] = cut(P[i], 6);
}

/** `text` cut at each character below `below`: [text, its code, text, ..., text]. */
function cut(text, below) {
  const out = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < below) {
      out[out.length] = text.slice(from, i);
      out[out.length] = c;
      from = i + 1;
    }
  }
  out[out.length] = text.slice(from);
  return out;
}

// One problem, written as the field error of contract 3.2 and put on `list`. `name`, as
// src/wasm/validate.rs's `invalid` writes it: a known field's index (0-4), the body (5),
// the option (6), the key `key` (7), or messageUrns' entry `name - 8`.
export function problem(list, name, key, code, message, n0, n1, s) {
  const field = name < 5 ? P[6 + 2 * name] : name === 5 ? "" : name === 6 ? P[4] : name === 7 ? key : `${P[14]}[${name - 8}]`;
  const parts = T[message];
  let text = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const slot = parts[i];
    text += (slot === 1 ? field : slot === 2 ? n0 : slot === 3 ? n1 : slot === 4 ? s : n1 * 4294967296 + n0) + parts[i + 1];
  }
  list.push({ field, code: P[16 + 2 * code], message: text });
}

// The invalid result of these field errors (shapes.js's `invalid` of `sendError`), its
// message as SendError::validation writes it.
export function invalidOf(list) {
  let message = P[0];
  for (let i = 0; i < list.length; i++) message += (i ? "; " : "") + list[i].message;
  return { ok: false, error: { kind: P[2], message, fieldErrors: list, retryAfterMs: null, deliveryUnknown: false } };
}
