// make bench: one table, every figure measured side by side in this run.
//   node --expose-gc bench/run.mjs          (pkg/ must be built: make pkg)
// Sections: size, cold start, validation throughput, send throughput, memory.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync, readdirSync, mkdtempSync, writeFileSync, cpSync, rmSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { spawnSandbox } from "../sandbox/spawn.mjs";
import { loadPackage } from "./load-package.mjs";
import { median, paired, rotated } from "./rounds.mjs";
import { API_KEY, URN, WITH_TIMEOUT, inProcessFetch, sendBody } from "./in-process.mjs";
import { BUNDLES, ENTRIES } from "../scripts/entries.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = path.join(root, "pkg");
const QUICK = !!process.env.BENCH_QUICK;
const rows = [];
const row = (section, measure, values) => rows.push({ section, measure, ...values });
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const gz = (file) => zlib.gzipSync(readFileSync(file), { level: 9 }).length;
const raw = (file) => readFileSync(file).length;
const fmtOps = (n) => `${Math.round(n).toLocaleString("en-US")}/s`;
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
const sizes = {}; // what each bundler's build ships (section 1)
const useSizes = {}; // per bundler, what a page of each use downloads (section 1)
const cold = {}; // cold starts, per setup and entry (section 2)
// A cold start's overhead over the hand-written client: `paired` (bench/rounds.mjs), the
// median of the differences within each round, with their quartiles.
/** Each entry's `paired` overhead over the hand-written client, from times by setup. */
const overheads = (times, index, validate, hand) => ({ index: paired(times[index], times[hand]), validate: paired(times[validate], times[hand]) });
const plus = (x) => `${x >= 0 ? "+" : ""}${x.toFixed(1)}`;
const quartiles = (p) => `${plus(p.median)} ms (quartiles ${p.q1.toFixed(1)} to ${p.q3.toFixed(1)})`;

const { ConnectSafelyClient, validateSendGroupWithAck, wasmMemoryBytes } = loadPackage();
const { validate: handValidate } = await import("./handwritten/client.mjs");
const { zodSchema, ajvValidate } = await import("./schemas.mjs");
const { SHAPES } = await import("./shapes.mjs");

// 1. Size: the package's entries, and what each bundler's build of the matrix's form app
// ships (tests/matrix, its JavaScript and wasm gzipped; the app's own code is under 1 KiB).
{
  const p = (f) => path.join(pkg, f);
  // Each wasm as the build made it (scripts/entries.mjs), and the files that hold it.
  for (const e of ENTRIES) {
    const wasm = path.join(root, e.glue, `${e.base}_bg.wasm`);
    const files = BUNDLES.filter((b) => b.wasm === e.name).map((b) => b.file).join(", ");
    row("size", `wasm: ${e.name} (${files})`, { "connectsafely-wasm": `${kib(raw(wasm))} raw, ${kib(gz(wasm))} gzipped` });
  }
  const hand = gz(path.join(root, "bench/handwritten/client.mjs"));
  const entries = {
    "web.mjs (bundlers, browsers, pages by URL: the single-send core built for size, inlined)": ["web.mjs"],
    "index.mjs (Node.js, Deno, Bun: the single-send core built for speed, inlined)": ["index.mjs"],
    "many.mjs (what web.mjs and index.mjs load on the first run to many or send with a store: the full core inlined)": ["many.mjs"],
    "edge.mjs + .wasm (workerd, edge-light: the full core)": ["edge.mjs", "connectsafely_wasm_bg.wasm"],
    "validate.mjs (connectsafely-wasm/validate: validation only, wasm inlined)": ["validate.mjs"],
  };
  for (const [name, files] of Object.entries(entries)) {
    const total = files.reduce((n, f) => n + gz(p(f)), 0);
    row("size", `download, ${name}`, { "connectsafely-wasm": `${kib(total)} gzipped`, "hand-written JS": `${kib(hand)} gzipped` });
  }
  if (!process.env.BENCH_NO_BUNDLERS) {
    const report = path.join(os.tmpdir(), `cs-bench-bundlers-${process.pid}.json`);
    const cells = ["production build", "development build", "Rspack", "Parcel", "Rollup", "Vite in", "esbuild (", "client component"];
    const r = spawnSync(process.execPath, [path.join(root, "tests/matrix/run.mjs"), ...cells, "--report", report], { stdio: ["ignore", "pipe", "inherit"] });
    if (r.status !== 0) throw new Error(`the bundler builds failed:\n${r.stdout}`);
    const { shipped, uses } = JSON.parse(readFileSync(report, "utf8"));
    Object.assign(sizes, shipped);
    Object.assign(useSizes, uses);
    rmSync(report, { force: true });
    for (const [cell, bytes] of Object.entries(shipped)) {
      row("size", `ships in a form app built by ${cell} (every file of its build, the chunk a run to many loads included)`, { "connectsafely-wasm": `${kib(bytes)} gzipped` });
    }
    // What each use costs: the JS and wasm a page of that use fetched in Chromium.
    for (const [cell, byUse] of Object.entries(uses)) {
      for (const [use, bytes] of Object.entries(byUse)) {
        row("size", `a page that does "${use}", built by ${cell}, downloads`, { "connectsafely-wasm": `${kib(bytes)} gzipped`, "hand-written JS": `${kib(hand)} gzipped` });
      }
    }
    row("size", "(before issue 10)", { note: "Vite 77 KiB (web/inline.js, top-level await); webpack, Rspack, Parcel, Rollup IIFE and Next.js builds did not run" });
  }
}

