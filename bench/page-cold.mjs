// A page's cold start in headless Chromium: a module script imports the package by URL
// (no bundler, as the no-bundler page of tests/matrix does) and validates one body; the
// figure is performance.now() at the result, i.e. from navigation start, with the
// network on loopback and nothing cached (a fresh browser context for every load).
// The entries of pkg/ and the hand-written client, loaded in turn, side by side.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../tests/chromium.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BODY = JSON.stringify({ recipientProfileUrn: "urn:li:fsd_profile:A", groupId: "1", message: "hi" });

const page = (src, name) => `<!doctype html><meta charset="utf-8"><title>cold</title>
<script type="module">
import { ${name} as validate } from "${src}";
const ok = validate(${BODY}).ok;
window.coldStart = { ok, ms: performance.now() };
</script>`;

const pages = {
  "/index.html": page("/pkg/index.mjs", "validateSendGroupWithAck"),
  "/validate.html": page("/pkg/validate.mjs", "validateSendGroupWithAck"),
  "/hand.html": page("/hand.mjs", "validate"),
};
const files = {
  "/pkg/index.mjs": path.join(root, "pkg/index.mjs"),
  "/pkg/validate.mjs": path.join(root, "pkg/validate.mjs"),
  "/hand.mjs": path.join(root, "bench/handwritten/client.mjs"),
};

/**
 * Median milliseconds from navigation start to the first validation's result, over `n`
 * cold loads of each page: `{ package: { "index.mjs": ms, "validate.mjs": ms }, hand: ms }`.
 * @param {number} n
 */
export async function pageColdStart(n) {
  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    const headers = { "Cache-Control": "no-store" };
    if (pages[url]) res.writeHead(200, { ...headers, "Content-Type": "text/html" }).end(pages[url]);
    else if (files[url]) res.writeHead(200, { ...headers, "Content-Type": "text/javascript" }).end(readFileSync(files[url]));
    else res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${/** @type {any} */ (server.address()).port}`;
  const { chromium } = await import("playwright-core");
  const browser = await launchChromium(chromium);
  /** @type {Record<string, number[]>} */
  const times = { "/index.html": [], "/validate.html": [], "/hand.html": [] };
  try {
    // One warm-up round (the browser's own first start), then n rounds in turn.
    for (let i = 0; i <= n; i++) {
      for (const url of Object.keys(times)) {
        const context = await browser.newContext();
        const tab = await context.newPage();
        await tab.goto(base + url);
        const r = /** @type {{ ok: boolean, ms: number }} */ (await (await tab.waitForFunction(() => /** @type {any} */ (window).coldStart, undefined, { timeout: 30_000 })).jsonValue());
        await context.close();
        if (!r.ok) throw new Error(`${url}: the body did not validate`);
        if (i > 0) times[url].push(r.ms);
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  const median = (/** @type {number[]} */ xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  return { package: { "index.mjs": median(times["/index.html"]), "validate.mjs": median(times["/validate.html"]) }, hand: median(times["/hand.html"]) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await pageColdStart(Number(process.argv[2] || 5))));
}
