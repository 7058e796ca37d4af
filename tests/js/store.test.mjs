// A store shared by several clients (processes, in production): quota, guard and
// pacing across them, failing closed when the store fails, and crash-safe journals.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { ConnectSafelyClient } from "connectsafely-wasm";
import { SANDBOX, body, reset, config, fault, messages, state, memoryStore } from "./helpers.mjs";
import { freePort } from "./redis/redis-server.mjs";

const client = (store, extra = {}) => new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: SANDBOX, store, ...extra });

beforeEach(reset);

test("clients sharing a store spend the quota together: the server accepts exactly it, and few 429s", async () => {
  await config({ quota: 5 });
  const store = memoryStore();
  const clients = [client(store), client(store), client(store)];
  const results = await Promise.all(clients.flatMap((c, k) => [0, 1, 2, 3].map((i) => c.sendGroupWithAck(body(k * 10 + i)))));
  const st = await state();
  assert.equal(st.messages, 5, "exactly the quota accepted");
  const refusedLocally = results.filter((r) => !r.ok && r.error.kind === "rate_limited" && r.status === null).length;
  const rejected = results.filter((r) => r.status === 429).length;
  assert.equal(results.filter((r) => r.ok).length, 5);
  assert.ok(rejected <= 3, `at most one 429 per client: ${rejected}`);
  assert.equal(refusedLocally + rejected, 7);
  // A fourth client that never sent learns the spent quota from the store.
  const late = await client(store).sendGroupWithAck(body(99));
  assert.equal(late.error.kind, "rate_limited");
  assert.equal(late.status, null, "refused from the store, no request");
});

test("minIntervalMs holds across clients sharing a store", async () => {
  await config({ quota: 100 });
  const store = memoryStore();
  const a = client(store);
  const b = client(store);
  const bodies = (k) => [0, 1, 2].map((i) => body(k * 10 + i));
  const started = Date.now();
  await Promise.all([a.sendGroupWithAckMany(bodies(1), { minIntervalMs: 150 }), b.sendGroupWithAckMany(bodies(2), { minIntervalMs: 150 })]);
  const elapsed = Date.now() - started;
  assert.equal((await state()).messages, 6);
  assert.ok(elapsed >= 5 * 150 - 50, `six starts 150 ms apart across both clients take >= 750 ms: ${elapsed}`);
});

test("when the store fails nothing is sent, each send says why, nothing rejects, and sending resumes when it is back", async () => {
  const store = memoryStore();
  const c = client(store);
  store.down = true;
  const r = await c.sendGroupWithAck(body(1));
  assert.equal(r.ok, false);
  assert.equal(r.error.kind, "store_unavailable");
  assert.equal(r.error.deliveryUnknown, false);
  assert.match(r.error.message, /shared store.*ECONNREFUSED/);
  const run = await c.sendGroupWithAckMany([body(2), body(3)]);
  assert.deepEqual(run.results, [null, null]);
  assert.deepEqual(run.notAttempted, [0, 1], "not sent: a later run sends them");
  assert.equal(run.stoppedBy, "store_unavailable", "the run says why it stopped");
  assert.equal((await state()).requests, 0);
  store.down = false;
  assert.equal((await c.sendGroupWithAck(body(4))).ok, true);
});

test("a store answering garbage or rejecting with a non-Error fails closed the same way", async () => {
  const bad = client({ swap: async () => ({ nope: true }) });
  assert.equal((await bad.sendGroupWithAck(body(1))).error.kind, "store_unavailable");
  const rejects = client({ swap: () => Promise.reject("a string") });
  assert.equal((await rejects.sendGroupWithAck(body(1))).error.kind, "store_unavailable");
  assert.equal((await state()).requests, 0);
  assert.throws(() => client({}), (e) => e instanceof TypeError && /options\.store/.test(e.message));
});

