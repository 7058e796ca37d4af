// The two size techniques of the build, held against what ships (scripts/bundle-pkg.mjs
// and scripts/short-names.mjs), for every entry that inlines a wasm:
// - the inlined string, read back through its key, is the entry's .wasm byte for byte,
//   and the 126-byte wasm decoder that reads it back does so for every character
//   (the .wasm beside it is what edge.mjs imports, so both runtimes run one module), and
//   its most frequent characters are the ones every bundler prints as one byte;
// - the wasm's imports and exports carry short names, not wasm-bindgen's hashed ones.
// Measured when they were revisited after the validate entry split off (gzip -9):
// the byte renaming saves 3.4 KB of index.mjs and 0.6 KB of validate.mjs, the short
// names 1.8 KB and 1.0 KB.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLES, ENTRIES, entry } from "../../scripts/entries.mjs";

const pkg = path.dirname(createRequire(import.meta.url).resolve("connectsafely-wasm/package.json"));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Each wasm as the build made it (wasm-bindgen's output dir, after wasm-opt). */
const built = (e) => readFileSync(path.join(root, e.glue, `${e.base}_bg.wasm`));

/** A string literal of JavaScript source (its body, between the quotes), read as JavaScript reads it. */
const read = (body) => new Function(`return "${body}";`)();
// An escape may be a line continuation (a backslash and a newline: esbuild's lineLimit).
const STRING = String.raw`"((?:[^"\\]|\\[\s\S])*)"`;

/**
 * The wasm's key and bytes of a bundle: the string literals its last two lines assign
 * (scripts/bundle-pkg.mjs puts them there, under whatever names the minifier gave them).
 */
function inlined(text) {
  const lines = text.trimEnd().split("\n");
  const at = (line) => {
    const m = line.match(new RegExp(`^[\\w$]+=${STRING};$`));
    assert.ok(m, `an assignment of one string: ${line.slice(0, 40)}`);
    return read(m[1]);
  };
  return { key: at(lines.at(-2)), chars: at(lines.at(-1)) };
}

/** The numbers of the lines holding a control character (which Node.js would print raw above an error). */
const controlLines = (lines) => lines.map((l, i) => [i + 1, l]).filter(([, l]) => /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/.test(l)).map(([n]) => n);

test("the shipped wasm decoder reads every character back through the key, in place, past one memory page", () => {
  // The decoder's bytes are the one literal of hex that starts as a wasm does (\0asm, version 1).
  // (A long literal is broken by line continuations, lineLimit's: taken out.)
  const found = [...readFileSync(path.join(pkg, "web.mjs"), "utf8").replaceAll("\\\n", "").matchAll(/"(0061736d01000000[0-9a-f]*)"/g)];
  assert.equal(found.length, 1);
  const hex = found[0][1];
  const { m, d } = /** @type {any} */ (new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(hex, "hex"))).exports);
  // Every character U+0000-U+00FF (one byte of UTF-8 below U+0080, two from it), then
  // 100,000 more (two memory pages of UTF-8), under a key that renames every byte.
  const key = Uint8Array.from({ length: 256 }, (_, c) => (c * 37 + 11) & 255);
  let text = "";
  for (let c = 0; c < 256; c++) text += String.fromCharCode(c);
  for (let i = 0; i < 100_000; i++) text += String.fromCharCode((i * 7919) & 255);
  m.grow(Math.ceil((256 + 2 * text.length) / 65536) - 1);
  const memory = new Uint8Array(m.buffer);
  memory.set(key);
  const { written } = new TextEncoder().encodeInto(text, memory.subarray(256));
  const end = d(256, 256 + written, 256);
  assert.equal(end - 256, text.length, "one byte out per character");
  const expected = Uint8Array.from(text, (ch) => key[ch.charCodeAt(0)]);
  assert.ok(Buffer.from(memory.subarray(256, end)).equals(Buffer.from(expected)));
});

for (const b of BUNDLES.filter((x) => x.loader === "edge")) {
  const e = entry(b.wasm);
  test(`${b.file}: the ${e.base}_bg.wasm beside it is the wasm the build made, the one ${BUNDLES.filter((x) => x.wasm === b.wasm && x.loader === "inline").map((x) => x.file).join(" and ")} inline`, () => {
    assert.ok(readFileSync(path.join(pkg, `${e.base}_bg.wasm`)).equals(built(e)));
  });
}

for (const b of BUNDLES.filter((x) => x.loader === "inline")) {
  const e = entry(b.wasm);
  const bytes = built(e);
  test(`${b.file}: the inlined wasm read through its key is the ${e.name} wasm, byte for byte`, () => {
    const text = readFileSync(path.join(pkg, b.file), "utf8");
    const { chars, key } = inlined(text);
    assert.equal(key.length, 256);
    assert.equal(new Set(key).size, 256, "the key is a permutation of the 256 bytes");
    assert.equal(chars.length, bytes.length);
    const decoded = Uint8Array.from(chars, (c) => key.charCodeAt(c.charCodeAt(0)));
    assert.ok(Buffer.from(decoded).equals(bytes), "the same bytes");
  });

  test(`${b.file}: no line but the wasm's key and bytes (the last two, assignments that cannot throw) holds a control character, so any line Node.js prints above an error reads as text`, () => {
    const lines = readFileSync(path.join(pkg, b.file), "utf8").trimEnd().split("\n");
    inlined(lines.join("\n"));
    assert.deepEqual(controlLines(lines.slice(0, -2)), []);
  });

  if (b.format === "esm") {
    test(`${b.file}: the wasm's most frequent bytes are printed as printable ASCII, needing no escape`, () => {
      const { chars } = inlined(readFileSync(path.join(pkg, b.file), "utf8"));
      const count = new Map();
      for (const c of chars) count.set(c, (count.get(c) ?? 0) + 1);
      const top = [...count.entries()].sort((a, b) => b[1] - a[1]).slice(0, 64).map(([c]) => c.charCodeAt(0));
      assert.ok(top.every((c) => c >= 0x20 && c < 0x7f && !'"\'\\`'.includes(String.fromCharCode(c))), JSON.stringify(top));
    });
  }
}

