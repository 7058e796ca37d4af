// One contender of run.mjs's in-process send row, alone in this process: one send with a
// fetch that answers at once, timed with tinybench; prints its figures as JSON. Alone, so
// each figure is that contender's own CPU and garbage: side by side in one process, one
// contender's garbage is collected during another's turn (and reading a client's own
// improvement made raw fetch look faster instead).
// bench/compare.mjs runs it too, with another build of the package.
//   node --expose-gc bench/send-alone.mjs <contender> <time in ms> [<index.cjs of a build>]
import { createRequire } from "node:module";
import { Bench } from "tinybench";
import { loadPackage } from "./load-package.mjs";
import { API_KEY, WITH_TIMEOUT, fetchWithTimeout, inProcessFetch, sendBody } from "./in-process.mjs";

const [name, time, build] = process.argv.slice(2);
const url = "https://api.connectsafely.ai/linkedin/messaging/send-group-with-ack";
const init = () => ({ method: "POST", body: JSON.stringify(sendBody) });
const contenders = {
  "connectsafely-wasm": async () => {
    const { ConnectSafelyClient } = build ? createRequire(import.meta.url)(build) : loadPackage();
    const client = new ConnectSafelyClient({ apiKey: API_KEY, fetch: inProcessFetch });
    return async () => {
      if (!(await client.sendGroupWithAck(sendBody)).ok) throw new Error("send failed");
    };
  },
  "raw fetch + JSON.parse": async () => async () => {
    const res = await inProcessFetch(url, init());
    if (JSON.parse(await res.text()).success !== true) throw new Error("send failed");
  },
  [WITH_TIMEOUT]: async () => async () => {
    if ((await fetchWithTimeout(inProcessFetch, url, init())).success !== true) throw new Error("send failed");
  },
  "hand-written JS": async () => {
    const { HandwrittenClient } = await import("./handwritten/client.mjs");
    const hand = new HandwrittenClient({ apiKey: API_KEY, baseUrl: "https://api.connectsafely.ai", fetch: inProcessFetch });
    return async () => {
      if (!(await hand.sendGroupWithAck(sendBody)).ok) throw new Error("send failed");
    };
  },
};
if (!contenders[name]) {
  console.error(`usage: node bench/send-alone.mjs <${Object.keys(contenders).join(" | ")}> <time in ms>`);
  process.exit(2);
}
const task = await contenders[name]();
// A second of warm-up first: V8 tiers the driver and the wasm up while it runs (150 ms left
// this package's send at twice its warm cost).
for (const until = performance.now() + 1000; performance.now() < until; ) await task();
const bench = new Bench({ time: Number(time) || 300, warmupTime: 50 });
let runs = 0;
bench.add(name, () => ((runs += 1), task()));
// CPU per run (process.cpuUsage: what the process spent, GC threads too), past the warm-up.
const cpu = process.cpuUsage();
await bench.run();
const used = process.cpuUsage(cpu);
const { latency, throughput } = bench.tasks[0].result;
console.log(JSON.stringify({ mean: latency.mean, rme: latency.rme, p99: latency.p99, ops: throughput.mean, cpuMs: (used.user + used.system) / 1000 / runs }));
