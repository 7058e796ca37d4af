// No input makes validation throw, or a send reject, or breaks the module afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectSafelyClient, validateSendGroupWithAck } from "connectsafely-wasm";
import { body, hostileInputs } from "./helpers.mjs";

test("every hostile input gives a validation result, never a throw", () => {
  for (const [name, input] of Object.entries(hostileInputs())) {
    let r;
    assert.doesNotThrow(() => (r = validateSendGroupWithAck(input)), name);
    assert.equal(r.ok, false, name);
    assert.equal(r.error.kind, "validation", name);
    assert.ok(r.error.fieldErrors.length > 0, name);
  }
});

test("every hostile input resolves a send to validation without calling fetch", async () => {
  let calls = 0;
  const c = new ConnectSafelyClient({ apiKey: "k", fetch: async () => (calls++, new Response("{}")) });
  for (const [name, input] of Object.entries(hostileInputs())) {
    const r = await c.sendGroupWithAck(input);
    assert.equal(r.error?.kind, "validation", name);
  }
  assert.equal(calls, 0);
});

test("hostile call options resolve, never reject", async () => {
  const c = new ConnectSafelyClient({ apiKey: "k", fetch: async () => new Response('{"success":true}') });
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  for (const options of [revoked.proxy, { get signal() { throw new Error("x"); } }, { signal: {} }, { timeoutMs: 10n }, "str", 5]) {
    const r = await c.sendGroupWithAck(body(), options);
    assert.equal(r.ok, false);
    assert.equal(r.error.kind, "validation");
  }
});

test("the module keeps working after every hostile input", async () => {
  for (const input of Object.values(hostileInputs())) validateSendGroupWithAck(input);
  assert.deepEqual(validateSendGroupWithAck(body()), { ok: true, value: body() });
  const r = await new ConnectSafelyClient({ apiKey: "k", fetch: async () => new Response('{"success":true}') }).sendGroupWithAck(body());
  assert.equal(r.ok, true);
});

test("an unpaired surrogate in the message is not_well_formed", () => {
  const r = validateSendGroupWithAck({ ...body(), message: "broken \ud83d" });
  assert.equal(r.error.fieldErrors[0].code, "not_well_formed");
  assert.equal(validateSendGroupWithAck({ ...body(), message: "fine 😀 \ufffd" }).ok, true);
  // Every way a surrogate goes unpaired, beside a U+FFFD (which sends the check to the exact one).
  for (const message of ["\udc00 \ufffd", "a\ud800b\ufffd", "\ufffd\udc00\ud800", "\ufffd\ud83d", "\ufffd\ud83d\ud83d\ude00"]) {
    const r = validateSendGroupWithAck({ ...body(), message });
    assert.equal(r.error?.fieldErrors[0].code, "not_well_formed", JSON.stringify(message));
  }
  assert.equal(validateSendGroupWithAck({ ...body(), message: "\ufffd\ud83d\ude00\udbff\udfff" }).ok, true);
});

test("inherited properties are not fields; own null-prototype objects are read", () => {
  assert.equal(validateSendGroupWithAck(Object.assign(Object.create(null), body())).ok, true);
  const r = validateSendGroupWithAck(Object.create(body()));
  assert.deepEqual(r.error.fieldErrors.map((e) => e.code), ["required", "required", "required"]);
});

test("a field of each JavaScript type is read as that type", () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const cases = [
    [true, "got a boolean"],
    [false, "got a boolean"],
    [10n, "got a BigInt"],
    [Symbol("s"), "got a symbol"],
    [() => "hi", "got a function"],
    [["hi"], "got an array"],
    [{ text: "hi" }, "got an object"],
    [revoked.proxy, "could not be read"],
  ];
  for (const [value, says] of cases) {
    const r = validateSendGroupWithAck({ ...body(), message: value });
    assert.deepEqual(r.error.fieldErrors.map((e) => [e.field, e.code]), [["message", "type"]], String(typeof value));
    assert.ok(r.error.fieldErrors[0].message.includes(says), `${typeof value}: ${r.error.fieldErrors[0].message}`);
  }
  for (const absent of [null, undefined]) {
    assert.equal(validateSendGroupWithAck({ ...body(), message: absent }).error.fieldErrors[0].code, "required");
  }
  // A number keeps its value (the message suggests it as a string).
  assert.ok(validateSendGroupWithAck({ ...body(), groupId: 42 }).error.fieldErrors[0].message.includes('"42"'));
  // messageUrns' entries are read the same way.
  const urns = validateSendGroupWithAck({ ...body(), messageUrns: [7, true, null] }).error.fieldErrors;
  assert.deepEqual(urns.map((e) => [e.field, e.code]), [["messageUrns[0]", "type"], ["messageUrns[1]", "type"], ["messageUrns[2]", "type"]]);
});