// 2. Cold start: a fresh Node.js process that loads the client and validates one body, by
// `require` (the package's CommonJS entries against a CommonJS copy of the hand-written
// client, made here by esbuild) and by `import()` (the ESM entries against its ESM file):
// each loader against itself.
{
  const body = `{recipientProfileUrn:"urn:li:fsd_profile:A",groupId:"1",message:"hi"}`;
  const work = mkdtempSync(path.join(os.tmpdir(), "cs-bench-cold-"));
  const handCjs = path.join(work, "hand.cjs");
  const { build } = await import("esbuild");
  await build({ entryPoints: [path.join(root, "bench/handwritten/client.mjs")], bundle: true, format: "cjs", platform: "node", outfile: handCjs, logLevel: "error" });
  const req = (file, fn) => `const m=require(${JSON.stringify(file)});if(!m.${fn}(${body}).ok)process.exit(1)`;
  const imp = (file, fn) => `import(${JSON.stringify(file)}).then(m=>{if(!m.${fn}(${body}).ok)process.exit(1)})`;
  // Per loader: its name in the rows, and each entry's file.
  const LOADERS = {
    require: { verb: "require", index: "index.cjs", validate: "validate.cjs" },
    import: { verb: "import()", index: "index.mjs", validate: "validate.mjs" },
  };
  const scripts = {
    "node (empty)": "",
    "require index": req(path.join(pkg, LOADERS.require.index), "validateSendGroupWithAck"),
    "require validate": req(path.join(pkg, LOADERS.require.validate), "validateSendGroupWithAck"),
    "require hand": req(handCjs, "validate"),
    "import index": imp(path.join(pkg, LOADERS.import.index), "validateSendGroupWithAck"),
    "import validate": imp(path.join(pkg, LOADERS.import.validate), "validateSendGroupWithAck"),
    "import hand": imp(path.join(root, "bench/handwritten/client.mjs"), "validate"),
  };
  const runs = QUICK ? 5 : 41;
  const times = Object.fromEntries(Object.keys(scripts).map((k) => [k, []]));
  try {
    for (let i = 0; i < runs; i++) {
      for (const [name, code] of rotated(Object.entries(scripts), i)) {
        const t = process.hrtime.bigint();
        const r = spawnSync(process.execPath, ["-e", code]);
        if (r.status !== 0) throw new Error(`cold start ${name} failed: ${r.stderr}`);
        times[name].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const base = median(times["node (empty)"]);
  cold.node = {};
  for (const [how, loader] of Object.entries(LOADERS)) {
    const hand = median(times[`${how} hand`]);
    const overhead = overheads(times, `${how} index`, `${how} validate`, `${how} hand`);
    cold.node[how] = { index: median(times[`${how} index`]) - base, validate: median(times[`${how} validate`]) - base, hand: hand - base, over: overhead };
    for (const [entry, label] of [["index", loader.index], ["validate", `connectsafely-wasm/validate (${loader.validate})`]]) {
      const ms = median(times[`${how} ${entry}`]);
      row("cold start", `Node.js process, ${loader.verb} ${label} + validate one body (median of ${runs}; empty node ${base.toFixed(1)} ms)`, {
        "connectsafely-wasm": `${ms.toFixed(1)} ms (${plus(ms - base)})`,
        "hand-written JS": `${hand.toFixed(1)} ms (${plus(hand - base)}, by ${loader.verb} too)`,
        note: `overhead vs hand-written, paired by round: ${quartiles(overhead[entry])}`,
      });
    }
  }
}

// 2b. Module instantiation inside workerd (Miniflare): time to the first answer, package vs hand-written.
if (!process.env.BENCH_NO_WORKERD) {
  const work = mkdtempSync(path.join(os.tmpdir(), "cs-bench-workerd-"));
  try {
    const { Miniflare } = await import("miniflare");
    mkdirSync(path.join(work, "node_modules"), { recursive: true });
    cpSync(pkg, path.join(work, "node_modules/connectsafely-wasm"), { recursive: true });
    cpSync(path.join(root, "bench/handwritten/client.mjs"), path.join(work, "hand.mjs"));
    const body = `{recipientProfileUrn:"urn:li:fsd_profile:A",groupId:"1",message:"hi"}`;
    writeFileSync(path.join(work, "pkg.mjs"), `import { validateSendGroupWithAck } from "connectsafely-wasm";\nexport default { fetch() { return new Response(String(validateSendGroupWithAck(${body}).ok)); } };\n`);
    writeFileSync(path.join(work, "pkgv.mjs"), `import { validateSendGroupWithAck } from "connectsafely-wasm/validate";\nexport default { fetch() { return new Response(String(validateSendGroupWithAck(${body}).ok)); } };\n`);
    writeFileSync(path.join(work, "handw.mjs"), `import { validate } from "./hand.mjs";\nexport default { fetch() { return new Response(String(validate(${body}).ok)); } };\n`);
    // esbuild as wrangler bundles: the workerd condition, and the `.wasm?module` import
    // copied beside the bundle for Miniflare's CompiledWasm rule.
    const { build } = await import("esbuild");
    const wasmModule = {
      name: "wasm-module",
      setup(b) {
        b.onResolve({ filter: /\.wasm\?module$/ }, (a) => ({ path: path.join(a.resolveDir, a.path.replace(/\?module$/, "")) }));
      },
    };
    for (const name of ["pkg", "pkgv", "handw"]) {
      await build({ absWorkingDir: work, entryPoints: [`${name}.mjs`], bundle: true, format: "esm", conditions: ["workerd", "worker"], loader: { ".wasm": "copy" }, outdir: `out-${name}`, logLevel: "error", plugins: [wasmModule] });
    }
    // Each bundle's modules handed to Miniflare as a list, read before the clock starts, as a
    // deploy hands them to the runtime: given a script path and rules instead, Miniflare
    // parses the script in Node.js to find its imports, 2-3.5 ms more for edge.mjs's bundle
    // than for the hand-written one's, which no deployed Worker's start pays.
    const modules = Object.fromEntries(
      ["pkg", "pkgv", "handw"].map((name) => {
        const dir = path.join(work, `out-${name}`);
        const list = readdirSync(dir).map((file) => ({
          type: file.endsWith(".wasm") ? "CompiledWasm" : "ESModule",
          path: path.join(dir, file),
          contents: readFileSync(path.join(dir, file)),
        }));
        // The entry point first: Miniflare runs the first module.
        list.sort((a, b) => Number(b.path.endsWith(`${name}.js`)) - Number(a.path.endsWith(`${name}.js`)));
        return [name, list];
      }),
    );
    const startOnce = async (name) => {
      const t = performance.now();
      const mf = new Miniflare({ modules: modules[name], modulesRoot: path.join(work, `out-${name}`), compatibilityDate: "2026-04-01" });
      const res = await mf.dispatchFetch("http://bench/");
      const text = await res.text();
      const ms = performance.now() - t;
      await mf.dispose();
      if (text !== "true") throw new Error(`workerd bench ${name}: ${text}`);
      return ms;
    };
    // 41 rounds: a start's time moves by 5-10 ms from one to the next here, so fewer
    // rounds left the median difference moving by several ms between runs.
    const n = QUICK ? 3 : 41;
    // One start discarded (workerd's own first start is slower), then the three in turn.
    await startOnce("handw");
    const xs = { pkg: [], pkgv: [], handw: [] };
    for (let i = 0; i < n; i++) for (const name of rotated(Object.keys(xs), i)) xs[name].push(await startOnce(name));
    const a = median(xs.pkg);
    const v = median(xs.pkgv);
    const b = median(xs.handw);
    const overhead = overheads(xs, "pkg", "pkgv", "handw");
    cold.workerd = { index: a, validate: v, hand: b, over: overhead };
    row("cold start", `workerd (Miniflare) start + first request (median of ${n})`, {
      "connectsafely-wasm": `${a.toFixed(0)} ms`,
      "hand-written JS": `${b.toFixed(0)} ms`,
      note: `overhead vs hand-written, paired by round: ${quartiles(overhead.index)}`,
    });
    row("cold start", `workerd (Miniflare) start + first request validating with connectsafely-wasm/validate (median of ${n})`, {
      "connectsafely-wasm": `${v.toFixed(0)} ms`,
      "hand-written JS": `${b.toFixed(0)} ms`,
      note: `overhead vs hand-written, paired by round: ${quartiles(overhead.validate)}`,
    });
    // The same bundles on workerd alone (bench/workerd-serve.mjs): what Miniflare's
    // handling of a bundle's bytes in Node.js adds above is no runtime's.
    const { writeConfig, serveOnce } = await import("./workerd-serve.mjs");
    const configs = Object.fromEntries(
      ["pkg", "pkgv", "handw"].map((name) => {
        const dir = path.join(work, `out-${name}`);
        const files = readdirSync(dir).sort((x, y) => Number(y === `${name}.js`) - Number(x === `${name}.js`));
        return [name, writeConfig(dir, files, "2026-04-01")];
      }),
    );
    const serve = async (name) => {
      const { ms, text } = await serveOnce(configs[name]);
      if (text !== "true") throw new Error(`workerd serve bench ${name}: ${text}`);
      return ms;
    };
    await serve("handw");
    const ys = { pkg: [], pkgv: [], handw: [] };
    for (let i = 0; i < n; i++) for (const name of rotated(Object.keys(ys), i)) ys[name].push(await serve(name));
    cold.serve = { index: median(ys.pkg), validate: median(ys.pkgv), hand: median(ys.handw), over: overheads(ys, "pkg", "pkgv", "handw") };
    row("cold start", `workerd serve (the runtime alone, reading the bundle's files) start + first request (median of ${n})`, {
      "connectsafely-wasm": `${cold.serve.index.toFixed(0)} ms`,
      "hand-written JS": `${cold.serve.hand.toFixed(0)} ms`,
      note: `overhead vs hand-written, paired by round: ${quartiles(cold.serve.over.index)}; connectsafely-wasm/validate ${quartiles(cold.serve.over.validate)}`,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// 2c. A page's first validation in Chromium: from navigation start to the first result of a
// module script importing the package by URL (no bundler), over a loopback server.
if (!process.env.BENCH_NO_BROWSER) {
  const { pageColdStart } = await import("./page-cold.mjs");
  // 205 rounds: a load's time moves by tens of ms from one to the next here (the paired
  // differences' quartiles some 25 ms apart), and in one run of 205 the medians of its five
  // runs of 41 rounds read the validate entry's overhead from -2.9 to +9.0 ms; five times
  // the rounds, about two minutes, narrow the median's own spread by about half.
  const n = QUICK ? 3 : 205;
  const r = await pageColdStart(n);
  // The overhead timed from each page's import to its first result (the navigation's own
  // noise left out), paired by round.
  const overhead = overheads(r.own, "web.mjs", "validate.mjs", "hand");
  cold.page = { index: r.package["web.mjs"], validate: r.package["validate.mjs"], hand: r.hand, over: overhead };
  for (const [entry, ms] of Object.entries(r.package)) {
    row("cold start", `a page's first validation in Chromium, ${entry} (median of ${n}: import + compile + validate, from navigation start)`, {
      "connectsafely-wasm": `${ms.toFixed(1)} ms`,
      "hand-written JS": `${r.hand.toFixed(1)} ms`,
      note: `overhead vs hand-written, import to first result, paired by round: ${quartiles(overhead[entry === "web.mjs" ? "index" : "validate"])}`,
    });
  }
}

// Throughput and latency below: tinybench, each figure with its spread (± the relative
// margin of error at 99%, and p99), the tasks of one comparison run side by side.
const { Bench } = await import("tinybench");
const time = QUICK ? 300 : 1500;
const stat = (task) => {
  const l = task.result.latency;
  // ops: the calls over the time they took, not tinybench's mean of each call's own rate
  // (which weighs the fast calls over the slow ones).
  return { mean: l.mean, rme: l.rme, p99: l.p99, ops: 1000 / l.mean };
};
const us = (ms) => `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 1)} µs`;
const spread = (s) => `± ${s.rme.toFixed(1)}%, p99 ${us(s.p99)}`;
/** The round whose mean latency is the median of a task's rounds. */
const medianRound = (rounds) => [...rounds].sort((x, y) => x.mean - y.mean)[rounds.length >> 1];
// Side by side: the tasks take turns in short rounds (the order reversed every other
// round), and each task's figure is its median round, so a slow patch of the machine
// (another process, a GC, the sandbox's own work) lands on every task alike instead of on
// whichever ran then. One long window per task read the same loopback send at 0.65x and
// at 0.81x raw fetch on two runs; interleaved it reads 0.86x both times.
async function compare(tasks, opts = {}) {
  const rounds = QUICK ? 1 : 5;
  const names = Object.keys(tasks);
  const seen = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time: (opts.time ?? time) / rounds, warmupTime: QUICK ? 100 : 150 });
    for (const name of round % 2 ? [...names].reverse() : names) bench.add(name, tasks[name]);
    await bench.run();
    for (const t of bench.tasks) seen[t.name].push(stat(t));
  }
  return Object.fromEntries(names.map((n) => [n, medianRound(seen[n])]));
}
// As compare, but each task in a process of its own each round (bench/send-alone.mjs):
// for the send rows, whose figures are mostly allocation and garbage collection, which one
// process would share among the tasks. Over loopback (`loopback`), each of those processes
// sends to a sandbox of its own, started for it, so none meets another's records.
let sandboxPort = 18797;
// Returns each task's median round, and each task's rounds (`rounds`, for `roundsOf`).
async function alone(names, { loopback = false, plain = false, batch = 1, ms = time, warmup = 1000, rounds = QUICK ? 1 : 5 } = {}) {
  const seen = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 ? [...names].reverse() : names) {
      const args = ["--expose-gc", path.join(root, "bench/send-alone.mjs"), name, String(ms / rounds), "--batch", String(batch), "--warmup", String(warmup)];
      if (plain) args.push("--plain");
      const sandbox = loopback ? await spawnSandbox(sandboxPort++) : undefined;
      try {
        if (sandbox) {
          await fetch(`${sandbox.base}/__sandbox/config`, { method: "POST", body: JSON.stringify({ quota: 1e9 }) });
          args.push("--base", sandbox.base);
        }
        const child = spawnSync(process.execPath, args, { encoding: "utf8" });
        if (child.status !== 0) throw new Error(`bench/send-alone.mjs ${name}: ${child.stderr}`);
        seen[name].push(JSON.parse(child.stdout.trim().split("\n").pop()));
      } finally {
        sandbox?.stop();
      }
    }
  }
  return { ...Object.fromEntries(names.map((n) => [n, medianRound(seen[n])])), rounds: seen };
}
/** One table cell per contender of `alone`'s answer. */
const cells = (r, fmt) => Object.fromEntries(CONTENDERS.map((k) => [k, fmt(r[k])]));
/** `0.89x (rounds 0.80-1.00x)`: a ratio, and its rounds' range when there is one. */
const withRounds = (ratioText, rounds) => (rounds ? `${ratioText} (${rounds})` : ratioText);
// How far the ratio of `a` to `b` strays from round to round: in each round the two ran
// back to back, so each round gives one ratio, and the lowest and highest are printed
// beside the ratio of the medians. On this 2-core machine a process's own luck (where V8
// and the sandbox land) moves a figure by up to 40% (raw fetch over loopback read 1,290 to
// 1,855 sends a second in sixteen processes), so a ratio whose rounds straddle a
// milestone is not a pass, or a miss, by itself.
const roundsOf = (r, a, b, key) => {
  const each = r.rounds[a].map((s, i) => s[key] / r.rounds[b][i][key]);
  return each.length > 1 ? `rounds ${Math.min(...each).toFixed(2)}-${Math.max(...each).toFixed(2)}x` : "";
};
const figures = {}; // issue 11's table: measure -> this run's value

// 3. Validation throughput, per body shape (bench/shapes.mjs), each entry beside zod 4,
// ajv 8 and the hand-written validator.
const shapeTable = []; // issue 27: per shape, each entry's rate over zod's and the hand-written one's
{
  const { validateSendGroupWithAck: validateOnly } = createRequire(import.meta.url)(path.join(pkg, "validate.cjs"));
  const validators = {
    "connectsafely-wasm": (b) => validateSendGroupWithAck(b).ok,
    "connectsafely-wasm/validate": (b) => validateOnly(b).ok,
    "zod 4": (b) => zodSchema.safeParse(b).success,
    "ajv 8": (b) => ajvValidate(b),
    "hand-written JS": (b) => handValidate(b).ok,
  };
  for (const [name, { body, valid }] of Object.entries(SHAPES)) {
    for (const [v, fn] of Object.entries(validators)) if (fn(body) !== valid) throw new Error(`${v} answers ${!valid} on ${name}`);
    const r = await compare(Object.fromEntries(Object.entries(validators).map(([v, fn]) => [v, () => fn(body)])));
    const vs = (entry, other) => ratio(r[entry].ops, r[other].ops);
    row("validate", name, {
      "connectsafely-wasm": `${fmtOps(r["connectsafely-wasm"].ops)} ± ${r["connectsafely-wasm"].rme.toFixed(1)}%; /validate ${fmtOps(r["connectsafely-wasm/validate"].ops)}`,
      "zod 4": `${fmtOps(r["zod 4"].ops)} ± ${r["zod 4"].rme.toFixed(1)}%`,
      "ajv 8": `${fmtOps(r["ajv 8"].ops)} ± ${r["ajv 8"].rme.toFixed(1)}%`,
      "hand-written JS": `${fmtOps(r["hand-written JS"].ops)} ± ${r["hand-written JS"].rme.toFixed(1)}%`,
      note: `vs zod ${vs("connectsafely-wasm", "zod 4")}, vs hand-written ${vs("connectsafely-wasm", "hand-written JS")}`,
    });
    shapeTable.push({ name, zod: vs("connectsafely-wasm", "zod 4"), hand: vs("connectsafely-wasm", "hand-written JS"), zodV: vs("connectsafely-wasm/validate", "zod 4"), handV: vs("connectsafely-wasm/validate", "hand-written JS") });
    if (name === Object.keys(SHAPES)[0]) figures.validation = vs("connectsafely-wasm", "zod 4");
  }
}

// 4. One send's cost with an in-process fetch that answers at once (no network: what
// the client itself costs; each contender alone in its process), then runs to many with
// it, then sends over loopback HTTP.
const CONTENDERS = ["connectsafely-wasm", "raw fetch + JSON.parse", WITH_TIMEOUT, "hand-written JS"];
let singleSendMs;
{
  const r = await alone(CONTENDERS);
  singleSendMs = r["connectsafely-wasm"].mean;
  const inProcessRounds = roundsOf(r, "connectsafely-wasm", "raw fetch + JSON.parse", "mean");
  row("send", "one send, in-process fetch that answers at once (latency = CPU)", {
    ...cells(r, (st) => `${us(st.mean)} ${spread(st)}`),
    note: `${withRounds(ratio(r["connectsafely-wasm"].mean, r["raw fetch + JSON.parse"].mean), inProcessRounds)} the raw fetch + JSON.parse`,
  });
  figures.inProcess = `${us(r["connectsafely-wasm"].mean)} vs ${us(r["raw fetch + JSON.parse"].mean)} (${ratio(r["connectsafely-wasm"].mean, r["raw fetch + JSON.parse"].mean)}${inProcessRounds ? `; ${inProcessRounds}` : ""})`;
  figures.inProcessFloor = ratio(r[WITH_TIMEOUT].mean, r["raw fetch + JSON.parse"].mean);
  figures.inProcessHand = ratio(r["hand-written JS"].mean, r["raw fetch + JSON.parse"].mean);

  // The same send with the fetch answering a plain object instead of a Response: the
  // client's own work, without the Response that costs Node.js most of the row above.
  const own = await alone(CONTENDERS, { plain: true });
  const over = (name) => us(own[name].mean - own["raw fetch + JSON.parse"].mean);
  row("send", "one send, in-process fetch answering a plain object, not a Response (the client's own work)", {
    ...cells(own, (st) => `${us(st.mean)} ${spread(st)}`),
    note: `over raw fetch: this package ${over("connectsafely-wasm")}, the hand-written client ${over("hand-written JS")}`,
  });
  figures.ownWork = `${over("connectsafely-wasm")} over the raw fetch's ${us(own["raw fetch + JSON.parse"].mean)}, the hand-written client ${over("hand-written JS")}`;
  // Issue 27: a send's own work beside the hand-written client's (milestone <= 1.25x).
  figures.ownVsHand = `${us(own["connectsafely-wasm"].mean)} vs ${us(own["hand-written JS"].mean)}: ${withRounds(ratio(own["connectsafely-wasm"].mean, own["hand-written JS"].mean), roundsOf(own, "connectsafely-wasm", "hand-written JS", "mean"))}`;

  // A run to many: the time per item must not grow with the run's length. A second of
  // runs first, as each single send above had: without it the first size measured V8
  // tiering the run's code up (2,000 items read 46-50 µs an item cold, 30 µs warm).
  for (const until = performance.now() + (QUICK ? 300 : 1000); performance.now() < until; ) {
    await new ConnectSafelyClient({ apiKey: API_KEY, fetch: inProcessFetch }).sendGroupWithAckMany(Array.from({ length: 500 }, () => sendBody), { concurrency: 4 });
  }
  const sizes = QUICK ? [2_000, 20_000] : [2_000, 20_000, 200_000, 1_000_000];
  const perItem = [];
  for (const n of sizes) {
    const bodies = Array.from({ length: n }, () => sendBody);
    const bulkClient = new ConnectSafelyClient({ apiKey: API_KEY, fetch: inProcessFetch });
    const times = [];
    for (let round = 0; round < (n >= 200_000 ? 1 : 3); round++) {
      const t = performance.now();
      const run = await bulkClient.sendGroupWithAckMany(bodies, { concurrency: 4 });
      times.push((performance.now() - t) / n);
      if (run.sent !== n) throw new Error(`bulk run sent ${run.sent} of ${n}`);
    }
    const best = Math.min(...times);
    perItem.push([n, best]);
    row("send", `sendGroupWithAckMany, ${n.toLocaleString("en-US")} items, in-process fetch, per item${times.length > 1 ? ` (best of ${times.length})` : ""}`, {
      "connectsafely-wasm": us(best),
      note: `${ratio(best, singleSendMs)} one send`,
    });
  }
  figures.bulk = perItem.map(([n, ms]) => `${n.toLocaleString("en-US")}: ${us(ms)}`).join(", ") + ` (one send ${us(singleSendMs)})`;
}

// Over loopback HTTP: the runtime's fetch to the sandbox, in another process. Each contender
// alone in its process, as above; sends per second are sends over the time they took.
{
  const rate = (st) => `${fmtOps(st.sendsPerSecond)} ± ${st.rme.toFixed(1)}%`;
  const warmup = QUICK ? 1000 : 3000;
  // Nine rounds, not five: over loopback a process's luck moves a figure most (roundsOf).
  const seq = await alone(CONTENDERS, { loopback: true, ms: QUICK ? 300 : 5400, warmup, rounds: QUICK ? 1 : 9 });
  const seqRounds = roundsOf(seq, "connectsafely-wasm", "raw fetch + JSON.parse", "sendsPerSecond");
  row("send", "sequential sends over loopback HTTP (sandbox in another process)", {
    ...cells(seq, rate),
    note: `vs raw fetch ${withRounds(ratio(seq["connectsafely-wasm"].sendsPerSecond, seq["raw fetch + JSON.parse"].sendsPerSecond), seqRounds)}`,
  });
  figures.sequential = withRounds(ratio(seq["connectsafely-wasm"].sendsPerSecond, seq["raw fetch + JSON.parse"].sendsPerSecond), seqRounds);
  figures.sequentialFloor = ratio(seq[WITH_TIMEOUT].sendsPerSecond, seq["raw fetch + JSON.parse"].sendsPerSecond);
  figures.sequentialHand = ratio(seq["hand-written JS"].sendsPerSecond, seq["raw fetch + JSON.parse"].sendsPerSecond);
  const conN = QUICK ? 100 : 200;
  const con = await alone(CONTENDERS, { loopback: true, batch: conN, ms: QUICK ? 500 : 2000, warmup });
  row("send", `${conN} concurrent sends over loopback HTTP`, {
    ...cells(con, rate),
    note: `vs raw fetch ${withRounds(ratio(con["connectsafely-wasm"].sendsPerSecond, con["raw fetch + JSON.parse"].sendsPerSecond), roundsOf(con, "connectsafely-wasm", "raw fetch + JSON.parse", "sendsPerSecond"))}`,
  });
}

const sandbox = await spawnSandbox(sandboxPort++);
const base = sandbox.base;
try {
  await fetch(`${base}/__sandbox/config`, { method: "POST", body: JSON.stringify({ quota: 1e9 }) });
  const client = new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: base });

  // 5. Memory
  if (typeof gc === "function") {
    const snap = () => {
      gc();
      gc();
      return { wasm: wasmMemoryBytes(), heap: process.memoryUsage().heapUsed };
    };
    // Each workload runs once before the first snapshot, so what the sections above left
    // behind (the runs to many's garbage, a heap sized for them) is settled before it.
    const validations = () => {
      for (let i = 0; i < 100_000; i++) validateSendGroupWithAck(i % 2 ? sendBody : { groupId: 1 });
    };
    validations();
    let a = snap();
    validations();
    let b = snap();
    row("memory", "growth per 100,000 validations", {
      "connectsafely-wasm": `wasm ${b.wasm - a.wasm} B, JS heap ${kib(b.heap - a.heap)}`,
      note: `wasm linear memory ${kib(b.wasm)}, both cores' (it never shrinks: the runs to many above grew the full core's; the validations and sends here run in the single-send core's)`,
    });
    const n = QUICK ? 2000 : 10_000;
    const sends = async () => {
      for (let i = 0; i < n; i += 100) await Promise.all(Array.from({ length: 100 }, () => client.sendGroupWithAck(sendBody)));
    };
    await sends();
    a = snap();
    await sends();
    b = snap();
    row("memory", `growth per ${n.toLocaleString("en-US")} sends`, { "connectsafely-wasm": `wasm ${b.wasm - a.wasm} B, JS heap ${kib(b.heap - a.heap)}` });
  } else {
    row("memory", "(run with node --expose-gc)", {});
  }
} finally {
  sandbox.stop();
}

