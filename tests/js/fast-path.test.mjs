// The validation fast path (pkg-template/src/fast.js, src/wasm/fast.rs, the core's `Fields::fast_valid`): a body of
// string fields is decided by one call into the core instead of a read per field. It
// must answer every body exactly as the full path does (the same result, key for key),
// and a send it begins must send exactly the body the full path would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import * as main from "connectsafely-wasm";
import * as entry from "connectsafely-wasm/validate";
import { body } from "./helpers.mjs";

const URN = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";
const MSG = "urn:li:msg_message:(urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o,2-MTc0OTk=)";
const shown = (r) => JSON.stringify(r, (_, v) => (v === undefined ? "<undefined>" : v));
// A copy the fast path does not read (not a plain object): the full path answers it. The
// same own enumerable keys, each read once.
const unplain = (b) => Object.assign(Object.create(null), b);

/**
 * A body the full path copies `mb` MB of into the wasm (it copies strings of up to 65,536
 * units, 100 entries of messageUrns): more than it held before, its memory grows, which
 * detaches every view of it.
 */
const grow = (mb) => unplain(body(1, { messageUrns: Array.from({ length: 100 }, (_, i) => `urn:li:x:${i}${"😀".repeat(mb * 2500)}`) }));

/**
 * `b` with each field a getter counting its reads into `reads`: the fast path reads each
 * once; a body it declines is read again by the full path.
 */
function counted(b, reads) {
  const out = {};
  for (const [k, v] of Object.entries(b)) {
    Object.defineProperty(out, k, { enumerable: true, configurable: true, get: () => ((reads[k] = (reads[k] ?? 0) + 1), v) });
  }
  return out;
}
const readOnce = (reads) => Object.values(reads).every((n) => n === 1);

/** A client whose fetch records each request's body in `sent` and answers a success. */
function recordingClient(sent) {
  const fetch = async (_url, init) => {
    sent.push(init.body);
    return new Response(JSON.stringify({ success: true, message: "ok", recipientProfileUrn: URN, groupId: "12345678", acknowledgmentSent: true }), { status: 200, headers: { "content-type": "application/json" } });
  };
  return new main.ConnectSafelyClient({ apiKey: "k_test_fast_path_0123456789", fetch, minIntervalMs: 0 });
}

/** Bodies of the fast path's shape, valid, invalid and in between. */
function bodies() {
  const out = {
    "three strings": body(),
    "with accountId": body(1, { accountId: "acct_42" }),
    "accountId null": body(1, { accountId: null }),
    "accountId empty": body(1, { accountId: "" }),
    "accountId padded": body(1, { accountId: "\u3000acct\t" }),
    "padded groupId and URN": body(1, { recipientProfileUrn: ` ${URN}\n`, groupId: "\u00a012345678 " }),
    "U+FEFF around groupId (not whitespace to the rules)": body(1, { groupId: "\ufeff12345678" }),
    "ASCII padding of every kind": body(1, { recipientProfileUrn: `\v\f${URN}\r\n`, groupId: "\t 12345678\v", accountId: " acct_42\f", messageUrns: [`\n${MSG}\t`] }),
    "groupId padded with U+0085 (Unicode whitespace, not JavaScript's)": body(1, { groupId: "12345678\u0085" }),
    "URN padded with U+0085 and a space": body(1, { recipientProfileUrn: `\u0085 ${URN} ` }),
    "one messageUrns entry": body(1, { messageUrns: [MSG] }),
    "messageUrns padded": body(1, { messageUrns: [`  ${MSG}\u2028`, "\turn:li:x:plain "] }),
    "messageUrns empty": body(1, { messageUrns: [] }),
    "messageUrns null": body(1, { messageUrns: null }),
    "messageUrns 100": body(1, { messageUrns: Array.from({ length: 100 }, () => MSG) }),
    "messageUrns 101": body(1, { messageUrns: Array.from({ length: 101 }, () => MSG) }),
    "messageUrns with a number": body(1, { messageUrns: [MSG, 5] }),
    "messageUrns with a hole": body(1, { messageUrns: [MSG, , MSG] }),
    "messageUrns entry with a lone surrogate": body(1, { messageUrns: ["urn:li:x:(a\ud800)"] }),
    "messageUrns entry with U+FFFD": body(1, { messageUrns: ["urn:li:x:(a\ufffd)"] }),
    "messageUrns entry non-ASCII": body(1, { messageUrns: ["urn:li:x:(é😀)", "urn:li:x:é"] }),
    "messageUrns entry of 513 code points": body(1, { messageUrns: [`urn:li:x:${"é".repeat(504)}`] }),
    "messageUrns entry of 512 code points": body(1, { messageUrns: [`urn:li:x:${"😀".repeat(503)}`] }),
    "message with a lone surrogate": body(1, { message: "hi \ud83d" }),
    "message with U+FFFD": body(1, { message: "hi \ufffd" }),
    "message of whitespace": body(1, { message: " \u3000\n" }),
    "message of 8000 emoji": body(1, { message: "😀".repeat(8000) }),
    "message of 8001 emoji": body(1, { message: "😀".repeat(8001) }),
    "message of 8001 ASCII": body(1, { message: "a".repeat(8001) }),
    "groupId padded past 65,536 units": body(1, { groupId: `${" ".repeat(70_000)}12345678` }),
    "groupId of 21 digits": body(1, { groupId: "123456789012345678901" }),
    "groupId a number": body(1, { groupId: 12345678 }),
    "an unknown key": body(1, { groupID: "1" }),
    "URN a profile URL": body(1, { recipientProfileUrn: "https://www.linkedin.com/in/someone" }),
    "accountId undefined (an own key)": body(1, { accountId: undefined }),
    "messageUrns undefined (an own key)": body(1, { messageUrns: undefined }),
    "message holding NUL": body(1, { message: "a\0b" }),
    "messageUrns entry holding NUL": body(1, { messageUrns: ["urn:li:x:(a\0b)"] }),
    "groupId holding NUL": body(1, { groupId: "12\u000034" }),
    "messageUrns an Array subclass": body(1, { messageUrns: class L extends Array {}.of(MSG) }),
    "messageUrns with its own slice": body(1, { messageUrns: Object.assign([MSG], { slice: null, map: null }) }),
    "groupId not enumerable": Object.defineProperty(body(1, { accountId: undefined }), "groupId", { value: "1", enumerable: false }),
  };
  return out;
}

