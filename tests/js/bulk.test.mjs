// sendGroupWithAckMany (contract section 6) against the sandbox.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { ConnectSafelyClient } from "connectsafely-wasm";
import { SANDBOX, body, reset, fault, config, messages, state } from "./helpers.mjs";

const client = (extra = {}) => new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: SANDBOX, ...extra });
const bodies = (n, extra = {}) => Array.from({ length: n }, (_, i) => body(i, extra));
const BULK_KEYS = ["results", "sent", "failed", "notAttempted", "stoppedBy", "resumeAt"];

beforeEach(reset);

test("with concurrency 1 every body is sent once, in input order", async () => {
  const r = await client().sendGroupWithAckMany(bodies(8));
  assert.deepEqual(Object.keys(r), BULK_KEYS);
  assert.equal(r.sent, 8);
  assert.equal(r.failed, 0);
  assert.deepEqual(r.notAttempted, []);
  assert.equal(r.stoppedBy, null);
  assert.ok(r.results.every((x) => x.ok === true));
  assert.deepEqual((await messages()).map((m) => m.message), bodies(8).map((b) => b.message));
  assert.equal((await state()).peakInflight, 1);
});

test("invalid bodies get their validation result, are never sent, and the rest go on", async () => {
  const list = bodies(4);
  list[1] = { ...list[1], groupId: 12 };
  list[3] = "not an object";
  const seen = [];
  const r = await client().sendGroupWithAckMany(list, { onResult: (i, res) => seen.push([i, res.ok]) });
  assert.equal(r.results[1].error.kind, "validation");
  assert.equal(r.results[3].error.kind, "validation");
  assert.equal(r.sent, 2);
  assert.equal(r.failed, 2);
  assert.deepEqual((await messages()).map((m) => m.message), ["Hello 0", "Hello 2"]);
  assert.deepEqual(seen.sort(), [[0, true], [1, false], [2, true], [3, false]]);
});

test("a list longer than 1,000,000 bodies fails whole, typed, before anything is read, and every run after it still works", async () => {
  // Ten million (a sparse array, or a Proxy claiming that length) once ran the wasm out of
  // memory: the run rejected, and the core every client's runs share was dead for the process.
  const c = client();
  let reads = 0;
  const claims = new Proxy([], { get: (t, k) => (k === "length" ? 2 ** 32 - 1 : (reads++, Reflect.get(t, k))) });
  for (const list of [new Array(1e7), new Array(1_000_001), claims]) {
    const run = await c.sendGroupWithAckMany(list);
    assert.equal(run.results.length, 1);
    const e = run.results[0].error;
    assert.equal(e.kind, "validation");
    assert.deepEqual([e.fieldErrors[0].field, e.fieldErrors[0].code], ["bodies", "too_long"]);
    assert.match(e.fieldErrors[0].message, /more than 1,000,000 request bodies/);
    assert.deepEqual([run.sent, run.failed], [0, 1]);
  }
  assert.equal(reads, 0, "no body read");
  assert.equal((await state()).requests, 0);
  assert.equal((await c.sendGroupWithAckMany(bodies(2))).sent, 2, "the same client runs");
  assert.equal((await c.sendGroupWithAck(body(9))).ok, true, "and sends");
  assert.equal((await client().sendGroupWithAckMany(bodies(1))).sent, 1, "a new client runs");
});

test("a list longer than a run takes is not copied before the run refuses it", async () => {
  // A client that has not loaded the full core copies a run's list first: a sparse one of
  // 2^32 - 1 took a minute, every timer of the process stopped meanwhile.
  let looked = 0;
  const huge = new Proxy([], {
    get: (t, k) => (k === "length" ? 2 ** 32 - 1 : Reflect.get(t, k)),
    has: (t, k) => {
      if (++looked > 1000) throw new Error("copied");
      return Reflect.has(t, k);
    },
  });
  const run = await client().sendGroupWithAckMany(huge);
  assert.deepEqual(run.results.map((r) => r.error.fieldErrors[0].code), ["too_long"]);
  assert.equal(looked, 0, "no index looked at");
});

