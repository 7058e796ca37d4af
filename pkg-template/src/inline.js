// @ts-check
// The wasm, inlined: every bundler and a page loading the package by URL (web.mjs,
// many.*, validate.*, in every runtime) get it with no plugin, asset rule, file read or
// permission. (The files servers load, index.mjs and index.cjs, hold theirs as base64:
// base64.js.)
// Compiled synchronously on first use (a few milliseconds, once).
//
// One character per byte (U+0000 to U+00FF, with the few a string literal cannot hold
// escaped), the bytes renamed so the most frequent are printable ASCII: it gzips nearly
// as well as the binary, where base64 costs a third more (scripts/bundle-pkg.mjs).
import { latin1Module } from "./latin1.js";

const WASM = "__WASM_LATIN1__";
// KEY.charCodeAt(c) is the byte that character c of WASM stands for.
const KEY = "__WASM_KEY__";

export function wasmModule() {
  return latin1Module(WASM, KEY);
}