test("every body the fast path reads is answered exactly as the full path answers it", () => {
  for (const [name, b] of Object.entries(bodies())) {
    for (const m of [main, entry]) {
      const fast = m.validateSendGroupWithAck(b);
      const full = m.validateSendGroupWithAck(unplain(b));
      // Options (even empty) take the full path too.
      const withOptions = m.validateSendGroupWithAck(b, {});
      assert.ok(isDeepStrictEqual(fast, full) && shown(fast) === shown(full), `${name}: fast ${shown(fast).slice(0, 300)}, full ${shown(full).slice(0, 300)}`);
      assert.equal(shown(fast), shown(withOptions), name);
    }
  }
});

/** Options whose `maxMessageLength` getter runs `also` before it answers. */
const limit = (maxMessageLength, also) => ({
  get maxMessageLength() {
    also();
    return maxMessageLength;
  },
});

// Whatever path a call with options takes: a getter of the options that validates another
// body (which writes the fast path's buffer) must not change this body's answer. (A fast
// path for calls with options, tried, answered an invalid body as the other, valid one.)
test("an options getter that validates another body meanwhile changes nothing of this body's answer", () => {
  for (const m of [main, entry]) {
    // The other body has the same length and is valid; this one's groupId is not digits.
    const inner = [];
    const r = m.validateSendGroupWithAck(body(1, { groupId: "1234567x" }), limit(8000, () => inner.push(m.validateSendGroupWithAck(body(1)))));
    assert.ok(inner.length >= 1 && inner.every((x) => x.ok), shown(inner));
    assert.equal(r.ok, false, shown(r));
    assert.equal(r.error.fieldErrors[0].field, "groupId");
    // And a valid body comes back as itself, not as the body validated meanwhile.
    const again = m.validateSendGroupWithAck(body(2, { groupId: " 87654321 " }), limit(8000, () => m.validateSendGroupWithAck(body(3, { groupId: " 11111111 " }))));
    assert.deepEqual(again, { ok: true, value: { recipientProfileUrn: URN, groupId: "87654321", message: "Hello 2" } });
  }
});

test("trimmed fields come back trimmed, the message as given, and messageUrns a copy", () => {
  const urns = [` ${MSG} `];
  const b = body(1, { recipientProfileUrn: `\t${URN} `, groupId: " 12345678\v", message: "  Hi  ", messageUrns: urns });
  const r = main.validateSendGroupWithAck(b);
  assert.equal(r.ok, true);
  assert.deepEqual(r.value, { recipientProfileUrn: URN, groupId: "12345678", message: "  Hi  ", messageUrns: [MSG] });
  assert.notEqual(r.value.messageUrns, urns);
  // Trimmed as the core trims, not by String.prototype.trim, which a page may replace.
  const trim = String.prototype.trim;
  String.prototype.trim = function () {
    return "replaced";
  };
  try {
    for (const m of [main, entry]) assert.deepEqual(m.validateSendGroupWithAck(b).value, r.value);
  } finally {
    String.prototype.trim = trim;
  }
  const plain = main.validateSendGroupWithAck(body(1, { messageUrns: [MSG] }));
  assert.deepEqual(plain.value.messageUrns, [MSG]);
  assert.notEqual(plain.value.messageUrns, urns);
});

