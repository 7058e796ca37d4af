// @ts-check
// The wasm, inlined: every bundler, Node.js, Deno, Bun and a page loading the
// package by URL get it with no plugin, asset rule, file read or permission.
// Compiled synchronously on first use (a few milliseconds, once).
//
// One character per byte (U+0000 to U+00FF, with the few a string literal cannot hold
// escaped): it gzips nearly as well as the binary, where base64 costs a third more.
const WASM = "__WASM_LATIN1__";

export function wasmModule() {
  const bytes = new Uint8Array(WASM.length);
  for (let i = 0; i < WASM.length; i++) bytes[i] = WASM.charCodeAt(i);
  return new WebAssembly.Module(bytes);
}