// The files servers load (index.mjs, index.cjs: pkg-template/src/base64.js) hold the wasm
// as base64, which the runtime decodes natively (a cold start 0.81x the instructions).
for (const b of BUNDLES.filter((x) => x.loader === "base64")) {
  const e = entry(b.wasm);
  test(`${b.file}: the wasm it holds as base64, on its last line, is the ${e.name} wasm, byte for byte; no line holds a control character`, () => {
    const lines = readFileSync(path.join(pkg, b.file), "utf8").trimEnd().split("\n");
    const m = lines.at(-1)?.match(/^[\w$]+="([A-Za-z0-9+/]+={0,2})";$/);
    assert.ok(m, "the last line assigns the base64");
    assert.ok(Buffer.from(m[1], "base64").equals(built(e)), "the same bytes");
    assert.deepEqual(controlLines(lines), []);
  });

  test(`${b.file}: in a runtime with no native base64 decoder (no Buffer, no Uint8Array.fromBase64) it reads the wasm through atob, and validates and sends as before`, () => {
    const entryPath = JSON.stringify(path.join(pkg, b.file));
    const load = b.format === "cjs" ? `(await import("node:module")).createRequire(import.meta.url)(${entryPath})` : `await import(${entryPath})`;
    const script = `delete globalThis.Buffer; delete Uint8Array.fromBase64;
const m = ${load};
const r = m.validateSendGroupWithAck({ recipientProfileUrn: "urn:li:fsd_profile:ACoAA", groupId: " 1 ", message: "hi", extra: 1 });
// (Node.js's own Response needs Buffer: the answer is a plain object with what a client reads.)
const answer = { status: 200, type: "basic", headers: { get: (n) => (n.toLowerCase() === "content-type" ? "application/json" : null) }, text: async () => JSON.stringify({ success: true, message: "ok" }) };
const client = new m.ConnectSafelyClient({ apiKey: "k", fetch: async () => answer });
const sent = await client.sendGroupWithAck({ recipientProfileUrn: "urn:li:fsd_profile:ACoAA", groupId: "1", message: "hi" });
console.log(JSON.stringify({ buffer: typeof Buffer, fields: r.error.fieldErrors.map((f) => f.field), ok: sent.ok }));`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { buffer: "undefined", fields: ["extra"], ok: true });
  });
}

for (const e of ENTRIES) {
  const bytes = built(e);
  test(`the ${e.name} wasm: imports and exports carry short names, not wasm-bindgen's hashed ones`, () => {
    const module = new WebAssembly.Module(bytes);
    const imports = WebAssembly.Module.imports(module);
    assert.ok(imports.length > 0);
    for (const i of imports) {
      assert.match(i.module, /^[0-9a-z]$/, `import module ${i.module}`);
      // Every __wbg_<name>_<hash> renamed; wasm-bindgen's few __wbindgen_ intrinsics keep theirs.
      assert.ok(!i.name.startsWith("__wbg_"), `import ${i.name}`);
    }
    // wasm-bindgen's own runtime exports keep their names; the glue's calls are short.
    const ours = WebAssembly.Module.exports(module).filter((e) => !/^(memory|__.*)$/.test(e.name));
    assert.ok(ours.length > 0);
    for (const e of ours) assert.ok(e.name.length <= 4, `export ${e.name}`);
    assert.ok(!bytes.includes(Buffer.from("__wbg_")), "no __wbg_ name left in the wasm");
  });
}

// scripts/short-strings.mjs: strings under 16 bytes of ASCII come out of the wasm without
// TextDecoder (its fixed cost is most of a short string's); every other through it.
test("short strings out of the wasm are read without TextDecoder, and every string comes out exactly", async () => {
  for (const b of BUNDLES.filter((x) => x.loader !== "edge")) {
    // scripts/short-strings.mjs's loop, as the minifier wrote it (a line may break between tokens).
    const text = readFileSync(path.join(pkg, b.file), "utf8");
    assert.match(text, /if\s*\(\s*[\w$]+\s*<\s*16\s*\)\s*\{\s*let\s+[\w$]+\s*=\s*""\s*;\s*for\s*\(/, `${b.file}: the short-string read`);
  }
  const keys = ["k", "é", "x".repeat(15), "x".repeat(16), "x".repeat(63), "x".repeat(64), "é".repeat(7), "é".repeat(8), "é".repeat(40), "😀", `a${"\u007f"}b`, "\u0080", "a\u0000b"];
  for (const m of [await import("connectsafely-wasm"), await import("connectsafely-wasm/validate")]) {
    for (const key of keys) {
      const r = m.validateSendGroupWithAck({ recipientProfileUrn: "urn:li:fsd_profile:ACoAA", groupId: "1", message: "hi", [key]: 1 });
      assert.equal(r.ok, false);
      assert.deepEqual(r.error.fieldErrors.map((e) => e.field), [key], JSON.stringify(key));
      assert.equal(r.error.kind, "validation");
    }
  }
});