test("the fast path keeps working after the wasm memory grows and after a long body", () => {
  // A long message grows the buffer; a run of small bodies after it reads no stale bytes.
  assert.equal(main.validateSendGroupWithAck(body(1, { message: "é".repeat(8000), messageUrns: Array.from({ length: 100 }, () => MSG) })).ok, true);
  for (let i = 0; i < 50; i++) {
    const r = main.validateSendGroupWithAck(body(1, { groupId: ` ${i + 1} ` }));
    assert.equal(r.value.groupId, String(i + 1));
  }
  // Growing the memory between two fast-path calls: the fast path still decides (each
  // field read once), from the body's own bytes.
  for (const m of [main, entry]) {
    m.validateSendGroupWithAck(grow(4));
    const reads = {};
    assert.deepEqual(m.validateSendGroupWithAck(counted(body(1, { groupId: " 7 " }), reads)).value.groupId, "7");
    assert.ok(readOnce(reads), JSON.stringify(reads));
  }
});

test("a client's sends on the fast path send what they were given after the wasm memory grows", async () => {
  const sent = [];
  const fetch = async (_url, init) => {
    sent.push(JSON.parse(init.body));
    return new Response("{}", { status: 500 });
  };
  const client = new main.ConnectSafelyClient({ apiKey: "k_test_fast_path_0123456789", fetch, maxRetries: 0, minIntervalMs: 0 });
  await client.sendGroupWithAck(body(1, { groupId: " 1 " }));
  // A body longer than any before (the buffer, which the bundle's validation shares, is
  // made anew), then memory grown by the full path: the view of the buffer is detached,
  // and must be made again, not read as empty.
  const urns = Array.from({ length: 100 }, (_, i) => `urn:li:x:${i}${"a".repeat(500)}`);
  await client.sendGroupWithAck(body(1, { message: "é".repeat(8000), groupId: "2", messageUrns: urns }));
  main.validateSendGroupWithAck(grow(12));
  const reads = {};
  await client.sendGroupWithAck(counted(body(1, { groupId: "3 " }), reads));
  assert.ok(readOnce(reads), `the fast path began the send: ${JSON.stringify(reads)}`);
  assert.deepEqual(sent.map((b) => b.groupId), ["1", "2", "3"]);
  assert.equal(sent[1].message, "é".repeat(8000));
  assert.deepEqual(sent[1].messageUrns, urns);
});

test("a send the fast path begins sends exactly the body the full path would", async () => {
  const sent = [];
  const client = recordingClient(sent);
  for (const [name, b] of Object.entries(bodies())) {
    sent.length = 0;
    const fast = await client.sendGroupWithAck(b);
    const full = await client.sendGroupWithAck(unplain(b));
    assert.equal(fast.ok, full.ok, name);
    assert.deepEqual(sent.length, fast.ok ? 2 : 0, name);
    if (fast.ok) assert.equal(sent[0], sent[1], name);
    else assert.equal(shown(fast.error), shown(full.error), name);
  }
});

test("the fast path decides every valid body of string fields itself: each field is read once", async () => {
  // All but those holding U+FFFD or a lone surrogate, which the full path reads again (the
  // fast path sees both as U+FFFD, and only the full path tells them apart), those
  // holding NUL (the fast path's separator), and those whose identifiers or URNs are
  // padded with whitespace other than ASCII's (the fast path trims only what JavaScript's
  // trim removes alike).
  const strings = (b) => Object.values(b).flat().filter((v) => typeof v === "string");
  const asciiPadded = (s) => s.trim() === s.replace(/^[\t-\r ]+|[\t-\r ]+$/g, "") && !/^\s*\u0085|\u0085\s*$/.test(s);
  const plainText = (b) => strings(b).every((s) => s.isWellFormed() && !s.includes("\ufffd") && !s.includes("\0")) && strings({ ...b, message: "" }).every(asciiPadded);
  const valid = Object.entries(bodies()).filter(([, b]) => plainText(b) && main.validateSendGroupWithAck(unplain(b)).ok);
  assert.ok(valid.length >= 12, `${valid.length} valid bodies`);
  const sends = new main.ConnectSafelyClient({ apiKey: "k_test_fast_path_0123456789", fetch: async () => new Response("{}", { status: 500 }), maxRetries: 0 });
  for (const [name, b] of valid) {
    // Each field a getter counting its reads: the full path would read each again.
    const reads = {};
    const once = counted(b, reads);
    for (const [what, run] of [["main", () => main.validateSendGroupWithAck(once)], ["validate", () => entry.validateSendGroupWithAck(once)], ["send", () => sends.sendGroupWithAck(once)]]) {
      for (const k of Object.keys(reads)) delete reads[k];
      await run();
      for (const k of Object.keys(b)) assert.equal(reads[k], 1, `${name} (${what}): ${k} read ${reads[k]} times`);
    }
  }
});