test("a store whose versions never match what it compares ends each send, typed, with every timer of the process still running", async () => {
  // A store that writes as it should but answers another version: NaN (a careless
  // Number() of a missing field), a negative, Infinity, a fraction, or one that never
  // changes. Each answer a resolved promise, its compare-and-swaps were asked again
  // forever, at once: the send never settled and no timer of the process ever ran.
  const misversioned = (version) => {
    const store = memoryStore();
    const swap = store.swap;
    store.swap = async (...args) => ({ ...(await swap(...args)), version: version(await swap(args[0], null, null)) });
    return store;
  };
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    for (const [name, version] of [["NaN", () => NaN], ["-1", () => -1], ["Infinity", () => Infinity], ["1.5", () => 1.5], ["2 ** 64", () => 2 ** 64]]) {
      const before = (await state()).requests;
      const r = await client(misversioned(version)).sendGroupWithAck(body(1));
      assert.equal(r.ok, false, name);
      assert.equal(r.error.kind, "store_unavailable", name);
      assert.match(r.error.message, /version a whole number >= 0/, name);
      assert.equal((await state()).requests, before, `${name}: nothing sent`);
    }
    // Whole numbers that never match: a store answering 0 for every key, and one that
    // adds 7 to each. Each send ends, typed; a write answered with version 0 (a key's
    // before any write) is not taken for one, so nothing is sent on it; a send whose
    // reservation was written (7 added after it) is reported as the message it sent.
    const before = (await state()).requests;
    const stuck = await client(misversioned(() => 0)).sendGroupWithAck(body(2));
    assert.equal(stuck.error?.kind, "store_unavailable", JSON.stringify(stuck));
    assert.match(stuck.error.message, /answered a write with version 0/);
    assert.equal((await state()).requests, before, "version 0: nothing sent");
    const never = client({ swap: async () => ({ ok: false, value: null, version: 0 }) });
    const refused = await never.sendGroupWithAck(body(3));
    assert.equal(refused.error.kind, "store_unavailable");
    assert.match(refused.error.message, /1,000 compare-and-swaps in a row without writing/);
    const run = await never.sendGroupWithAckMany([body(4), body(5)]);
    assert.equal(run.stoppedBy, "store_unavailable");
    assert.equal(run.sent, 0);
    const ticked = ticks;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(ticks > ticked, "the process's timers run");
  } finally {
    clearInterval(timer);
  }
});

test("every swap of a journal's keys asks the store to keep them ({ lasting: true }), and no swap of an account record does", async () => {
  const store = memoryStore();
  const seen = [];
  const swap = store.swap;
  store.swap = (key, expected, value, options) => {
    seen.push([key, options]);
    return swap(key, expected, value);
  };
  const c = client(store);
  await c.sendGroupWithAckMany([body(1), body(2)], { journal: "kept" });
  await c.sendGroupWithAckMany([body(1), body(2)], { journal: "kept" }); // reads of recorded entries
  await c.sendGroupWithAck(body(3));
  const kinds = (part) => seen.filter(([k]) => k.includes(part)).map(([, o]) => JSON.stringify(o));
  assert.ok(kinds(":head:").length >= 2 && kinds(":run:").length >= 6, JSON.stringify(seen));
  for (const part of [":head:", ":run:"]) assert.ok(kinds(part).every((o) => o === '{"lasting":true}'), `${part}: ${kinds(part)}`);
  assert.ok(kinds(":acct:").length >= 6 && kinds(":acct:").every((o) => o === undefined), `:acct: ${kinds(":acct:")}`);
  // An earlier build's unscoped positions are only read, and not kept.
  assert.ok(seen.filter(([k]) => k.startsWith("run:")).every(([, o]) => o === undefined));
});