test("a signal that only passes for an AbortSignal is a validation failure on options.signal, never a throw, and the client keeps working", async () => {
  const ok = '{"success":true,"message":"sent","groupId":"12345678","recipientProfileUrn":"urn:li:fsd_profile:A","timestamp":"t"}';
  let sent = 0;
  const c = new ConnectSafelyClient({ apiKey: "k", logLevel: "off", fetch: async () => (sent++, new Response(ok)) });
  const brandless = Object.create(AbortSignal.prototype); // instanceof passes; its getters throw
  const one = await c.sendGroupWithAck(body(), { signal: brandless });
  assert.equal(one.error?.kind, "validation");
  assert.equal(one.error.fieldErrors[0].field, "options.signal");
  const many = await c.sendGroupWithAckMany([body(), body()], { signal: brandless });
  assert.ok(many.results.every((r) => r.error?.fieldErrors[0].field === "options.signal"), JSON.stringify(many.results[0]));
  assert.equal(sent, 0, "nothing sent");
  // A Proxy of a real signal that passes the core's check, whose methods throw when called.
  const real = new AbortController().signal;
  const throwing = new Proxy(real, {
    get(t, k) {
      if (k === "addEventListener" || k === "removeEventListener") return () => { throw new Error("no listeners here"); };
      const v = Reflect.get(t, k, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  // The request is not made (its listener cannot be set): a network failure, nothing sent.
  const r = await c.sendGroupWithAck(body(), { signal: throwing });
  assert.deepEqual([r.ok, r.error?.kind, r.error?.deliveryUnknown], [false, "network", false], JSON.stringify(r.error));
  const run = await c.sendGroupWithAckMany([body(), body()], { signal: throwing, minIntervalMs: 5 });
  assert.ok(run.results.every((x) => x.error?.kind === "network" && x.error.deliveryUnknown === false), JSON.stringify(run.results));
  assert.equal(sent, 0, "nothing sent");
  // The client, and its core, still work (a throw through the core would leave it borrowed).
  assert.equal((await c.sendGroupWithAck(body())).ok, true);
  assert.equal((await c.sendGroupWithAckMany([body()])).sent, 1);
});

test("a throwing getter a page put on Object.prototype for a response's key reads as absent: the send resolves, and the client keeps working", async () => {
  const ok = '{"success":true,"message":"sent","timestamp":"t"}';
  let sent = 0;
  const c = new ConnectSafelyClient({ apiKey: "k", logLevel: "off", fetch: async () => (sent++, new Response(ok)) });
  for (const key of ["acknowledgmentSent", "groupId", "recipientProfileUrn", "error", "issues"]) {
    Object.defineProperty(Object.prototype, key, { configurable: true, get() { throw new Error("polluted"); } });
    try {
      const r = await c.sendGroupWithAck(body());
      assert.equal(r.ok, true, key);
    } finally {
      delete Object.prototype[key];
    }
    // Before, the throw crossed the core and left it borrowed: every later call threw.
    assert.equal((await c.sendGroupWithAck(body())).ok, true, `${key}: the same client afterwards`);
  }
  assert.equal(sent, 10);
});

test("a call made from a getter the core reads (a call's or a run's options, what fetch threw) waits its turn and resolves, never throws", async () => {
  let sent = 0;
  const ok = async () => (sent++, new Response('{"success":true}'));
  /** @type {Promise<unknown>[]} */
  let inner = [];
  let failFirst = false;
  const c = new ConnectSafelyClient({
    apiKey: "k",
    logLevel: "off",
    fetch: async () => {
      if (!failFirst) return ok();
      failFirst = false;
      // What fetch threw, whose message the core reads.
      throw { get message() { return (call(), "down"); } };
    },
  });
  // Each call from inside a getter: it must return a promise (a throw here was the bug).
  const call = () => {
    inner.push(c.sendGroupWithAck(body(7)), c.sendGroupWithAckMany([body(8)]));
  };
  const settled = async () => {
    const results = await Promise.all(inner);
    inner = [];
    return results;
  };
  const expectInner = (results, what) => {
    assert.equal(results.length, 2, what);
    assert.equal(results[0].ok, true, `${what}: the send from inside`);
    assert.equal(results[1].sent, 1, `${what}: the run from inside`);
  };
  const reads = { get timeoutMs() { return (call(), 5000); } };
  assert.equal((await c.sendGroupWithAck(body(), reads)).ok, true);
  expectInner(await settled(), "a call's options");
  // A body the fast path does not take (a padded groupId), read by the core itself.
  assert.equal((await c.sendGroupWithAck({ ...body(), groupId: " 12345678 " }, reads)).ok, true);
  expectInner(await settled(), "a call's options, the core reading the body");
  const run = await c.sendGroupWithAckMany([body(1)], { get concurrency() { return (call(), 1); } });
  assert.equal(run.sent, 1);
  expectInner(await settled(), "a run's options");
  failFirst = true;
  const r = await c.sendGroupWithAck(body(2));
  assert.equal(r.error?.kind, "network");
  expectInner(await settled(), "what fetch threw");
  assert.equal((await c.sendGroupWithAck(body())).ok, true, "the same client afterwards");
  assert.equal(sent, 12, "each outer call but the one whose fetch threw, and each inner one");
});

test("a send or a run called without its client (passed on unbound) resolves to a typed failure, never throws", async () => {
  let sent = 0;
  const c = new ConnectSafelyClient({ apiKey: "k", logLevel: "off", fetch: async () => (sent++, new Response('{"success":true}')) });
  // The careless pattern: the method passed as a callback loses its `this`.
  let pending;
  assert.doesNotThrow(() => (pending = [body(1), body(2)].map(c.sendGroupWithAck)));
  for (const r of await Promise.all(pending)) {
    assert.deepEqual([r.ok, r.error.kind, r.error.deliveryUnknown], [false, "validation", false]);
    assert.match(r.error.message, /called without its client.*client\.sendGroupWithAck\.bind\(client\)/);
  }
  const { sendGroupWithAckMany } = c;
  const run = await sendGroupWithAckMany([body(3)]);
  assert.deepEqual([run.sent, run.failed, run.results.length], [0, 1, 1]);
  assert.match(run.results[0].error.message, /sendGroupWithAckMany was called without its client/);
  assert.equal(sent, 0);
  assert.equal((await c.sendGroupWithAck(body())).ok, true, "called on its client, it sends");
});
