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
import { median, rotated } from "./rounds.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BODY = JSON.stringify({ recipientProfileUrn: "urn:li:fsd_profile:A", groupId: "1", message: "hi" });

const page = (src, name) => `<!doctype html><meta charset="utf-8"><title>cold</title>
<script type="module">
const t0 = performance.now();
const { ${name}: validate } = await import("${src}");
const ok = validate(${BODY}).ok;
const now = performance.now();
window.coldStart = { ok, ms: now, own: now - t0 };
</script>`;

const pages = {
  "/index.html": page("/pkg/web.mjs", "validateSendGroupWithAck"),
  "/validate.html": page("/pkg/validate.mjs", "validateSendGroupWithAck"),
  "/hand.html": page("/hand.mjs", "validate"),
};
const files = {
  "/pkg/web.mjs": path.join(root, "pkg/web.mjs"),
  "/pkg/validate.mjs": path.join(root, "pkg/validate.mjs"),
  "/hand.mjs": path.join(root, "bench/handwritten/client.mjs"),
};

/**
 * Median milliseconds from navigation start to the first validation's result, over `n`
 * cold loads of each page: `{ package: { "web.mjs": ms, "validate.mjs": ms }, hand: ms }` (web.mjs: the main entry as pages get it),
 * and every load's time by round (`times`; `own`, from the import's start),
 * for differences paired by round.
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
  // The same loads timed from the import's start: the script's fetch, parse, compile and
  // first call, without the navigation's own noise (a tab's start moves the time from
  // navigation start by tens of milliseconds here from load to load).
  /** @type {Record<string, number[]>} */
  const own = { "/index.html": [], "/validate.html": [], "/hand.html": [] };
  try {
    // One warm-up round (the browser's own first start), then n rounds in turn.
    for (let i = 0; i <= n; i++) {
      for (const url of rotated(Object.keys(times), i)) {
        const context = await browser.newContext();
        const tab = await context.newPage();
        await tab.goto(base + url);
        const r = /** @type {{ ok: boolean, ms: number, own: number }} */ (await (await tab.waitForFunction(() => /** @type {any} */ (window).coldStart, undefined, { timeout: 30_000 })).jsonValue());
        await context.close();
        if (!r.ok) throw new Error(`${url}: the body did not validate`);
        if (i > 0) {
          times[url].push(r.ms);
          own[url].push(r.own);
        }
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  return {
    package: { "web.mjs": median(times["/index.html"]), "validate.mjs": median(times["/validate.html"]) },
    hand: median(times["/hand.html"]),
    // Each load's time, in the order of the rounds (the pages take turns in each).
    times: { "web.mjs": times["/index.html"], "validate.mjs": times["/validate.html"], hand: times["/hand.html"] },
    own: { "web.mjs": own["/index.html"], "validate.mjs": own["/validate.html"], hand: own["/hand.html"] },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await pageColdStart(Number(process.argv[2] || 5))));
}
