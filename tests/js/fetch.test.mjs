// How the request leaves: the custom fetch called unbound, headers, body, URL,
// redirect mode; and that no fetch behaviour makes the promise reject.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { ConnectSafelyClient } from "connectsafely-wasm";
import { SANDBOX, URN, body, reset, config, fault, state } from "./helpers.mjs";

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

test("a signal that fires while fetch runs reports the send maybe delivered, and what fetch settles to afterwards is handled", async () => {
  // A fetch wrapper (or an abort listener) can fire the caller's signal while fetch runs:
  // the request may have left. It was reported as nothing sent (deliveryUnknown: false,
  // an invitation to send again), and a rejection from that fetch went unhandled, which
  // ends a Node.js process.
  const unhandled = [];
  const seen = (e) => unhandled.push(e);
  process.on("unhandledRejection", seen);
  try {
    for (const settles of ["resolves", "rejects"]) {
      const ac = new AbortController();
      let calls = 0;
      const c = new ConnectSafelyClient({
        apiKey: "k",
        logLevel: "off",
        fetch: async () => {
          calls++;
          ac.abort();
          if (settles === "rejects") throw new TypeError("fetch failed");
          return ok();
        },
      });
      const r = await c.sendGroupWithAck(body(), { signal: ac.signal });
      assert.equal(calls, 1);
      assert.deepEqual([r.ok, r.error?.kind, r.error?.deliveryUnknown], [false, "aborted", true], settles);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    process.off("unhandledRejection", seen);
  }
  assert.deepEqual(unhandled, []);
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
      // A 303 (See Other) is how a server answers a request it handled.
      assert.equal(r.error.deliveryUnknown, status === 303);
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

// A client hands fetch a signal from a controller it may reuse: one whose request was
// read to its end with nothing aborted (creating a controller is most of a send's own
// CPU in Node.js 20). What must hold: reuse never makes a request start cut short,
// never lets one send's timeout or abort reach another send, and stays bounded.

/** A fetch that records each call's signal (and whether it was already aborted), then answers as `answer` says. */
function recording(answer) {
  const calls = [];
  const f = (url, init) => {
    calls.push({ signal: init.signal, abortedAtCall: init.signal.aborted });
    return answer(calls.length, init);
  };
  return { calls, f };
}

test("sequential sends reuse a signal that never aborted, each signal for at most 8 requests", async () => {
  const { calls, f } = recording(async () => ok());
  const c = new ConnectSafelyClient({ apiKey: "k", fetch: f });
  for (let i = 0; i < 20; i++) assert.equal((await c.sendGroupWithAck(body(i))).ok, true);
  const uses = new Map();
  for (const { signal, abortedAtCall } of calls) {
    assert.equal(abortedAtCall, false);
    uses.set(signal, (uses.get(signal) ?? 0) + 1);
  }
  assert.deepEqual([...uses.values()], [8, 8, 4]);
});

test("a signal whose request timed out or was aborted by the caller is never handed to fetch again", async () => {
  // The 2nd request hangs (it times out), the 4th is aborted by the caller; the rest answer.
  const { calls, f } = recording((n, init) =>
    n === 2 || n === 4 ? new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason))) : Promise.resolve(ok()),
  );
  const c = new ConnectSafelyClient({ apiKey: "k", fetch: f, timeoutMs: 200 });
  assert.equal((await c.sendGroupWithAck(body(1))).ok, true);
  assert.equal((await c.sendGroupWithAck(body(2))).error.kind, "timeout");
  assert.equal((await c.sendGroupWithAck(body(3))).ok, true);
  const caller = new AbortController();
  const aborted = c.sendGroupWithAck(body(4), { signal: caller.signal });
  setTimeout(() => caller.abort(), 20);
  assert.equal((await aborted).error.kind, "aborted");
  assert.equal((await c.sendGroupWithAck(body(5))).ok, true);
  assert.deepEqual(calls.map((x) => x.abortedAtCall), [false, false, false, false, false]);
  assert.equal(calls[0].signal, calls[1].signal, "the 1st request's signal served the 2nd");
  assert.notEqual(calls[2].signal, calls[1].signal, "the timed-out signal is not reused");
  assert.equal(calls[2].signal, calls[3].signal);
  assert.notEqual(calls[4].signal, calls[3].signal, "the aborted signal is not reused");
  assert.equal(calls[4].signal.aborted, false);
});

