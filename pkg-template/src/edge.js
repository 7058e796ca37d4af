// @ts-check
// Runtimes that refuse to compile wasm from bytes at run time (Cloudflare Workers,
// Vercel and Next.js edge functions) compile a `.wasm?module` import at deploy
// time and hand over a WebAssembly.Module: wrangler, Next.js (webpack and
// Turbopack) and Vercel's bundler all read this form. The entry's own wasm file
// (scripts/bundle-pkg.mjs names it).
import compiled from "./entry_bg.wasm?module";

export function wasmModule() {
  return compiled;
}