test("a list whose bodies hold more than 512 MiB of text fails whole, typed, with nothing sent, and every run after it still works", async () => {
  // 200,000 messages of 8,000 CJK characters (24 KB of UTF-8 each) once ran the wasm out
  // of memory, which the run keeps them in until each is sent: the run rejected, and the
  // core was dead for the process. 22,370 of them are 512 MiB.
  const c = client();
  const long = body(1, { message: "あ".repeat(8000) });
  const run = await c.sendGroupWithAckMany([body(0), ...new Array(22_400).fill(long)]);
  assert.equal(run.results.length, 1);
  const e = run.results[0].error;
  assert.deepEqual([e.kind, e.fieldErrors[0].field, e.fieldErrors[0].code], ["validation", "bodies", "too_long"]);
  assert.match(e.fieldErrors[0].message, /more than 512 MiB of text/);
  assert.deepEqual([run.sent, run.failed], [0, 1]);
  assert.equal((await state()).requests, 0);
  assert.equal((await c.sendGroupWithAckMany(bodies(2))).sent, 2, "the same client runs");
  // Just under it, the run is taken: it sends until the account's quota (150) is spent.
  await reset();
  const under = await client().sendGroupWithAckMany(new Array(22_300).fill(long));
  assert.equal(under.results.length, 22_300);
  assert.deepEqual([under.sent, under.stoppedBy], [150, "rate_limited"]);
});

test("peak concurrency never goes above the option", async () => {
  await fault(Array.from({ length: 30 }, () => ({ delayMs: 60 })));
  const r = await client().sendGroupWithAckMany(bodies(30), { concurrency: 4 });
  assert.equal(r.sent, 30);
  const { peakInflight } = await state();
  assert.ok(peakInflight <= 4 && peakInflight >= 2, `peak ${peakInflight}`);
});

test("minIntervalMs holds send starts of one account apart", async () => {
  const r = await client().sendGroupWithAckMany(bodies(4), { concurrency: 4, minIntervalMs: 200 });
  assert.equal(r.sent, 4);
  const at = (await messages()).map((m) => Date.parse(m.receivedAt));
  for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= 180, `gap ${at[i] - at[i - 1]} ms`);
});

test("a spent quota stops that account only; its remaining items are not attempted", async () => {
  await config({ quotas: { a: 2, b: 10 } });
  const list = Array.from({ length: 10 }, (_, i) => body(i, { accountId: i % 2 ? "b" : "a" }));
  const r = await client().sendGroupWithAckMany(list);
  assert.equal(r.stoppedBy, "rate_limited");
  assert.equal(r.sent, 7, "2 for a, 5 for b");
  assert.deepEqual(r.notAttempted, [4, 6, 8], "the guard refused a's third send without a request");
  for (const i of r.notAttempted) assert.equal(r.results[i], null);
  assert.equal((await state()).requests, 7);
});

test("with the guard off, the 429 stops the account and counts as failed", async () => {
  await config({ quota: 3 });
  const r = await client({ rateLimitGuard: false }).sendGroupWithAckMany(bodies(6));
  assert.equal(r.sent, 3);
  assert.equal(r.failed, 1);
  assert.equal(r.results[3].error.kind, "rate_limited");
  assert.deepEqual(r.notAttempted, [4, 5]);
  assert.equal((await state()).requests, 4);
});

test("a 401 stops everything", async () => {
  await fault([{}, {}, { status: 401 }]);
  const r = await client().sendGroupWithAckMany(bodies(6));
  assert.equal(r.stoppedBy, "unauthorized");
  assert.equal(r.sent, 2);
  assert.equal(r.failed, 1);
  assert.deepEqual(r.notAttempted, [3, 4, 5]);
});

