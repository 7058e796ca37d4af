// How the request leaves: the custom fetch called unbound, headers, body, URL,
// redirect mode; and that no fetch behaviour makes the promise reject.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { ConnectSafelyClient } from "connectsafely-wasm";
import { SANDBOX, URN, body, reset, fault, state } from "./helpers.mjs";

const ok = () =>
  new Response(JSON.stringify({ success: true, message: "sent" }), { status: 200, headers: { "Content-Type": "application/json" } });

beforeEach(reset);

test("the custom fetch is called unbound with the URL and an init of method, headers, body, redirect and signal", async () => {
  const calls = [];
  const c = new ConnectSafelyClient({
    apiKey: "key-123",
    baseUrl: "https://proxy.example/cs/",
    fetch: function (url, init) {
      "use strict";
      calls.push({ self: this, url, init });
      return Promise.resolve(ok());
    },
  });
  const r = await c.sendGroupWithAck({ ...body(), groupId: " 7 ", accountId: undefined, extra: undefined });
  assert.equal(r.ok, false, "extra is an unknown field");
  const r2 = await c.sendGroupWithAck({ ...body(), groupId: " 7 " });
  assert.equal(r2.ok, true);
  assert.equal(calls.length, 1, "the invalid body made no call");
  const [{ self, url, init }] = calls;
  assert.equal(self, undefined, "called unbound");
  assert.equal(url, "https://proxy.example/cs/linkedin/messaging/send-group-with-ack");
  assert.equal(init.method, "POST");
  // Node.js is a server runtime: the User-Agent names the package (issue 14).
  const version = JSON.parse(readFileSync(new URL("../../pkg/package.json", import.meta.url), "utf8")).version;
  assert.deepEqual(init.headers, { Authorization: "Bearer key-123", "Content-Type": "application/json", Accept: "application/json", "User-Agent": `connectsafely-wasm/${version}` });
  assert.deepEqual(JSON.parse(init.body), { recipientProfileUrn: URN, groupId: "7", message: "Hello 1" });
  assert.equal(init.redirect, "manual");
  assert.ok(init.signal instanceof AbortSignal);
  for (const k of ["mode", "credentials", "cache"]) assert.ok(!(k in init), `${k} is never set`);
});

test("the default base URL is the real API", async () => {
  let seen;
  const c = new ConnectSafelyClient({ apiKey: "k", fetch: async (url) => ((seen = url), ok()) });
  await c.sendGroupWithAck(body());
  assert.equal(seen, "https://api.connectsafely.ai/linkedin/messaging/send-group-with-ack");
});

test("a fetch that throws synchronously, rejects, or resolves to a non-Response never rejects the send", async () => {
  const fetches = [
    () => { throw new Error("sync boom"); },
    () => Promise.reject(new TypeError("fetch failed")),
    () => Promise.reject("a string"),
    () => Promise.reject(Symbol("s")),
    async () => 42,
    async () => ({ status: "200" }),
    async () => null,
    async () => ({ status: 200, headers: null, text: () => { throw new Error("no text"); } }),
    async () => ({ status: 200, headers: { get() { throw new Error("bad headers"); } }, text: async () => '{"success":true}' }),
    async () => ({ get status() { throw new Error("no status"); } }),
    async () => ({ status: 200, get type() { throw new Error("no type"); } }),
    async () => ({ status: 200, headers: new Headers(), text: () => ({ then() { throw new Error("a thenable that throws"); } }) }),
    () => ({ then() { throw new Error("a fetch result whose then throws"); } }),
  ];
  for (const f of fetches) {
    const r = await new ConnectSafelyClient({ apiKey: "k", fetch: f }).sendGroupWithAck(body());
    assert.equal(r.ok === false || r.ok === true, true);
    if (!r.ok) assert.ok(["network", "invalid_response"].includes(r.error.kind), r.error.kind + ": " + r.error.message);
  }
});