test("a journaled run resumed with the same id sends nothing twice and reports what was done", async () => {
  const store = memoryStore();
  const list = [0, 1, 2, 3].map((i) => body(i));
  const first = await client(store).sendGroupWithAckMany([list[0], list[1], { ...list[2], groupId: "abc" }, list[3]], { journal: "run-a" });
  assert.equal(first.sent, 3);
  const again = await client(store).sendGroupWithAckMany(list, { journal: "run-a" });
  assert.equal((await messages()).length, 4, "only item 2 (invalid before) was sent by the second run");
  assert.equal(again.sent, 4);
  assert.ok(again.results.every((r) => r && r.ok));
  assert.equal(again.results[0].body, null, "a recorded result has no body: it was not received now");
  assert.equal(typeof first.results[0].data.message, "string");
  assert.deepEqual(again.results[0].data, first.results[0].data, "a recorded success keeps the server's data, strings and all");
});

test("runners sharing a journal split the items: each sent once", async () => {
  await config({ quota: 1000 });
  const store = memoryStore();
  const list = Array.from({ length: 30 }, (_, i) => body(i));
  const [a, b] = await Promise.all([client(store).sendGroupWithAckMany(list, { journal: "shared", concurrency: 3 }), client(store).sendGroupWithAckMany(list, { journal: "shared", concurrency: 3 })]);
  const got = (await messages()).map((m) => m.message).sort();
  assert.equal(got.length, 30);
  assert.equal(new Set(got).size, 30, "no body twice");
  assert.equal((await state()).repeatedBodies, 0);
  assert.ok(a.sent + b.sent >= 30, `between them every item: ${a.sent} + ${b.sent}`);
});

test("a runner restarted with its runnerId settles its own dead claim at once as deliveryUnknown; another runner leaves it until the claim expires", async () => {
  const store = memoryStore();
  const list = [0, 1, 2].map((i) => body(i));
  // The first life records no outcome for item 1 (as if it died right after sending).
  let recorded = 0;
  const lossy = { swap: (k, e, v) => (v?.startsWith("d|") && ++recorded === 2 ? Promise.reject(new Error("gone")) : store.swap(k, e, v)) };
  const first = await client(lossy).sendGroupWithAckMany(list, { journal: "restart", runnerId: "tab-1" });
  assert.equal(first.sent, 3);
  const other = await client(store).sendGroupWithAckMany(list, { journal: "restart", runnerId: "tab-2" });
  assert.equal(other.results[1], null, "another runner leaves a live claim alone");
  assert.deepEqual(other.notAttempted, [1]);
  const again = await client(store).sendGroupWithAckMany(list, { journal: "restart", runnerId: "tab-1" });
  assert.equal(again.results[1].ok, false);
  assert.equal(again.results[1].error.deliveryUnknown, true, "its own claim from an earlier life: may have been delivered");
  assert.deepEqual(again.notAttempted, []);
  assert.equal((await messages()).length, 3, "nothing sent twice");
});

test("an item whose claim the store could not give back before its request left is sent by the next run of the journal, not reported maybe delivered", async () => {
  const store = memoryStore();
  // The store keeps the journal's head and claims, but fails the reservation (the account's
  // record) and then the claim's give-back: the claim stays, only held.
  const claimed = [];
  const failing = {
    swap: (k, e, v) => {
      if (typeof v === "string" && v.startsWith("h|")) claimed.push(k);
      return k.includes(":acct:") || (k.includes(":run:") && v === "") ? Promise.reject(new Error("down")) : store.swap(k, e, v);
    },
  };
  const first = await client(failing).sendGroupWithAckMany([body(1), body(2)], { journal: "held", runnerId: "tab-1" });
  assert.equal(first.stoppedBy, "store_unavailable");
  assert.deepEqual(first.notAttempted, [0, 1]);
  assert.equal((await messages()).length, 0, "nothing sent");
  assert.equal(claimed.length, 1);
  assert.match((await store.swap(claimed[0], null, null)).value, /^h\|tab-1\|/, "the claim stayed, held");
  const again = await client(store).sendGroupWithAckMany([body(1), body(2)], { journal: "held", runnerId: "tab-1" });
  assert.ok(again.results.every((r) => r && r.ok), JSON.stringify(again.results));
  assert.equal(again.sent, 2);
  assert.deepEqual((await messages()).map((m) => m.message).sort(), ["Hello 1", "Hello 2"], "each sent once");
});