test("a field inherited from a polluted Object.prototype is neither read nor sent", async () => {
  const sent = [];
  const fetch = async (_url, init) => {
    sent.push(JSON.parse(init.body));
    return new Response("{}", { status: 500 });
  };
  const client = new main.ConnectSafelyClient({ apiKey: "k_test_fast_path_0123456789", fetch, maxRetries: 0 });
  for (const key of ["accountId", "groupId", "messageUrns"]) {
    const b = body(1);
    if (key === "groupId") delete b.groupId;
    Object.prototype[key] = key === "messageUrns" ? [MSG] : key === "groupId" ? "999" : "acct_evil";
    try {
      for (const m of [main, entry]) {
        const fast = m.validateSendGroupWithAck(b);
        assert.equal(shown(fast), shown(m.validateSendGroupWithAck(unplain(b))), key);
        if (fast.ok) assert.ok(!Object.hasOwn(fast.value, key), `${key}: ${shown(fast)}`);
      }
      sent.length = 0;
      await client.sendGroupWithAck(b);
      assert.equal(sent.length, key === "groupId" ? 0 : 1, key);
      for (const s of sent) assert.ok(!Object.hasOwn(s, key), `${key} sent: ${JSON.stringify(s)}`);
    } finally {
      delete Object.prototype[key];
    }
  }
});

test("messageUrns' entries are read once, and the value holds a plain array of those strings", () => {
  let reads = 0;
  const urns = [MSG];
  Object.defineProperty(urns, 0, { enumerable: true, get: () => (reads++ === 0 ? MSG : { toString: () => MSG }) });
  const r = main.validateSendGroupWithAck(body(1, { messageUrns: urns }));
  assert.equal(reads, 1);
  assert.equal(r.ok, true);
  assert.deepEqual(r.value.messageUrns, [MSG]);
  assert.equal(Object.getPrototypeOf(r.value.messageUrns), Array.prototype);
  const sub = main.validateSendGroupWithAck(body(1, { messageUrns: class L extends Array {}.of(MSG) }));
  assert.equal(Object.getPrototypeOf(sub.value.messageUrns), Array.prototype);
});

test("validation and every client of a bundle share one scratch buffer: thirty clients sending a long body after validation did add no buffer of their own to the wasm's memory", async () => {
  // A fresh copy of the main entry, its wasm instance caught as it starts (on first use).
  const Instance = WebAssembly.Instance;
  const started = [];
  WebAssembly.Instance = class extends Instance {
    constructor(...args) {
      super(...args);
      started.push(this);
    }
  };
  let fresh;
  try {
    fresh = await import(`${import.meta.resolve("connectsafely-wasm")}?one-scratch`);
    fresh.validateSendGroupWithAck(body(1));
  } finally {
    WebAssembly.Instance = Instance;
  }
  // The core's (the inline decoder's instance exports its memory as "m").
  const memory = started.map((i) => i.exports.memory).find((m) => m instanceof WebAssembly.Memory);
  assert.ok(memory, "the fresh entry started its wasm");
  const bytes = () => memory.buffer.byteLength;
  // 200,000 characters: the fast path writes 600,000 bytes of scratch for it (three a
  // UTF-16 unit) before the core finds the message too long and the full path answers.
  const long = body(1, { message: "x".repeat(200_000) });
  fresh.validateSendGroupWithAck(long);
  const before = bytes();
  const fetch = async () => new Response("{}", { status: 500 });
  for (let i = 0; i < 30; i++) {
    const client = new fresh.ConnectSafelyClient({ apiKey: "k_test_fast_path_0123456789", fetch, logLevel: "off" });
    const r = await client.sendGroupWithAck(long);
    assert.equal(r.error?.kind, "validation", shown(r));
    assert.equal(r.error.fieldErrors[0].field, "message");
  }
  // A buffer per client would have grown it by 30 x 600,000 bytes.
  assert.ok(bytes() - before < 2_000_000, `the memory grew by ${bytes() - before} bytes`);
});

