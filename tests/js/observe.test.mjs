// Logs, hooks and headers (issue 14): what a production user plugs in, and that none of it
// can leak the key or a message's text, make a send reject, or change an outcome.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ConnectSafelyClient } from "connectsafely-wasm";
import { SANDBOX, URN, reset, fault, config, control, state } from "./helpers.mjs";

const KEY = "sk-live-SECRET-KEY-0123456789";
const MSG = "Top secret text of message 42";
const VERSION = JSON.parse(readFileSync(new URL("../../pkg/package.json", import.meta.url), "utf8")).version;
const requests = async () => (await control("GET", "requests")).requests;
const body = (extra = {}) => ({ recipientProfileUrn: URN, groupId: "12345678", message: MSG, ...extra });

/** A logger that keeps every line with its level. */
function capture() {
  const lines = [];
  const logger = {};
  for (const level of ["error", "warn", "info", "debug"]) logger[level] = (line) => lines.push({ level, line });
  return { lines, logger };
}

beforeEach(async () => {
  await reset();
  await config({ keys: ["sandbox-key", KEY] });
});

test("with no option set, a request carries Authorization, Content-Type, Accept and, in Node.js, a User-Agent naming the package", async () => {
  const r = await new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX }).sendGroupWithAck(body());
  assert.equal(r.ok, true);
  const [{ headers }] = await requests();
  assert.equal(headers.authorization, "[present]");
  assert.equal(headers["content-type"], "application/json");
  assert.equal(headers.accept, "application/json");
  assert.equal(headers["user-agent"], `connectsafely-wasm/${VERSION}`);
});

test("defaultHeaders and a call's headers arrive, the call's over the client's whatever their case", async () => {
  const c = new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX, defaultHeaders: { "X-Proxy-Auth": "p1", "X-Team": "growth", "User-Agent": "my-app/2" } });
  await c.sendGroupWithAck(body(), { headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "x-team": "sales" } });
  await c.sendGroupWithAck(body({ message: "second" }));
  await c.sendGroupWithAckMany([body({ message: "third" })], { headers: { "X-Run": "r1" } });
  const [first, second, third] = (await requests()).map((r) => r.headers);
  assert.equal(first["x-proxy-auth"], "p1");
  assert.equal(first.traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  assert.equal(first["x-team"], "sales", "the call's value, not both");
  assert.equal(first["user-agent"], "my-app/2", "a User-Agent you set wins");
  assert.equal(second["x-team"], "growth");
  assert.equal(second.traceparent, undefined, "a call's headers are its own");
  assert.equal(third["x-run"], "r1");
  assert.equal(third["x-proxy-auth"], "p1");
});

test("Authorization and Content-Type cannot be overridden: a TypeError on the client, a validation failure on a call, and no request", async () => {
  for (const name of ["Authorization", "authorization", "Content-Type", "CONTENT-TYPE"]) {
    assert.throws(
      () => new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX, defaultHeaders: { [name]: "x" } }),
      (e) => e instanceof TypeError && e.message.includes(`options.defaultHeaders.${name}`) && /cannot be set/.test(e.message),
    );
  }
  const c = new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX });
  const r = await c.sendGroupWithAck(body(), { headers: { Authorization: "Bearer someone-else" } });
  assert.equal(r.error.kind, "validation");
  assert.equal(r.error.fieldErrors[0].field, "options.headers");
  assert.match(r.error.message, /options\.headers\.Authorization cannot be set/);
  for (const headers of [{ "X-A": "line\r\nbreak" }, { "X A": "v" }, { "X-A": 7 }, ["X-A", "v"], "X-A: v"]) {
    const bad = await c.sendGroupWithAck(body(), { headers });
    assert.equal(bad.error.kind, "validation", JSON.stringify(headers));
  }
  assert.throws(() => new ConnectSafelyClient({ apiKey: KEY, defaultHeaders: { "X-A": "a\nb" } }), TypeError);
  assert.equal((await state()).requests, 0);
});

