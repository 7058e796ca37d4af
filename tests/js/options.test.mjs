// ClientOptions (contract 3): each bad option throws a TypeError naming it; nothing else throws.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectSafelyClient } from "connectsafely-wasm";

const make = (options) => () => new ConnectSafelyClient(options);
const throwsNaming = (options, name) =>
  assert.throws(make(options), (e) => e instanceof TypeError && e.message.includes(name), `TypeError naming ${name}`);

test("apiKey missing, empty or not a string throws a TypeError naming apiKey", () => {
  for (const apiKey of [undefined, null, "", "   ", 42, {}, ["k"]]) throwsNaming({ apiKey }, "apiKey");
  throwsNaming({}, "apiKey");
  throwsNaming({ apiKey: "a\nb" }, "apiKey");
});

test("options that are not an object throw a TypeError", () => {
  for (const options of [undefined, null, "sandbox-key", 5]) assert.throws(make(options), TypeError);
});

test("baseUrl must be an absolute http(s) URL", () => {
  for (const baseUrl of ["api.connectsafely.ai", "/relative", "ftp://x.example", "", 5, "https://"]) throwsNaming({ apiKey: "k", baseUrl }, "baseUrl");
});

test("plain http is refused unless the host is loopback", () => {
  throwsNaming({ apiKey: "k", baseUrl: "http://api.connectsafely.ai" }, "baseUrl");
  throwsNaming({ apiKey: "k", baseUrl: "http://localhost.example.com" }, "baseUrl");
  for (const baseUrl of ["http://localhost:8787", "http://127.0.0.1", "http://127.9.9.9:1/x", "http://[::1]:8787", "https://proxy.example/cs"]) {
    assert.doesNotThrow(make({ apiKey: "k", baseUrl }), baseUrl);
  }
});

test("fetch, when given, must be a function", () => {
  for (const fetch of [null, "fetch", {}, 1]) throwsNaming({ apiKey: "k", fetch }, "fetch");
});

test("number options must be finite and not negative", () => {
  for (const name of ["timeoutMs", "maxMessageLength", "maxRateLimitWaitMs"]) {
    for (const v of [-1, NaN, Infinity, -Infinity, "5", null]) throwsNaming({ apiKey: "k", [name]: v }, name);
    assert.doesNotThrow(make({ apiKey: "k", [name]: 0 }));
  }
});

test("a time option above 2147483647 ms (24.8 days, what a timer waits at most) is refused, on the client, a call and a run", async () => {
  // A longer timer fires at once: a storeTimeoutMs of 1e300 failed every store operation,
  // and a timeoutMs of 1e300 held a dead process's reservation and claim for good.
  for (const name of ["timeoutMs", "storeTimeoutMs"]) {
    for (const v of [2 ** 31, 1e300]) throwsNaming({ apiKey: "k", [name]: v }, name);
    assert.doesNotThrow(make({ apiKey: "k", [name]: 2 ** 31 - 1 }));
  }
  let calls = 0;
  const c = new ConnectSafelyClient({ apiKey: "k", logLevel: "off", fetch: async () => (calls++, new Response('{"success":true}')) });
  const body = { recipientProfileUrn: "urn:li:fsd_profile:A", groupId: "1", message: "hi" };
  const one = await c.sendGroupWithAck(body, { timeoutMs: 1e300 });
  assert.deepEqual(one.error.fieldErrors.map((e) => [e.field, e.message]), [["options.timeoutMs", "options.timeoutMs must be at most 2147483647 (24.8 days)"]]);
  for (const options of [{ timeoutMs: 2 ** 31 }, { minIntervalMs: 1e300 }]) {
    const run = await c.sendGroupWithAckMany([body], options);
    const [name] = Object.keys(options);
    assert.deepEqual(run.results[0].error.fieldErrors.map((e) => [e.field, e.message]), [[`options.${name}`, `options.${name} must be at most 2147483647 (24.8 days)`]]);
  }
  assert.equal(calls, 0);
  assert.equal((await c.sendGroupWithAck(body, { timeoutMs: 2 ** 31 - 1 })).ok, true);
});

test("boolean options must be booleans", () => {
  for (const name of ["rateLimitGuard", "dangerouslyAllowBrowser"]) throwsNaming({ apiKey: "k", [name]: "yes" }, name);
});

