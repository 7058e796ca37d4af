// make soak: 100,000 validations, 10,000 sends and 50 runs to many of 100 items (through
// a client with a store, on the full core) in one process, measuring wasm linear memory
// (both cores') and the JS heap (after a forced GC) before and after.
//
// The bound: after a warm-up, wasm memory may not grow by more than 2 pages
// (128 KiB): wasm memory never shrinks, so any leak in Rust shows as growth, and
// 2 pages allow for allocator fragmentation, not for memory that grows with the
// number of calls (a leak of even 16 bytes a call would be 1.7 MB here). The JS
// heap may not grow by more than 1 MiB beyond what 10,000 raw fetch calls to the
// same server grow it by in the same process (Node's fetch keeps some state of
// its own per call); 1 MiB is 100 bytes a send, less than one leaked object.
//
//   node --expose-gc tests/soak/soak.mjs
import http from "node:http";
import { loadPackage } from "../../bench/load-package.mjs";
import { spawnSandbox } from "../../sandbox/spawn.mjs";
import { memoryStore } from "../js/helpers.mjs";

if (typeof gc !== "function") throw new Error("run with node --expose-gc");

const { ConnectSafelyClient, validateSendGroupWithAck, wasmMemoryBytes } = loadPackage();
const sandbox = await spawnSandbox(18799);
const base = sandbox.base;
// Controls go on their own connections, apart from the pool the client's sends share with faults.
const control = (p, v) =>
  new Promise((resolve, reject) => {
    const req = http.request(`${base}/__sandbox/${p}`, { method: "POST", agent: false }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve(JSON.parse(text)));
    });
    req.on("error", reject);
    req.end(JSON.stringify(v));
  });
await control("config", { quota: 1e9 });

const URN = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";
const bodies = [
  { recipientProfileUrn: URN, groupId: "12345678", message: "Thanks for your message in the group!" },
  { recipientProfileUrn: "nope", groupId: 12345678, message: " ", messageUrns: "x", extra: 1 },
  { recipientProfileUrn: URN, groupId: "1", message: "é".repeat(8000), messageUrns: Array.from({ length: 100 }, (_, i) => `urn:li:msg_message:${i}`) },
  { recipientProfileUrn: URN, groupId: "1", message: "x".repeat(20_000) },
];
const client = new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: base, rateLimitGuard: false, timeoutMs: 2000 });
const faults = [{}, {}, {}, {}, { status: 500 }, { status: 429 }, { malformed: true }, { drop: "before-headers" }, { status: 502, body: "<h1>x</h1>" }];

// Runs to many through a client with a store: the full core (many.cjs), which such a
// client switches to, soaked alongside the single-send one. The store is this process's
// map of the accounts' records (bounded: four accounts).
const store = memoryStore();
const runner = new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: base, rateLimitGuard: false, timeoutMs: 2000, store });

async function work(validations, sends, runs) {
  for (let i = 0; i < validations; i++) validateSendGroupWithAck(bodies[i % bodies.length]);
  const batch = 100;
  for (let i = 0; i < sends; i += batch) {
    await control("faults", Array.from({ length: batch }, (_, j) => faults[(i + j) % faults.length]));
    await Promise.all(Array.from({ length: batch }, (_, j) => client.sendGroupWithAck({ ...bodies[0], message: `soak ${i + j}` })));
  }
  for (let r = 0; r < runs; r++) {
    await control("faults", Array.from({ length: batch }, (_, j) => faults[j % faults.length]));
    const items = Array.from({ length: batch }, (_, j) => ({ ...bodies[0], accountId: `acct-${j % 4}`, message: `run ${r} ${j}` }));
    const run = await runner.sendGroupWithAckMany(items, { concurrency: 8 });
    if (run.results.length !== batch) throw new Error(`a run settled ${run.results.length} of ${batch} items`);
  }
}

function measure() {
  gc();
  gc();
  return { wasm: wasmMemoryBytes(), heap: process.memoryUsage().heapUsed };
}

const fmt = (n) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
try {
  await work(5_000, 500, 5); // warm-up: allocator and V8 reach their steady state
  const start = measure();
  const t0 = performance.now();
  await work(100_000, 10_000, 50);
  const seconds = (performance.now() - t0) / 1000;
  const end = measure();
  const wasmGrowth = end.wasm - start.wasm;
  const heapGrowth = end.heap - start.heap;

  // The baseline: the same number of sends with raw fetch, in the same process.
  const raw = async (i) => {
    const res = await fetch(`${base}/linkedin/messaging/send-group-with-ack`, {
      method: "POST",
      headers: { Authorization: "Bearer sandbox-key", "Content-Type": "application/json" },
      body: JSON.stringify({ ...bodies[0], message: `raw ${i}` }),
      signal: AbortSignal.timeout(2000),
    }).catch(() => null);
    await res?.text().catch(() => null);
  };
  for (let i = 0; i < 10_000; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => raw(i + j)));
  const rawEnd = measure();
  const rawGrowth = rawEnd.heap - end.heap;
  const bound = rawGrowth + 1024 * 1024;

  console.log(`soak: 100,000 validations, 10,000 sends and 50 runs to many of 100 items (a store's client: the full core) in ${seconds.toFixed(1)} s`);
  console.log(`wasm linear memory: ${fmt(start.wasm)} -> ${fmt(end.wasm)} (growth ${wasmGrowth} bytes; bound 131072)`);
  console.log(`JS heap after GC:   ${fmt(start.heap)} -> ${fmt(end.heap)} (growth ${fmt(heapGrowth)}; bound ${fmt(bound)} = raw fetch's ${fmt(rawGrowth)} + 1 MiB)`);
  const ok = wasmGrowth <= 2 * 65536 && heapGrowth <= bound;
  console.log(ok ? "soak: flat" : "soak: GROWTH ABOVE THE BOUND");
  process.exitCode = ok ? 0 : 1;
} finally {
  sandbox.stop();
}