test("headers given as a Headers or a Map are refused, naming the option, never sent without them", async () => {
  // Their entries are no keys of the object: read as a plain object, either was no headers
  // at all, and the send went out without them.
  const c = new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX });
  for (const headers of [new Headers({ "X-Trace": "abc" }), new Map([["X-Trace", "abc"]])]) {
    const one = await c.sendGroupWithAck(body(), { headers });
    assert.equal(one.error?.kind, "validation");
    assert.equal(one.error.fieldErrors[0].field, "options.headers");
    assert.match(one.error.message, /options\.headers must be a plain object, not a Headers or Map \(Object\.fromEntries\(\) makes one\)/);
    const run = await c.sendGroupWithAckMany([body(1), body(2)], { headers });
    assert.ok(run.results.every((r) => r.error?.fieldErrors[0].field === "options.headers"), JSON.stringify(run.results[0]));
    assert.throws(
      () => new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX, defaultHeaders: headers }),
      (e) => e instanceof TypeError && /options\.defaultHeaders must be a plain object/.test(e.message),
    );
  }
  assert.equal((await state()).requests, 0);
  // What the message advises is sent.
  assert.equal((await c.sendGroupWithAck(body(), { headers: Object.fromEntries(new Headers({ "X-Trace": "abc" })) })).ok, true);
});

/** One send per error kind, each with the key and the message text echoed by the server. */
async function everyKind(extra) {
  const echo = { success: false, error: `echo ${KEY} ${MSG}` };
  const make = (o = {}) => new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX, ...extra, ...o });
  const c = make();
  const kinds = {};
  const send = async (name, setup, run = () => c.sendGroupWithAck(body())) => {
    await setup?.();
    kinds[name] = await run();
  };
  await send("validation", null, () => c.sendGroupWithAck(body({ groupId: "abc" })));
  await send("bad_request", () => fault({ status: 400, body: echo }));
  await send("unauthorized", () => fault({ status: 401, body: echo }));
  await send("forbidden", () => fault({ status: 403, body: echo }));
  await send("server_error", () => fault({ status: 500, body: echo }));
  await send("http_error", () => fault({ status: 418, body: echo }));
  await send("invalid_response", () => fault({ status: 200, body: { echoed: `${KEY} ${MSG}` } }));
  await send("network", () => fault({ drop: "before-headers" }));
  await send("timeout", () => fault({ delayMs: 400 }), () => c.sendGroupWithAck(body(), { timeoutMs: 50 }));
  await send("aborted", () => fault({ delayMs: 400 }), () => c.sendGroupWithAck(body(), { signal: AbortSignal.timeout(50) }));
  await send("rate_limited", () => fault({ status: 429, body: echo, headers: { "Retry-After": "3600", "X-RateLimit-Remaining": "0" } }));
  await send("rate_limited (refused by the guard)", null);
  const down = make({ store: { swap: async () => Promise.reject(new Error(`down ${KEY} ${MSG}`)) } });
  await send("store_unavailable", null, () => down.sendGroupWithAck(body()));
  await send("ok", null, () => make().sendGroupWithAck(body({ accountId: "fresh" })));
  return kinds;
}

test("logLevel debug logs each attempt and decision, and no line of any error kind holds the API key or the message text", async () => {
  const { lines, logger } = capture();
  const kinds = await everyKind({ logger, logLevel: "debug" });
  for (const [name, r] of Object.entries(kinds)) {
    const kind = name.split(" ")[0];
    assert.equal(r.ok ? "ok" : r.error.kind, kind, name);
  }
  assert.ok(lines.length >= 25, `lines: ${lines.length}`);
  for (const { line } of lines) {
    assert.ok(!line.includes(KEY), line);
    assert.ok(!line.includes(MSG), line);
    assert.ok(!line.includes("SECRET"), line);
    assert.match(line, /^connectsafely-wasm: /);
  }
  const text = lines.map((l) => `${l.level} ${l.line}`).join("\n");
  assert.match(text, /debug connectsafely-wasm: POST http:\/\/127\.0\.0\.1:\d+\/linkedin\/messaging\/send-group-with-ack \(attempt 1\): 200 in \d+ ms; 1\/150 used/);
  assert.match(text, /debug .*\(attempt 1\): no response in \d+ ms/);
  assert.match(text, /error connectsafely-wasm: default account: not sent \(unauthorized, 401\); check the API key/);
  assert.match(text, /warn connectsafely-wasm: default account: not sent \(server_error, 500\); it may have been delivered/);
  assert.match(text, /warn connectsafely-wasm: default account: not sent \(rate_limited, no response\); refused locally, the quota is spent; retry in \d+ ms/);
  assert.match(text, /warn connectsafely-wasm: default account: not sent \(validation, no response\); the body is invalid \(groupId\)/);
  assert.match(text, /error connectsafely-wasm: default account: not sent \(store_unavailable, no response\)/);
  assert.match(text, /info connectsafely-wasm: account fresh: sent \(200\)/);
});

