// What a wasm's imports cost each start. Node.js 20's V8 compiles a wrapper, with its
// optimizing compiler, for each distinct signature among the imports of a module it
// instantiates (~250,000 instructions each, make bench-icount; V8 12 and later, in
// Node.js 22, browsers and workerd, call imports through one generic wrapper), and
// another for an import whose JS function declares other parameters than the signature
// passes (wasm-bindgen's imports that catch declare none: scripts/bundle-pkg.mjs's
// `withArity`). So, for each file of the package that holds a wasm, as it ships:
// - every import's function declares exactly the parameters its signature passes;
// - each core imports at most its budget of distinct signatures (the builders of results
//   share a few: src/wasm/result.rs). A count is deterministic, as a size is: a budget,
//   not a timing. Measured when the budgets were set: index.mjs's cold start 26.6 M -> 24.2 M
//   instructions (23 signatures and 5 mismatched imports -> 18 and none).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { BUNDLES } from "../../scripts/entries.mjs";

const pkg = path.dirname(createRequire(import.meta.url).resolve("connectsafely-wasm/package.json"));

// The distinct signatures each core may import (scripts/entries.mjs names the cores).
const BUDGET = { index: 18, web: 18, many: 21, validate: 3 };
// Each file that loads its wasm itself (scripts/entries.mjs's BUNDLES); edge.mjs and
// validate-edge.mjs import theirs as a compiled module, which Node.js cannot: theirs are
// the wasm and the glue of many.mjs and validate.mjs, checked there.
const FILES = BUNDLES.filter((b) => b.loader !== "edge").map((b) => [b.file, b.wasm]);

// Run in a process of its own, with the flag that lets WebAssembly.Module.imports tell
// each import's signature: every module the file instantiates, with each import's
// parameters and its function's declared ones.
const PROBE = String.raw`
const [file] = process.argv.slice(1);
const seen = [];
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  seen.push(WebAssembly.Module.imports(module).filter((d) => d.kind === "function").map((d) => ({
    name: d.module + "." + d.name,
    signature: JSON.stringify(d.type),
    passes: d.type.parameters.length,
    declares: imports[d.module][d.name].length,
  })));
  return new Instance(module, imports);
};
const m = file.endsWith(".cjs") ? require(file) : await import(file);
if (m.validateSendGroupWithAck) m.validateSendGroupWithAck({});
else m.start();
console.log(JSON.stringify(seen));
`;

for (const [file, core] of FILES) {
  test(`${file}: each wasm import declares the parameters its signature passes, and the ${core} core imports at most ${BUDGET[core]} signatures`, () => {
    const r = spawnSync(process.execPath, ["--experimental-wasm-type-reflection", "--no-warnings", "--input-type=module", "-e", `import { createRequire } from "node:module"; const require = createRequire(import.meta.url);\n${PROBE}`, path.join(pkg, file)], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    // (The files that inline their wasm as text first instantiate the decoder that reads
    // it back, which imports nothing: tests/js/inline.test.mjs.)
    const modules = JSON.parse(r.stdout).filter((imports) => imports.length > 0);
    assert.equal(modules.length, 1, `${file} instantiates one wasm that imports functions at start`);
    const [imports] = modules;
    assert.deepEqual(imports.filter((i) => i.declares !== i.passes), [], "imports whose function declares other parameters than the wasm passes");
    const signatures = new Set(imports.map((i) => i.signature));
    assert.ok(signatures.size <= BUDGET[core], `${signatures.size} distinct signatures: ${[...signatures].join(" ")}`);
  });
}
