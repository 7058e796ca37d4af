// make bench, the shared store at scale: 100,000 bodies over 1,000 accounts sent through
// a real redis-server (Debian's, on loopback) against the sandbox (its own process), with
// and without a journal. Measures store round trips per send (each swap is one EVAL),
// sends per second, and the heap and wasm memory as the run goes (flat: nothing per
// item is kept but the results the caller gets). Writes docs/store-performance.md.
//   node --expose-gc bench/store.mjs          (pkg/ must be built: make pkg)
//   BENCH_QUICK=1: 10,000 bodies over 100 accounts
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "redis";
import { spawnSandbox } from "../sandbox/spawn.mjs";
import { startRedis } from "../tests/js/redis/redis-server.mjs";
import { loadPackage } from "./load-package.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const QUICK = !!process.env.BENCH_QUICK;
const ITEMS = QUICK ? 10_000 : 100_000;
const ACCOUNTS = QUICK ? 100 : 1_000;
const CONCURRENCY = 32;
const { ConnectSafelyClient, wasmMemoryBytes } = loadPackage();
const { redisStore } = createRequire(import.meta.url)(path.join(root, "pkg/redis.cjs"));
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;

const MODES = {
  none: "no store (this process's memory), for reference",
  store: "Redis: quota and pacing",
  journal: "Redis: quota, pacing and a journal",
};
const mode = process.argv.find((a) => a.startsWith("--mode="))?.slice(7);
if (!mode) {
  // Each mode in a fresh process, so that one run's garbage is not the next one's memory.
  const redis = await startRedis();
  const sandbox = await spawnSandbox(18798);
  const lines = [];
  // The sandbox's controls; once more when the kept-alive socket died while this process
  // sat in spawnSync.
  const control = async (route, init) => {
    try {
      return await (await fetch(`${sandbox.base}/__sandbox/${route}`, init)).json();
    } catch {
      return (await fetch(`${sandbox.base}/__sandbox/${route}`, init)).json();
    }
  };
  try {
    for (const m of Object.keys(MODES)) {
      await redis.flush();
      await control("reset", { method: "POST" });
      const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), `--mode=${m}`, redis.url, sandbox.base], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
      if (r.status !== 0) throw new Error(`bench/store.mjs --mode=${m} failed:\n${r.stdout}`);
      const x = JSON.parse(r.stdout.trim().split("\n").at(-1));
      const accepted = (await control("state")).messages;
      const trips = m === "none" ? "0" : `${(x.swaps / x.sent).toFixed(2)} (${x.conflicts.toLocaleString("en-US")} conflicts retried)`;
      const mem = x.memory.map((s) => `${s.settled / 1000}k: ${mib(s.heap)} + ${mib(s.wasm)}`).join("; ");
      lines.push(`| ${MODES[m]} | ${x.sent.toLocaleString("en-US")} sent (sandbox: ${accepted.toLocaleString("en-US")}), ${x.failed} failed | ${trips} | ${Math.round(x.sent / x.seconds).toLocaleString("en-US")}/s (${x.seconds.toFixed(1)} s) | ${mem} |`);
      console.log(lines.at(-1));
    }
  } finally {
    redis.stop();
    sandbox.stop();
  }
  writeFileSync(path.join(root, "docs/store-performance.md"), doc(lines));
  console.log("wrote docs/store-performance.md");
  process.exit(0);
}

// One mode, in this process: node bench/store.mjs --mode=<m> <redis url> <sandbox url>
const [redisUrl, base] = process.argv.slice(-2);
const connection = mode === "none" ? null : await createClient({ url: redisUrl }).connect();
const count = { swaps: 0, conflicts: 0 };
let store;
if (connection) {
  const inner = redisStore(connection);
  store = {
    async swap(key, expected, value) {
      count.swaps++;
      const r = await inner.swap(key, expected, value);
      if (!r.ok && expected !== null) count.conflicts++;
      return r;
    },
  };
}
const bodies = Array.from({ length: ITEMS }, (_, i) => ({
  accountId: `acct-${i % ACCOUNTS}`,
  recipientProfileUrn: "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o",
  groupId: "12345678",
  message: `Hello ${i}`,
}));
const client = new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: base, store });
const memory = [];
const sample = (settled) => {
  globalThis.gc?.();
  memory.push({ settled, heap: process.memoryUsage().heapUsed, wasm: wasmMemoryBytes() });
};
// The full core loaded first (a client switches to it on its first run to many; an empty
// run does), so that every sample counts the same wasm instances.
await client.sendGroupWithAckMany([]);
sample(0);
let settled = 0;
const t0 = performance.now();
const run = await client.sendGroupWithAckMany(bodies, {
  concurrency: CONCURRENCY,
  ...(mode === "journal" ? { journal: `bench-${process.pid}` } : {}),
  onResult: () => {
    if (++settled % (ITEMS / 4) === 0) sample(settled);
  },
});
const seconds = (performance.now() - t0) / 1000;
await connection?.quit().catch(() => {});
console.log(JSON.stringify({ sent: run.sent, failed: run.failed, seconds, memory, ...count }));
process.exit(0);

function doc(lines) {
  return `# The shared store at scale

Written by \`make bench\` (bench/store.mjs) on ${new Date().toISOString().slice(0, 10)}: ${ITEMS.toLocaleString("en-US")} bodies over
${ACCOUNTS.toLocaleString("en-US")} accounts, \`concurrency: ${CONCURRENCY}\`, each mode in a fresh Node.js process, through a real
redis-server and the sandbox API (its own process) on loopback, on this project's 2-core machine. A round trip is one swap:
one \`EVAL\` of the Redis store's script. Memory is the JS heap after a GC plus the wasm linear
memory, sampled as items settle.

| store | outcome | round trips per send | sends per second | memory (settled: heap + wasm) |
|---|---|---|---|---|
${lines.join("\n")}

Per send without a journal: reserve and release, one swap each on the account's record (a
second when another process wrote it first). With a journal, also claim the item (held),
mark the claim sending just before its request and record its outcome after, on the item's
own key: five in all. The wasm memory
(both cores': the single-send one the client starts on, the full one it switches to for a
run to many, loaded before the first sample) grows when the run starts, holding its
requests, and stays flat after; the JS heap grows by the run's
\`results\` (one \`SendResult\` per item, which the caller gets back), as it does with no store.
`;
}