const cpu = os.cpus()[0]?.model?.trim() ?? "unknown CPU";
const version = JSON.parse(readFileSync(path.join(pkg, "package.json"), "utf8")).version;
const date = new Date().toISOString().slice(0, 10);
const machine = `${cpu} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node.js ${process.version}`;
const cols = ["section", "measure", "connectsafely-wasm", "zod 4", "ajv 8", "raw fetch + JSON.parse", WITH_TIMEOUT, "hand-written JS", "note"];
const used = cols.filter((c) => rows.some((r) => r[c] !== undefined));
const cell = (r, c) => String(r[c] ?? "").replace(/\|/g, "\\|");
const widths = used.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
const line = (vals) => `| ${vals.map((v, i) => v.padEnd(widths[i])).join(" | ")} |`;
const table = [line(used), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map((r) => line(used.map((c) => cell(r, c))))].join("\n");
const vite = useSizes["Vite"]?.["send one"] !== undefined ? kib(useSizes["Vite"]["send one"]) : "(not measured: BENCH_NO_BUNDLERS)";
const issue11 = [
  "| figure | before issue 11 | this run | milestone | goal |",
  "|---|---|---|---|---|",
  `| what a Vite page that sends one downloads for this package, gzipped | 77 KiB | ${vite} | <= 40 KiB | <= 30 KiB |`,
  `| valid-body validation vs zod 4 | 0.10-0.18x | ${figures.validation} | >= 0.7x | >= 1.0x |`,
  `| sequential sends vs raw fetch + JSON.parse (loopback HTTP) | 0.68-0.73x | ${figures.sequential} | >= 0.95x | >= 0.98x |`,
  `| CPU of one send with an in-process fetch, vs that fetch + JSON.parse | 210-240 vs 51-59 µs (4x) | ${figures.inProcess} | <= 1.5x | <= 1.2x |`,
  `| run to many with that fetch, per item | 255-330 µs (2,000 and 20,000 items) | ${figures.bulk} | <= 1.5x a send | flat to 1,000,000 |`,
  "| `BulkPlan::next()` with 10,000 pending items, quota in flight | 192 ms per call | `cargo bench --bench plan` (below) | < 50 µs at 100,000 | O(log n) |",
].join("\n");
const floor = figures.sequentialFloor
  ? `\nThe same run, without any client: ${WITH_TIMEOUT} (a new AbortController and a timer around each fetch, ` +
    `as a hand-rolled timeout does) reads ${figures.sequentialFloor} raw fetch over loopback and ` +
    `${figures.inProcessFloor} its CPU in-process; the hand-written JS client ${figures.sequentialHand} and ` +
    `${figures.inProcessHand}.`
  : "";
