// Two or more builds of the package side by side, in one process: the CPU of one send with
// an in-process fetch that answers at once (as bench/run.mjs measures it), interleaved
// rounds in alternating order, median of 10. For checking that a change leaves a figure
// where it was: build the other version into another folder first, e.g.
//   git worktree add /tmp/before <commit> && (cd /tmp/before && npm ci && scripts/build-pkg.sh)
//   node bench/compare.mjs /tmp/before/pkg/index.cjs pkg/index.cjs
import { createRequire } from "node:module";
import path from "node:path";
import { Bench } from "tinybench";
import { inProcessFetch, sendBody as body } from "./in-process.mjs";

const require = createRequire(import.meta.url);
const builds = process.argv.slice(2).map((p) => path.resolve(p));
if (builds.length < 2) {
  console.error("usage: node bench/compare.mjs <index.cjs of a build> <index.cjs of another> [...]");
  process.exit(2);
}
const clients = builds.map((p) => new (require(p).ConnectSafelyClient)({ apiKey: "k", fetch: inProcessFetch }));
const rounds = builds.map(() => []);
for (let round = 0; round < 10; round++) {
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  const order = builds.map((_, i) => i);
  if (round % 2) order.reverse();
  for (const i of order) {
    bench.add(String(i), async () => {
      if (!(await clients[i].sendGroupWithAck(body)).ok) throw new Error(`${builds[i]}: the send failed`);
    });
  }
  await bench.run();
  for (const t of bench.tasks) rounds[Number(t.name)].push(t.result.latency.mean * 1000);
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const first = median(rounds[0]);
for (const [i, p] of builds.entries()) {
  const m = median(rounds[i]);
  console.log(`${p}: one send ${m.toFixed(1)} µs (median of ${rounds[i].length} rounds; ${(m / first).toFixed(3)}x the first)`);
}
