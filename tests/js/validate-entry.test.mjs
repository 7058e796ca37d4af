// connectsafely-wasm/validate: validation only, on its own wasm (the core built with
// `validator`). Its results must equal the main entry's for every input: the property
// tests' draws (written by tests/validation_cases.rs), the fuzz corpus and the hostile inputs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import * as main from "connectsafely-wasm";
import * as entry from "connectsafely-wasm/validate";
import { body, hostileInputs } from "./helpers.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);

/** A result as text that tells apart everything a caller could: key order, undefined and lone surrogates. */
const shown = (r) => JSON.stringify(r, (_, v) => (v === undefined ? "<undefined>" : v));

/** Both entries' answers to one input: equal, deeply and in key order. */
function same(input, options, what) {
  const want = main.validateSendGroupWithAck(input, options);
  const got = entry.validateSendGroupWithAck(input, options);
  if (!isDeepStrictEqual(got, want) || shown(got) !== shown(want)) {
    assert.fail(`${what}: connectsafely-wasm/validate answered ${shown(got)}, the main entry ${shown(want)}`);
  }
  return want;
}

/** A value of tests/validation_cases.rs's encoding, rebuilt as the JS value the wasm layer reads so. */
function rebuild(v, max) {
  if ("u" in v) return undefined;
  if ("b" in v) return v.b;
  if ("n" in v) return Number(v.n);
  if ("s" in v) return String.fromCharCode(...v.s);
  if ("long" in v) return "x".repeat(Math.min(2 * v.long + 1, 2 * max + 65_538));
  if ("bigint" in v) return 12345678n;
  if ("symbol" in v) return Symbol("s");
  if ("function" in v) return () => body();
  if ("throws" in v) {
    const r = Proxy.revocable({}, {});
    r.revoke();
    return r.proxy;
  }
  if ("longArray" in v) return new Array(Math.min(v.longArray, 2 ** 32 - 1));
  if ("a" in v) return v.a.map((item) => rebuild(item, max));
  const o = {};
  for (const [key, item] of v.o) {
    // A field that could not be read: a getter that throws (defined, so "__proto__" is an own key too).
    const desc = "throws" in item ? { get() { throw new Error("unreadable"); } } : { value: rebuild(item, max), writable: true };
    Object.defineProperty(o, key, { ...desc, enumerable: true, configurable: true });
  }
  return o;
}

test("the property tests' draws validate the same in connectsafely-wasm/validate as in the main entry", () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "cs-cases-")), "cases.jsonl");
  const r = spawnSync("cargo", ["test", "--quiet", "--test", "validation_cases"], { cwd: root, env: { ...process.env, CS_VALIDATION_CASES: file }, encoding: "utf8" });
  assert.equal(r.status, 0, `tests/validation_cases.rs failed:\n${r.stdout}${r.stderr}`);
  const lines = readFileSync(file, "utf8").trim().split("\n");
  assert.equal(lines.length, 8000);
  const seen = { valid: 0, invalid: 0, withoutOptions: 0 };
  for (const [i, line] of lines.entries()) {
    const c = JSON.parse(line);
    const input = rebuild(c.body, c.max);
    const res = same(input, { maxMessageLength: c.max }, `draw ${i} (${line.slice(0, 200)})`);
    seen[res.ok ? "valid" : "invalid"]++;
    if (c.max === 8000) {
      // Without options the fast path reads the body first: it must answer as the full path.
      const fast = same(input, undefined, `draw ${i} without options`);
      const full = main.validateSendGroupWithAck(input, {});
      if (!isDeepStrictEqual(fast, full) || shown(fast) !== shown(full)) assert.fail(`draw ${i}: the fast path answered ${shown(fast)}, the full path ${shown(full)}`);
      seen.withoutOptions++;
    }
  }
  // The draws reach both outcomes, and calls without options (where the fast path's
  // routing runs first), not only one side.
  assert.ok(seen.valid > 1000 && seen.invalid > 1000 && seen.withoutOptions > 2000, JSON.stringify(seen));
});

test("the fuzz corpus of validate_json validates the same in both entries", () => {
  // The seeds are in the repository; a corpus `cargo fuzz` grew here is read too.
  const dirs = ["fuzz/seeds/validate_json", "fuzz/corpus/validate_json"].map((d) => path.join(root, d)).filter(existsSync);
  let read = 0;
  for (const dir of dirs) {
    for (const name of readdirSync(dir)) {
      const at = path.join(dir, name);
      if (!statSync(at).isFile()) continue;
      // As the fuzz target reads it: the first byte sets the limit (x40), the rest is JSON.
      const bytes = readFileSync(at);
      if (bytes.length === 0) continue;
      let input;
      try {
        input = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(1)));
      } catch {
        continue;
      }
      same(input, { maxMessageLength: bytes[0] * 40 }, `${path.relative(root, at)}`);
      same(input, undefined, `${path.relative(root, at)} without options`);
      read++;
    }
  }
  assert.ok(read >= 3, `read ${read} corpus entries`);
});

test("hostile bodies and options validate the same in both entries, and neither throws", () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const options = [
    undefined,
    null,
    {},
    { maxMessageLength: 0 },
    { maxMessageLength: 3 },
    { maxMessageLength: NaN },
    { maxMessageLength: -1 },
    { maxMessageLength: Infinity },
    { maxMessageLength: 1e300 },
    { maxMessageLength: "5" },
    { maxMessageLength: 5n },
    { get maxMessageLength() { throw new Error("getter"); } },
    revoked.proxy,
    "options",
    42,
  ];
  const inputs = { ...hostileInputs(), plain: body(), "plain with account": body(1, { accountId: "acct-1" }) };
  for (const [name, input] of Object.entries(inputs)) {
    for (const [i, o] of options.entries()) same(input, o, `${name}, options #${i}`);
  }
});

test("connectsafely-wasm/validate loads by require too, with the same function", () => {
  const cjs = require("connectsafely-wasm/validate");
  assert.deepEqual(Object.keys(cjs), ["validateSendGroupWithAck"]);
  assert.deepEqual(Object.keys(entry), ["validateSendGroupWithAck"]);
  const input = body(1, { groupId: " 12345678 " });
  assert.deepEqual(cjs.validateSendGroupWithAck(input), main.validateSendGroupWithAck(input));
});

test("validate.mjs carries none of the client's result shapes or body readers (the glue imports only what its wasm does)", () => {
  const pkg = path.dirname(createRequire(import.meta.url).resolve("connectsafely-wasm/package.json"));
  const text = readFileSync(path.join(pkg, "validate.mjs"), "utf8");
  for (const name of ["success", "failure", "rateLimit", "bulk", "bulkSettings", "withCause", "bodyField", "dataProp"]) {
    // esbuild renames a function whose name another module uses too (rateLimit2).
    assert.ok(!new RegExp(`function ${name}\\d*\\(`).test(text), `validate.mjs defines ${name}`);
  }
  assert.match(text, /function valid\(/);
});
