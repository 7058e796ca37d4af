// make bench-icount (bench/icount.mjs): instructions per operation, counted under valgrind
// with what varies from run to run fixed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const hasValgrind = spawnSync("valgrind", ["--version"]).status === 0;

// Precision is not held here: on this project's machine repeats agree within 0.1% at 5,000
// operations and more, but CI's machine once counted one build at 24,972 and 17,800 at 2,000
// (and 27,959 and 31,278 at 1,000). A test cannot hold a figure the machine under it blurs;
// docs/performance-history.md says how many operations to count when judging a change.
test("bench-icount reports a validation's instructions per operation, in thousands", { skip: !hasValgrind && "no valgrind (make test's setup installs it)" }, () => {
  const pkg = path.join(root, "pkg");
  const r = spawnSync(process.execPath, [path.join(root, "bench/icount.mjs"), "--a", pkg, "--only", "the three required strings, index.mjs", "--n", "5000", "--warm", "2000"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.split("\n").find((l) => l.startsWith("| validate the three required strings, index.mjs"));
  assert.ok(line, r.stdout);
  const a = Number(line.split("|")[2].trim().replace(/,/g, ""));
  assert.ok(a > 1000 && a < 1e6, `a validation counts ${a} instructions`);
});
