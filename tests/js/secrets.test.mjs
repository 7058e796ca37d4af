// Contract 3.5: the API key never appears outside the Authorization header.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import util from "node:util";
import { ConnectSafelyClient } from "connectsafely-wasm";
import { SANDBOX, body, reset, fault, config } from "./helpers.mjs";

const KEY = "sk-live-SECRET-0123456789";
beforeEach(reset);

test("String(client), JSON.stringify(client) and util.inspect(client) never show the key", () => {
  const c = new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX });
  for (const shown of [String(c), `${c}`, JSON.stringify(c), util.inspect(c, { showHidden: true, depth: 5 }), util.format("%o", c)]) {
    assert.ok(!shown.includes(KEY), shown);
  }
  assert.match(String(c), /\[redacted\]/);
  assert.deepEqual(JSON.parse(JSON.stringify(c)), { baseUrl: SANDBOX, apiKey: "[redacted]" });
});

test("a client prints under its class's name, though the bundle shortens local names", async () => {
  const c = new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX });
  assert.equal(ConnectSafelyClient.name, "ConnectSafelyClient");
  assert.match(util.inspect(c), /^ConnectSafelyClient \{/);
  const { ConnectSafelyClient: Required } = (await import("node:module")).createRequire(import.meta.url)("connectsafely-wasm");
  assert.match(util.inspect(new Required({ apiKey: KEY, baseUrl: SANDBOX })), /^ConnectSafelyClient \{/);
  assert.ok(!Object.keys(ConnectSafelyClient).includes("name"));
});

test("a server that echoes the key has it redacted from the message and the body", async () => {
  await config({ keys: [KEY] });
  await fault({ status: 401, body: { error: `Invalid key ${KEY}`, key: KEY } });
  const r = await new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX }).sendGroupWithAck(body());
  assert.equal(r.error.kind, "unauthorized");
  assert.ok(!JSON.stringify(r).includes(KEY), JSON.stringify(r));
  assert.equal(r.error.message, "Invalid key [redacted]");
  assert.equal(r.body.key, "[redacted]");
});

test("a server that echoes the key has it scrubbed from what a journal writes to the store", async () => {
  for (const key of [KEY, "sk|live\\key-0123456789"]) {
    await reset();
    await config({ keys: [key] });
    await fault({ status: 400, body: { error: `Bad key ${key}`, key } });
    const written = [];
    const map = new Map();
    const store = {
      async swap(k, expected, value) {
        if (value !== null) written.push(value);
        const cur = map.get(k) ?? { value: null, version: 0 };
        if (expected !== null && expected === cur.version && value !== null) {
          map.set(k, { value, version: cur.version + 1 });
          return { ok: true, value, version: cur.version + 1 };
        }
        return { ok: false, ...cur };
      },
    };
    const c = new ConnectSafelyClient({ apiKey: key, baseUrl: SANDBOX, store });
    const run = await c.sendGroupWithAckMany([body()], { journal: "secret-run" });
    assert.equal(run.results[0].error.kind, "bad_request");
    assert.ok(written.some((v) => v.includes("[redacted]")), "the outcome was recorded, scrubbed");
    for (const v of written) assert.ok(!v.includes(key) && !v.includes(key.replace(/\\/g, "\\\\").replace(/\|/g, "\\p")), v);
    const again = await c.sendGroupWithAckMany([body()], { journal: "secret-run" });
    assert.equal(again.results[0].error.message, "Bad key [redacted]", "the recorded outcome reads back");
  }
});

test("a network error that mentions the key has it redacted", async () => {
  const c = new ConnectSafelyClient({ apiKey: KEY, fetch: async (url, init) => { throw new Error(`refused: ${init.headers.Authorization}`); } });
  const r = await c.sendGroupWithAck(body());
  assert.ok(!JSON.stringify(r).includes(KEY));
  assert.match(r.error.message, /\[redacted\]/);
});

test("the key is sent only as the Authorization header", async () => {
  let seen;
  const c = new ConnectSafelyClient({ apiKey: KEY, fetch: async (url, init) => ((seen = { url, init }), new Response('{"success":true}')) });
  const r = await c.sendGroupWithAck(body());
  assert.equal(r.ok, true);
  assert.ok(!seen.url.includes(KEY));
  assert.ok(!seen.init.body.includes(KEY));
  assert.equal(seen.init.headers.Authorization, `Bearer ${KEY}`);
  assert.ok(!JSON.stringify(r).includes(KEY));
});

test("the console gets only the package's log lines (warn by default), never the key or a message's text; nothing with logLevel off", async () => {
  const written = [];
  const saved = {};
  for (const m of ["log", "info", "warn", "error", "debug"]) {
    saved[m] = console[m];
    console[m] = (...a) => written.push(a.join(" "));
  }
  const sends = async (extra) => {
    const c = new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX, ...extra });
    await c.sendGroupWithAck(body());
    await c.sendGroupWithAck({ bad: true });
    await new ConnectSafelyClient({ apiKey: KEY, fetch: () => { throw new Error(`x ${KEY} ${body().message}`); }, ...extra }).sendGroupWithAck(body());
  };
  await config({ keys: [KEY] });
  let quiet;
  try {
    await sends({});
    quiet = written.length;
    await sends({ logLevel: "off" });
  } finally {
    Object.assign(console, saved);
  }
  assert.equal(quiet, 2, `the invalid body and the failed send, not the success: ${JSON.stringify(written)}`);
  assert.equal(written.length, quiet, "logLevel off writes nothing");
  for (const line of written) {
    assert.match(line, /^connectsafely-wasm: /);
    assert.ok(!line.includes(KEY) && !line.includes(body().message), line);
  }
});

test("a key a response echoes behind a JSON escape (\\/ for /), or in a rate-limit header, is redacted from the result", async () => {
  // The text holds no literal key, so scrubbing the text missed it, and JSON.parse restored it.
  const key = "cs_live/9fK2+x7QpZ";
  const escaped = key.replaceAll("/", "\\/").replace("9", "\\u0039");
  for (const [status, text, headers] of [
    [401, `{"success":false,"error":"Invalid API key ${escaped}"}`, {}],
    [200, `{"success":true,"message":"Sent (key ${escaped})","nested":{"list":["${escaped}"]}}`, {}],
    [429, '{"success":false,"error":"slow down"}', { "X-RateLimit-Action": key }],
  ]) {
    const c = new ConnectSafelyClient({ apiKey: key, logLevel: "off", fetch: async () => new Response(text, { status, headers }) });
    const r = await c.sendGroupWithAck(body());
    assert.ok(!JSON.stringify(r).includes(key), `${status}: ${JSON.stringify(r)}`);
    assert.ok(JSON.stringify(r).includes("[redacted]"), `${status}: the echo is shown redacted`);
  }
  // A body with escapes but no key parses as before.
  const plain = new ConnectSafelyClient({ apiKey: key, logLevel: "off", fetch: async () => new Response('{"success":true,"message":"a \\"quoted\\" \\u00e9"}') });
  assert.equal((await plain.sendGroupWithAck(body())).data.message, 'a "quoted" é');
});