const ownWork = figures.ownWork
  ? `${floor ? " " : "\n"}With the in-process fetch answering a plain object instead of a Response, a send costs this package ` +
    `${figures.ownWork}: what a Response costs Node.js also makes each client's own work dearer in the in-process row.`
  : "";
// Issue 26: what each use costs, the package beside the hand-written client.
const handKiB = kib(gz(path.join(root, "bench/handwritten/client.mjs")));
const bundlers = Object.keys(useSizes);
const ms = (x) => (x === undefined ? "-" : `${x.toFixed(1)} ms`);
const msOver = (x) => (x === undefined ? "-" : `${plus(x)} ms`);
const eachUse = bundlers.length
  ? [
      `| a page that... | ${bundlers.join(" | ")} | hand-written client |`,
      `|---|${bundlers.map(() => "---|").join("")}---|`,
      ...["validate only", "send one", "send to many"].map((use) => `| ${use} | ${bundlers.map((b) => (useSizes[b][use] === undefined ? "-" : kib(useSizes[b][use]))).join(" | ")} | ${handKiB} |`),
    ].join("\n")
  : "(not measured: BENCH_NO_BUNDLERS)";
const overCell = (c, entry) => (c?.over ? `, ${quartiles(c.over[entry])} over it` : "");
const coldStart = [
  "| cold start (median; then the overhead over the hand-written client: the median of each round's difference, with quartiles) | connectsafely-wasm | connectsafely-wasm/validate | hand-written client |",
  "|---|---|---|---|",
  ...["require", "import"].map((how) => {
    const c = cold.node?.[how];
    return `| Node.js: ${how === "require" ? "require" : "import()"} + the first validation, over an empty node | ${msOver(c?.index)}${overCell(c, "index")} | ${msOver(c?.validate)}${overCell(c, "validate")} | ${msOver(c?.hand)} |`;
  }),
  `| workerd in Miniflare (what \`wrangler dev\` runs; Miniflare's Node.js process handles each byte of the bundle first): start + the first request | ${ms(cold.workerd?.index)}${overCell(cold.workerd, "index")} | ${ms(cold.workerd?.validate)}${overCell(cold.workerd, "validate")} | ${ms(cold.workerd?.hand)} |`,
  `| workerd alone (\`workerd serve\`, the bundle's files read by the runtime): start + the first request | ${ms(cold.serve?.index)}${overCell(cold.serve, "index")} | ${ms(cold.serve?.validate)}${overCell(cold.serve, "validate")} | ${ms(cold.serve?.hand)} |`,
  `| a page in Chromium (the main entry as pages get it: web.mjs): the first validation, from navigation start (the overhead: from the import to the first result) | ${ms(cold.page?.index)}${overCell(cold.page, "index")} | ${ms(cold.page?.validate)}${overCell(cold.page, "validate")} | ${ms(cold.page?.hand)} |`,
].join("\n");
const issue27 = [
  "| body shape | connectsafely-wasm vs zod 4 | vs hand-written | connectsafely-wasm/validate vs zod 4 | vs hand-written |",
  "|---|---|---|---|---|",
  ...shapeTable.map((t) => `| ${t.name} | ${t.zod} | ${t.hand} | ${t.zodV} | ${t.handV} |`),
  "",
  `A send's own work (the in-process fetch answering a plain object), this package vs the hand-written client: ${figures.ownVsHand ?? "-"} (milestone <= 1.25x).`,
].join("\n");
const issue26 = `What each use downloads (gzip -9 of the JS and wasm the page fetched in Chromium; the matrix's builds, default config):\n\n${eachUse}\n\n${coldStart}`;

