// make bench: one table, every figure measured side by side in this run.
//   node --expose-gc bench/run.mjs          (pkg/ must be built: make pkg)
// Sections: size, cold start, validation throughput, send throughput, memory.
import { spawnSync } from "node:child_process";
import { readFileSync, mkdtempSync, writeFileSync, cpSync, rmSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { spawnSandbox } from "../sandbox/spawn.mjs";
import { loadPackage } from "./load-package.mjs";

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

const { ConnectSafelyClient, validateSendGroupWithAck, wasmMemoryBytes } = loadPackage();
const { HandwrittenClient, validate: handValidate } = await import("./handwritten/client.mjs");
const { zodSchema, ajvValidate } = await import("./schemas.mjs");

// 1. Size: the package's entries, and what each bundler's build of the matrix's form app
// ships (tests/matrix, its JavaScript and wasm gzipped; the app's own code is under 1 KiB).
{
  const p = (f) => path.join(pkg, f);
  const wasm = p("connectsafely_wasm_bg.wasm");
  row("size", "wasm", { "connectsafely-wasm": `${kib(raw(wasm))} raw, ${kib(gz(wasm))} gzipped` });
  const hand = gz(path.join(root, "bench/handwritten/client.mjs"));
  const entries = {
    "index.mjs (bundlers, browsers, Node.js, Deno, Bun: wasm inlined)": ["index.mjs"],
    "edge.mjs + .wasm (workerd, edge-light)": ["edge.mjs", "connectsafely_wasm_bg.wasm"],
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
    const { shipped } = JSON.parse(readFileSync(report, "utf8"));
    rmSync(report, { force: true });
    for (const [cell, bytes] of Object.entries(shipped)) {
      row("size", `ships in a form app built by ${cell}`, { "connectsafely-wasm": `${kib(bytes)} gzipped` });
    }
    row("size", "(before issue 10)", { note: "Vite 77 KiB (web/inline.js, top-level await); webpack, Rspack, Parcel, Rollup IIFE and Next.js builds did not run" });
  }
}

// 2. Cold start: a fresh Node.js process that imports the client and validates one body.
{
  const body = `{recipientProfileUrn:"urn:li:fsd_profile:A",groupId:"1",message:"hi"}`;
  const scripts = {
    "node (empty)": "",
    "connectsafely-wasm": `const m=require(${JSON.stringify(path.join(pkg, "index.cjs"))});if(!m.validateSendGroupWithAck(${body}).ok)process.exit(1)`,
    "hand-written JS": `import(${JSON.stringify(path.join(root, "bench/handwritten/client.mjs"))}).then(m=>{if(!m.validate(${body}).ok)process.exit(1)})`,
  };
  const runs = QUICK ? 5 : 21;
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const times = Object.fromEntries(Object.keys(scripts).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, code] of Object.entries(scripts)) {
      const t = process.hrtime.bigint();
      const r = spawnSync(process.execPath, ["-e", code]);
      if (r.status !== 0) throw new Error(`cold start ${name} failed: ${r.stderr}`);
      times[name].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  const base = median(times["node (empty)"]);
  const pkgMs = median(times["connectsafely-wasm"]);
  const handMs = median(times["hand-written JS"]);
  row("cold start", `Node.js process, import + validate one body (median of ${runs}; empty node ${base.toFixed(1)} ms)`, {
    "connectsafely-wasm": `${pkgMs.toFixed(1)} ms (+${(pkgMs - base).toFixed(1)})`,
    "hand-written JS": `${handMs.toFixed(1)} ms (+${(handMs - base).toFixed(1)})`,
    note: `overhead vs hand-written: ${(pkgMs - handMs).toFixed(1)} ms`,
  });
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
    for (const name of ["pkg", "handw"]) {
      await build({ absWorkingDir: work, entryPoints: [`${name}.mjs`], bundle: true, format: "esm", conditions: ["workerd", "worker"], loader: { ".wasm": "copy" }, outdir: `out-${name}`, logLevel: "error", plugins: [wasmModule] });
    }
    const startOnce = async (name) => {
      const t = performance.now();
      const mf = new Miniflare({
        modules: true,
        scriptPath: path.join(work, `out-${name}/${name}.js`),
        modulesRoot: path.join(work, `out-${name}`),
        modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
        compatibilityDate: "2026-04-01",
      });
      const res = await mf.dispatchFetch("http://bench/");
      const text = await res.text();
      const ms = performance.now() - t;
      await mf.dispose();
      if (text !== "true") throw new Error(`workerd bench ${name}: ${text}`);
      return ms;
    };
    const n = QUICK ? 2 : 5;
    const med = async (name) => {
      const xs = [];
      for (let i = 0; i < n; i++) xs.push(await startOnce(name));
      return xs.sort((a, b) => a - b)[n >> 1];
    };
    const a = await med("pkg");
    const b = await med("handw");
    row("cold start", `workerd (Miniflare) start + first request (median of ${n})`, {
      "connectsafely-wasm": `${a.toFixed(0)} ms`,
      "hand-written JS": `${b.toFixed(0)} ms`,
      note: `module instantiation ~${(a - b).toFixed(0)} ms`,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// 3. Validation throughput
{
  const URN = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";
  const bodies = {
    "valid body": { recipientProfileUrn: URN, groupId: "12345678", message: "Thanks for your message in the group!" },
    "invalid body, four errors": { recipientProfileUrn: "nope", groupId: 12345678, message: " ", messageUrns: "x" },
    "8000-character message": { recipientProfileUrn: URN, groupId: "12345678", message: "é".repeat(8000) },
  };
  const validators = {
    "connectsafely-wasm": (b) => validateSendGroupWithAck(b).ok,
    "zod 4": (b) => zodSchema.safeParse(b).success,
    "ajv 8": (b) => ajvValidate(b),
    "hand-written JS": (b) => handValidate(b).ok,
  };
  const ms = QUICK ? 200 : 700;
  const measure = (fn) => {
    for (let i = 0; i < 2000; i++) fn();
    let n = 0;
    const t = performance.now();
    while (performance.now() - t < ms) {
      for (let i = 0; i < 200; i++) fn();
      n += 200;
    }
    return n / ((performance.now() - t) / 1000);
  };
  for (const [name, body] of Object.entries(bodies)) {
    const expected = validators["hand-written JS"](body);
    const res = {};
    for (const [v, fn] of Object.entries(validators)) {
      if (fn(body) !== expected) throw new Error(`${v} disagrees on ${name}`);
      res[v] = measure(() => fn(body));
    }
    row("validate", name, {
      ...Object.fromEntries(Object.entries(res).map(([k, v]) => [k, fmtOps(v)])),
      note: `vs zod ${ratio(res["connectsafely-wasm"], res["zod 4"])}`,
    });
  }
}

// 4. Send throughput against a loopback sandbox (another process)
const sandbox = await spawnSandbox(18797);
const base = sandbox.base;
try {
  await fetch(`${base}/__sandbox/config`, { method: "POST", body: JSON.stringify({ quota: 1e9 }) });
  const body = { recipientProfileUrn: "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o", groupId: "12345678", message: "Thanks for your message in the group!" };
  const client = new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: base });
  const hand = new HandwrittenClient({ apiKey: "sandbox-key", baseUrl: base });
  const url = `${base}/linkedin/messaging/send-group-with-ack`;
  const senders = {
    "connectsafely-wasm": async () => (await client.sendGroupWithAck(body)).ok,
    "raw fetch + JSON.parse": async () => {
      const res = await fetch(url, {
        method: "POST",
        headers: { Authorization: "Bearer sandbox-key", "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      return JSON.parse(await res.text()).success === true;
    },
    "hand-written JS": async () => (await hand.sendGroupWithAck(body)).ok,
  };
  const seqN = QUICK ? 500 : 3000;
  const conN = QUICK ? 200 : 1000;
  const sequential = async (f) => {
    const t = performance.now();
    for (let i = 0; i < seqN; i++) if (!(await f())) throw new Error("a send failed");
    return seqN / ((performance.now() - t) / 1000);
  };
  const concurrent = async (f) => {
    const t = performance.now();
    const ok = await Promise.all(Array.from({ length: conN }, f));
    if (!ok.every(Boolean)) throw new Error("a send failed");
    return conN / ((performance.now() - t) / 1000);
  };
  for (const f of Object.values(senders)) for (let i = 0; i < 300; i++) await f();
  // Interleave rounds so drift in the machine's load falls on every client alike.
  const rounds = QUICK ? 1 : 3;
  const seq = Object.fromEntries(Object.keys(senders).map((k) => [k, 0]));
  const con = Object.fromEntries(Object.keys(senders).map((k) => [k, 0]));
  for (let r = 0; r < rounds; r++) {
    for (const [k, f] of Object.entries(senders)) seq[k] += (await sequential(f)) / rounds;
    for (const [k, f] of Object.entries(senders)) con[k] += (await concurrent(f)) / rounds;
  }
  const fmt = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fmtOps(v)]));
  row("send", `${seqN} sequential sends (mean of ${rounds} rounds)`, { ...fmt(seq), note: `vs raw fetch ${ratio(seq["connectsafely-wasm"], seq["raw fetch + JSON.parse"])}` });
  row("send", `${conN} concurrent sends (mean of ${rounds} rounds)`, { ...fmt(con), note: `vs raw fetch ${ratio(con["connectsafely-wasm"], con["raw fetch + JSON.parse"])}` });

  // 5. Memory
  if (typeof gc === "function") {
    const snap = () => {
      gc();
      gc();
      return { wasm: wasmMemoryBytes(), heap: process.memoryUsage().heapUsed };
    };
    let a = snap();
    for (let i = 0; i < 100_000; i++) validateSendGroupWithAck(i % 2 ? body : { groupId: 1 });
    let b = snap();
    row("memory", "growth per 100,000 validations", { "connectsafely-wasm": `wasm ${b.wasm - a.wasm} B, JS heap ${kib(b.heap - a.heap)}`, note: `wasm linear memory ${kib(b.wasm)}` });
    const n = QUICK ? 2000 : 10_000;
    a = snap();
    for (let i = 0; i < n; i += 100) await Promise.all(Array.from({ length: 100 }, () => client.sendGroupWithAck(body)));
    b = snap();
    row("memory", `growth per ${n.toLocaleString("en-US")} sends`, { "connectsafely-wasm": `wasm ${b.wasm - a.wasm} B, JS heap ${kib(b.heap - a.heap)}` });
  } else {
    row("memory", "(run with node --expose-gc)", {});
  }
} finally {
  sandbox.stop();
}

const cpu = os.cpus()[0]?.model?.trim() ?? "unknown CPU";
console.log(`connectsafely-wasm ${JSON.parse(readFileSync(path.join(pkg, "package.json"), "utf8")).version} benchmarks, ${new Date().toISOString().slice(0, 10)}`);
console.log(`machine: ${cpu} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node.js ${process.version}`);
const cols = ["section", "measure", "connectsafely-wasm", "zod 4", "ajv 8", "raw fetch + JSON.parse", "hand-written JS", "note"];
const used = cols.filter((c) => rows.some((r) => r[c] !== undefined));
const cell = (r, c) => String(r[c] ?? "");
const widths = used.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
const line = (vals) => `| ${vals.map((v, i) => v.padEnd(widths[i])).join(" | ")} |`;
console.log(line(used));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(used.map((c) => cell(r, c))));
