// Two or more builds of the package side by side: the CPU of one send with an in-process
// fetch that answers at once (as bench/run.mjs measures it). Each build runs in a process
// of its own each round (in one process, one build's garbage is collected during the
// other's turn, and its effect on V8's caches is shared too), the builds taking turns,
// order reversed every other round; each figure is the median of 10 rounds, with their
// range. --plain: the fetch answers a plain object instead of a Response (the client's
// own work alone, which varies far less between processes: bench/in-process.mjs
// `plainFetch`). For checking that a change leaves a figure where it was: build the other
// version into another folder first, e.g.
//   git worktree add /tmp/before <commit> && (cd /tmp/before && npm ci && scripts/build-pkg.sh)
//   node bench/compare.mjs /tmp/before/pkg/index.cjs pkg/index.cjs
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROUNDS = 10;
// Each round, each build alone in a process: bench/send-alone.mjs, as make bench runs it.
const sendAlone = path.join(path.dirname(fileURLToPath(import.meta.url)), "send-alone.mjs");
// The options as bench/send-alone.mjs reads its own: parseArgs.
const { positionals, values } = parseArgs({ allowPositionals: true, options: { plain: { type: "boolean", default: false } } });
const plain = values.plain;
const one = (build) => {
  const args = ["--expose-gc", sendAlone, "connectsafely-wasm", "1000", "--build", build, ...(plain ? ["--plain"] : [])];
  const out = execFileSync(process.execPath, args, { encoding: "utf8" });
  const r = JSON.parse(out.trim().split("\n").pop());
  return { mean: r.mean * 1000, cpu: r.cpuMs * 1000 };
};

const builds = positionals.map((p) => path.resolve(p));
if (builds.length < 2) {
  console.error("usage: node bench/compare.mjs [--plain] <index.cjs of a build> <index.cjs of another> [...]");
  process.exit(2);
}
const rounds = builds.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  const order = builds.map((_, i) => i);
  if (round % 2) order.reverse();
  for (const i of order) rounds[i].push(one(builds[i]));
}
const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const range = (xs) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;
const first = rounds[0];
for (const [i, p] of builds.entries()) {
  const mean = rounds[i].map((r) => r.mean);
  const cpu = rounds[i].map((r) => r.cpu);
  console.log(
    `${p}: one send ${median(mean).toFixed(1)} µs (rounds ${range(mean)}; ${(median(mean) / median(first.map((r) => r.mean))).toFixed(3)}x the first), ` +
      `CPU ${median(cpu).toFixed(1)} µs (${range(cpu)}; ${(median(cpu) / median(first.map((r) => r.cpu))).toFixed(3)}x), median of ${ROUNDS} rounds`,
  );
}
