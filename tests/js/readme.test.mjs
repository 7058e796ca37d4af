// Every JavaScript example of the package README runs as written, and does what its text
// says: each ```js block (outside the sections generated from other tested files) is
// copied out of pkg-template/README.md and run, in Node.js against the sandbox, with a real
// redis-server for the Redis example and in headless Chromium for the IndexedDB one. An
// example with no run here fails the first test, so a new one cannot go untested.
//
// The examples talk to the production URL, as a user's code does; the preamble
// (readme/preamble.mjs) routes that origin to the sandbox on loopback, nothing else.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { launchChromium } from "../chromium.mjs";
import { SANDBOX, URN, reset, config, fault, control, messages } from "./helpers.mjs";
import { startRedis } from "./redis/redis-server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const README = readFileSync(path.join(root, "pkg-template/README.md"), "utf8");
const KEY = "sk-readme-KEY-0123456789";
const work = path.join(here, ".readme-run"); // inside tests/js, so `connectsafely-wasm` and `redis` resolve

/** The README's ```js blocks, without the generated sections (their sources are tested where they live). */
function examples(markdown) {
  const hand = markdown.replace(/<!-- (\w+):begin[\s\S]*?<!-- \1:end -->/g, "");
  return [...hand.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
}
const blocks = examples(README);
/** The one example containing `marker`. */
function example(marker) {
  const found = blocks.filter((b) => b.includes(marker));
  assert.equal(found.length, 1, `one README example contains ${JSON.stringify(marker)}`);
  return found[0];
}
// What picks each example out; the tests below run each one.
const MARKERS = {
  quickStart: "import { ConnectSafelyClient, validateSendGroupWithAck }",
  many: "client.sendGroupWithAckMany(bodies, {\n  concurrency: 2",
  observe: 'logLevel: "debug"',
  redis: "redisStore(redis)",
  indexedDb: "indexedDbStore()",
};

/** Runs `code` as an ES module in a Node.js process; resolves to { code, stdout, stderr }. */
function run(code, env = {}) {
  mkdirSync(work, { recursive: true });
  const file = path.join(work, `example-${process.hrtime.bigint()}.mjs`);
  writeFileSync(file, code);
  const child = spawn(process.execPath, ["--import", path.join(here, "readme/preamble.mjs"), file], {
    env: { ...process.env, README_SANDBOX: SANDBOX, CONNECTSAFELY_API_KEY: KEY, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  // "close", not "exit": by then every byte of its output has been read.
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
const bodiesSource = (n) =>
  `const bodies = Array.from({ length: ${n} }, (_, i) => ({ recipientProfileUrn: ${JSON.stringify(URN)}, groupId: "12345678", message: \`Welcome to the group, member \${i}\` }));\n`;

let redis;
before(async () => {
  redis = await startRedis();
});
after(() => {
  redis?.stop();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(async () => {
  await reset();
  await config({ keys: ["sandbox-key", KEY] });
});

test("every JavaScript example of the package README is run by a test here", () => {
  assert.ok(blocks.length >= Object.keys(MARKERS).length);
  for (const block of blocks) {
    const runs = Object.values(MARKERS).filter((m) => block.includes(m));
    assert.equal(runs.length, 1, `this README example has one test that runs it:\n${block}`);
  }
});

test("the first example: a send prints the server's message and the quota left today", async () => {
  const r = await run(example(MARKERS.quickStart));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), "Group context message sent successfully 149 left today");
  assert.equal(r.stderr, "");
  const sent = await messages();
  assert.equal(sent.length, 1);
  assert.equal(sent[0].message, "Thanks for your message in the group!");
});

test("the first example: a 5xx takes its deliveryUnknown branch, a wrong key its error branch", async () => {
  await fault({ status: 503 });
  const unknown = await run(example(MARKERS.quickStart));
  assert.equal(unknown.code, 0, unknown.stderr);
  assert.equal(unknown.stdout, "");
  assert.match(unknown.stderr, /^It may have been delivered: check before resending\. /m);

  const wrong = await run(example(MARKERS.quickStart), { CONNECTSAFELY_API_KEY: "sk-not-a-key" });
  assert.equal(wrong.code, 0, wrong.stderr);
  assert.match(wrong.stderr, /^unauthorized /m);
  assert.doesNotMatch(wrong.stderr, /sk-not-a-key/, "the key is in no output");
});

test("Sending to many: a run stops at the account's quota, and notAttempted is what to send tomorrow", async () => {
  await config({ quota: 3 });
  const prelude = `import { ConnectSafelyClient } from "connectsafely-wasm";\n${bodiesSource(5)}const client = new ConnectSafelyClient({ apiKey: process.env.CONNECTSAFELY_API_KEY });\n`;
  const r = await run(`${prelude}${example(MARKERS.many)}\nconsole.log("tomorrow", JSON.stringify(tomorrow.map((b) => b.message)));\n`);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.deepEqual(lines.slice(0, 3).sort(), ["0 sent", "1 sent", "2 sent"]);
  assert.equal(lines[3], "3 0 rate_limited", "the comment's `sent, failed, stoppedBy`");
  assert.equal(lines[4], `tomorrow ${JSON.stringify(["Welcome to the group, member 3", "Welcome to the group, member 4"])}`);
  assert.equal((await messages()).length, 3);
});

test("Logs, hooks and headers: debug lines go to the console, and both kinds of headers reach the server", async () => {
  const prelude = `import { ConnectSafelyClient } from "connectsafely-wasm";\nconst body = { recipientProfileUrn: ${JSON.stringify(URN)}, groupId: "12345678", message: "Private words" };\nconst traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";\n`;
  const r = await run(prelude + example(MARKERS.observe), { PROXY_TOKEN: "proxy-token-1" });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^connectsafely-wasm: .*POST http.*200/m, "a debug line for the attempt");
  for (const secret of [KEY, "Private words"]) assert.ok(!(r.stdout + r.stderr).includes(secret), `no line holds ${secret}`);
  const [request] = (await control("GET", "requests")).requests;
  assert.equal(request.headers["x-proxy-auth"], "proxy-token-1");
  assert.equal(request.headers.traceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  assert.match(request.headers["user-agent"], /^connectsafely-wasm\//);
});

test("Many processes, one quota (Redis): the run is journaled, and running it again sends nothing twice", async () => {
  await redis.flush();
  const code = `${bodiesSource(4)}${example(MARKERS.redis)}\nconsole.log(JSON.stringify({ sent: run.sent, failed: run.failed, notAttempted: run.notAttempted.length }));\nawait redis.quit();\n`;
  const first = await run(code, { REDIS_URL: redis.url });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout.trim().split("\n").at(-1)), { sent: 4, failed: 0, notAttempted: 0 });
  const again = await run(code, { REDIS_URL: redis.url });
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await messages()).length, 4, "the second run sent nothing: every item came from the journal");
});

test("Many processes, one quota (IndexedDB): the browser example sends from a page, through the store", async () => {
  const browser = await launchChromium(chromium);
  try {
    const page = await browser.newPage();
    const origin = new URL(SANDBOX).origin;
    // The page and the package are served on the sandbox's origin, as a site serves its own files.
    const imports = { "connectsafely-wasm": "/readme/pkg/web.mjs", "connectsafely-wasm/indexeddb": "/readme/pkg/indexeddb.mjs" };
    // The example as a page's module script; what it throws is reported as its outcome.
    const script = `import { ConnectSafelyClient } from "connectsafely-wasm";
const apiKey = ${JSON.stringify(KEY)};
const baseUrl = location.origin;
try {
${example(MARKERS.indexedDb).replace(/^import .*\n/m, "")}
const result = await client.sendGroupWithAck({ recipientProfileUrn: ${JSON.stringify(URN)}, groupId: "12345678", message: "From a page" });
window.outcome = { ok: result.ok, remaining: result.rateLimit?.remaining, kind: result.error?.kind ?? null };
} catch (e) {
window.outcome = { thrown: String(e) };
}`;
    const imported = example(MARKERS.indexedDb).match(/^import .*$/m)[0];
    await page.route(`${origin}/readme/**`, (route) => {
      const { pathname } = new URL(route.request().url());
      if (pathname === "/readme/") {
        return route.fulfill({ contentType: "text/html", body: `<!doctype html><script type="importmap">${JSON.stringify({ imports })}</script><script type="module">${imported}\n${script}</script>` });
      }
      const file = path.join(root, "pkg", pathname.slice("/readme/pkg/".length));
      return route.fulfill({ contentType: "text/javascript", body: readFileSync(file) });
    });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${origin}/readme/`);
    await page.waitForFunction(() => window.outcome, null, { timeout: 20_000 });
    assert.deepEqual(errors, []);
    assert.deepEqual(await page.evaluate(() => window.outcome), { ok: true, remaining: 149, kind: null });
    const keys = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const open = indexedDB.open("connectsafely-wasm");
          open.onsuccess = () => {
            const all = open.result.transaction("kv").objectStore("kv").getAllKeys();
            all.onsuccess = () => resolve(all.result.length);
          };
        }),
    );
    assert.ok(keys >= 1, "the send's account record is in the page's IndexedDB");
    assert.equal((await messages()).length, 1);
  } finally {
    await browser.close();
  }
});
