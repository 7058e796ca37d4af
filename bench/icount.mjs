// make bench-icount: instructions per operation, which this machine does not blur (its
// timings drift 5-40% between runs; these repeat within ~0.05%). Each figure is the
// instructions valgrind (cachegrind, no cache simulation) counts for a process that runs
// W + N operations, minus one that runs W: start-up and JIT warm-up cancel out. A cold
// start (an entry imported, one body validated) is counted over a process that imports
// nothing, with V8's own compilation tiers, as users meet it.
//   node bench/icount.mjs [--a <pkg dir>] [--b <pkg dir>] [--n 20000] [--warm 20000] [--only <substring>]
// --a defaults to pkg/; with --b, each operation of the package is counted for both
// builds, side by side, with their ratio. Instructions are not time: the JIT code of zod
// and of the hand-written validator runs at another rate than wasm, so milestones stay
// in time (make bench); this is for judging a change of the package against the last.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SHAPES } from "./shapes.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    a: { type: "string", default: path.join(root, "pkg") },
    b: { type: "string" },
    n: { type: "string", default: "20000" },
    warm: { type: "string", default: "20000" },
    only: { type: "string", default: "" },
  },
});
const N = Number(values.n);
const WARM = Number(values.warm);
if (spawnSync("valgrind", ["--version"]).status !== 0) {
  console.error("bench-icount needs valgrind (apt-get install -y valgrind)");
  process.exit(2);
}

// The wasm compiled by TurboFan up front (--no-liftoff, --no-wasm-lazy-compilation): by
// default V8 runs it in its baseline compiler (Liftoff) and recompiles its hot functions
// later, and how many calls ran before the optimized code arrived moved one build's count
// by 3% at 20,000 operations while the machine was busy; so, two counts agreed within
// 0.1% there. What remains is start-up work that varies with load (module loading, the
// event loop), the same at any N: count 20,000 operations, not 2,000.
// What would vary from run to run fixed: V8's seeds and threads (and its GC schedule,
// `--predictable`). A cold start is counted with only these, V8's own tiers as users
// meet them (lazy compilation, Liftoff first).
const COLD_FLAGS = ["--single-threaded", "--predictable", "--hash-seed=1", "--random-seed=1"];
const NODE_FLAGS = ["--no-liftoff", "--no-wasm-lazy-compilation", "--predictable-gc-schedule", ...COLD_FLAGS];
const SETARCH = spawnSync("setarch", [os.machine(), "-R", "true"]).status === 0;

/** Instructions valgrind counts for one process of icount-op.mjs. */
function instructions(dir, op, n, flags = NODE_FLAGS) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "cs-icount-"));
  try {
    const out = path.join(tmp, "cg.out");
    // Everything that would vary from run to run fixed: addresses (setarch -R), V8's
    // seeds, its threads and its GC schedule. Repeats then agree to a few in 100,000.
    const cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", `--cachegrind-out-file=${out}`, process.execPath, ...flags, path.join(root, "bench/icount-op.mjs"), dir, op, String(WARM), String(n)];
    const r = SETARCH ? spawnSync("setarch", [os.machine(), "-R", ...cmd], { encoding: "utf8" }) : spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${op} failed under valgrind:\n${r.stderr.slice(-2000)}`);
    const summary = readFileSync(out, "utf8").split("\n").find((l) => l.startsWith("summary:"));
    return Number(summary.split(/\s+/)[1]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
/** Instructions per operation: (W + N) - W, over N; a cold start's over a process that loads nothing. */
const perOp = (dir, op, cold) => (cold ? instructions(dir, op, 0, COLD_FLAGS) - instructions(dir, "cold:none", 0, COLD_FLAGS) : (instructions(dir, op, N) - instructions(dir, op, 0)) / N);
const fmt = (x) => Math.round(x).toLocaleString("en-US");

const ops = [];
for (const shape of Object.keys(SHAPES)) {
  for (const who of ["index.mjs", "web.mjs", "validate.mjs"]) ops.push({ name: `validate ${shape}, ${who}`, op: `validate:${who}:${shape}`, ours: true });
  for (const who of ["zod", "hand-written"]) ops.push({ name: `validate ${shape}, ${who}`, op: `validate:${who}:${shape}`, ours: false });
}
ops.push({ name: "a send's own work (the fetch answers a plain object), connectsafely-wasm", op: "send:connectsafely-wasm", ours: true, n: Math.min(N, 5000) });
ops.push({ name: "a send's own work (the fetch answers a plain object), hand-written", op: "send:hand-written", ours: false, n: Math.min(N, 5000) });
// Cold starts: one process that loads the entry and validates one body, over one that
// loads nothing (no division: one operation).
for (const who of ["index.mjs", "web.mjs", "validate.mjs"]) ops.push({ name: `cold start: load + the first validation, ${who}`, op: `cold:${who}`, ours: true, cold: true });
ops.push({ name: "cold start: load + the first validation, hand-written", op: "cold:hand-written", ours: false, cold: true });

// The first process after a while reads more (cold caches): one run, not counted.
instructions(values.a, `validate:hand-written:${Object.keys(SHAPES)[0]}`, 0);
const header = values.b ? "| operation | a | b | b / a |\n|---|---|---|---|" : "| operation | instructions per operation |\n|---|---|";
console.log(`Instructions per operation (valgrind --tool=cachegrind; ${fmt(N)} operations after ${fmt(WARM)}; a = ${values.a}${values.b ? `, b = ${values.b}` : ""})\n`);
console.log(header);
for (const o of ops) {
  if (!o.name.includes(values.only)) continue;
  const a = perOp(values.a, o.op, o.cold);
  if (values.b && o.ours) {
    const b = perOp(values.b, o.op, o.cold);
    console.log(`| ${o.name} | ${fmt(a)} | ${fmt(b)} | ${(b / a).toFixed(3)} |`);
  } else {
    console.log(values.b ? `| ${o.name} | ${fmt(a)} | | |` : `| ${o.name} | ${fmt(a)} |`);
  }
}