test("a send timing out never cuts short another send in flight, with signals reused before", async () => {
  let release;
  const late = new Promise((resolve) => (release = resolve));
  const { calls, f } = recording((n, init) => {
    if (n <= 3) return Promise.resolve(ok());
    // The 4th request hangs until its signal aborts; the 5th answers once the 4th has timed out.
    if (n === 4) return new Promise((_, reject) => init.signal.addEventListener("abort", () => (reject(init.signal.reason), release())));
    return late.then(ok);
  });
  const c = new ConnectSafelyClient({ apiKey: "k", fetch: f, timeoutMs: 100 });
  for (let i = 1; i <= 3; i++) assert.equal((await c.sendGroupWithAck(body(i))).ok, true);
  const [hung, other] = await Promise.all([c.sendGroupWithAck(body(4)), c.sendGroupWithAck(body(5), { timeoutMs: 5000 })]);
  assert.equal(hung.error.kind, "timeout");
  assert.equal(other.ok, true, "the other send's request was not aborted with it");
  assert.notEqual(calls[3].signal, calls[4].signal);
  assert.equal(calls[4].signal.aborted, false);
});

test("many sequential sends through Node.js's own fetch leave no listener warning and no abort behind", async () => {
  const warnings = [];
  const onWarning = (w) => warnings.push(w);
  process.on("warning", onWarning);
  try {
    const c = new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: SANDBOX });
    for (let i = 0; i < 60; i++) assert.equal((await c.sendGroupWithAck(body(i))).ok, true, `send ${i}`);
    // A timeout now aborts a signal Node's fetch saw on earlier requests: they are over.
    await fault({ delayMs: 2000 });
    assert.equal((await c.sendGroupWithAck(body(60), { timeoutMs: 100 })).error.kind, "timeout");
    assert.equal((await c.sendGroupWithAck(body(61))).ok, true);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(warnings.map((w) => w.name), []);
  } finally {
    process.off("warning", onWarning);
  }
});

// In Node.js a reused controller keeps one timer for its requests, re-armed for each
// (setting and clearing one per request is most of a send's timer cost there).

test("a timeout still fires on time on a reused signal, and at a call's own shorter timeout", async () => {
  const hang = (init) => new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
  const { calls, f } = recording((n, init) => (n === 4 || n === 6 ? hang(init) : Promise.resolve(ok())));
  const c = new ConnectSafelyClient({ apiKey: "k", fetch: f, timeoutMs: 300 });
  for (let i = 1; i <= 3; i++) assert.equal((await c.sendGroupWithAck(body(i))).ok, true);
  // Past the first request's deadline: a timer armed then and not re-armed would fire early.
  await new Promise((r) => setTimeout(r, 200));
  let t = Date.now();
  assert.equal((await c.sendGroupWithAck(body(4))).error.kind, "timeout");
  const took = Date.now() - t;
  assert.ok(took >= 290 && took < 2000, `timed out after ${took} ms, not 300`);
  assert.equal(calls[3].signal, calls[0].signal, "the 4th request had a reused signal");
  assert.equal((await c.sendGroupWithAck(body(5), { timeoutMs: 5000 })).ok, true);
  t = Date.now();
  assert.equal((await c.sendGroupWithAck(body(6), { timeoutMs: 100 })).error.kind, "timeout");
  const took6 = Date.now() - t;
  assert.ok(took6 >= 90 && took6 < 250, `timed out after ${took6} ms, not 100`);
});

test("a client left idle after its sends does not keep Node.js running until a timeout would fire", async () => {
  // A child process sends three times with the default 30 s timeout, then has nothing left
  // to do: it must exit at once, not when a timer armed for those sends would have fired.
  const script = `
    const { ConnectSafelyClient } = await import("connectsafely-wasm");
    const ok = () => new Response('{"success":true}', { status: 200, headers: { "Content-Type": "application/json" } });
    const c = new ConnectSafelyClient({ apiKey: "k", fetch: async () => ok() });
    const body = ${JSON.stringify(body())};
    for (let i = 0; i < 3; i++) if (!(await c.sendGroupWithAck(body)).ok) process.exit(3);
    console.log("sent");
  `;
  const { out, code, idleMs } = await runUntilExit(process.execPath, ["--input-type=module", "-e", script]);
  assert.equal(out.trim(), "sent");
  assert.equal(code, 0);
  assert.ok(idleMs < 15_000, `the process took ${idleMs} ms to exit after its last send (a held 30 s timer would take 30 s)`);
});

