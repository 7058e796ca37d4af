// Node.js (and Bun) entry for require(): checks what the package needs, then
// loads the CommonJS build, which reads the .wasm beside it.
"use strict";

if (typeof WebAssembly !== "object" || typeof WebAssembly.Module !== "function") {
  throw new Error("connectsafely-wasm needs WebAssembly, which this runtime does not provide (was Node.js started with --jitless?)");
}
if (typeof fetch !== "function") {
  throw new Error(
    `connectsafely-wasm needs the global fetch of Node.js 18 or later; this Node.js (${typeof process === "object" ? process.version : "unknown"}) has none`,
  );
}
module.exports = require("./connectsafely_wasm.js");
