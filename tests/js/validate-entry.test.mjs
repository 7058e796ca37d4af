// connectsafely-wasm/validate: validation only, on its own wasm (the core built with
// `validator`). Its results must equal the main entry's for every input: the property
// tests' draws (written by tests/validation_cases.rs), the fuzz corpus and the hostile inputs.
// So must web.mjs's (the main entry as pages get it, its fast path built for size).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import * as main from "connectsafely-wasm";
import * as entry from "connectsafely-wasm/validate";
import { body, hostileInputs } from "./helpers.mjs";
import { entry as built } from "../../scripts/entries.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);

/** A result as text that tells apart everything a caller could: key order, undefined and lone surrogates. */
const shown = (r) => JSON.stringify(r, (_, v) => (v === undefined ? "<undefined>" : v));

/** web.mjs: the main entry as pages get it (its fast path built for size: scripts/entries.mjs). */
const web = await import(pathToFileURL(path.join(path.dirname(require.resolve("connectsafely-wasm/package.json")), "web.mjs")).href);

/** The entries' answers to one input (connectsafely-wasm/validate's and web.mjs's against the main entry's): equal, deeply and in key order. */
function same(input, options, what) {
  const want = main.validateSendGroupWithAck(input, options);
  for (const [name, other] of [["connectsafely-wasm/validate", entry], ["web.mjs", web]]) {
    const got = other.validateSendGroupWithAck(input, options);
    if (!isDeepStrictEqual(got, want) || shown(got) !== shown(want)) {
      assert.fail(`${what}: ${name} answered ${shown(got)}, the main entry (index.mjs) ${shown(want)}`);
    }
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

test("the property tests' draws validate the same in connectsafely-wasm/validate and web.mjs as in the main entry", () => {
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

test("every validation message reads the same written by JavaScript (connectsafely-wasm/validate) as by the core (the main entry), and as before templates", () => {
  // The validate-only build hands each problem over as numbers and problems.js writes its
  // message from the core's templates (src/problem.rs); the main entry's core writes it.
  // One body per template, each template's slots at their edges (a number past 32 bits, a
  // key of any text), and each message as the core wrote it before templates (built in
  // place, piece by piece): a template's typo fails here, not only a renderer's.
  const URN = body().recipientProfileUrn;
  const MSG_URN = "urn:li:msg_message:(urn:li:fsd_profile:X,2-abc==)";
  const KNOWN = "(known: accountId, recipientProfileUrn, groupId, message, messageUrns)";
  const throwing = () => Object.defineProperty(body(), "groupId", { get() { throw new Error("getter"); }, enumerable: true });
  const cases = [
    ["NotAnObject", "a string", undefined, "The body must be an object with recipientProfileUrn, groupId and message; got a string"],
    ["NotAnObject", null, undefined, "The body must be an object with recipientProfileUrn, groupId and message; got nothing"],
    ["Unreadable", throwing(), undefined, "groupId could not be read: a getter or proxy trap threw"],
    ["NotAString", body(1, { groupId: true }), undefined, "groupId must be a string; got a boolean"],
    ["NotAList", body(1, { messageUrns: "x" }), undefined, "messageUrns must be an array of message URN strings; got a string"],
    ["Required", {}, undefined, "recipientProfileUrn is required"],
    ["Empty", body(1, { groupId: " \t" }), undefined, "groupId is empty"],
    ["FarTooLong", body(1, { recipientProfileUrn: "u".repeat(300_000) }), undefined, "recipientProfileUrn is far too long to be valid"],
    ["AccountTooLong", body(1, { accountId: "a".repeat(129) }), undefined, "accountId must be at most 128 characters (letters, digits, '_' or '-'); it has 129"],
    ["AccountChars", body(1, { accountId: "a b" }), undefined, "accountId may hold only letters, digits, '_' and '-'"],
    ["ProfileId", body(1, { recipientProfileUrn: "urn:li:fsd_profile:é" }), undefined, "recipientProfileUrn must be urn:li:fsd_profile: followed by letters, digits, '_' or '-'"],
    ["ProfileUrl", body(1, { recipientProfileUrn: "https://www.linkedin.com/in/someone" }), undefined, "recipientProfileUrn must be a profile URN like urn:li:fsd_profile:ACoAA..., not a profile URL"],
    ["ProfileShape", body(1, { recipientProfileUrn: "nope" }), undefined, "recipientProfileUrn must look like urn:li:fsd_profile:ACoAA... (letters, digits, '_' or '-')"],
    ["GroupTooLong", body(1, { groupId: "1".repeat(21) }), undefined, "groupId must be at most 20 digits"],
    ["GroupUrl", body(1, { groupId: "https://www.linkedin.com/groups/98765/" }), undefined, 'groupId must be the group\'s digits only, e.g. "98765", not a URL'],
    ["GroupShape", body(1, { groupId: "abc" }), undefined, 'groupId must be 1 to 20 digits, e.g. "12345678"'],
    ["GroupNumber", body(1, { groupId: 12345678 }), undefined, 'groupId must be a string, not a number; send it as the string "12345678"'],
    ["GroupNumber", body(1, { groupId: 2 ** 32 }), undefined, 'groupId must be a string, not a number; send it as the string "4294967296"'],
    ["GroupNumber", body(1, { groupId: 2 ** 53 - 1 }), undefined, 'groupId must be a string, not a number; send it as the string "9007199254740991"'],
    ["GroupOddNumber", body(1, { groupId: 1.5 }), undefined, 'groupId must be a string, not a number; send the group\'s digits as a string, e.g. "12345678"'],
    ["MessageAtLeast", body(1, { message: "m".repeat(300_000) }), undefined, "message has at least 150000 code points; the limit is 8000"],
    ["MessageTooLong", body(1, { message: "m".repeat(8001) }), undefined, "message has 8001 code points; the limit is 8000"],
    ["MessageTooLong", body(1, { message: "m".repeat(6) }), { maxMessageLength: 5 }, "message has 6 code points; the limit is 5"],
    ["Surrogate", body(1, { message: "a\uD800" }), undefined, "message holds an unpaired UTF-16 surrogate (a broken emoji?), so it could not be sent unaltered"],
    ["Blank", body(1, { message: " " }), undefined, "message is empty or only whitespace"],
    ["TooManyUrns", body(1, { messageUrns: Array(101).fill(MSG_URN) }), undefined, "messageUrns has 101 entries; at most 100 are allowed"],
    ["UrnFarTooLong", body(1, { messageUrns: [MSG_URN, "u".repeat(300_000)] }), undefined, "messageUrns[1] is longer than 512 code points"],
    ["UrnTooLong", body(1, { messageUrns: ["u".repeat(513)] }), undefined, "messageUrns[0] has 513 code points; the limit is 512"],
    ["Empty", body(1, { messageUrns: [MSG_URN, MSG_URN, " "] }), undefined, "messageUrns[2] is empty"],
    ["UrnShape", body(1, { messageUrns: ["x"] }), undefined, "messageUrns[0] must be a URN like urn:li:msg_message:(urn:li:fsd_profile:X,2-abc==)"],
    ["DidYouMean", { ...body(), groupID: "1" }, undefined, "groupID is not a field of this request; did you mean groupId?"],
    ["Unknown", { ...body(), "sujet \0 é😀": 1 }, undefined, `sujet \0 é😀 is not a field of this request ${KNOWN}`],
    // A key holding the slots' own characters, an empty key, a lone surrogate (read as U+FFFD).
    ["Unknown", { ...body(), "a\x01b\x05": 1 }, undefined, `a\x01b\x05 is not a field of this request ${KNOWN}`],
    ["Unknown", { ...body(), "": 1 }, undefined, ` is not a field of this request ${KNOWN}`],
    ["Unknown", { ...body(), "x\uD800": 1 }, undefined, `x\uFFFD is not a field of this request ${KNOWN}`],
    ["MaxMessageLength", body(), { maxMessageLength: -1 }, "options.maxMessageLength must be a number from 0 to 1000000"],
  ];
  for (const [template, input, options, says] of cases) {
    const r = same(input, options, template);
    assert.equal(r.ok, false, template);
    assert.ok(r.error.fieldErrors.some((e) => e.message === says), `${template}: no field error says ${says}: ${shown(r)}`);
    assert.ok(r.error.message.includes(says), `${template}: the summary leaves out ${says}`);
  }
  // Every template of the core has its case (the list of src/problem.rs's `messages!`).
  const source = readFileSync(path.join(root, "src/problem.rs"), "utf8");
  const table = source.slice(source.indexOf("messages! {"), source.indexOf("\n}\n", source.indexOf("messages! {")));
  const templates = [...table.matchAll(/^ {4}(\w+): \[/gm)].map((m) => m[1]);
  assert.ok(templates.length >= 28, `read ${templates.length} templates`);
  assert.deepEqual([...new Set(cases.map(([t]) => t))].sort(), [...templates].sort());
});

test("connectsafely-wasm/validate writes its messages whatever a page did to the built-ins since its first validation", () => {
  // problems.js reads the core's templates on the first invalid body, after the caller's
  // own code: it must not go through what a page can replace (split, a RegExp's methods,
  // an array's iterator, map, slice, push; describe.js reads the body past isWellFormed).
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", `
    const { validateSendGroupWithAck } = await import("connectsafely-wasm/validate");
    // A valid body by the full path (options given): the core has read a body, and written no message.
    if (!validateSendGroupWithAck({ recipientProfileUrn: "urn:li:fsd_profile:A", groupId: "1", message: "m" }, {}).ok) throw new Error("a valid body");
    // Each replaced for this one call (Node.js itself needs them back to print).
    const replaced = [
      [String.prototype, "split"], [String.prototype, Symbol.split], [RegExp.prototype, Symbol.split],
      [RegExp.prototype, "exec"], [Array.prototype, Symbol.iterator], [Array.prototype, "map"], [Array.prototype, "slice"],
      [Array.prototype, "push"], [String.prototype, "isWellFormed"],
    ].map(([proto, key]) => [proto, key, Object.getOwnPropertyDescriptor(proto, key)]);
    for (let i = 0; i < replaced.length; i++) replaced[i][0][replaced[i][1]] = () => { throw new Error(String(replaced[i][1])); };
    let r;
    try {
      r = validateSendGroupWithAck({ recipientProfileUrn: "nope", groupId: 12345678, message: " ", messageUrns: "x" });
    } finally {
      for (let i = 0; i < replaced.length; i++) {
        const proto = replaced[i][0];
        const key = replaced[i][1];
        const d = replaced[i][2];
        if (d) Object.defineProperty(proto, key, d);
        else delete proto[key];
      }
    }
    process.stdout.write(JSON.stringify(r));
  `], { cwd: path.dirname(fileURLToPath(import.meta.url)), encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  const patched = JSON.parse(child.stdout);
  const want = main.validateSendGroupWithAck({ recipientProfileUrn: "nope", groupId: 12345678, message: " ", messageUrns: "x" });
  assert.deepEqual(patched, JSON.parse(JSON.stringify(want)));
});

test("the fuzz corpus of validate_json validates the same in the three entries (index.mjs, web.mjs, validate)", () => {
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

test("hostile bodies and options validate the same in the three entries, and none throws", () => {
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
    5n,
    true,
    Symbol("options"),
    Object.assign(() => {}, { maxMessageLength: 3 }),
    () => {},
  ];
  const inputs = { ...hostileInputs(), plain: body(), "plain with account": body(1, { accountId: "acct-1" }) };
  for (const [name, input] of Object.entries(inputs)) {
    for (const [i, o] of options.entries()) same(input, o, `${name}, options #${i}`);
  }
});

/** `target` behind a proxy that writes each trap it runs on `log`. */
function logged(target, name, log) {
  const note = (what) => log.push(`${name} ${what}`);
  return new Proxy(target, {
    ownKeys: (t) => (note("ownKeys"), Reflect.ownKeys(t)),
    getOwnPropertyDescriptor: (t, k) => (note(`describe ${String(k)}`), Reflect.getOwnPropertyDescriptor(t, k)),
    get: (t, k, r) => (note(`get ${String(k)}`), Reflect.get(t, k, r)),
    has: (t, k) => (note(`has ${String(k)}`), Reflect.has(t, k)),
    getPrototypeOf: (t) => (note("getPrototypeOf"), Reflect.getPrototypeOf(t)),
  });
}

test("connectsafely-wasm/validate reads a body as the main entry does: the same traps and getters, as many times, in the same order", () => {
  const inputs = [
    (log) => logged({ ...body(), groupId: 12345678, extra: 1, messageUrns: logged(["urn:li:a:b", 7, [], {}], "urns", log) }, "body", log),
    (log) => logged({ ...body(), accountId: logged({}, "account", log), messageUrns: logged({ length: 2 }, "urns", log) }, "body", log),
    (log) => ({ ...body(), get message() { log.push("message"); return "hi"; }, get groupId() { log.push("groupId"); throw new Error("g"); }, unknown: 1 }),
    (log) => logged([body()], "array body", log),
  ];
  const options = [undefined, { maxMessageLength: 3 }, (log) => logged({ maxMessageLength: 2 }, "options", log), (log) => logged({ maxMessageLength: "2" }, "options", log)];
  for (const [i, make] of inputs.entries()) {
    for (const [j, option] of options.entries()) {
      const run = (validate) => {
        const log = [];
        const result = validate(make(log), typeof option === "function" ? option(log) : option);
        return { result, log };
      };
      const want = run(main.validateSendGroupWithAck);
      const got = run(entry.validateSendGroupWithAck);
      assert.deepEqual(got.log, want.log, `input #${i}, options #${j}`);
      assert.equal(shown(got.result), shown(want.result), `input #${i}, options #${j}`);
      // (An array body is read for what it is alone.)
      if (i < 3) assert.ok(want.log.length > 0, `input #${i}, options #${j}: nothing read`);
    }
  }
});

test("messageUrns whose length a proxy makes anything validate the same in the three entries", () => {
  const lengths = [0, 1, 1.5, 2.9, -0, -1, NaN, Infinity, -Infinity, "2", 100, 100.5, 101, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 1e300, null, undefined, {}, 2n];
  for (const length of lengths) {
    const urns = new Proxy(["urn:li:a:b", 5], { get: (t, k, r) => (k === "length" ? length : Reflect.get(t, k, r)) });
    same({ ...body(), messageUrns: urns }, undefined, `length ${String(length)}`);
  }
});

test("a getter that validates another body meanwhile changes neither result", () => {
  const run = (validate) => {
    const inner = [];
    const outer = validate({
      ...body(),
      get message() {
        inner.push(validate({ groupId: 5, message: "", other: "x".repeat(300) }), validate(body(), { maxMessageLength: 1 }), validate(body()));
        return "hi";
      },
      unknown: 1,
    });
    return { outer, inner };
  };
  const want = run(main.validateSendGroupWithAck);
  const got = run(entry.validateSendGroupWithAck);
  assert.equal(shown(got), shown(want));
  assert.equal(want.outer.ok, false);
  assert.equal(want.inner.length, 3);
});

test("after a body larger than any buffer the fast path asked for, and long texts, both paths validate as before", () => {
  // A key of 3 million characters: past any buffer the fast path asked for. And long
  // texts of two- and three-byte characters, which describe.js sizes exactly.
  const large = { ...body(), ["k".repeat(3_000_000)]: 1 };
  same(large, undefined, "the large body");
  same({ ...body(), ["é".repeat(200_000)]: 1, ["€".repeat(70_000)]: 2 }, undefined, "long keys of wide characters");
  same(body(1, { message: "é".repeat(70_000) }), { maxMessageLength: 100_000 }, "a long message of wide characters, under a large limit");
  same(body(1, { message: "\ud800".repeat(70_000) }), { maxMessageLength: 100_000 }, "a long message of lone surrogates");
  for (let round = 0; round < 3; round++) {
    same(body(), undefined, "a body the fast path decides");
    same(body(1, { groupId: " 123 ", messageUrns: ["urn:li:a:b"] }), { maxMessageLength: 10 }, "a body the full path reads");
    same({ ...body(), groupId: 7, extra: "e".repeat(1000) }, undefined, "an invalid body");
    same({ ...large, message: "m".repeat(100) }, undefined, "the large body again");
  }
});

test("connectsafely-wasm/validate loads by require too, with the same function", () => {
  const cjs = require("connectsafely-wasm/validate");
  assert.deepEqual(Object.keys(cjs), ["validateSendGroupWithAck"]);
  assert.deepEqual(Object.keys(entry), ["validateSendGroupWithAck"]);
  const input = body(1, { groupId: " 12345678 " });
  assert.deepEqual(cjs.validateSendGroupWithAck(input), main.validateSendGroupWithAck(input));
});

test("validate.mjs carries none of the client's result shapes, and its wasm's glue none of the readers of JS values", () => {
  const pkg = path.dirname(require.resolve("connectsafely-wasm/package.json"));
  const shipped = (file) => readFileSync(path.join(pkg, file), "utf8");
  // The bundles shorten local names, not property names: the keys only the send and
  // bulk results (src/wasm/shapes.js's success, rateLimit, bulk, withCause) write.
  for (const key of ["acknowledgmentSent", "resetAt", "notAttempted", "stoppedBy", '"cause"']) {
    assert.ok(shipped("index.mjs").includes(key), `index.mjs writes ${key}`);
    assert.ok(!shipped("validate.mjs").includes(key), `validate.mjs writes ${key}`);
  }
  assert.ok(shipped("validate.mjs").includes("fieldErrors"));
  // What the bundle holds of each wasm is wasm-bindgen's glue as the build made it, with
  // the snippets it imports. The validate-only wasm's imports hand out numbers and
  // strings only (problems.js): no JS value goes in (describe.js reads a body into its
  // memory), so no snippet that reads one (fields.js) and none of wasm-bindgen's helpers
  // that pass a value or a string in.
  const glue = (name) => readFileSync(path.join(root, built(name).glue, `${built(name).base}.js`), "utf8");
  const readers = [/\/src\/wasm\/fields\.js['"]/, /function handleError\(/, /function addToExternrefTable0\(/, /function passStringToWasm0\(/];
  for (const r of readers) {
    assert.match(glue("index"), r);
    assert.doesNotMatch(glue("validate"), r);
  }
  assert.match(glue("validate"), /\/src\/wasm\/problems\.js['"]/);
});

test("validate.mjs is built from validation's modules alone: of the core's shapes.js only valid, of fields.js only wellFormed, nothing of the client's", () => {
  // What esbuild put in each bundle (scripts/bundle-pkg.mjs writes its metafile), by
  // module: the driver's as pkg-template/src/NAME, the core's snippets as src/wasm/NAME.
  const bytesOf = (file) => {
    const meta = JSON.parse(readFileSync(path.join(root, "target/bundle-meta", `${file}.json`), "utf8"));
    const [output] = Object.values(meta.outputs);
    return new Map(Object.entries(output.inputs).map(([at, v]) => [at.replace(/^.*\/(src\/wasm\/)/, "$1"), v.bytesInOutput]));
  };
  const index = bytesOf("index.mjs");
  const many = bytesOf("many.mjs");
  const drivers = ["client.js", "exchange.js", "report.js", "runs.js", "full-lazy.js", "validation.js"].map((d) => `pkg-template/src/${d}`);
  // A few hundred bytes each: `valid` (the result of a valid body) and `wellFormed` (a
  // loop describe.js shares), shortened. The rest of either (the send results, the
  // readers of JS values: typeOf, fieldIndex, setNames, bodyShape...) is over 800 bytes,
  // as index.mjs holds them.
  const snippets = ["src/wasm/shapes.js", "src/wasm/fields.js"];
  // The names are real: the client's bundles hold each.
  for (const d of drivers) assert.ok(index.has(d) || many.has(d), `no bundle holds ${d}`);
  for (const snippet of snippets) assert.ok(index.get(snippet) > 800, `index.mjs: ${index.get(snippet)} bytes of ${snippet}`);
  for (const file of ["validate.mjs", "validate.cjs", "validate-edge.mjs"]) {
    const inputs = bytesOf(file);
    for (const d of drivers) assert.ok(!inputs.has(d), `${file} holds ${d}`);
    for (const e of ["index", "many"]) {
      const other = built(e).glue;
      assert.ok(![...inputs.keys()].some((at) => at.startsWith(`${other}/`)), `${file} holds the ${e} core's glue`);
    }
    for (const snippet of snippets) assert.ok(inputs.get(snippet) <= 250, `${file}: ${inputs.get(snippet)} bytes of ${snippet}`);
  }
});

test("a page that replaces String.prototype.isWellFormed after the package loaded changes neither entry's verdict", () => {
  // The validate entry asked the prototype's method at each call: a broken polyfill made it
  // accept a lone surrogate, which would be sent altered (U+FFFD), where the main entry refused it.
  const native = String.prototype.isWellFormed;
  const lone = body(1, { message: "bad \ud800 text" });
  try {
    for (const broken of [() => true, () => { throw new Error("polyfill"); }]) {
      String.prototype.isWellFormed = broken;
      same(lone, undefined, "a lone surrogate under a broken isWellFormed");
      const r = entry.validateSendGroupWithAck(lone);
      assert.deepEqual(r.error?.fieldErrors.map((e) => e.code), ["not_well_formed"]);
    }
  } finally {
    String.prototype.isWellFormed = native;
  }
});
