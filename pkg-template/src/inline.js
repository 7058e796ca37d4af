// @ts-check
// The wasm, inlined: every bundler, Node.js, Deno, Bun and a page loading the
// package by URL get it with no plugin, asset rule, file read or permission.
// Compiled synchronously on first use (a few milliseconds, once).
//
// One character per byte (U+0000 to U+00FF, with the few a string literal cannot hold
// escaped), the bytes renamed so the most frequent are printable ASCII: it gzips nearly
// as well as the binary, where base64 costs a third more (scripts/bundle-pkg.mjs).
const WASM = "__WASM_LATIN1__";
// KEY.charCodeAt(c) is the byte that character c of WASM stands for.
const KEY = "__WASM_KEY__";

export function wasmModule() {
  const byte = new Uint8Array(256);
  for (let c = 0; c < 256; c++) byte[c] = KEY.charCodeAt(c);
  const bytes = new Uint8Array(WASM.length);
  for (let i = 0; i < WASM.length; i++) bytes[i] = byte[WASM.charCodeAt(i)];
  return new WebAssembly.Module(bytes);
}
