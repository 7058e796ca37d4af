// The size budget of each ES module file with the wasm inlined, gzipped by zlib at level 9
// as the matrix counts pages (GNU gzip -9, which build-pkg.sh prints and
// docs/performance-history.md quotes, writes ~1% less): web.mjs (what pages get, the
// `import` condition: about what every bundler in the matrix ships for this package;
// make bench measures each), index.mjs (the same core for servers, built for speed),
// many.mjs (the full core, which their client imports on first need) and validate.mjs
// (connectsafely-wasm/validate). Size is deterministic, so this is a check, not a timed
// test. The budget holds the line at what the build has reached, so a change that makes
// it bigger fails until it is justified here; the milestone of issue 11 was 40 KiB for
// index.mjs, issue 26's is 40 KiB for a page that sends one (web.mjs).
import { readFileSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { BUNDLES } from "./entries.mjs";

// 77.9 KiB after issue 10; 54.5 KiB after issue 11 (a sans-IO core with synchronous
// exports, no core::fmt or std searches, lol_alloc, response bodies parsed once in JS,
// and the wasm inlined one character per byte instead of base64).
// 64.2 KiB with issue 13: the shared store's account records, reservations and journal
// (its decisions live in the core, so every process and transport decides alike).
// 64.8 KiB with runnerId, the stale-response rule and the journal's key scrubbing; 65.7 KiB
// with talc instead of lol_alloc (+0.9 KiB): lol_alloc's free list made each allocation
// cost grow with what is live, so a run of 40,000 items sent at 630/s instead of 1,500/s.
// 72.8 KiB with issue 14 (+7.1 KiB): logs, hooks and headers, whose checks and log lines
// live in the core so the JS and Rust APIs behave alike. Paid even by apps that set none
// of those options: the wasm is one module (the 14 KB of it is spread over option reading,
// header checks, log lines and eleven new exports' glue).
// 73.0 KiB after issue 14's exports were merged (five getters and hook reads into two
// calls: -0.1 KiB) and two send-path speedups (a success body read for its success fields
// only; the request's JSON copied in runs: 44.1 -> 42.0 µs per send, +0.2 KiB).
// 71.3 KiB with the npm build no_std (its own panic handler, rounding in crate::num):
// std's panic handler no longer pulls in core::fmt's formatting (-1.7 KiB).
// 63.7 KiB after issue 14's size was won back: the inlined wasm's bytes renamed by
// frequency (the common ones printable ASCII) and its declaration at the end of the file
// (-1.7 KiB), the wasm's import and export names shortened (-1.7 KiB), the driver's
// settings, request and swap read in one call each and the six rate-limit headers passed
// as one string (-0.9 KiB), std's char counter and searcher replaced (-0.6 KiB), the
// glue's doc comments left out (-2.5 KiB). 63.8 KiB with the char count eight bytes at a
// time (+0.1 KiB: the byte-at-a-time count made an 8000-character message 30% slower).
// 63.9 KiB with exchange.js's steps as guarded callbacks instead of two races in an async
// function (+0.1 KiB: one send 0.87-0.91x the CPU). 63.6 KiB with the response body's
// fields read by index in one call each (-0.3 KiB). 63.8 KiB with a client's
// AbortController reused across its requests (+0.2 KiB); 63.3 KiB with the ISO 8601 reset
// read by byte positions instead of substring searches (-0.5 KiB). 63.6 KiB with a reused
// controller keeping one timer for its requests where timers can be re-armed (+0.3 KiB:
// one in-process send 0.90x the CPU in Node.js 20). 63.2 KiB with the driver bundled as
// ES2022 (-0.4 KiB): its class private fields no longer lowered to WeakMaps. 63.3 KiB with
// a success's data strings handed back from the response body instead of copied out of
// wasm (+0.1 KiB: one send's own work 0.97x). 63.5 KiB with those strings not copied into
// wasm either unless a journal records them (+0.2 KiB: one send's own work 0.91-0.95x).
// 70.9 KiB with issue 24 (+7.5 KiB): every store key scoped to a workspace by a SHA-256
// digest (the core's own SHA-256: Web Crypto's is asynchronous, the core's steps are not)
// on a normalized origin, journal entries keyed by a digest of their body, the journal's
// format checked before a run (and an earlier build's entries looked for once), a stopped
// account's items looked up in the journal, resumeAt, a claim renewed after long waits,
// and a restarted runner's dead reservation released. Paid by every page until the store
// and the journal load only where used (issue 26). 71.2 KiB with issue 25's policy module
// (+0.3 KiB): the in-flight cap without a store, a debug line per kind of wait, and the
// body rules the driver reads from the core instead of keeping its own. 71.7 KiB with its
// settings module (+0.5 KiB): every option read into the core's inputs and settled there
// (the npm layer and the Rust Client each parsed them before, and disagreed).
// validate.mjs: 19.5 KiB at its start (issue 26): the core built with `validator` (no
// send, store or run compiled), wasm-bindgen's runtime and the shared start.js.
// 72.0 and 19.8 KiB with the inlined wasm read back by a 126-byte wasm decoder over
// TextEncoder's output instead of a JavaScript loop (+0.3 KiB each): the first call in
// Node.js 20 took 9.1 -> 6.2 ms (index) and 5.5 -> 3.5 ms (validate), medians of 7 fresh
// processes; the loop ran cold in the interpreter at ~170 instructions a byte.
// 71.8 and 19.2 KiB with the glue importing from the snippet modules only the names the
// wasm imports (-0.15 and -0.5 KiB): a namespace import kept every shape and field reader.
// index.mjs 57.8 KiB (-14.0 KiB) with its own core the single-send one (the core's `sender`
// build: no run to many, shared store or journal) and the client switching to many.mjs,
// the full core (69.0 KiB), on the first run to many or send with a store: a page that
// sends one downloads index.mjs only. many.mjs is the full core and its registry's
// takeover (+0.9 KiB), without the driver (index.mjs's drives both cores). 58.5 KiB with
// a call that waits for the switch reading its input at the call and heeding its signal,
// and a failed load's run reporting its items not attempted (+0.7 KiB).
// 57.4 KiB with the run to many's driver and the store's swaps moved to many.mjs (-1.0 KiB;
// many.mjs 69.5 KiB) and wasm-opt run to a fixed point (--converge: -0.3 KiB each).
// 56.9 KiB with the single-send core settling no store scope (the origin's normal form and
// the scope's key prefix: only a store's keys use them): -0.6 KiB.
// 58.5, 70.7 and 20.4 KiB with issue 27's validation fast path for every shape of body
// (+1.6, +1.2 and +1.6 KiB): a body of string fields (messageUrns too, padded strings too)
// joined, encoded by one TextEncoder call and decided by one call into the core
// (src/wasm/fast.rs, pkg-template/src/fast.js), instead of four strings copied by a JS
// loop (the three-strings shape only) or a JS read per field: 0.64x the instructions of
// the three-strings body, 0.03-0.2x those of the others. Less than the fast path's own
// size: the field names handed over as one string (-1.2 KB of wasm) and the full path's
// valid results no longer reusing the caller's strings (-0.4 KiB).
// 58.8, 70.6 and 21.1 KiB (+0.2, -0.1, +0.6 KiB) with the fast path writing a body
// straight into a scratch buffer of the wasm's memory (`Fast` and a `Core.scratch` then: the class
// `Fast` and its glue cost the validate entry most) instead of a JS buffer copied in by
// each call, answering a padded body with "trim these" instead of the trimmed strings,
// splitting the fields with str::split (no Vec for the four fields), and the driver
// trimming as the core does (a regular expression, not a page's String.prototype.trim).
// 58.5, 70.4 and 20.7 KiB with field errors ordered without a pass per rank (-0.4 KiB
// each) and short strings read out of the wasm without TextDecoder (+0.1 KiB each).
// 59.4, 71.1 and 20.7 KiB with one scratch buffer per wasm and a send's own work cut by
// 9% in instructions (what each cost: docs/performance-history.md).
// 60.0, 71.8 and 20.8 KiB with a send's own work cut by another 9% in instructions (its
// header lines and values read by plain scans, its body's JSON written from the validated
// fields with no copy, a response's keys read at a site each: the last, in fields.js,
// is what validate.mjs's 0.1 KiB is) and a padded body trimmed by a scan instead of a
// regular expression.
// 60.2, 71.9 and 20.5 KiB with the validation fast path's scans made word-wide: the
// fields split by a NUL search eight bytes at a time, identifiers checked by a table,
// message URNs by u64 sets (index.mjs +0.1 KiB, validate.mjs -0.3 KiB: std's searcher
// left it).
// 61.9, 73.5 and 22.1 KiB with the fast path in a crate of its own compiled at opt-level 2
// (connectsafely-scan; ~40% fewer wasm instructions a validation, +1.6-1.7 KiB each).
// 61.1, 73.0 and 22.1 KiB with the rate-limit header names handed over as one string
// (their list's conversion was 1.3 KB of wasm) and messages started with room (cat!).
// 59.1, 72.5 and 21.6 KiB with the package's JavaScript minified (whitespace and syntax,
// names and short lines kept): what a bundler that does not minify (Rollup's and
// esbuild's defaults) and a page loading the package by URL download.
// 54.4, 70.3 and 20.4 KiB with std's generic code out of the core where a loop does
// ("did you mean" in fixed rows, trims and splits by byte scans: -0.9, -0.4 and -0.8 KiB),
// wasm-opt flattening and re-looping before -Oz (-0.35, -0.35, -0.1), an allocator of
// segregated free lists instead of talc (-0.3 each), the single-send core compiling no
// store or journal path of a send (index.mjs -2.3 KiB: an Option of an uninhabited struct
// was still tested at run time) and a send's state tested without a deep comparison (-0.5).
// 53.4, 69.3 and 19.6 KiB with the fast path's buffer a static instead of a wasm-bindgen
// class (-0.5, -0.5 and -0.7 KiB: the class machinery and its borrow checks), the core's
// strings returned as JS strings made in the wasm (-0.3 each but validate.mjs) and the
// options of the two calls that had them as Option<JsValue> taken as a JsValue.
// 52.9, 69.0 and 19.2 KiB with what a JS value is asked in one call (typeOf) instead of
// up to eight of wasm-bindgen's tests, well-formed UTF-16 checked by a loop in fields.js
// instead of js-sys's (a call a unit, std's UTF-16 decoder) and no memchr left.
// 53.1, 69.2 and 18.6 KiB with validation's field errors reported as problems (a
// template of the core's and what fills it) instead of messages built in place: the
// validate-only wasm hands them to JavaScript as numbers, written there from the
// templates (-0.6 KiB: no message built or copied in the wasm); the others write them
// from the same templates (+0.1 KiB each).
// 53.1, 69.2 and 15.9 KiB with the validate-only wasm holding no JS value (describe.js
// reads a body into its memory, value.rs's `decode` reads it back: no externref table,
// no reader of JS values, -1.1 KiB), the field names' export left to the full core, and
// its fast path at opt-level z (-1.3 KiB; 1.25-1.44x its instructions on valid bodies:
// a page that only validates pays in bytes what a form never notices in microseconds).
// 51.8, 68.5 and 15.2 KiB with the package's local names shortened too (-1.2, -0.7 and
// -0.6 KiB gzipped by gzip -9: what a bundler that does not minify ships; a minifying
// bundler's output does not change).
// web.mjs: 50.1 KiB at its start, what pages get in place of index.mjs (the `import`
// condition; servers get index.mjs by `node`): the same single-send core with its
// validation fast path at opt-level z, as the validate-only wasm's (-1.7 KiB).
// index.mjs 63.0 KiB with its wasm as base64 (pkg-template/src/base64.js, +11.1 KiB): the
// file servers load (the `node` condition), whose cold start that serves (0.815x the
// instructions: make bench-icount) and whose gzipped size nobody downloads.
// many.mjs 69.3: a store's swaps bounded (a version that is not a whole number refused;
// 1,000 without a write end the send), +135 B; a run of more than 1,000,000 bodies
// refused before it is read, +154 B. index.mjs 63.4, web.mjs 50.5, many.mjs 69.4: header
// options given as a Headers or a Map refused (web.mjs +119 B). index.mjs 63.7, web.mjs
// 50.9, many.mjs 69.9: strings bounded before they are copied into wasm memory (unknown
// keys cut at 256 units, string options and headers at 8193, a thrown error's texts at
// 1,024; maxMessageLength at most 1,000,000), web.mjs +343 B. many.mjs 70.1: a run's
// bodies bounded at 512 MiB of text, +208 B. index.mjs 63.8, web.mjs 51.1: time options
// bounded, calls from inside getters the core reads wait their turn, a signal fired while
// fetch runs reported as maybe delivered, a key echoed behind a JSON escape or in a header
// redacted (web.mjs +203 B). index.mjs 64.3, web.mjs 51.4, many.mjs 70.2: a store's
// records no longer scrubbed whole (a JSON body scrubbed string by string), a send or run
// called unbound resolved typed, what fetch threw searched for the key before it is kept as
// a cause (fields.js's mentions), a browser's opaque redirect maybe delivered (web.mjs +307 B).
// many.mjs 70.5: a store's answer to a journal claim lost no longer leaves the item maybe
// delivered and never sent (a swap answered "not written" with the very value it asked to
// write taken as written; a claim that failed read back and given back; a renewal that
// landed behind a give-back given back over it), +265 B. many.mjs 70.7: an account's
// record read afresh when this client's memory of it is older than ten minutes (+127 B;
// web.mjs -91 B, index.mjs -137 B: the memory no longer in the single-send core).
// many.mjs 70.9: journal claims held until just before their request and held again for a
// 429's wait (an item whose runner died before any request left is sent by the next run,
// not reported maybe delivered), a restarted runner's dead reservation released by its
// send, a write answered with version 0 failed closed: +231 B (none of it in web.mjs or
// index.mjs, whose core has no journal).
// Each budget is 0.1 KiB above what ships.
const BUDGETS = { "index.mjs": 64.3 * 1024, "web.mjs": 51.4 * 1024, "many.mjs": 70.9 * 1024, "validate.mjs": 15.3 * 1024 };
const MILESTONE = 40 * 1024;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
let over = false;
for (const b of BUNDLES.filter((x) => x.format === "esm" && x.loader !== "edge")) {
  if (!(b.file in BUDGETS)) {
    console.error(`size: ${b.file} has no budget (scripts/entries.mjs lists it)`);
    over = true;
  }
}
for (const [file, budget] of Object.entries(BUDGETS)) {
  const at = path.join(path.dirname(new URL(import.meta.url).pathname), "../pkg", file);
  const total = zlib.gzipSync(readFileSync(at), { level: 9 }).length;
  const milestone = file === "web.mjs" ? `, issue 26's milestone for a page that sends one ${kib(MILESTONE)}` : "";
  console.log(`size: ${file} ${kib(total)} gzipped (budget ${kib(budget)}${milestone})`);
  if (total > budget) {
    console.error(`size: ${file} over budget by ${kib(total - budget)}`);
    over = true;
  }
}
if (over) process.exit(1);