test("a journaled item answered 429 is held again for the wait and marked sending for its retry: sent once, each request on a claim that says so", async () => {
  const store = memoryStore();
  const phases = [];
  const watching = {
    swap: async (k, e, v) => {
      const r = await store.swap(k, e, v);
      if (k.includes(":run:") && typeof v === "string" && r.ok) phases.push(v.slice(0, 2));
      return r;
    },
  };
  // Each request sees the item's claim as it stands when it leaves.
  const atRequest = [];
  const fetchSeeing = async (url, init) => {
    const entry = [...store.map].find(([k]) => k.includes(":run:"));
    atRequest.push(entry?.[1].value.slice(0, 2));
    return fetch(url, init);
  };
  await fault({ status: 429, headers: { "Retry-After": "1" } });
  const c = client(watching, { maxRateLimitWaitMs: 5000, fetch: fetchSeeing });
  const run = await c.sendGroupWithAckMany([body(1)], { journal: "held-429" });
  assert.equal(run.sent, 1, JSON.stringify(run));
  assert.deepEqual(phases, ["h|", "c|", "h|", "c|", "d|"], "held, sending, held for the wait, sending, recorded");
  assert.deepEqual(atRequest, ["c|", "c|"]);
  assert.equal((await messages()).length, 1);
});

test("a fetch that could not connect sent nothing: not maybe delivered, nothing recorded, and the next run of the journal sends every item once", async () => {
  const store = memoryStore();
  // Node.js's fetch to a port nobody listens on: ECONNREFUSED, on the error's cause.
  const closed = `http://127.0.0.1:${await freePort()}`;
  const down = new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: closed, store });
  const bodies = [body(1), body(2), body(3)];
  const first = await down.sendGroupWithAckMany(bodies, { journal: "refused" });
  for (const r of first.results) {
    assert.equal(r?.error?.kind, "network", JSON.stringify(r));
    assert.equal(r.error.deliveryUnknown, false, r.error.message);
    assert.match(r.error.message, /ECONNREFUSED/);
    assert.doesNotMatch(r.error.message, /may have been delivered/);
  }
  assert.equal((await down.sendGroupWithAck(body(4))).error.deliveryUnknown, false, "a single send alike");
  // What Bun's fetch (a code on the error) and Deno's (its cause's message) say of it; and
  // what may have left (a reset, a browser's "Failed to fetch") stays maybe delivered.
  const thrown = (e) => () => Promise.reject(e);
  const said = async (e) => (await new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: SANDBOX, fetch: thrown(e) }).sendGroupWithAck(body(5))).error.deliveryUnknown;
  assert.equal(await said(Object.assign(new TypeError("ECONNREFUSED: Unable to connect. Is the computer able to access the url?"), { code: "ECONNREFUSED" })), false);
  assert.equal(await said(Object.assign(new TypeError("getaddrinfo ENOTFOUND api.example"), { code: "ENOTFOUND", syscall: "getaddrinfo" })), false);
  assert.equal(await said(new TypeError("fetch failed", { cause: new Error("error sending request for url (http://x/): client error (Connect): tcp connect error: Connection refused (os error 111)") })), false);
  assert.equal(await said(new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND api.example"), { code: "ENOTFOUND", syscall: "getaddrinfo" }) })), false);
  assert.equal(await said(new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", syscall: "read" }) })), true);
  // The same codes from a connection that was open (a keep-alive one whose resends a router
  // answered "unreachable" after the server had the request; node-fetch's copy of a failed
  // read's code): maybe delivered.
  assert.equal(await said(new TypeError("fetch failed", { cause: Object.assign(new Error("read EHOSTUNREACH"), { code: "EHOSTUNREACH", syscall: "read" }) })), true);
  assert.equal(await said(Object.assign(new Error("request to http://x/ failed, reason: read ECONNREFUSED"), { code: "ECONNREFUSED", errno: "ECONNREFUSED", type: "system" })), true);
  assert.equal(await said(new TypeError("Failed to fetch")), true);
  // The API back: the journal recorded none of the three, and sends each once.
  const again = await new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: SANDBOX, store }).sendGroupWithAckMany(bodies, { journal: "refused" });
  assert.equal(again.sent, 3);
  assert.deepEqual((await messages()).map((m) => m.message).sort(), ["Hello 1", "Hello 2", "Hello 3"]);
});

