// No input makes validation throw, or a send reject, or breaks the module afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectSafelyClient, validateSendGroupWithAck } from "connectsafely-wasm";
import { URN, body } from "./helpers.mjs";

function hostileInputs() {
  const cyclic = { ...body() };
  cyclic.self = cyclic;
  cyclic.messageUrns = [];
  cyclic.messageUrns.push(cyclic.messageUrns);
  let deep = {};
  for (let i = 0; i < 10_000; i++) deep = { deep };
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const trapAll = new Proxy({}, new Proxy({}, { get: () => () => { throw new Error("trap"); } }));
  return {
    "proxy whose traps throw": trapAll,
    "revoked proxy": revoked.proxy,
    "throwing getters": { get recipientProfileUrn() { throw new Error("g"); }, get groupId() { throw 1; }, message: "hi" },
    "array proxy whose length getter throws": { ...body(), messageUrns: new Proxy([], { get: (t, k) => { if (k === "length") throw new Error("len"); return t[k]; } }) },
    "cyclic object": cyclic,
    symbols: { recipientProfileUrn: Symbol("x"), groupId: Symbol.iterator, message: "hi", [Symbol("k")]: 1 },
    BigInt: { recipientProfileUrn: URN, groupId: 12345678n, message: 1n },
    "50 MB string": { ...body(), message: "x".repeat(50 * 1024 * 1024), groupId: "1".repeat(50 * 1024 * 1024) },
    "10,000-deep nesting": { ...body(), message: deep, messageUrns: [deep] },
    "__proto__ key": JSON.parse(`{"__proto__":{"groupId":"1"},"recipientProfileUrn":"${URN}","message":"hi"}`),
    "inherited fields": Object.create(body()),
    function: () => body(),
    "a huge messageUrns": { ...body(), messageUrns: new Array(1e7) },
    "sparse messageUrns": { ...body(), messageUrns: [, , "urn:li:a:b"] },
    "boxed strings": { recipientProfileUrn: new String(URN), groupId: new String("1"), message: new String("hi") },
    "a Date body": new Date(),
    "a Map body": new Map([["groupId", "1"]]),
  };
}

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
});

test("inherited properties are not fields; own null-prototype objects are read", () => {
  assert.equal(validateSendGroupWithAck(Object.assign(Object.create(null), body())).ok, true);
  const r = validateSendGroupWithAck(Object.create(body()));
  assert.deepEqual(r.error.fieldErrors.map((e) => e.code), ["required", "required", "required"]);
});
