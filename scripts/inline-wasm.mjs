// Usage: node scripts/inline-wasm.mjs WASM TEMPLATE > OUT
// Writes TEMPLATE with the wasm's bytes, base64, in place of __WASM_BASE64__.
import { readFileSync } from "node:fs";

const [wasm, template] = process.argv.slice(2);
const b64 = readFileSync(wasm).toString("base64");
const text = readFileSync(template, "utf8");
if (!text.includes("__WASM_BASE64__")) throw new Error(`${template} has no __WASM_BASE64__`);
process.stdout.write(text.replace("__WASM_BASE64__", b64));
