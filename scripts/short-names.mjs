// Usage: node scripts/short-names.mjs GLUE_DIR
// Shortens the names the wasm imports and exports by, in the wasm and in wasm-bindgen's
// `web` glue beside it, together: each import `__wbg_<name>_<16 hex>` and each export the
// glue calls as `wasm.<name>` gets a short name, and each import module
// ("./BASE_bg.js", the snippet files) one letter. The hashes are all
// entropy to gzip, and each name is written twice (wasm and glue): 1.8 KB less gzipped
// in index.mjs and 1.0 KB in validate.mjs (gzip -9, measured again after the validate
// entry split off; tests/js/inline.test.mjs holds the names short). Nothing else changes; a name the glue does not hold
// exactly as expected stops the build.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

// GLUE_DIR holds one wasm-bindgen output: NAME_bg.wasm and NAME.js.
const dir = process.argv[2];
const wasms = readdirSync(dir).filter((f) => f.endsWith("_bg.wasm"));
if (wasms.length !== 1) throw new Error(`short-names: ${dir} holds ${wasms.length} *_bg.wasm files, not one`);
const wasmAt = path.join(dir, wasms[0]);
const glueAt = path.join(dir, wasms[0].replace(/_bg\.wasm$/, ".js"));
const bytes = readFileSync(wasmAt);
let glue = readFileSync(glueAt, "utf8");

function fail(why) {
  throw new Error(`short-names: ${why} (wasm-bindgen's output changed shape?)`);
}

/** Reads the wasm's unsigned LEB128 at `at`: [value, next offset]. */
function leb(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [value, at];
  }
}

function encodeLeb(value) {
  const out = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value) b |= 0x80;
    out.push(b);
  } while (value);
  return out;
}

/** The wasm's name (a UTF-8 string with its length) at `at`: [text, next offset]. */
function readName(buf, at) {
  const [length, start] = leb(buf, at);
  return [buf.subarray(start, start + length).toString("utf8"), start + length];
}

function name(text) {
  const utf8 = Buffer.from(text, "utf8");
  return [...encodeLeb(utf8.length), ...utf8];
}

const shortName = (i) => i.toString(36);
const moduleNames = new Map();
const renamed = new Map(); // glue identifier -> short name

if (bytes.readUInt32LE(0) !== 0x6d736100) fail("not a wasm module");
let at = 8;
const sections = [];
while (at < bytes.length) {
  const id = bytes[at];
  const [size, body] = leb(bytes, at + 1);
  sections.push({ id, start: at, body, end: body + size });
  at = body + size;
}
const imports = sections.find((s) => s.id === 2);
if (!imports) fail("no import section");

// The import section, rewritten: module and field names shortened, each import's
// description copied as it is.
let p = imports.body;
const [count, first] = leb(bytes, p);
p = first;
const out = [...encodeLeb(count)];
for (let i = 0; i < count; i++) {
  let module, field;
  [module, p] = readName(bytes, p);
  [field, p] = readName(bytes, p);
  const descStart = p;
  const kind = bytes[p++];
  if (kind === 0x00) [, p] = leb(bytes, p); // function: type index
  else if (kind === 0x01 || kind === 0x02) {
    if (kind === 0x01) p++; // table: reference type
    const flags = bytes[p++];
    [, p] = leb(bytes, p);
    if (flags & 1) [, p] = leb(bytes, p);
  } else if (kind === 0x03) p += 2; // global: value type, mutability
  else fail(`import ${module}.${field} of kind ${kind}`);

  if (!moduleNames.has(module)) moduleNames.set(module, shortName(moduleNames.size));
  let newField = field;
  if (/^__wbg_\w+_[0-9a-f]{16}$/.test(field)) {
    if (!renamed.has(field)) renamed.set(field, `_${shortName(renamed.size)}`);
    newField = renamed.get(field);
  }
  out.push(...name(moduleNames.get(module)), ...name(newField), ...bytes.subarray(descStart, p));
}
if (p !== imports.end) fail("the import section has bytes after its imports");

// The glue: each renamed function's key in its import object, and each module's key in
// the object __wbg_get_imports returns.
for (const [from, to] of renamed) {
  const key = new RegExp(`^(\\s+)${from}: function`, "m");
  const uses = glue.split(from).length - 1;
  if (uses !== 1 || !key.test(glue)) fail(`${from} is not exactly one key of an import object`);
  glue = glue.replace(key, `$1${to}: function`);
}
for (const [from, to] of moduleNames) {
  const key = new RegExp(`^(\\s+)${JSON.stringify(from).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: (import\\d+),$`, "gm");
  if (!key.test(glue)) fail(`module ${from} is not a key of the imports object`);
  glue = glue.replace(key, `$1${JSON.stringify(to)}: $2,`);
}

// The exports the glue calls as `wasm.<name>` (and only so); any other (wasm-bindgen's
// abort bookkeeping, which nothing here reads) and the memory keep their names.
const exports = sections.find((s) => s.id === 7);
if (!exports) fail("no export section");
p = exports.body;
const [exportCount, firstExport] = leb(bytes, p);
p = firstExport;
const outExports = [...encodeLeb(exportCount)];
const exported = new Map();
for (let i = 0; i < exportCount; i++) {
  let from;
  [from, p] = readName(bytes, p);
  const descStart = p;
  const kind = bytes[p++];
  [, p] = leb(bytes, p);
  const use = new RegExp(`\\bwasm\\.${from.replace(/\$/g, "\\$")}\\b`, "g");
  let to = from;
  // The memory keeps its name: tools read `instance.exports.memory` (the bench and soak).
  if (kind !== 0x02 && use.test(glue)) {
    to = `$${shortName(exported.size)}`;
    exported.set(from, to);
    glue = glue.replace(use, () => `wasm.${to}`);
  }
  outExports.push(...name(to), ...bytes.subarray(descStart, p));
}
if (p !== exports.end) fail("the export section has bytes after its exports");
for (const from of exported.keys()) {
  if (new RegExp(`(["'])${from.replace(/\$/g, "\\$")}\\1`).test(glue)) fail(`the glue names export ${from} in a string`);
}

const section = (id, body) => Buffer.from([id, ...encodeLeb(body.length), ...body]);
writeFileSync(
  wasmAt,
  Buffer.concat([
    bytes.subarray(0, imports.start),
    section(2, out),
    bytes.subarray(imports.end, exports.start),
    section(7, outExports),
    bytes.subarray(exports.end),
  ]),
);
writeFileSync(glueAt, glue);