test("in Bun too, a reused timer times a later request out at its own deadline, and an idle client lets the process exit", async () => {
  // Bun's timers can be re-armed and let go like Node's, so the lease keeps one there too.
  const script = `
    const { ConnectSafelyClient } = await import("connectsafely-wasm");
    const ok = () => new Response('{"success":true}', { status: 200, headers: { "Content-Type": "application/json" } });
    let n = 0;
    const hang = (init) => new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
    const c = new ConnectSafelyClient({ apiKey: "k", timeoutMs: 300, fetch: async (url, init) => (++n === 4 ? hang(init) : ok()) });
    const body = ${JSON.stringify(body())};
    for (let i = 0; i < 3; i++) if (!(await c.sendGroupWithAck(body)).ok) process.exit(3);
    await new Promise((r) => setTimeout(r, 200));
    const t = Date.now();
    const r = await c.sendGroupWithAck(body);
    const took = Date.now() - t;
    // Last, a send with a 30 s timeout: idle after it, its timer must not hold the process.
    if (!(await c.sendGroupWithAck(body, { timeoutMs: 30000 })).ok) process.exit(4);
    console.log(JSON.stringify({ kind: r.error && r.error.kind, took }));
  `;
  const bun = new URL("../../node_modules/.bin/bun", import.meta.url).pathname;
  const { out, code, idleMs } = await runUntilExit(bun, ["-e", script]);
  assert.equal(code, 0, out);
  const { kind, took } = JSON.parse(out.trim());
  assert.equal(kind, "timeout");
  assert.ok(took >= 290 && took < 2000, `timed out after ${took} ms, not 300`);
  assert.ok(idleMs < 15_000, `bun took ${idleMs} ms to exit after its last send (a held 30 s timer would take 30 s)`);
});

// Runs a child process to its exit (killed after 45 s) and says how long it lived after its
// last output: how long an idle process waited to exit. Startup time, which a loaded CI
// machine can stretch to seconds, is not counted.
async function runUntilExit(command, args) {
  const { spawn } = await import("node:child_process");
  const child = spawn(command, args, { cwd: new URL(".", import.meta.url), stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  let last = Date.now();
  child.stdout.on("data", (d) => ((out += d), (last = Date.now())));
  const code = await new Promise((resolve) => {
    const kill = setTimeout(() => child.kill(), 45_000);
    // "close", not "exit": by then every byte of its output has been read.
    child.on("close", (c) => (clearTimeout(kill), resolve(c)));
  });
  return { out, code, idleMs: Date.now() - last };
}

test("without a store, concurrent sends hold the account to maxInFlightPerAccount until an answer tells its quota, then to what is left: no 429 is spent", async () => {
  await config({ quota: 150 });
  // The first four answers take 300 ms: meanwhile nothing else may go.
  await fault(Array.from({ length: 4 }, () => ({ delayMs: 300 })));
  const client = new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: SANDBOX });
  const all = Promise.all(Array.from({ length: 200 }, (_, i) => client.sendGroupWithAck(body(i))));
  await new Promise((r) => setTimeout(r, 150));
  const early = await state();
  assert.deepEqual([early.requests, early.inflight], [4, 4], "four out before any answer");
  const results = await all;
  assert.equal(results.filter((r) => r.ok).length, 150);
  const refused = results.filter((r) => !r.ok);
  assert.ok(refused.every((r) => r.error.kind === "rate_limited" && r.status === null), "the rest refused locally");
  assert.equal((await state()).requests, 150, "no request past the quota: no 429");
});

test("what fetch threw is kept as the cause only when no part a reader could reach holds the key", async () => {
  const key = "sk-live-SECRET-0123456789";
  const config = { url: "https://api.connectsafely.ai/x", headers: { Authorization: `Bearer ${key}` } };
  const leaky = [
    Object.assign(new Error("Request failed"), { config }), // an HTTP library's error, with its request
    new AggregateError([new Error(`refused ${key}`)], "all failed"),
    new Error("outer", { cause: new Error("middle", { cause: new Error(`inner ${key}`) }) }),
    Symbol(`token ${key}`),
    { deep: { er: { still: { deeper: { now: { gone: "?" } } } } } }, // too deep to tell
  ];
  for (const thrown of leaky) {
    const c = new ConnectSafelyClient({ apiKey: key, logLevel: "off", fetch: async () => Promise.reject(thrown) });
    const r = await c.sendGroupWithAck(body());
    assert.equal(r.error.kind, "network");
    assert.equal(r.error.cause, undefined, String(thrown.message ?? typeof thrown));
  }
  // One that holds no key is kept, the very value.
  const plain = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
  const c = new ConnectSafelyClient({ apiKey: key, logLevel: "off", fetch: async () => Promise.reject(plain) });
  assert.equal((await c.sendGroupWithAck(body())).error.cause, plain);
});