test("the default level (warn) logs what a user should know and no success; off logs nothing; a logger that throws changes nothing", async () => {
  const { lines, logger } = capture();
  await everyKind({ logger });
  assert.ok(lines.length >= 8);
  assert.ok(lines.every((l) => l.level === "warn" || l.level === "error"), JSON.stringify(lines));
  assert.ok(!lines.some((l) => /sent \(200\)/.test(l.line)));
  const quiet = capture();
  await reset();
  await config({ keys: ["sandbox-key", KEY] });
  await everyKind({ logger: quiet.logger, logLevel: "off" });
  assert.deepEqual(quiet.lines, []);
  const throwing = { error: () => { throw new Error("log down"); }, warn: () => { throw new Error("log down"); }, info() {}, debug() {} };
  await fault({ status: 500 });
  const r = await new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX, logger: throwing }).sendGroupWithAck(body());
  assert.equal(r.error.kind, "server_error");
  assert.throws(() => new ConnectSafelyClient({ apiKey: KEY, logLevel: "verbose" }), (e) => e instanceof TypeError && /options\.logLevel/.test(e.message));
  assert.throws(() => new ConnectSafelyClient({ apiKey: KEY, logger: { info() {} } }), (e) => e instanceof TypeError && /options\.logger/.test(e.message));
});

test("a run to many logs its summary at info, and no line for an item it left not attempted", async () => {
  const { lines, logger } = capture();
  await config({ quota: 2 });
  const c = new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX, logger, logLevel: "info" });
  await c.sendGroupWithAckMany([body(), body({ message: "b" }), body({ message: "c" }), body({ groupId: "x" })]);
  assert.ok(lines.some((l) => l.level === "info" && l.line === "connectsafely-wasm: run to many: 2 sent, 1 failed, 1 not attempted; stopped by rate_limited"), JSON.stringify(lines));
  assert.ok(!lines.some((l) => /refused locally/.test(l.line)), JSON.stringify(lines));
  assert.equal(lines.filter((l) => /: sent \(200\)/.test(l.line)).length, 2);
});

test("hooks see each attempt once before and once after, frozen and with the key redacted; a 429 wait is two attempts", async () => {
  const seen = [];
  const hooks = {
    onRequest: (v) => seen.push(["request", v]),
    onResponse: (v) => seen.push(["response", v]),
    onError: (v) => seen.push(["error", v]),
  };
  const c = new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX, hooks, maxRateLimitWaitMs: 2000, defaultHeaders: { "X-Team": "t" } });
  await fault({ status: 429, headers: { "Retry-After": "1" } });
  const r = await c.sendGroupWithAck(body());
  assert.equal(r.ok, true);
  const req = (v) => v.request ?? v;
  assert.deepEqual(seen.map(([k, v]) => `${k} ${req(v).attempt} ${v.status ?? ""}`), ["request 1 ", "response 1 429", "request 2 ", "response 2 200"]);
  assert.equal(seen[1][1].request, seen[0][1], "onResponse gets the very request object onRequest got");
  for (const [, v] of seen) {
    assert.ok(Object.isFrozen(v) && Object.isFrozen(req(v)) && Object.isFrozen(req(v).headers));
    assert.equal(req(v).headers.Authorization, "Bearer [redacted]");
    assert.equal(req(v).headers["X-Team"], "t");
    assert.ok(!JSON.stringify(v).includes(KEY));
    assert.equal(req(v).method, "POST");
    assert.match(req(v).url, /\/linkedin\/messaging\/send-group-with-ack$/);
  }
  const last = seen[3][1];
  assert.equal(last.rateLimit.used, 1);
  assert.ok(last.durationMs >= 0);
  seen.length = 0;
  await fault({ drop: "before-headers" });
  const lost = await c.sendGroupWithAck(body());
  assert.deepEqual(seen.map(([k]) => k), ["request", "error"]);
  assert.equal(seen[1][1].request, seen[0][1]);
  assert.deepEqual(seen[1][1].error, { kind: "network", deliveryUnknown: lost.error.deliveryUnknown });
});