test("a fetch that throws synchronously reports that nothing was sent", async () => {
  const r = await new ConnectSafelyClient({ apiKey: "k", fetch: () => { throw new Error("sync boom"); } }).sendGroupWithAck(body());
  assert.equal(r.error.kind, "network");
  assert.equal(r.error.deliveryUnknown, false);
  assert.match(r.error.message, /sync boom/);
});

test("a fetch that ignores the signal and never settles still times out", async () => {
  const c = new ConnectSafelyClient({ apiKey: "k", fetch: () => new Promise(() => {}), timeoutMs: 100 });
  const r = await c.sendGroupWithAck(body());
  assert.equal(r.error.kind, "timeout");
  assert.equal(r.error.deliveryUnknown, true);
});

test("without any fetch the send resolves to a network failure naming what is missing", async () => {
  const saved = globalThis.fetch;
  globalThis.fetch = undefined;
  try {
    const r = await new ConnectSafelyClient({ apiKey: "k" }).sendGroupWithAck(body());
    assert.equal(r.error.kind, "network");
    assert.equal(r.error.deliveryUnknown, false);
    assert.match(r.error.message, /no global fetch/);
  } finally {
    globalThis.fetch = saved;
  }
});

test("a redirect to another origin is never followed: the other origin sees no request and no key", async () => {
  let hits = 0;
  const other = http.createServer((req, res) => {
    hits += 1;
    res.end("{}");
  });
  await new Promise((r) => other.listen(0, "127.0.0.1", r));
  const target = `http://127.0.0.1:${other.address().port}/steal`;
  try {
    for (const status of [301, 302, 303, 307, 308]) {
      await fault({ status, body: "", headers: { Location: target } });
      const r = await new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: SANDBOX }).sendGroupWithAck(body());
      assert.equal(r.error.kind, "http_error");
      assert.equal(r.status, status);
      assert.equal(r.error.deliveryUnknown, false);
    }
    assert.equal(hits, 0);
  } finally {
    other.close();
  }
});

test("the global fetch is looked up at call time and called unbound", async () => {
  const saved = globalThis.fetch;
  let self = "unset";
  globalThis.fetch = function (url, init) {
    "use strict";
    self = this;
    return saved(url, init);
  };
  try {
    const r = await new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: SANDBOX }).sendGroupWithAck(body());
    assert.equal(r.ok, true);
    assert.equal(self, undefined);
    assert.equal((await state()).requests, 1);
  } finally {
    globalThis.fetch = saved;
  }
});

test("a network failure keeps what fetch threw as its cause, not enumerable, unless it mentions the key", async () => {
  const thrown = new TypeError("fetch failed", { cause: new Error("ECONNRESET") });
  const r = await new ConnectSafelyClient({ apiKey: "k-secret", fetch: () => Promise.reject(thrown) }).sendGroupWithAck(body());
  assert.equal(r.error.kind, "network");
  assert.equal(r.error.cause, thrown, "the very value fetch threw");
  assert.deepEqual(Object.keys(r.error), ["kind", "message", "fieldErrors", "retryAfterMs", "deliveryUnknown"]);
  assert.equal("cause" in JSON.parse(JSON.stringify(r.error)), false, "JSON keeps the contract's fields");

  const leaky = new Error("could not reach proxy with key k-secret");
  const r2 = await new ConnectSafelyClient({ apiKey: "k-secret", fetch: () => Promise.reject(leaky) }).sendGroupWithAck(body());
  assert.equal(r2.error.kind, "network");
  assert.equal(r2.error.cause, undefined, "a cause that mentions the key is dropped");
  assert.ok(!r2.error.message.includes("k-secret"));

  const ok = await new ConnectSafelyClient({ apiKey: "k", fetch: async () => new Response('{"success":true}', { status: 200 }) }).sendGroupWithAck(body());
  assert.equal(ok.ok, true);
  const server = await new ConnectSafelyClient({ apiKey: "k", fetch: async () => new Response("{}", { status: 500 }) }).sendGroupWithAck(body());
  assert.equal(server.error.cause, undefined, "only network failures have a cause");
});
