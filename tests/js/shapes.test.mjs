// The result objects' exact shapes (contract 3.2, 3.3), as a user sees them.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { ConnectSafelyClient, validateSendGroupWithAck } from "connectsafely-wasm";
import { SANDBOX, URN, body, reset, fault, config } from "./helpers.mjs";

const client = (extra = {}) => new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: SANDBOX, ...extra });
const RATE_LIMIT_KEYS = ["action", "limit", "used", "remaining", "resetAt"];
const ERROR_KEYS = ["kind", "message", "fieldErrors", "retryAfterMs", "deliveryUnknown"];

function assertRateLimit(rl) {
  assert.deepEqual(Object.keys(rl), RATE_LIMIT_KEYS);
  assert.equal(typeof rl.action, "string");
  for (const k of ["limit", "used", "remaining", "resetAt"]) assert.ok(Number.isInteger(rl[k]), `${k} is an integer: ${rl[k]}`);
}

beforeEach(reset);

test("a success has exactly ok, status, data, rateLimit and body", async () => {
  const r = await client().sendGroupWithAck(body());
  assert.deepEqual(Object.keys(r), ["ok", "status", "data", "rateLimit", "body"]);
  assert.equal(r.ok, true);
  assert.equal(r.status, 200);
  assert.deepEqual(r.data, {
    success: true,
    message: "Group context message sent successfully",
    recipientProfileUrn: URN,
    groupId: "12345678",
    acknowledgmentSent: true,
  });
  assertRateLimit(r.rateLimit);
  assert.deepEqual(r.body, { ...r.data });
});

test("a failure has exactly ok, status, error, rateLimit and body, and error has exactly its five fields", async () => {
  await fault({ status: 500 });
  const r = await client().sendGroupWithAck(body());
  assert.deepEqual(Object.keys(r), ["ok", "status", "error", "rateLimit", "body"]);
  assert.deepEqual(Object.keys(r.error), ERROR_KEYS);
  assert.equal(r.ok, false);
  assert.equal(r.status, 500);
  assert.equal(r.error.kind, "server_error");
  assert.deepEqual(r.error.fieldErrors, []);
  assert.equal(r.error.retryAfterMs, null);
  assert.equal(r.error.deliveryUnknown, true);
  assertRateLimit(r.rateLimit);
  assert.deepEqual(r.body, { error: "Failed to get LinkedIn authentication credentials", success: false });
});

test("a local validation failure has status, rateLimit and body null and lists field errors", async () => {
  const r = await client().sendGroupWithAck({ groupId: "x" });
  assert.deepEqual(r, {
    ok: false,
    status: null,
    error: {
      kind: "validation",
      message: r.error.message,
      fieldErrors: [
        { field: "recipientProfileUrn", code: "required", message: "recipientProfileUrn is required" },
        { field: "groupId", code: "format", message: r.error.fieldErrors[1].message },
        { field: "message", code: "required", message: "message is required" },
      ],
      retryAfterMs: null,
      deliveryUnknown: false,
    },
    rateLimit: null,
    body: null,
  });
  assert.match(r.error.message, /nothing was sent/);
});

test("a 429 carries retryAfterMs as a number and the rate limit", async () => {
  await config({ quota: 0 });
  const r = await client({ rateLimitGuard: false }).sendGroupWithAck(body());
  assert.equal(r.error.kind, "rate_limited");
  assert.equal(typeof r.error.retryAfterMs, "number");
  assert.ok(r.error.retryAfterMs >= 0);
  assert.equal(r.rateLimit.remaining, 0);
});

test("rate-limit numbers that do not parse are null, never NaN", async () => {
  await fault({ status: 200, headers: { "X-RateLimit-Limit": "lots", "X-RateLimit-Used": "-1", "X-RateLimit-Remaining": "NaN", "X-RateLimit-Reset": "whenever" } });
  const r = await client().sendGroupWithAck(body());
  assert.equal(r.ok, true);
  assert.deepEqual(r.rateLimit, { action: "MESSAGE", limit: null, used: null, remaining: null, resetAt: null });
});

test("a non-JSON failure body is kept as text, cut at 64 KiB", async () => {
  await fault({ status: 502, body: "<h1>Bad gateway</h1>" + "x".repeat(100_000) });
  const r = await client().sendGroupWithAck(body());
  assert.equal(r.error.kind, "server_error");
  assert.equal(typeof r.body, "string");
  assert.ok(r.body.startsWith("<h1>Bad gateway</h1>"));
  assert.equal(r.body.length, 64 * 1024);
  assert.equal(r.error.message, "HTTP 502 (the message may have been delivered: check before resending)");
});

test("validateSendGroupWithAck returns exactly { ok, value } with the normalized body", () => {
  const r = validateSendGroupWithAck({ ...body(), groupId: " 42 ", accountId: null, messageUrns: [" urn:li:msg_message:abc "] });
  assert.deepEqual(r, {
    ok: true,
    value: { recipientProfileUrn: URN, groupId: "42", message: "Hello 1", messageUrns: ["urn:li:msg_message:abc"] },
  });
  assert.deepEqual(Object.keys(r.value), ["recipientProfileUrn", "groupId", "message", "messageUrns"]);
});

test("validateSendGroupWithAck returns exactly { ok, error } for an invalid body", () => {
  const r = validateSendGroupWithAck([]);
  assert.deepEqual(Object.keys(r), ["ok", "error"]);
  assert.deepEqual(r.error.fieldErrors, [{ field: "", code: "type", message: r.error.fieldErrors[0].message }]);
  assert.equal(r.error.kind, "validation");
});

test("validateSendGroupWithAck honours maxMessageLength", () => {
  assert.equal(validateSendGroupWithAck(body(), { maxMessageLength: 3 }).error.fieldErrors[0].code, "too_long");
  assert.equal(validateSendGroupWithAck({ ...body(), message: "x".repeat(8001) }).error.fieldErrors[0].code, "too_long");
  assert.equal(validateSendGroupWithAck(body(), { maxMessageLength: -1 }).ok, false);
});

test("a client's maxMessageLength applies to its sends", async () => {
  const r = await client({ maxMessageLength: 5 }).sendGroupWithAck({ ...body(), message: "123456" });
  assert.equal(r.error.kind, "validation");
  assert.equal(r.error.fieldErrors[0].code, "too_long");
});
