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
