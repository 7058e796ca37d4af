#!/usr/bin/env node
// A cargo target runner for wasm-bindgen-test in Firefox ESR: Debian has no geckodriver,
// so wasm-bindgen-test-runner serves the suite's page in its interactive mode
// (NO_HEADLESS) and headless Firefox, driven over WebDriver BiDi by puppeteer-core,
// opens it; the page's output is printed and decides the exit code.
//   CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=scripts/firefox-test-runner.mjs \
//     cargo test --target wasm32-unknown-unknown --features client,npm --test browser
import { spawn } from "node:child_process";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { freePort } from "../tests/js/redis/redis-server.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const puppeteer = createRequire(path.join(root, "package.json"))("puppeteer-core");
const args = process.argv.slice(2);

const port = await freePort();
const server = spawn("wasm-bindgen-test-runner", args, {
  env: { ...process.env, NO_HEADLESS: "1", WASM_BINDGEN_TEST_ADDRESS: `127.0.0.1:${port}` },
  stdio: ["ignore", "pipe", "pipe"],
});
let log = "";
const url = await new Promise((resolve, reject) => {
  const seen = (d) => {
    log += d;
    const m = log.match(/available at (http:\/\/\S+)/);
    if (m) resolve(m[1]);
  };
  server.stdout.on("data", seen);
  server.stderr.on("data", seen);
  server.on("exit", (code) => reject(new Error(`wasm-bindgen-test-runner exited ${code}:\n${log}`)));
  setTimeout(() => reject(new Error(`wasm-bindgen-test-runner served nothing in 60 s:\n${log}`)), 60_000);
});

let code = 1;
const firefox = await puppeteer.launch({ browser: "firefox", executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr", headless: true });
try {
  const page = await firefox.newPage();
  await page.goto(url);
  // The harness writes its report into the page; "test result:" ends it.
  const handle = await page.waitForFunction(
    () => {
      const text = document.body?.innerText ?? "";
      return /test result: (ok|FAILED)/.test(text) && text;
    },
    { timeout: 300_000, polling: 200 },
  );
  const report = await handle.jsonValue();
  console.log(`Firefox ESR (${await firefox.version()}):\n${report}`);
  code = /test result: ok\./.test(report) ? 0 : 1;
} finally {
  await firefox.close();
  server.kill();
}
process.exit(code);