test("a throwing option getter is a TypeError naming the option", () => {
  throwsNaming({ apiKey: "k", get timeoutMs() { throw new Error("boom"); } }, "timeoutMs");
});

test("in a browser page (a document exists) the constructor refuses without dangerouslyAllowBrowser", () => {
  globalThis.document = {};
  try {
    throwsNaming({ apiKey: "k" }, "dangerouslyAllowBrowser");
    assert.doesNotThrow(make({ apiKey: "k", dangerouslyAllowBrowser: true }));
  } finally {
    delete globalThis.document;
  }
  assert.doesNotThrow(make({ apiKey: "k" }));
});

test("valid options with every field set construct a client", () => {
  const c = new ConnectSafelyClient({
    apiKey: "k",
    baseUrl: "https://proxy.example/cs/",
    timeoutMs: 1000,
    fetch: async () => new Response("{}"),
    maxMessageLength: 100,
    maxRateLimitWaitMs: 5000,
    rateLimitGuard: false,
    dangerouslyAllowBrowser: false,
  });
  assert.equal(c.baseUrl, "https://proxy.example/cs");
});

test("the objects among the options are told apart by what they are, proxies included", () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const fn = new Proxy(() => {}, {});
  // Header objects: a plain object or a proxy of one, nothing else (an array, a revoked proxy, a function).
  for (const defaultHeaders of [["X-A", "a"], revoked.proxy, () => {}, "X-A: a", 5]) throwsNaming({ apiKey: "k", defaultHeaders }, "defaultHeaders");
  for (const defaultHeaders of [undefined, null, {}, new Proxy({ "X-A": "a" }, {})]) assert.doesNotThrow(make({ apiKey: "k", defaultHeaders }));
  // A hook may be a proxy of a function; the hooks object may not be a function or a revoked proxy.
  assert.doesNotThrow(make({ apiKey: "k", hooks: { onRequest: fn, onError: undefined } }));
  for (const hooks of [() => {}, revoked.proxy, { onRequest: {} }, { onResponse: null }]) throwsNaming({ apiKey: "k", hooks }, "hooks");
  // A logger: an object (or a proxy of one) whose four methods are functions.
  const logger = { error: fn, warn: fn, info: fn, debug: fn };
  assert.doesNotThrow(make({ apiKey: "k", logger: new Proxy(logger, {}) }));
  for (const given of [{ ...logger, debug: "no" }, () => {}, revoked.proxy]) throwsNaming({ apiKey: "k", logger: given }, "logger");
  // A store: null and undefined are none; an object whose swap is a function (a proxy of one too).
  assert.doesNotThrow(make({ apiKey: "k", store: null }));
  assert.doesNotThrow(make({ apiKey: "k", store: { swap: fn } }));
  for (const store of [{ swap: "x" }, "redis", () => {}, { swap: revoked.proxy }]) throwsNaming({ apiKey: "k", store }, "store");
});

test("a workspace, journal or runner id holding an unpaired surrogate is refused: names differing only in theirs were one", async () => {
  // "acme\ud800" and "acme\udbff" both read as "acme\ufffd": two customers shared one
  // quota and their journals.
  const store = { swap: async () => ({ ok: false, value: null, version: 0 }) };
  for (const workspace of ["acme\ud800", "acme\udbff", "acme\ufffd"]) throwsNaming({ apiKey: "k", store, workspace }, "workspace");
  assert.doesNotThrow(make({ apiKey: "k", store, workspace: "acme😀" }));
  const c = new ConnectSafelyClient({ apiKey: "k", logLevel: "off", store, fetch: async () => new Response('{"success":true}') });
  const b = { recipientProfileUrn: "urn:li:fsd_profile:A", groupId: "1", message: "hi" };
  for (const [options, field] of [[{ journal: "run\ud800" }, "options.journal"], [{ journal: "run", runnerId: "worker\udc00" }, "options.runnerId"]]) {
    const run = await c.sendGroupWithAckMany([b], options);
    assert.deepEqual(run.results[0].error.fieldErrors.map((e) => e.field), [field]);
    assert.match(run.results[0].error.fieldErrors[0].message, /unpaired surrogate/);
  }
});
