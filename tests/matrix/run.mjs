// The compatibility matrix: packs pkg/ as the registry would serve it, installs
// the tarball into throwaway consumer projects with npm, and runs the same smoke
// in each runtime against one sandbox API. Prints "N passed, N failed".
//
//   node tests/matrix/run.mjs [cell ...]      (pkg/ must be built: make pkg)
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createSandbox } from "../../sandbox/server.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = (name) => path.join(root, "node_modules/.bin", name);
const here = path.join(root, "tests/matrix");
const only = process.argv.slice(2);

function run(cmd, args, { cwd, env = {}, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: String(e) });
    });
  });
}

async function must(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${path.basename(cmd)} ${args.join(" ")} exited ${r.code}${r.signal ? ` (${r.signal})` : ""}\n${r.stdout}\n${r.stderr}`.trim());
  return r;
}

/** The smoke's JSON report from the last line of output, judged. */
function judge(text) {
  const line = text.trim().split("\n").pop() || "";
  let report;
  try {
    report = JSON.parse(line);
  } catch {
    throw new Error(`no smoke report in the output:\n${text.slice(-2000)}`);
  }
  const failed = report.checks.filter((c) => !c.ok);
  if (!report.passed) throw new Error(`failed checks: ${JSON.stringify(failed, null, 1).slice(0, 3000)}`);
  return `${report.checks.length} checks`;
}

const work = mkdtempSync(path.join(os.tmpdir(), "connectsafely-matrix-"));
const consumers = path.join(work, "consumers");
let browser;
let server;
try {
  // The tarball a user would get from the registry.
  const packed = await must("npm", ["pack", path.join(root, "pkg"), "--pack-destination", work, "--json"], { cwd: work });
  const [info] = JSON.parse(packed.stdout);
  const tarball = path.join(work, info.filename);
  console.log(`# packed ${info.filename}: ${info.size} bytes, ${info.entryCount} files (unpacked ${info.unpackedSize})`);
  for (const f of info.files) {
    if (/\.(rs|map|test\.\w+)$|(^|\/)tests?\//.test(f.path)) throw new Error(`the tarball holds a file users do not need: ${f.path}`);
  }

  const types = readFileSync(path.join(root, "pkg/index.d.ts"), "utf8");
  for (const doc of ["Validates `body`, then sends it once.", "Sends many bodies, quota-aware", "Never throws."]) {
    if (!types.includes(doc)) throw new Error(`the doc comment "${doc}" from Rust is missing from index.d.ts`);
  }
  const manifest = JSON.parse(readFileSync(path.join(root, "pkg/package.json"), "utf8"));
  for (const field of ["dependencies", "scripts", "bin"]) {
    if (manifest[field]) throw new Error(`the package declares ${field}: users would install or run more than this package`);
  }

  cpSync(path.join(here, "consumers"), consumers, { recursive: true });
  const names = readdirSync(consumers);
  for (const name of names) cpSync(path.join(here, "smoke.mjs"), path.join(consumers, name, "smoke.mjs"));
  // npm installs from the tarball, as a user would; one project at a time keeps npm's cache sane.
  for (const name of names) {
    await must("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error", tarball], { cwd: path.join(consumers, name) });
  }

  const dir = (name) => path.join(consumers, name);
  server = createSandbox({
    statics: [
      { prefix: "/vite/", dir: path.join(dir("vite"), "dist") },
      { prefix: "/esbuild/", dir: dir("esbuild") },
      { prefix: "/page/", dir: dir("page") },
    ],
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const sandboxEnv = { SANDBOX: base };

  async function inBrowser(url) {
    if (!browser) {
      const { chromium } = await import("playwright-core");
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage"],
      });
    }
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    try {
      await page.goto(url);
      await page.waitForSelector("#result[data-done]", { timeout: 30_000 }).catch(() => {
        throw new Error(`the page did not finish: ${errors.join("\n") || "(no error)"}`);
      });
      return judge(await page.textContent("#result"));
    } finally {
      await page.close();
    }
  }

  const cells = {
    "Node.js ESM (import)": async () => judge((await must("node", ["main.mjs"], { cwd: dir("node-esm"), env: sandboxEnv })).stdout),
    "Node.js CJS (require)": async () => judge((await must("node", ["main.cjs"], { cwd: dir("node-cjs"), env: sandboxEnv })).stdout),
    Deno: async () =>
      judge((await must(bin("deno"), ["run", "--quiet", "--no-prompt", `--allow-net=127.0.0.1`, "main.mjs", base], { cwd: dir("deno"), env: { DENO_NO_UPDATE_CHECK: "1", DENO_DIR: path.join(work, "deno-cache") } })).stdout),
    Bun: async () => judge((await must(bin("bun"), ["main.mjs"], { cwd: dir("bun"), env: sandboxEnv })).stdout),
    "workerd (wrangler deploy --dry-run, Miniflare)": async () => {
      const cwd = dir("workerd");
      await must(bin("wrangler"), ["deploy", "--dry-run", "--outdir", "dist"], {
        cwd,
        env: { WRANGLER_SEND_METRICS: "false", WRANGLER_LOG_PATH: path.join(work, "wrangler-logs"), CI: "true", XDG_CONFIG_HOME: path.join(work, "xdg") },
      });
      const { Miniflare } = await import("miniflare");
      const mf = new Miniflare({
        modules: true,
        scriptPath: path.join(cwd, "dist/index.js"),
        modulesRoot: path.join(cwd, "dist"),
        modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
        compatibilityDate: "2026-04-01",
      });
      try {
        const res = await mf.dispatchFetch(`http://matrix.test/?sandbox=${encodeURIComponent(base)}`);
        return judge(await res.text());
      } finally {
        await mf.dispose();
      }
    },
    "Vite 7 build in headless Chromium": async () => {
      await must(bin("vite"), ["build", "--base", "./", "--logLevel", "warn"], { cwd: dir("vite") });
      return inBrowser(`${base}/vite/`);
    },
    "esbuild bundle in headless Chromium": async () => {
      await must(bin("esbuild"), ["main.js", "--bundle", "--format=esm", "--platform=browser", "--outfile=dist/main.js", "--log-level=warning"], { cwd: dir("esbuild") });
      return inBrowser(`${base}/esbuild/`);
    },
    "no-bundler page in headless Chromium": async () => inBrowser(`${base}/page/`),
    "TypeScript strict consumer (tsc --noEmit)": async () => {
      await must(bin("tsc"), ["-p", "tsconfig.json"], { cwd: dir("ts") });
      return "types narrow on ok and error.kind; every @ts-expect-error holds";
    },
    "Node.js without global fetch: one clear error": async () => {
      const r = await run("node", ["--no-experimental-fetch", "-e", "require('connectsafely-wasm')"], { cwd: dir("node-cjs") });
      if (r.code === 0 || !/needs the global fetch of Node\.js 18 or later/.test(r.stderr)) throw new Error(`unexpected: ${r.code}\n${r.stderr}`);
      if (/connectsafely_wasm\.js/.test(r.stderr)) throw new Error(`the error comes from deep inside the glue:\n${r.stderr}`);
      return "names the missing global fetch";
    },
    "a runtime without WebAssembly: one clear error": async () => {
      const r = await run("node", ["--jitless", "main.mjs"], { cwd: dir("node-esm"), env: sandboxEnv });
      if (r.code === 0 || !/needs WebAssembly/.test(r.stderr)) throw new Error(`unexpected: ${r.code}\n${r.stderr}`);
      if (/connectsafely_wasm\.js/.test(r.stderr)) throw new Error(`the error comes from deep inside the glue:\n${r.stderr}`);
      return "names the missing WebAssembly";
    },
  };

  let passed = 0;
  let failed = 0;
  for (const [name, cell] of Object.entries(cells)) {
    if (only.length && !only.some((o) => name.toLowerCase().includes(o.toLowerCase()))) continue;
    const started = Date.now();
    try {
      const detail = await cell();
      passed += 1;
      console.log(`ok - ${name}: ${detail} (${Date.now() - started} ms)`);
    } catch (e) {
      failed += 1;
      console.log(`not ok - ${name} (${Date.now() - started} ms)\n${String(e.stack || e).replace(/^/gm, "    ")}`);
    }
  }
  console.log(`matrix: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
} finally {
  await browser?.close();
  server?.close();
  server?.closeAllConnections?.();
  if (!process.env.KEEP_MATRIX) rmSync(work, { recursive: true, force: true });
  else writeFileSync(path.join(work, "KEPT"), "");
}
