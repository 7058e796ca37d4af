// @ts-check
// The wasm, inlined as base64, for the files servers load (index.mjs and index.cjs, by the
// `node` and `require` conditions: Node.js, Deno, Bun, a server's build), where a cold
// start is what counts and a download is not: read by the runtime's native decoder
// (Node.js's and Bun's Buffer, Uint8Array.fromBase64), the file's first use costs 0.81x
// the instructions of inline.js's one character a byte (make bench-icount), most of it
// in scanning that string literal's two-byte UTF-8 (pages keep inline.js: base64 gzips to
// a third more). No plugin, asset rule, file read or permission either.
import { latin1Module } from "./latin1.js";

const WASM = "__WASM_BASE64__";

export function wasmModule() {
  const g = /** @type {any} */ (globalThis);
  if (typeof g.Buffer === "function" && typeof g.Buffer.from === "function") return new WebAssembly.Module(g.Buffer.from(WASM, "base64"));
  const U8 = /** @type {any} */ (Uint8Array);
  if (typeof U8.fromBase64 === "function") return new WebAssembly.Module(U8.fromBase64(WASM));
  // atob's text holds a character a byte, each standing for itself.
  return latin1Module(atob(WASM));
}
