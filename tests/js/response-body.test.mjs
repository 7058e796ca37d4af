// How the client reads an answer's JSON body (the core's classification over JSON.parse's
// result: src/wasm/fields.rs `JsJson`, whose top level one call reads, src/wasm/fields.js
// `bodyShape`): each key of each JSON type, at the top level and below it, classified as
// the contract says. A value of the wrong type reads as absent, never as another.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectSafelyClient } from "connectsafely-wasm";
import { memoryStore } from "./helpers.mjs";

const URN = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";

/** The result of one send whose answer is `status` with `body` as JSON. */
async function answered(status, body) {
  const fetch = async () => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const client = new ConnectSafelyClient({ apiKey: "k_test_0123456789abcdef", fetch, logLevel: "off", maxRateLimitWaitMs: 0 });
  return client.sendGroupWithAck({ recipientProfileUrn: URN, groupId: "1", message: "hi" });
}
const data = (message, recipientProfileUrn, groupId, acknowledgmentSent) => ({ success: true, message, recipientProfileUrn, groupId, acknowledgmentSent });

test("a success's fields are taken when of their type, and null when of any other", async () => {
  const given = { success: true, message: "m", recipientProfileUrn: URN, groupId: "1", acknowledgmentSent: true };
  assert.deepEqual((await answered(200, given)).data, data("m", URN, "1", true));
  const wrong = await answered(200, { success: true, message: 5, recipientProfileUrn: null, groupId: ["1"], acknowledgmentSent: "yes" });
  assert.equal(wrong.ok, true);
  assert.deepEqual(wrong.data, data(null, null, null, null));
  assert.deepEqual((await answered(200, { success: true, message: {}, acknowledgmentSent: false })).data, data(null, null, null, false));
});

test("a 2xx whose success is not true, or whose body is no JSON object, may have been delivered", async () => {
  for (const [body, said] of [
    [{ success: "true", message: "m" }, "not a success object (m)"],
    [{ success: 1 }, "not a success object;"],
    [{ success: false, error: "refused", message: "also" }, "not a success object (refused)"],
    [[{ success: true }], "without a JSON object body"],
    [null, "without a JSON object body"],
    ["success", "without a JSON object body"],
    [true, "without a JSON object body"],
    [5, "without a JSON object body"],
  ]) {
    const r = await answered(200, body);
    assert.equal(r.ok, false, JSON.stringify(body));
    assert.equal(r.error.kind, "invalid_response");
    assert.equal(r.error.deliveryUnknown, true);
    assert.ok(r.error.message.includes(said), `${JSON.stringify(body)}: ${r.error.message}`);
  }
});

test("a failure's text is error when a string, else message, else error.message; a ZodError's issues become field errors", async () => {
  assert.equal((await answered(400, { error: "bad thing" })).error.message, "bad thing");
  assert.equal((await answered(400, { error: { message: "nested" } })).error.message, "nested");
  assert.equal((await answered(400, { message: "top message", error: 5 })).error.message, "top message");
  assert.equal((await answered(400, { message: "beside null", error: null })).error.message, "beside null");
  assert.equal((await answered(429, { error: "slow down", code: 7, path: "x", issues: [] })).error.message, "slow down");
  const zod = await answered(400, { error: { issues: [{ path: ["groupId"], message: "Expected string", code: "invalid_type" }, { path: ["messageUrns", 2], message: "bad", code: "custom" }] } });
  assert.deepEqual(zod.error.fieldErrors, [
    { field: "groupId", code: "type", message: "Expected string" },
    { field: "messageUrns[2]", code: "format", message: "bad" },
  ]);
  const notIssues = await answered(400, { error: { issues: "nope" } });
  assert.deepEqual([notIssues.error.kind, notIssues.error.message, notIssues.error.fieldErrors], ["bad_request", "HTTP 400", []]);
});

test("a journaled run's success, whose strings the core copies to record them, reads them as a single send does", async () => {
  const given = { success: true, message: "m", recipientProfileUrn: URN, groupId: "1", acknowledgmentSent: false };
  const fetch = async () => new Response(JSON.stringify(given), { status: 200, headers: { "content-type": "application/json" } });
  const client = new ConnectSafelyClient({ apiKey: "k_test_0123456789abcdef", fetch, logLevel: "off", store: memoryStore() });
  const run = await client.sendGroupWithAckMany([{ recipientProfileUrn: URN, groupId: "1", message: "hi" }], { journal: "response-body" });
  assert.equal(run.sent, 1, JSON.stringify(run));
  assert.deepEqual(run.results[0].data, data("m", URN, "1", false));
  const wrong = await new ConnectSafelyClient({ apiKey: "k_test_0123456789abcdef", fetch: async () => new Response(JSON.stringify({ success: true, message: 5, groupId: null }), { status: 200 }), logLevel: "off", store: memoryStore() })
    .sendGroupWithAckMany([{ recipientProfileUrn: URN, groupId: "1", message: "hi" }], { journal: "response-body" });
  assert.deepEqual(wrong.results[0].data, data(null, null, null, null));
});
