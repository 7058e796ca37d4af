// @ts-check
// Starts the wasm on first use, once: importing does no work (no top-level await,
// nothing compiled or instantiated), so any bundler may keep, split or drop the
// package's module, and an import that is never used costs nothing at start-up.
// Shared by every entry: each bundles it with its own glue and wasm.
import { __wbg_get_imports, __wbg_finalize_init } from "./glue.js";
// Per entry: the wasm inlined, one character per byte (inline.js) or as base64 in the files
// servers load (base64.js), compiled on first use; or imported as a compiled module where
// a runtime forbids compiling bytes (workerd, edge runtimes: edge.js).
import { wasmModule } from "#wasm";
import { names } from "./names.js";

/** The request's field names, in the core's order (accountId, recipientProfileUrn, groupId, message, messageUrns). */
export let fieldNames = /** @type {string[]} */ ([]);
let started = false;
/** @type {WebAssembly.Memory} the wasm's memory, once started */
let memory;

/**
 * A view of `len` bytes of the wasm's memory at `at` (fast.js writes a body there).
 * @param {number} at
 * @param {number} len
 */
export const memoryView = (at, len) => new Uint8Array(memory.buffer, at, len);

export function start() {
  if (started) return;
  if (typeof WebAssembly !== "object" || WebAssembly === null || typeof WebAssembly.Instance !== "function") {
    throw new Error("connectsafely-wasm needs WebAssembly, which this runtime does not provide (was Node.js started with --jitless?)");
  }
  const module = wasmModule();
  // Not wasm-bindgen's initSync: its `instanceof WebAssembly.Module` check rejects a
  // module compiled in another JS realm, which is what Next.js's edge sandbox hands over.
  const instance = new WebAssembly.Instance(module, __wbg_get_imports());
  __wbg_finalize_init(instance, module);
  memory = /** @type {WebAssembly.Memory} */ (instance.exports.memory);
  // The core's KNOWN_FIELDS, as scripts/bundle-pkg.mjs read them from the full core's wasm
  // when the package was built (its `knownFields()`; esbuild's `define`): asked of the
  // wasm here, they cost a cold start 3-5% of its instructions (make bench-icount).
  fieldNames = names(CORE_FIELD_NAMES);
  started = true;
}