test("an abort lets sends in flight settle as aborted and attempts nothing more", async () => {
  await fault(Array.from({ length: 10 }, () => ({ delayMs: 300 })));
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 450);
  const r = await client().sendGroupWithAckMany(bodies(10), { signal: controller.signal, concurrency: 2 });
  assert.equal(r.stoppedBy, "aborted");
  assert.equal(r.sent, 2);
  const aborted = r.results.filter((x) => x && !x.ok);
  assert.equal(aborted.length, 2);
  assert.ok(aborted.every((x) => x.error.kind === "aborted" && x.error.deliveryUnknown));
  assert.deepEqual(r.notAttempted, [4, 5, 6, 7, 8, 9]);
});

test("a 5xx is not retried and the run goes on", async () => {
  await fault([{}, { status: 500 }, {}]);
  const r = await client({ maxRateLimitWaitMs: 5000 }).sendGroupWithAckMany(bodies(3));
  assert.equal(r.results[1].error.kind, "server_error");
  assert.equal(r.results[1].error.deliveryUnknown, true);
  assert.equal(r.sent, 2);
  assert.equal((await state()).requests, 3);
});

test("a throwing or rejecting onResult loses nothing", async () => {
  let calls = 0;
  const r = await client().sendGroupWithAckMany(bodies(5), {
    onResult: (i) => {
      calls += 1;
      if (i % 2) throw new Error("callback bug");
      return Promise.reject(new Error("async callback bug"));
    },
  });
  assert.equal(calls, 5);
  assert.equal(r.sent, 5);
});

test("bad input never rejects", async () => {
  const c = client();
  for (const [bodiesArg, options] of [[null, undefined], ["x", undefined], [bodies(2), { concurrency: 0 }], [bodies(2), { onResult: 5 }], [bodies(2), "x"]]) {
    const r = await c.sendGroupWithAckMany(bodiesArg, options);
    assert.deepEqual(Object.keys(r), BULK_KEYS);
    assert.equal(r.sent, 0);
  }
  assert.equal((await state()).requests, 0);
});

test("500 items against a 150 quota with 4 at once: 150 sent, the other 350 not attempted, no 429 spent", async () => {
  await config({ quota: 150 });
  const r = await client().sendGroupWithAckMany(bodies(500), { concurrency: 4 });
  assert.equal(r.sent, 150);
  assert.equal(r.failed, 0, "no send started beyond the quota the last response reported");
  assert.deepEqual(r.notAttempted, Array.from({ length: 350 }, (_, i) => 150 + i));
  assert.equal(r.stoppedBy, "rate_limited");
  const st = await state();
  assert.equal(st.requests, 150);
  assert.equal(st.messages, 150);
});

test("500 items with random faults and a 150 quota: nothing doubled, every index accounted for", async () => {
  await config({ quota: 150 });
  const faults = [{}, {}, {}, {}, { status: 500 }, { status: 500, accept: true }, { drop: "before-headers", accept: true }, { malformed: true }, { status: 403 }, { delayMs: 700 }];
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  await fault(Array.from({ length: 500 }, () => faults[Math.floor(random() * faults.length)]));
  const r = await client({ timeoutMs: 400 }).sendGroupWithAckMany(bodies(500), { concurrency: 8 });
  await new Promise((res) => setTimeout(res, 800));
  const accepted = (await messages()).map((m) => m.message);
  assert.equal(new Set(accepted).size, accepted.length, "no message accepted twice");
  assert.equal((await state()).repeatedBodies, 0, "no body sent twice");
  assert.equal(r.sent + r.failed + r.notAttempted.length, 500);
  r.results.forEach((x, i) => {
    const delivered = accepted.includes(`Hello ${i}`);
    if (x === null) assert.ok(!delivered && r.notAttempted.includes(i), `${i} not attempted`);
    else if (x.ok) assert.ok(delivered, `${i} ok but not accepted`);
    else if (!x.error.deliveryUnknown) assert.ok(!delivered, `${i} says not delivered but was`);
  });
  assert.equal(r.stoppedBy, "rate_limited");
  assert.ok(accepted.length <= 150);
  console.log(`# 500 items, quota 150: sent ${r.sent}, failed ${r.failed}, not attempted ${r.notAttempted.length}, accepted by the sandbox ${accepted.length}, stopped by ${r.stoppedBy}`);
});
