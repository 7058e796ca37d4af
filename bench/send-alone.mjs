// One contender of run.mjs's send rows, alone in this process, timed with tinybench;
// prints its figures as JSON. Alone, so each figure is that contender's own CPU and
// garbage: side by side in one process, one contender's garbage is collected during
// another's turn (and reading a client's own improvement made raw fetch look faster
// instead).
//   node --expose-gc bench/send-alone.mjs <contender> <time in ms> [--build <index.cjs>] [--base <url> | --plain] [--batch <n>] [--warmup <ms>]
// Without --base, the fetch is one that answers at once in this process (a send's time is
// the client's own CPU); with it, the runtime's fetch over HTTP to the sandbox at <url>.
// --plain: the in-process fetch answers a plain object instead of a Response (the
// client's own work alone: in-process.mjs `plainFetch`).
// --batch n: each run is n sends at once. --build: another build of the package
// (bench/compare.mjs).
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { Bench } from "tinybench";
import { loadPackage } from "./load-package.mjs";
import { API_KEY, WITH_TIMEOUT, fetchWithTimeout, inProcessFetch, plainFetch, sendBody } from "./in-process.mjs";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { build: { type: "string" }, base: { type: "string" }, plain: { type: "boolean", default: false }, batch: { type: "string", default: "1" }, warmup: { type: "string", default: "1000" } },
});
const [name, time] = positionals;
const batch = Number(values.batch);
const base = values.base ?? "https://api.connectsafely.ai";
const fetchFn = values.base ? globalThis.fetch : values.plain ? plainFetch : inProcessFetch;
const apiKey = values.base ? "sandbox-key" : API_KEY;
const url = `${base}/linkedin/messaging/send-group-with-ack`;
const init = () => ({
  method: "POST",
  headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json", Accept: "application/json" },
  body: JSON.stringify(sendBody),
});
/** Each contender: a function that makes its client, then one send that says whether it succeeded. */
const contenders = {
  "connectsafely-wasm": async () => {
    const { ConnectSafelyClient } = values.build ? createRequire(import.meta.url)(values.build) : loadPackage();
    const client = new ConnectSafelyClient({ apiKey, baseUrl: base, fetch: fetchFn });
    return async () => (await client.sendGroupWithAck(sendBody)).ok;
  },
  "raw fetch + JSON.parse": async () => async () => {
    const res = await fetchFn(url, init());
    return JSON.parse(await res.text()).success === true;
  },
  [WITH_TIMEOUT]: async () => async () => (await fetchWithTimeout(fetchFn, url, init())).success === true,
  "hand-written JS": async () => {
    const { HandwrittenClient } = await import("./handwritten/client.mjs");
    const hand = new HandwrittenClient({ apiKey, baseUrl: base, fetch: fetchFn });
    return async () => (await hand.sendGroupWithAck(sendBody)).ok;
  },
};
if (!contenders[name] || !(batch >= 1) || (values.base && values.plain)) {
  console.error(`usage: node bench/send-alone.mjs <${Object.keys(contenders).join(" | ")}> <time in ms> [--build <index.cjs>] [--base <url> | --plain] [--batch <n>]`);
  process.exit(2);
}
const send = await contenders[name]();
const task =
  batch === 1
    ? async () => {
        if (!(await send())) throw new Error("a send failed");
      }
    : async () => {
        const ok = await Promise.all(Array.from({ length: batch }, send));
        if (!ok.every(Boolean)) throw new Error("a send failed");
      };
// Warm-up first, a second unless told: V8 tiers the driver and the wasm up while it runs
// (150 ms left this package's send at twice its warm cost; over loopback, where the
// sandbox warms up too, one second left raw fetch at 1.1-1.5x its cost after three).
for (const until = performance.now() + Number(values.warmup); performance.now() < until; ) await task();
// A batch of 200 sends takes tens of milliseconds: 16 of them, not tinybench's 64 at least.
const bench = new Bench({ time: Number(time) || 300, warmupTime: 50, ...(batch > 1 ? { iterations: 16 } : {}) });
let runs = 0;
bench.add(name, () => ((runs += 1), task()));
// CPU per run (process.cpuUsage: what the process spent, GC threads too), past the warm-up.
const cpu = process.cpuUsage();
await bench.run();
const used = process.cpuUsage(cpu);
const { latency } = bench.tasks[0].result;
// sendsPerSecond: sends over the time they took (the mean latency), not tinybench's mean of
// each run's own rate, which weighs the fast runs over the slow ones.
console.log(
  JSON.stringify({
    mean: latency.mean,
    rme: latency.rme,
    p99: latency.p99,
    sendsPerSecond: (batch * 1000) / latency.mean,
    cpuMs: (used.user + used.system) / 1000 / runs,
  }),
);