test("a signal that fires while the store answers calls no fetch: aborted with nothing sent, and a journaled run gives the item back to the next run", async () => {
  const store = memoryStore();
  const swap = store.swap;
  let calls = 0;
  /** @type {typeof fetch} */
  const counting = (url, init) => ((calls += 1), fetch(url, init));
  // The caller aborts while the store answers the send's reservation.
  const one = new AbortController();
  store.swap = async (...a) => {
    const r = await swap(...a);
    one.abort();
    return r;
  };
  const r = await client(store, { fetch: counting }).sendGroupWithAck(body(1), { signal: one.signal });
  assert.equal(calls, 0, "fetch was not called");
  assert.equal(r.error.kind, "aborted");
  assert.equal(r.error.deliveryUnknown, false, "nothing left: the signal had fired");
  // A journaled run: aborted while the store answers the item's reservation (after the
  // journal's checks and the item's claim), so the claim is the one to give back.
  const run = new AbortController();
  store.swap = async (...a) => {
    const r = await swap(...a);
    if (String(a[0]).includes(":acct:") && [...store.map.keys()].some((k) => k.includes(":run:run-w:"))) run.abort();
    return r;
  };
  const first = await client(store, { fetch: counting }).sendGroupWithAckMany([body(2)], { journal: "run-w", signal: run.signal });
  assert.equal(calls, 0, "fetch was not called");
  assert.equal(first.sent, 0);
  store.swap = swap;
  const again = await client(store).sendGroupWithAckMany([body(2)], { journal: "run-w" });
  assert.equal(again.sent, 1, "the item was given back: the next run sends it");
  assert.equal((await messages()).length, 1, "sent once");
});

test("a call resolves only once the store did all it asked for, a signal fired meanwhile too: a process may end right after and leave no claim or reservation behind", async () => {
  const store = memoryStore();
  const swap = store.swap;
  let out = 0;
  // A slow store: each write answers 100 ms late.
  store.swap = async (key, expected, value, ...rest) => {
    out += 1;
    try {
      if (value !== null) await new Promise((resolve) => setTimeout(resolve, 100));
      return await swap(key, expected, value, ...rest);
    } finally {
      out -= 1;
    }
  };
  const c = client(store, { maxInFlightPerAccount: 1 });
  // The signal fires while the store holds the reservation.
  const one = new AbortController();
  const pending = c.sendGroupWithAck(body(1), { signal: one.signal });
  setTimeout(() => one.abort(), 20);
  const r = await pending;
  assert.equal(r.error.kind, "aborted");
  assert.equal(r.error.deliveryUnknown, false);
  assert.equal(out, 0, "no swap of the send is left when it resolves");
  // A journaled run: the signal fires while the store holds the item's claim.
  const run = new AbortController();
  const running = c.sendGroupWithAckMany([body(2)], { journal: "slow-abort", signal: run.signal });
  setTimeout(() => run.abort(), 120);
  const first = await running;
  assert.equal(first.sent, 0);
  assert.equal(out, 0, "no swap of the run is left when it resolves");
  // What the store holds now is what it will hold: the item open, the account's one
  // place free (a reservation kept would make this send wait out its lease, 35 s).
  store.swap = swap;
  const again = await client(store, { maxInFlightPerAccount: 1 }).sendGroupWithAckMany([body(2)], { journal: "slow-abort", signal: AbortSignal.timeout(20_000) });
  assert.equal(again.sent, 1, "the item was given back: the next run sends it");
  assert.equal((await state()).requests, 1, "nothing else was sent");
});

