// make bench-icount (bench/icount.mjs): instructions per operation, counted under valgrind
// with what varies from run to run fixed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const hasValgrind = spawnSync("valgrind", ["--version"]).status === 0;

// Two counts of one build agree. Two things moved them: when V8's optimized wasm code
// arrived (bench/icount.mjs now has TurboFan compile the wasm up front), and start-up
// work that varies with the machine's load (module loading, the event loop: up to ~1M
// instructions, the same at any N), which over 2,000 operations is several percent (CI's
// machine once counted 24,972 and 17,800) and over 20,000 a few in 10,000: here, while the
// machine was busy, 7,684 and 7,690, then 7,693 and 7,686.
test("bench-icount counts a validation in thousands of instructions, and one build twice alike (within 1% at 20,000 operations)", { skip: !hasValgrind && "no valgrind (make test's setup installs it)" }, () => {
  const pkg = path.join(root, "pkg");
  const r = spawnSync(process.execPath, [path.join(root, "bench/icount.mjs"), "--a", pkg, "--b", pkg, "--only", "the three required strings, index.mjs", "--n", "20000", "--warm", "2000"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.split("\n").find((l) => l.startsWith("| validate the three required strings, index.mjs"));
  assert.ok(line, r.stdout);
  const [a, b] = line.split("|").slice(2, 4).map((c) => Number(c.trim().replace(/,/g, "")));
  assert.ok(a > 1000 && a < 1e6, `a validation counts ${a} instructions`);
  assert.ok(Math.abs(b / a - 1) < 0.01, `two counts of one build: ${a} and ${b}`);
});

// A cold start (the entry imported, one body validated) over a process that imports
// nothing, with V8's own tiers: two counts of one build agreed within 0.1% here (addresses,
// seeds, threads and GC fixed), where timings of the same cold start spread by 5-15 ms.
test("bench-icount counts a cold start in millions of instructions, and one build twice alike (within 1%)", { skip: !hasValgrind && "no valgrind (make test's setup installs it)" }, () => {
  const pkg = path.join(root, "pkg");
  const r = spawnSync(process.execPath, [path.join(root, "bench/icount.mjs"), "--a", pkg, "--b", pkg, "--only", "cold start: load + the first validation, validate.mjs"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.split("\n").find((l) => l.startsWith("| cold start: load + the first validation, validate.mjs"));
  assert.ok(line, r.stdout);
  const [a, b] = line.split("|").slice(2, 4).map((c) => Number(c.trim().replace(/,/g, "")));
  assert.ok(a > 1e6 && a < 1e9, `a cold start counts ${a} instructions`);
  assert.ok(Math.abs(b / a - 1) < 0.01, `two counts of one build: ${a} and ${b}`);
});