console.log(`connectsafely-wasm ${version} benchmarks, ${date}`);
console.log(`machine: ${machine}`);
console.log(table);
console.log(`\n${issue11}\n${floor}${ownWork}`);
console.log(`\n${issue26}`);
console.log(`\n${issue27}`);
if (!QUICK && !process.env.BENCH_NO_WRITE) {
  const doc = `# Performance

The latest \`make bench\` run: ${date}, connectsafely-wasm ${version}, on ${machine}.
Every figure of one table comes from the same run; throughput and latency are
measured with [tinybench](https://github.com/tinylibs/tinybench), the tasks of one row
taking turns in five short rounds (order reversed every other round) and each figure its
task's median round (± is that round's relative margin of error, p99 its 99th
percentile); in the send rows each task runs each round in a process of its own
(\`bench/send-alone.mjs\`, after a second of warm-up; over loopback, three seconds, a
sandbox started for that process alone and nine rounds of sequential sends), so no task's
garbage is collected in another's turn. Where a send row compares this package with raw
fetch, its note also gives the lowest and highest of the rounds' own ratios: one process's
luck moves a send figure by up to 40% on this machine, so a ratio is only as sure as that
range. Every rate is the calls (or sends) over the time they took. Sizes are gzipped at
level 9, and the
native schedule bench (\`cargo bench --bench plan\`, divan) follows. \`make bench\`
rewrites this file; how each figure got here, and how to judge a change, is
[performance-history.md](performance-history.md).

${table}

## What each use costs

${issue26}

## Validation per body shape, and a send's own work

Rates side by side (the table above), as ratios: above 1.0x is faster than the other.
Milestone (issue 27): at least 0.7x zod on every shape but the two long messages, and at
least 1.0x the hand-written validator on every shape. Instructions per operation, which
this machine does not blur: \`make bench-icount\`.

${issue27}

## Where issue 11's figures stand

${issue11}
${floor}${ownWork}

## The bulk schedule, natively (\`cargo bench --bench plan\`, same \`make bench\`)

\`\`\`
${(() => {
  try {
    return readFileSync(path.join(root, "target/bench-plan.txt"), "utf8").trim();
  } catch {
    return "(not run: make bench runs it first)";
  }
})()}
\`\`\`
`;
  writeFileSync(path.join(root, "docs/performance.md"), doc);
}
