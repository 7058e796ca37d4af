// The fault matrix: every injected fault resolves to the right kind, status and
// deliveryUnknown; then 1000 concurrent sends under random faults lose nothing,
// double nothing, and never claim "not delivered" for a message that was.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { ConnectSafelyClient } from "connectsafely-wasm";
import { SANDBOX, body, reset, fault, config, messages, state } from "./helpers.mjs";

const client = (extra = {}) => new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: SANDBOX, rateLimitGuard: false, ...extra });
const MB10 = 10 * 1024 * 1024;
const html = (title) => `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`;

const MATRIX = [
  ["connection dropped before headers", { drop: "before-headers" }, "network", null, true],
  ["connection dropped mid-body", { drop: "mid-body", padBytes: 100_000 }, "network", 200, true],
  ["stalled headers", { delayMs: 2000 }, "timeout", null, true, { timeoutMs: 300 }],
  ["stalled body", { bodyDelayMs: 2000, padBytes: 100_000 }, "timeout", 200, true, { timeoutMs: 300 }],
  ["10 MB success body", { padBytes: MB10 }, null, 200, false],
  ["10 MB HTML error page", { status: 502, body: html("Bad gateway") + " ".repeat(MB10) }, "server_error", 502, true],
  ["malformed JSON", { malformed: true }, "invalid_response", 200, true],
  ["an HTML error page", { status: 503, body: html("Service Unavailable") }, "server_error", 503, true],
  ["a 3xx redirect to another origin", { status: 302, body: "", headers: { Location: "http://127.0.0.2:9/elsewhere" } }, "http_error", 302, false],
  ["a 303 See Other: the server handled the request", { status: 303, body: "", headers: { Location: "http://127.0.0.2:9/done" } }, "http_error", 303, true],
  ["400", { status: 400 }, "bad_request", 400, false],
  ["401", { status: 401 }, "unauthorized", 401, false],
  ["403", { status: 403 }, "forbidden", 403, false],
  ["429", { status: 429 }, "rate_limited", 429, false],
  ["500", { status: 500 }, "server_error", 500, true],
  ["an undocumented 418", { status: 418, body: { error: "I'm a teapot" } }, "http_error", 418, false],
  ["an undocumented 504", { status: 504, body: "" }, "server_error", 504, true],
  ["a 204 with no body", { status: 204, body: "" }, "invalid_response", 204, true],
];

beforeEach(reset);

for (const [name, f, kind, status, deliveryUnknown, call] of MATRIX) {
  test(`fault matrix: ${name} -> ${kind ?? "success"}, status ${status}, deliveryUnknown ${deliveryUnknown}`, async () => {
    await fault(f);
    const r = await client().sendGroupWithAck(body(), call);
    if (kind === null) {
      assert.equal(r.ok, true, JSON.stringify(r).slice(0, 500));
      assert.equal(r.status, status);
      return;
    }
    assert.equal(r.ok, false);
    assert.equal(r.error.kind, kind, r.error.message);
    assert.equal(r.status, status);
    assert.equal(r.error.deliveryUnknown, deliveryUnknown);
    if (typeof r.body === "string") assert.ok(r.body.length <= 64 * 1024);
  });
}

test("1000 concurrent sends under random faults: all resolve, nothing lost or doubled, no false 'not delivered'", async () => {
  await config({ quota: 1e6 });
  const faults = [
    {},
    {},
    {},
    { status: 500 },
    { status: 500, accept: true },
    { status: 429 },
    { status: 400 },
    { status: 403 },
    { status: 418 },
    { drop: "before-headers" },
    { drop: "before-headers", accept: true },
    { drop: "mid-body" },
    { malformed: true },
    { delayMs: 1500 },
    { delayMs: 1500, accept: false },
    { bodyDelayMs: 1500 },
    { status: 502, body: html("Bad gateway") },
  ];
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const N = 1000;
  await fault(Array.from({ length: N }, () => faults[Math.floor(random() * faults.length)]));
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  try {
    // Long enough for a loaded machine to answer 1000 sends at once; the 1500 ms stalls still time out.
    const c = client({ timeoutMs: 1200 });
    const settled = await Promise.allSettled(Array.from({ length: N }, (_, i) => c.sendGroupWithAck(body(i))));
    assert.equal(settled.filter((s) => s.status !== "fulfilled").length, 0, "every promise resolved");
    const results = settled.map((s) => s.value);
    // Let the server finish what it was still holding (stalled answers accept late).
    await new Promise((r) => setTimeout(r, 2000));
    const accepted = (await messages()).map((m) => m.message);
    const counts = new Map();
    for (const m of accepted) counts.set(m, (counts.get(m) ?? 0) + 1);
    assert.deepEqual([...counts].filter(([, n]) => n > 1), [], "no message accepted twice");
    results.forEach((r, i) => {
      const delivered = counts.has(`Hello ${i}`);
      if (r.ok) assert.ok(delivered, `result ${i} is a success the server never accepted`);
      else if (!r.error.deliveryUnknown) assert.ok(!delivered, `result ${i} (${r.error.kind}) says not delivered, but it was`);
    });
    const st = await state();
    assert.ok(st.requests <= N, `at most one request per send: ${st.requests}`);
    assert.equal(st.repeatedBodies, 0, "no request body arrived twice: nothing retried");
    const kinds = new Set(results.map((r) => (r.ok ? "ok" : r.error.kind)));
    for (const k of ["ok", "server_error", "rate_limited", "network", "timeout", "invalid_response"]) assert.ok(kinds.has(k), `the run exercised ${k}`);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  assert.deepEqual(unhandled, []);
});