test("a second run of a journal under the runnerId of a run still going (a button clicked twice) is refused before anything is sent", async () => {
  const store = memoryStore();
  const c = client(store);
  const list = [body(1), body(2)];
  const first = c.sendGroupWithAckMany(list, { journal: "run-twice", runnerId: "tab-1" });
  const second = await c.sendGroupWithAckMany(list, { journal: "run-twice", runnerId: "tab-1" });
  assert.equal(second.sent, 0);
  assert.equal(second.failed, 2);
  const [error] = second.results[0].error.fieldErrors;
  assert.equal(error.field, "options.runnerId");
  assert.match(error.message, /runnerId "tab-1" is already running the journal "run-twice"/);
  assert.equal((await first).sent, 2);
  // Another id may share the journal, and the id may run again once its run has ended.
  const other = await c.sendGroupWithAckMany(list, { journal: "run-twice", runnerId: "tab-2" });
  const again = await c.sendGroupWithAckMany(list, { journal: "run-twice", runnerId: "tab-1" });
  assert.equal(other.sent + again.sent, 4, "both report what the journal recorded");
  assert.equal((await messages()).length, 2, "each message sent once");
});

test("journal, resendUnknown and runnerId are checked like the other options", async () => {
  const r = await client(undefined).sendGroupWithAckMany([body(1)], { journal: "x" });
  assert.equal(r.results[0].error.kind, "validation");
  assert.match(r.results[0].error.message, /options\.journal.*store/);
  const s = await client(memoryStore()).sendGroupWithAckMany([body(1)], { journal: "x", resendUnknown: "yes" });
  assert.match(s.results[0].error.message, /resendUnknown/);
  for (const runnerId of ["", 7, "x".repeat(201)]) {
    const t = await client(memoryStore()).sendGroupWithAckMany([body(1)], { journal: "x", runnerId });
    assert.match(t.results[0].error.message, /options\.runnerId/);
  }
  const u = await client(memoryStore()).sendGroupWithAckMany([body(1)], { runnerId: "a" });
  assert.match(u.results[0].error.message, /options\.runnerId.*journal/);
  assert.equal((await state()).requests, 0);
});

test("a short API key (\"1\", \"|\") leaves the store's records readable: the guard holds across clients, and a journal reports a sent item as sent", async () => {
  // Every record used to be scrubbed of the key whole: a key of one character matched in
  // the record's own framing and numbers, the record no longer read, and the shared guard
  // and the journal silently lost it (a resumed run would report, or resend, a sent item).
  for (const apiKey of ["1", "|", "0"]) {
    const store = memoryStore();
    let fetches = 0;
    const reset = String(Math.floor(Date.now() / 1000) + 86400);
    const fetch = async () => (fetches++, new Response('{"success":true,"message":"sent 1|0"}', { headers: { "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset } }));
    const kinds = [];
    for (let i = 0; i < 3; i++) {
      const r = await new ConnectSafelyClient({ apiKey, logLevel: "off", fetch, store }).sendGroupWithAck(body(i));
      kinds.push(r.ok ? "sent" : r.error.kind);
    }
    assert.deepEqual(kinds, ["sent", "rate_limited", "rate_limited"], `${apiKey}: the quota spent by the first is known to the others`);
    assert.equal(fetches, 1);
    const journaled = memoryStore();
    const first = await new ConnectSafelyClient({ apiKey, logLevel: "off", store: journaled, fetch: async () => (fetches++, new Response('{"success":true}')) }).sendGroupWithAckMany([body()], { journal: "j" });
    assert.equal(first.sent, 1);
    const again = await new ConnectSafelyClient({ apiKey, logLevel: "off", store: journaled, fetch: async () => (fetches++, new Response('{"success":true}')) }).sendGroupWithAckMany([body()], { journal: "j" });
    assert.equal(again.results[0]?.ok, true, `${apiKey}: the recorded outcome reads back`);
    assert.equal(fetches, 2, `${apiKey}: sent once`);
  }
});