test("a call's option getter that validates a longer body and sends another through a second client, while a send begins on the fast path, changes nothing of either send", async () => {
  const sent = [];
  const fetch = async (_url, init) => {
    sent.push(JSON.parse(init.body));
    return new Response(JSON.stringify({ success: true, message: "ok", recipientProfileUrn: URN, groupId: "1", acknowledgmentSent: true }), { status: 200, headers: { "content-type": "application/json" } });
  };
  const client = new main.ConnectSafelyClient({ apiKey: "k_test_fast_path_0123456789", fetch });
  const second = new main.ConnectSafelyClient({ apiKey: "k_test_fast_path_0123456789", fetch });
  let read = 0;
  /** @type {Promise<any> | undefined} */ let inner;
  const options = {
    get timeoutMs() {
      read += 1;
      // Both write the scratch buffer the send's body was read from, the first making
      // it anew (200,000 characters: longer than any body before).
      assert.equal(main.validateSendGroupWithAck(body(3, { message: "x".repeat(200_000) })).ok, false);
      inner = second.sendGroupWithAck(body(2, { groupId: " 2 " }));
      return 5000;
    },
  };
  const r = await client.sendGroupWithAck(body(1, { groupId: " 1 " }), options);
  assert.equal(read, 1);
  assert.equal(r.ok, true, shown(r));
  assert.equal((await inner).ok, true);
  assert.deepEqual(sent, [{ ...body(2), groupId: "2" }, { ...body(1), groupId: "1" }]);
});

test("a send on the fast path spends its trimmed account's quota: a padded accountId and the same id unpadded share one guard", async () => {
  let requests = 0;
  const fetch = async (_url, init) => {
    requests += 1;
    const { accountId } = JSON.parse(init.body);
    const spent = accountId === "acct_42";
    return new Response(JSON.stringify({ success: true, message: "ok", recipientProfileUrn: URN, groupId: "12345678", acknowledgmentSent: true }), {
      status: 200,
      headers: { "content-type": "application/json", "x-ratelimit-limit": "150", "x-ratelimit-remaining": spent ? "0" : "149", "x-ratelimit-reset": new Date(Date.now() + 3_600_000).toISOString() },
    });
  };
  const client = new main.ConnectSafelyClient({ apiKey: "k_test_fast_path_0123456789", fetch, minIntervalMs: 0 });
  // Each body read once: the fast path decided it (the full path would read it again).
  const reads = {};
  const first = await client.sendGroupWithAck(counted(body(1, { accountId: " acct_42\t" }), reads));
  assert.equal(first.ok, true, shown(first));
  assert.ok(readOnce(reads), JSON.stringify(reads));
  assert.equal(requests, 1);
  // The quota of acct_42 is spent: a send from it, padded or not, is refused before it leaves.
  for (const accountId of ["acct_42", "\facct_42 "]) {
    const again = {};
    const refused = await client.sendGroupWithAck(counted(body(1, { accountId }), again));
    assert.ok(readOnce(again), JSON.stringify(again));
    assert.equal(refused.ok, false, accountId);
    assert.equal(refused.error.kind, "rate_limited", shown(refused));
    assert.equal(requests, 1, accountId);
  }
  // Another account's quota is its own.
  const other = await client.sendGroupWithAck(body(1, { accountId: "acct_43" }));
  assert.equal(other.ok, true, shown(other));
  assert.equal(requests, 2);
});

test("a send on the fast path reads its options as the full path does: none, null and undefined are no options; any other non-object is the options error", async () => {
  const sent = [];
  const client = recordingClient(sent);
  for (const options of [[], [undefined], [null]]) {
    const reads = {};
    const r = await client.sendGroupWithAck(counted(body(1), reads), ...options);
    assert.equal(r.ok, true, shown(r));
    assert.ok(readOnce(reads), JSON.stringify(reads));
  }
  assert.equal(sent.length, 3);
  for (const options of [42, "x", true]) {
    const fast = await client.sendGroupWithAck(body(1), options);
    const full = await client.sendGroupWithAck(unplain(body(1)), options);
    assert.equal(fast.ok, false);
    assert.equal(fast.error.fieldErrors[0].field, "options", shown(fast));
    assert.equal(shown(fast), shown(full), String(options));
  }
  assert.equal(sent.length, 3);
});
