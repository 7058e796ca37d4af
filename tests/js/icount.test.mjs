// make bench-icount (bench/icount.mjs): instructions per operation, counted under valgrind
// with everything that varies from run to run fixed, so two counts of one build agree
// where timings on this machine drift 5-40%.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const hasValgrind = spawnSync("valgrind", ["--version"]).status === 0;

test("bench-icount counts one build twice within 0.5%, and a validation in thousands of instructions", { skip: !hasValgrind && "no valgrind (make test's setup installs it)" }, () => {
  const pkg = path.join(root, "pkg");
  const r = spawnSync(process.execPath, [path.join(root, "bench/icount.mjs"), "--a", pkg, "--b", pkg, "--only", "the three required strings, index.mjs", "--n", "1000", "--warm", "1000"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.split("\n").find((l) => l.startsWith("| validate the three required strings, index.mjs"));
  assert.ok(line, r.stdout);
  const [a, b, ratio] = line.split("|").slice(2, 5).map((c) => Number(c.trim().replace(/,/g, "")));
  assert.ok(a > 1000 && a < 1e6, `a validation counts ${a} instructions`);
  assert.ok(Math.abs(b / a - 1) < 0.005 && Math.abs(ratio - 1) < 0.006, `two counts of one build: ${a} and ${b}`);
});
