// @ts-check
// The wasm, inlined: every bundler, Node.js, Deno, Bun and a page loading the
// package by URL get it with no plugin, asset rule, file read or permission.
// Compiled synchronously on first use (a few milliseconds, once).
const WASM = "__WASM_BASE64__";

export function wasmModule() {
  let bytes;
  // Uint8Array.fromBase64 is newer than the TypeScript lib this is checked with.
  const U8 = /** @type {any} */ (Uint8Array);
  if (typeof U8.fromBase64 === "function") {
    bytes = U8.fromBase64(WASM);
  } else {
    const text = atob(WASM);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  }
  return new WebAssembly.Module(bytes);
}
