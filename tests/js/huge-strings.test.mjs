// Strings of half a billion characters, wherever one can be given: copied whole into
// wasm memory, their UTF-8 (three bytes a character here) ran it out of memory, a trap
// that threw out of a call documented never to throw, and left the client (or the
// module) refusing every later call ("recursive use of an object"). Each ends typed, and
// the same client and module keep working. (Its own file: the string takes 1 GiB.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectSafelyClient, validateSendGroupWithAck } from "connectsafely-wasm";
import * as validateEntry from "connectsafely-wasm/validate";
import { body, memoryStore } from "./helpers.mjs";

// The longest string V8 makes: 2^29 - 24 UTF-16 units, 1.6 GB as UTF-8.
const HUGE = "あ".repeat(2 ** 29 - 24);
const quiet = { error() {}, warn() {}, info() {}, debug() {} };
const success = () => new Response('{"success":true}', { status: 200 });

/** A client whose fetch is `fetch` (default: a success). */
const client = (options = {}) =>
  new ConnectSafelyClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", logger: quiet, fetch: async () => success(), ...options });

/** The same client still sends one and runs to many. */
async function stillWorks(c) {
  assert.equal((await c.sendGroupWithAck(body())).ok, true, "the same client sends afterwards");
  assert.equal((await c.sendGroupWithAckMany([body(2)])).sent, 1, "and runs to many");
  assert.equal(validateSendGroupWithAck(body()).ok, true, "the module validates afterwards");
}

test("an unknown key of half a billion characters is named by its first 256 and an ellipsis, in both entries and in a run", async () => {
  const named = HUGE.slice(0, 256) + "\u2026";
  for (const validate of [validateSendGroupWithAck, validateEntry.validateSendGroupWithAck]) {
    const r = validate({ ...body(), [HUGE]: 1 });
    assert.equal(r.ok, false);
    assert.deepEqual(r.error.fieldErrors.map((e) => [e.field, e.code]), [[named, "unknown_field"]]);
    assert.ok(r.error.message.length < 2000, "the message holds the cut name, not the key");
    assert.equal(validate(body()).ok, true, "the entry validates afterwards");
  }
  // A key of 256 units is named whole.
  const whole = "k".repeat(256);
  assert.equal(validateEntry.validateSendGroupWithAck({ ...body(), [whole]: 1 }).error.fieldErrors[0].field, whole);
  assert.equal(validateSendGroupWithAck({ ...body(), [whole]: 1 }).error.fieldErrors[0].field, whole);
  const c = client();
  const run = await c.sendGroupWithAckMany([{ ...body(), [HUGE]: 1 }, body(2)]);
  assert.equal(run.results[0].error.fieldErrors[0].field, named);
  assert.equal(run.sent, 1);
  await stillWorks(c);
});

test("an API key, base URL or header of half a billion characters is a TypeError naming the option", () => {
  for (const [options, named] of [
    [{ apiKey: HUGE }, /options\.apiKey is longer than 8192 bytes/],
    [{ baseUrl: "https://a.example/" + HUGE.slice(18) }, /options\.baseUrl is longer than 8192 bytes/],
    [{ defaultHeaders: { "x-a": HUGE } }, /options\.defaultHeaders\.x-a is longer than 8192 bytes/],
    [{ defaultHeaders: { ["x" + HUGE.slice(1)]: "v" } }, /options\.defaultHeaders\.x.* has a name longer than 8192 bytes/],
    [{ workspace: HUGE }, /options\.workspace/],
    [{ logLevel: HUGE }, /options\.logLevel/],
  ]) {
    assert.throws(() => client(options), (e) => e instanceof TypeError && named.test(e.message), String(named));
  }
});

test("a call's header or a run's runnerId of half a billion characters is a validation failure, nothing sent", async () => {
  let sent = 0;
  const c = client({ fetch: async () => (sent++, success()) });
  for (const headers of [{ "x-a": HUGE }, { ["x" + HUGE.slice(1)]: "v" }]) {
    const r = await c.sendGroupWithAck(body(), { headers });
    assert.equal(r.error?.kind, "validation");
    assert.equal(r.error.fieldErrors[0].field, "options.headers");
  }
  const run = await c.sendGroupWithAckMany([body()], { runnerId: HUGE });
  assert.deepEqual(run.results[0].error?.fieldErrors.map((e) => e.field), ["options.runnerId"]);
  assert.equal(sent, 0);
  await stillWorks(c);
});

test("a fetch that throws an error, or a string, of half a billion characters is a network failure with a short message, and its cause only once searched for the key", async () => {
  // Kept as the cause only when it can be searched for the API key: an Error's stack would
  // be longer than a string can be, so it is not.
  for (const [thrown, kept] of [[new Error(HUGE), false], [new TypeError("failed", { cause: new Error(HUGE) }), false], [HUGE, true]]) {
    let once = true;
    const c = client({ fetch: async () => (once ? ((once = false), Promise.reject(thrown)) : success()) });
    const r = await c.sendGroupWithAck(body());
    assert.equal(r.error?.kind, "network");
    assert.equal(r.error.deliveryUnknown, true);
    assert.ok(r.error.message.length < 1000, `a short message (${r.error.message.length})`);
    assert.ok(r.error.cause === (kept ? thrown : undefined), `cause kept: ${r.error.cause !== undefined}`);
    await stillWorks(c);
  }
});

test("a message limit over a million code points is refused; at a million, a longer message is too_long, uncopied", () => {
  for (const validate of [validateSendGroupWithAck, validateEntry.validateSendGroupWithAck]) {
    const over = validate(body(), { maxMessageLength: 1_000_001 });
    assert.deepEqual(over.error.fieldErrors.map((e) => [e.field, e.code]), [["options.maxMessageLength", "type"]]);
    assert.match(over.error.fieldErrors[0].message, /from 0 to 1000000/);
    const long = validate({ ...body(), message: HUGE }, { maxMessageLength: 1_000_000 });
    assert.deepEqual(long.error.fieldErrors.map((e) => [e.field, e.code]), [["message", "too_long"]]);
    assert.equal(validate(body(), { maxMessageLength: 1_000_000 }).ok, true);
  }
  assert.throws(() => client({ maxMessageLength: 1_000_001 }), /options\.maxMessageLength must be at most 1000000/);
});

test("a store answering a value of half a billion characters fails closed, nothing sent, and the client keeps working", async () => {
  let sent = 0;
  const store = memoryStore();
  const swap = store.swap;
  let huge = true;
  store.swap = async (...args) => (huge ? { ok: false, value: HUGE, version: 0 } : swap(...args));
  const c = client({ store, fetch: async () => (sent++, success()) });
  const r = await c.sendGroupWithAck(body());
  assert.equal(r.error?.kind, "store_unavailable");
  assert.match(r.error.message, /value a string of at most 1 MiB/);
  assert.equal(sent, 0);
  huge = false;
  await stillWorks(c);
});

test("a rate-limit header of half a billion characters reads as absent", async () => {
  const c = client({
    fetch: async () => ({
      status: 200,
      headers: { get: (name) => (name.toLowerCase() === "x-ratelimit-limit" ? "1".repeat(2 ** 29 - 24) : null) },
      text: async () => '{"success":true}',
    }),
  });
  const r = await c.sendGroupWithAck(body());
  assert.equal(r.ok, true);
  assert.equal(r.rateLimit, null);
});
