// The validate-only core's results (src/wasm/validate.rs's `checkBody`), which it hands
// over piece by piece (it holds no JS value): a valid body's strings (`text`), or each
// problem, whose message is written here from the core's templates (src/problem.rs):
// handed over as numbers, not as strings built in the wasm and copied out (most of an
// invalid body's validation was that), the templates once (setMessages). The driver
// (pkg-template/src/describe.js) makes the result of them (`resultOf`).
//
// This runs on the first invalid body, after the caller's own code: it reads with
// charCodeAt and slice alone, as validation.js trims, never with what a page may have
// replaced (split, a RegExp's methods, an array's iterator, map, push).
// What the core handed over for the body at hand, taken by `resultOf`.
let list = [];
let texts = [];

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
export function problem(name, key, code, message, n0, n1, s) {
  const field = name < 5 ? P[6 + 2 * name] : name === 5 ? "" : name === 6 ? P[4] : name === 7 ? key : `${P[14]}[${name - 8}]`;
  const parts = T[message];
  let text = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const slot = parts[i];
    text += (slot === 1 ? field : slot === 2 ? n0 : slot === 3 ? n1 : slot === 4 ? s : n1 * 4294967296 + n0) + parts[i + 1];
  }
  list[list.length] = { field, code: P[16 + 2 * code], message: text };
}

// Forgets what the core handed over for an earlier body (one whose validation failed:
// the core ran out of memory).
export function reset() {
  list = [];
  texts = [];
}

// A string of the valid body, in its order: accountId (if any), recipientProfileUrn,
// groupId, message, then messageUrns' entries.
export function text(s) {
  texts[texts.length] = s;
}

// The result of what the core handed over, for `checkBody`'s answer `shape`: 0 invalid
// (shapes.js's `invalid` of `sendError`, its message as SendError::validation writes it);
// else valid, with an accountId (2) and messageUrns (4) or without, made by `valid`
// (shapes.js's, which the driver hands over: a snippet imports no other).
export function resultOf(shape, valid) {
  const l = list;
  const t = texts;
  list = [];
  texts = [];
  if (!(shape & 1)) {
    let message = P[0];
    for (let i = 0; i < l.length; i++) message += (i ? "; " : "") + l[i].message;
    return { ok: false, error: { kind: P[2], message, fieldErrors: l, retryAfterMs: null, deliveryUnknown: false } };
  }
  let i = 0;
  const account = shape & 2 ? t[i++] : undefined;
  const urn = t[i++];
  const group = t[i++];
  const message = t[i++];
  let urns;
  if (shape & 4) {
    urns = [];
    while (i < t.length) urns[urns.length] = t[i++];
  }
  return valid(account, urn, group, message, urns);
}
