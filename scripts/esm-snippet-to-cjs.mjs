// Usage: node scripts/esm-snippet-to-cjs.mjs FILE...
// wasm-bindgen copies JS snippets as written (ES modules); the nodejs target
// require()s them. Rewrites `export [async] function f` as a plain declaration
// (so calls between functions of the module still resolve) plus `exports.f = f`.
import { readFileSync, writeFileSync } from "node:fs";

for (const file of process.argv.slice(2)) {
  const names = [];
  const text = readFileSync(file, "utf8").replace(/^export (async )?function ([A-Za-z_$][\w$]*)/gm, (_, a, name) => {
    names.push(name);
    return `${a ?? ""}function ${name}`;
  });
  if (/^export /m.test(text)) throw new Error(`${file}: an export this rewrite does not handle`);
  writeFileSync(file, `"use strict";\n${text}\n${names.map((n) => `exports.${n} = ${n};`).join("\n")}\n`);
}