test("a hook that throws, rejects or never settles changes no outcome and delays nothing; a send never runs twice", async () => {
  const plain = new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX });
  const expected = [];
  for (const f of [null, { status: 500 }, { status: 403 }]) {
    if (f) await fault(f);
    const r = await plain.sendGroupWithAck(body({ message: `p${expected.length}` }));
    expected.push(r.ok ? "ok" : r.error.kind);
  }
  const nasty = [
    { onRequest() { throw new Error("boom"); }, onResponse() { throw "not even an Error"; }, onError() { throw new Error("x"); } },
    { onRequest: async () => { throw new Error("async boom"); }, onResponse: () => Promise.reject(new Error("rejected")) },
    { onRequest: () => new Promise(() => {}), onResponse: () => new Promise(() => {}) },
    { onRequest(v) { v.headers.Authorization = "stolen"; v.attempt = 99; } },
  ];
  for (const hooks of nasty) {
    await reset();
    await config({ keys: ["sandbox-key", KEY] });
    const c = new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX, hooks });
    const got = [];
    for (const f of [null, { status: 500 }, { status: 403 }]) {
      if (f) await fault(f);
      const r = await c.sendGroupWithAck(body({ message: `h${got.length}` }));
      got.push(r.ok ? "ok" : r.error.kind);
    }
    assert.deepEqual(got, expected);
    const st = await state();
    assert.equal(st.requests, 3, "one request per send");
    assert.equal((await requests())[0].headers.authorization, "[present]");
  }
  assert.throws(() => new ConnectSafelyClient({ apiKey: KEY, hooks: { onRequest: "yes" } }), (e) => e instanceof TypeError && /options\.hooks/.test(e.message));
});

test("the README's OpenTelemetry recipe: one span per attempt, with the status and the error kind, in the SDK's in-memory exporter", async () => {
  const { trace, SpanStatusCode } = await import("@opentelemetry/api");
  const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  // README: begin opentelemetry (scripts/readme-setups.mjs copies these lines into the package README)
  const tracer = trace.getTracer("connectsafely-wasm");
  const spans = new WeakMap();
  const hooks = {
    onRequest: (request) =>
      spans.set(request, tracer.startSpan("POST send-group-with-ack", { attributes: { "http.request.method": request.method, "url.full": request.url, "http.request.resend_count": request.attempt - 1 } })),
    onResponse: ({ request, status }) => {
      const span = spans.get(request);
      span.setAttribute("http.response.status_code", status);
      if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
    onError: ({ request, error }) => {
      const span = spans.get(request);
      span.setAttribute("error.type", error.kind);
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
  // README: end opentelemetry
  const c = new ConnectSafelyClient({ apiKey: KEY, baseUrl: SANDBOX, hooks });
  await c.sendGroupWithAck(body());
  await fault({ drop: "before-headers" });
  await c.sendGroupWithAck(body({ message: "two" }));
  const done = exporter.getFinishedSpans();
  assert.equal(done.length, 2);
  assert.equal(done[0].attributes["http.response.status_code"], 200);
  assert.equal(done[1].attributes["error.type"], "network");
  assert.equal(done[1].status.code, SpanStatusCode.ERROR);
  await provider.shutdown();
});
