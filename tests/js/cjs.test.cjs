// The package by require(), as CommonJS users load it.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { ConnectSafelyClient, validateSendGroupWithAck } = require("connectsafely-wasm");

test("require() gives the same API", async () => {
  assert.equal(typeof ConnectSafelyClient, "function");
  assert.equal(validateSendGroupWithAck({ recipientProfileUrn: "urn:li:fsd_profile:A", groupId: "1", message: "hi" }).ok, true);
  const c = new ConnectSafelyClient({ apiKey: "k", fetch: async () => new Response('{"success":true}') });
  assert.equal((await c.sendGroupWithAck({ recipientProfileUrn: "urn:li:fsd_profile:A", groupId: "1", message: "hi" })).ok, true);
});
