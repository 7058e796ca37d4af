// The demo page, driven in headless Chromium as a person would, served by `make demo`.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { launchChromium } from "../chromium.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);
const PORT = process.env.DEMO_PORT || "18788";
const BASE = `http://127.0.0.1:${PORT}`;
let demo;
let browser;
let page;

const control = (method, p, value) =>
  fetch(`${BASE}/__sandbox/${p}`, { method, body: value === undefined ? undefined : JSON.stringify(value) }).then((r) => r.json());

before(async () => {
  demo = spawn("make", ["--no-print-directory", "demo", `PORT=${PORT}`], { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`make demo did not start:\n${log}`)), 240_000);
    const onData = (d) => {
      log += d;
      if (log.includes("Sandbox API listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    demo.stdout.on("data", onData);
    demo.stderr.on("data", onData);
    demo.on("exit", (code) => reject(new Error(`make demo exited ${code}:\n${log}`)));
  });
  assert.match(log, new RegExp(`http://127\\.0\\.0\\.1:${PORT}/`), "make demo prints the URL");
  browser = await launchChromium(chromium);
});

after(async () => {
  await browser?.close();
  if (demo) {
    try {
      process.kill(-demo.pid, "SIGTERM");
    } catch {}
  }
});

beforeEach(async () => {
  await control("POST", "reset");
  await page?.close();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on("pageerror", (e) => assert.fail(`page error: ${e}`));
  await page.goto(`${BASE}/`);
  await page.getByTestId("message-counter").filter({ hasText: "/" }).waitFor();
});

const result = () => page.getByTestId("result");
async function send() {
  await page.getByTestId("send").click();
  await page.waitForFunction(() => document.getElementById("send").textContent === "Send" && document.getElementById("result").dataset.ok);
}

test("loading the page and a successful send log no error to the browser console (no missing file, not even a favicon)", async () => {
  // A browser of its own: Chromium asks for a missing favicon once per process.
  const own = await launchChromium(chromium);
  const fresh = await own.newPage();
  const errors = [];
  fresh.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  try {
    await fresh.goto(`${BASE}/`);
    await fresh.getByTestId("send").click();
    await fresh.waitForFunction(() => document.getElementById("result").dataset.ok === "true");
    // The favicon is asked for after load, with no event to wait on: give it time.
    await fresh.waitForTimeout(1500);
    assert.deepEqual(errors, []);
  } finally {
    await own.close();
  }
});

test("sending the form shows the success and the rate-limit meter moves", async () => {
  await send();
  assert.equal(await result().getAttribute("data-ok"), "true");
  assert.match(await result().textContent(), /Group context message sent successfully/);
  assert.match(await result().textContent(), /Acknowledgment sent/);
  assert.match(await page.getByTestId("rate-limit").textContent(), /1 \/ 150 used/);
  assert.equal(await page.locator("[data-testid=rate-limit] meter").evaluate((m) => m.value), 1);
  await send();
  assert.match(await page.getByTestId("rate-limit").textContent(), /2 \/ 150 used.*148 remaining/s);
  assert.equal(JSON.parse(await page.getByTestId("result-json").textContent()).rateLimit.used, 2);
  assert.equal(await page.locator("#history tr").count(), 2);
  assert.equal((await control("GET", "messages")).messages.length, 2);
});

test("a bad group id shows its error beside the field before sending, and Send sends nothing", async () => {
  await page.locator("[name=groupId]").fill("12a");
  const err = page.getByTestId("error-groupId");
  assert.match(await err.textContent(), /digits/);
  assert.equal(await page.locator("[name=groupId]").getAttribute("aria-invalid"), "true");
  assert.equal(await page.locator("[name=groupId]").getAttribute("aria-describedby"), "error-groupId");
  await send();
  assert.equal(await result().getAttribute("data-kind"), "validation");
  assert.equal((await control("GET", "state")).requests, 0);
  await page.locator("[name=groupId]").fill("12345678");
  assert.equal(await err.textContent(), "");
});

test("the message counter counts code points against the 8000 limit", async () => {
  await page.locator("[name=message]").fill("😀".repeat(8001));
  assert.match(await page.getByTestId("message-counter").textContent(), /8,001 \/ 8,000/);
  assert.match(await page.getByTestId("error-message").textContent(), /8001 code points/);
});

test("message URNs are one a line, and a bad line is named by its number", async () => {
  await page.locator("[name=messageUrns]").fill("urn:li:msg_message:ok\nnot a urn");
  assert.match(await page.getByTestId("error-messageUrns").textContent(), /^Line 2: /);
});

test("each sandbox control shows its error kind in two clicks", async () => {
  const kinds = ["validation", "bad_request", "unauthorized", "forbidden", "rate_limited", "server_error", "http_error", "invalid_response", "network", "timeout"];
  for (const kind of kinds) {
    await page.getByTestId(`fault-${kind}`).click();
    await send();
    assert.equal(await result().getAttribute("data-kind"), kind, kind);
    const warned = await page.getByTestId("delivery-unknown").count();
    assert.equal(warned, ["server_error", "invalid_response", "network", "timeout"].includes(kind) ? 1 : 0, `deliveryUnknown warning for ${kind}`);
    if (kind === "rate_limited") assert.match(await page.getByTestId("retry-countdown").textContent(), /again in (29|30) s/);
    await page.locator("#reset").click();
    await page.getByText("Sandbox reset").waitFor();
    await page.locator("[name=groupId]").fill("12345678");
  }
});

test("the Content-Security-Policy blocks injected scripts", async () => {
  await assert.rejects(page.addScriptTag({ content: "window.__injected = 1" }), /Content Security Policy/);
  assert.equal(await page.evaluate(() => window.__injected), undefined);
});

test("a slow send can be cancelled, and the outcome says it may have been delivered", async () => {
  await page.getByTestId("fault-aborted").click();
  await page.getByTestId("send").click();
  await page.getByTestId("cancel").click();
  await page.waitForFunction(() => document.getElementById("result").dataset.kind === "aborted");
  assert.equal(await page.getByTestId("delivery-unknown").count(), 1);
});

test("an exhausted quota is refused locally by the guard, without a request", async () => {
  await page.locator("#quota").fill("2");
  await page.locator("#quota-form button[type=submit]").click();
  await page.getByText("Daily quota set to 2").waitFor();
  await send();
  await send();
  assert.match(await page.getByTestId("rate-limit").textContent(), /0 remaining/);
  await send();
  assert.equal(await result().getAttribute("data-kind"), "rate_limited");
  assert.equal(JSON.parse(await page.getByTestId("result-json").textContent()).status, null);
  assert.match(await result().textContent(), /Refused locally/);
  assert.equal((await control("GET", "state")).requests, 2);
});

test("server text with HTML markup is shown as text, never as HTML", async () => {
  const evil = `<img src=x onerror="window.__pwned=1"><b id="bold">bold</b>`;
  await control("POST", "faults", { status: 500, body: { error: evil, success: false } });
  await send();
  assert.ok((await result().textContent()).includes(evil));
  assert.equal(await page.locator("#result img, #result b, #result-json b").count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
});

test("the sandbox controls show only when the base URL is the sandbox", async () => {
  assert.equal(await page.locator("#sandbox").isVisible(), true);
  await page.locator("[name=baseUrl]").fill("https://api.connectsafely.ai");
  assert.equal(await page.locator("#sandbox").isVisible(), false);
  await page.locator("[name=baseUrl]").fill("http://example.com");
  assert.match(await page.getByTestId("error-baseUrl").textContent(), /https/);
});

test("the page says in two sentences why a key in a browser is risky and what to do instead", async () => {
  const note = (await page.locator("#key-note").textContent()).replace(/\s+/g, " ").trim();
  assert.equal(note.split(/(?<=\.) /).length, 2, note);
  assert.match(note, /anyone who opens the page can read the API key/);
  assert.match(note, /dangerouslyAllowBrowser/);
  assert.match(note, /CORS/);
  assert.match(note, /edge function/);
});

test("the snippet shows the JavaScript call for the current form, without the key", async () => {
  await page.locator("[name=groupId]").fill(" 777 ");
  const code = await page.getByTestId("snippet").textContent();
  assert.match(code, /sendGroupWithAck\(\{/);
  assert.match(code, /"groupId": "777"/);
  assert.ok(!code.includes("sandbox-key"));
});

test("the form works from the keyboard alone", async () => {
  await page.locator("[name=groupId]").focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("result").dataset.ok === "true");
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    if ((await page.evaluate(() => document.activeElement?.id)) === "send") break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), "send");
});

test("at 375 px wide the page has no horizontal scroll", async () => {
  await page.setViewportSize({ width: 375, height: 800 });
  await send();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), "no horizontal overflow");
});

test("axe-core reports no serious or critical accessibility violations", async () => {
  // The page's CSP rightly forbids injected scripts; axe needs them, so this context bypasses it.
  const context = await browser.newContext({ bypassCSP: true });
  const p = await context.newPage();
  await p.goto(`${BASE}/`);
  await p.getByTestId("message-counter").filter({ hasText: "/" }).waitFor();
  await p.getByTestId("send").click();
  await p.waitForFunction(() => document.getElementById("result").dataset.ok);
  await p.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const violations = await p.evaluate(async () => (await window.axe.run()).violations);
  await p.getByTestId("tab-many").click();
  await p.getByTestId("bulk-input").fill("urn:li:fsd_profile:A\nnope");
  violations.push(...(await p.evaluate(async () => (await window.axe.run()).violations)));
  await context.close();
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`), []);
});

test("the bulk tab checks each row, sends with progress, stops at the quota, and offers results and unattempted rows", async () => {
  await control("POST", "config", { quota: 2 });
  await page.getByTestId("tab-many").click();
  const urn = (n) => `urn:li:fsd_profile:ACoAABulk${n}`;
  await page.getByTestId("bulk-input").fill([urn(1), "nope", urn(2), `${urn(3)},"Hello, three"`, urn(4)].join("\n"));
  assert.match(await page.getByTestId("bulk-check").textContent(), /4 of 5 rows are valid/);
  const statuses = page.getByTestId("bulk-status");
  assert.match(await statuses.nth(1).textContent(), /recipientProfileUrn/);
  assert.equal(await page.locator("[data-testid=bulk-row][data-valid=false]").count(), 1);
  await page.getByTestId("bulk-send").click();
  await page.getByTestId("bulk-summary").filter({ hasText: "Sent" }).waitFor();
  const summary = page.getByTestId("bulk-summary");
  assert.match(await summary.textContent(), /^Sent 2, failed 1, not attempted 2; stopped by rate limited\. The rest can be sent after .+: resume the run then\.$/);
  const reset = Date.parse((await control("GET", "state")).resetAt);
  assert.ok(Math.abs(Number(await summary.getAttribute("data-resume-at")) - reset) < 1000, "resumeAt is the sandbox's reset");
  assert.deepEqual(await statuses.allTextContents(), ["sent", (await statuses.nth(1).textContent()), "sent", "not attempted", "not attempted"]);
  assert.equal(await page.getByTestId("bulk-progress").evaluate((p) => p.value === p.max), true);
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("bulk-download-csv").click()]);
  assert.equal(readFileSync(await csv.path(), "utf8"), `recipientProfileUrn,message,groupId,accountId,messageUrns\r\n${urn(3)},"Hello, three",12345678,,\r\n${urn(4)},Thanks for your message in the group!,12345678,,\r\n`);
  const [json] = await Promise.all([page.waitForEvent("download"), page.getByTestId("bulk-download-json").click()]);
  const saved = JSON.parse(readFileSync(await json.path(), "utf8"));
  assert.equal(saved.sent, 2);
  assert.deepEqual(saved.notAttempted, [3, 4]);
  assert.equal(saved.results.length, 5);
  assert.deepEqual((await control("GET", "messages")).messages.map((m) => m.recipientProfileUrn), [urn(1), urn(2)]);
  const dir = process.env.UPDATE_SCREENSHOTS ? path.join(root, "docs") : path.join(root, "target");
  mkdirSync(dir, { recursive: true });
  await page.locator("#panel-many").screenshot({ path: path.join(dir, "bulk.png") });
});

/** What the sandbox accepted, as the bodies it was sent. */
const accepted = async () => (await control("GET", "messages")).messages.map((m) => ({ recipientProfileUrn: m.recipientProfileUrn, groupId: m.groupId, message: m.message, accountId: m.accountId, messageUrns: m.messageUrns }));

test("the bulk tab reads CSV as a spreadsheet writes it: a byte-order mark, CRLF, a header, a quoted message over two lines, columns by name", async () => {
  await page.getByTestId("tab-many").click();
  const urn = (n) => `urn:li:fsd_profile:ACoAACsv${n}`;
  const file = [
    "\ufeffmessage,recipientProfileUrn,firstName,groupId,accountId,messageUrns",
    `"Hi Ana,\r\nsee you ""soon""",${urn(1)},Ana,,,`,
    `,${urn(2)},Bo,87654321,acct-2,"urn:li:msg_message:(urn:li:fsd_profile:X,2-abc==)\r\nurn:li:msg_message:Y"`,
    `, ${urn(3)} ,Cy,,,`,
  ].join("\r\n");
  await page.getByTestId("bulk-input").fill(file + "\r\n");
  await page.locator("#bulkMessage").fill("Hello {{firstName}}!");
  const rows = page.getByTestId("bulk-row");
  assert.equal(await rows.count(), 3, "three rows: the header and the line break inside quotes are no rows");
  // A textarea holds line breaks as \n (HTML's value normalization): that is what is sent.
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => [tr.dataset.valid, tr.dataset.message])), [
    ["true", 'Hi Ana,\nsee you "soon"'],
    ["true", "Hello Bo!"],
    ["true", "Hello Cy!"],
  ]);
  await page.getByTestId("bulk-send").click();
  await page.getByTestId("bulk-summary").filter({ hasText: "Sent" }).waitFor();
  assert.deepEqual(await accepted(), [
    { recipientProfileUrn: urn(1), groupId: "12345678", message: 'Hi Ana,\nsee you "soon"', accountId: null, messageUrns: null },
    { recipientProfileUrn: urn(2), groupId: "87654321", message: "Hello Bo!", accountId: "acct-2", messageUrns: ["urn:li:msg_message:(urn:li:fsd_profile:X,2-abc==)", "urn:li:msg_message:Y"] },
    { recipientProfileUrn: urn(3), groupId: "12345678", message: "Hello Cy!", accountId: null, messageUrns: null },
  ]);
});

test("a template naming a column a row has no value for makes that row invalid: it is never sent with a blank", async () => {
  await page.getByTestId("tab-many").click();
  const urn = (n) => `urn:li:fsd_profile:ACoAATpl${n}`;
  await page.getByTestId("bulk-input").fill(`recipientProfileUrn,firstName\n${urn(1)},Ana\n${urn(2)},\n${urn(3)},Cy\n`);
  await page.locator("#bulkMessage").fill("Hi {{firstName}}, welcome to {{company}}");
  assert.deepEqual(await page.getByTestId("bulk-row").evaluateAll((trs) => trs.map((tr) => tr.dataset.valid)), ["false", "false", "false"]);
  assert.match(await page.getByTestId("bulk-status").nth(0).textContent(), /\{\{company\}\} names no column/);
  await page.locator("#bulkMessage").fill("Hi {{firstName}}, welcome");
  const rows = page.getByTestId("bulk-row");
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => [tr.dataset.valid, tr.dataset.message ?? null])), [
    ["true", "Hi Ana, welcome"],
    ["false", null],
    ["true", "Hi Cy, welcome"],
  ]);
  assert.match(await page.getByTestId("bulk-status").nth(1).textContent(), /\{\{firstName\}\} is empty in this row/);
  assert.match(await page.getByTestId("bulk-check").textContent(), /2 of 3 rows are valid/);
  await page.getByTestId("bulk-send").click();
  await page.getByTestId("bulk-summary").filter({ hasText: "Sent" }).waitFor();
  assert.deepEqual((await accepted()).map((m) => m.message), ["Hi Ana, welcome", "Hi Cy, welcome"]);
  assert.equal(await page.getByTestId("bulk-status").nth(1).textContent(), "the template's {{firstName}} is empty in this row", "the row left out keeps its reason");
});

test("the page's own download of the rows never attempted reads back to the same rows", async () => {
  // The quota of one resets in two seconds: the guard (kept in the page's IndexedDB) lets
  // the rows left go after that.
  const resetAt = Date.now() + 2000;
  await control("POST", "config", { quota: 1, resetAt: new Date(resetAt).toISOString() });
  await page.getByTestId("tab-many").click();
  const urn = (n) => `urn:li:fsd_profile:ACoAADown${n}`;
  // One account, whose quota of one stops the run after the first row.
  const file = `recipientProfileUrn,message,groupId,accountId,messageUrns\n${urn(1)},One,12345678,acct-x,\n${urn(2)},"Two, with ""quotes""\nand a line",11112222,acct-x,"urn:li:msg_message:(a,b)\nurn:li:msg_message:c"\n${urn(3)},,,acct-x,\n`;
  await page.getByTestId("bulk-input").fill(file);
  const preview = () => page.getByTestId("bulk-row").evaluateAll((trs) => trs.map((tr) => [tr.children[1].textContent, tr.dataset.message]));
  const before = await preview();
  await page.getByTestId("bulk-send").click();
  await page.getByTestId("bulk-summary").filter({ hasText: "Sent" }).waitFor();
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("bulk-download-csv").click()]);
  const text = readFileSync(await csv.path(), "utf8");
  // Sent later from the downloaded file, the two rows left are the same bodies.
  await page.waitForTimeout(resetAt - Date.now() + 100);
  await control("POST", "reset");
  await page.getByTestId("bulk-input").fill(text);
  assert.deepEqual(await preview(), before.slice(1));
  await page.getByTestId("bulk-send").click();
  await page.getByTestId("bulk-summary").filter({ hasText: "Sent" }).waitFor();
  assert.deepEqual(await accepted(), [
    { recipientProfileUrn: urn(2), groupId: "11112222", message: 'Two, with "quotes"\nand a line', accountId: "acct-x", messageUrns: ["urn:li:msg_message:(a,b)", "urn:li:msg_message:c"] },
    { recipientProfileUrn: urn(3), groupId: "12345678", message: "Thanks for your message in the group!", accountId: "acct-x", messageUrns: null },
  ]);
});

test("a tab keeps its runner id across a reload, and a duplicate of it (sessionStorage copied) makes its own while the tab lives", async () => {
  await control("POST", "config", { quota: 1000 });
  /** Runs one row to many in `p` and reads which runner id it ran as. */
  const runAs = async (p, n) => {
    await p.getByTestId("tab-many").click();
    await p.getByTestId("bulk-input").fill(`urn:li:fsd_profile:ACoAARunner${n}`);
    await p.getByTestId("bulk-send").click();
    await p.getByTestId("bulk-summary").filter({ hasText: "Sent 1" }).waitFor();
    return p.getByTestId("bulk-runner").textContent();
  };
  // Two tabs of one browser profile (the page of beforeEach has a profile of its own).
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    await tab.goto(`${BASE}/`);
    const first = await runAs(tab, 1);
    assert.match(first, /^This tab runs as tab-[0-9a-f-]{36}\.$/);
    const id = await tab.evaluate(() => sessionStorage.getItem("connectsafely-demo-runner"));
    // Duplicating a tab copies its sessionStorage: two live runners must not share an id.
    const twin = await context.newPage();
    await twin.addInitScript((v) => sessionStorage.setItem("connectsafely-demo-runner", v), id);
    await twin.goto(`${BASE}/`);
    const second = await runAs(twin, 2);
    assert.match(second, /^This tab runs as tab-/);
    assert.notEqual(second, first, "the duplicate runs under an id of its own");
    await twin.close();
    await tab.reload();
    assert.equal(await runAs(tab, 3), first, "a reloaded tab is the same runner");
  } finally {
    await context.close();
  }
});

test("a run to many asks for persistent storage for its journal, offers to resume when reloaded mid-run, and resuming sends no row twice (IndexedDB journal)", async () => {
  await control("POST", "config", { quota: 1000 });
  await control("POST", "faults", Array.from({ length: 20 }, () => ({ delayMs: 400 })));
  await page.getByTestId("tab-many").click();
  const urn = (n) => `urn:li:fsd_profile:ACoAAResume${n}`;
  await page.getByTestId("bulk-input").fill([0, 1, 2, 3, 4, 5].map(urn).join("\n"));
  // The page asks for persistent storage for its journal when a run starts, not before.
  await page.evaluate(() => {
    const persist = navigator.storage.persist.bind(navigator.storage);
    window.persistAsked = 0;
    navigator.storage.persist = () => (window.persistAsked++, persist());
  });
  await page.getByTestId("bulk-send").click();
  assert.equal(await page.evaluate(() => window.persistAsked), 1, "persistent storage asked for on the run's click");
  const statuses = page.getByTestId("bulk-status");
  // Two rows sent, the third in flight: reload.
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=bulk-status]")].filter((c) => c.textContent === "sent").length === 2);
  await page.reload();
  await page.getByTestId("bulk-resume").waitFor();
  assert.match(await page.getByTestId("bulk-resume-text").textContent(), /A run to 6 rows started .* did not finish/);
  assert.equal(await page.getByTestId("tab-many").getAttribute("aria-selected"), "true", "the page opens on the run to resume");
  await page.getByTestId("bulk-resume-button").click();
  await page.getByTestId("bulk-summary").filter({ hasText: "Sent" }).waitFor({ timeout: 30_000 });
  const texts = await statuses.allTextContents();
  assert.deepEqual(texts.slice(0, 2), ["sent (before)", "sent (before)"], "rows sent before the reload are reported from the journal");
  assert.match(texts[2], /^network: .*\(may have been delivered\)$/, "the row in flight at the reload is reported, not resent");
  assert.deepEqual(texts.slice(3), ["sent", "sent", "sent"]);
  assert.equal(await page.getByTestId("bulk-summary").textContent(), "Sent 5, failed 1, not attempted 0.");
  const got = (await control("GET", "messages")).messages.map((m) => m.recipientProfileUrn);
  assert.equal(new Set(got).size, got.length, "no row accepted twice");
  for (const n of [0, 1, 3, 4, 5]) assert.equal(got.filter((u) => u === urn(n)).length, 1, `row ${n} delivered once`);
  // A finished run is forgotten: the next load offers nothing.
  await page.reload();
  await page.getByTestId("message-counter").filter({ hasText: "/" }).waitFor();
  assert.equal(await page.getByTestId("bulk-resume").isHidden(), true);
});

test("the IndexedDB store (connectsafely-wasm/indexeddb) swaps atomically across two tabs, a key read stays, a key past its TTL reads empty, a lasting key (a journal's) stays and is written durably, and a TTL that is no number is refused", async () => {
  const context = await browser.newContext();
  const [one, other] = [await context.newPage(), await context.newPage()];
  await one.goto(`${BASE}/`);
  await other.goto(`${BASE}/`);
  // Each tab adds 1 fifty times by compare-and-set, at once: no increment may be lost.
  const increments = (p) =>
    p.evaluate(async () => {
      const { indexedDbStore } = await import("/pkg/indexeddb.mjs");
      const store = indexedDbStore({ name: "cas-test" });
      let conflicts = 0;
      for (let i = 0; i < 50; i++) {
        for (;;) {
          const cur = await store.swap("counter", null, null);
          const next = await store.swap("counter", cur.version, String(Number(cur.value ?? 0) + 1));
          if (next.ok) break;
          conflicts++;
        }
      }
      return conflicts;
    });
  const conflicts = await Promise.all([increments(one), increments(other)]);
  const end = await one.evaluate(async () => {
    const { indexedDbStore } = await import("/pkg/indexeddb.mjs");
    const store = indexedDbStore({ name: "cas-test" });
    const counter = await store.swap("counter", null, null);
    const brief = indexedDbStore({ name: "cas-test", ttlSeconds: 1 });
    const wrote = await brief.swap("brief", 0, "x");
    await brief.swap("kept", 0, "y");
    await brief.swap("head", 0, "h", { lasting: true });
    const reads = [];
    for (let i = 0; i < 2; i++) {
      await new Promise((r) => setTimeout(r, 600));
      reads.push((await brief.swap("kept", null, null)).value);
    }
    const expired = await brief.swap("brief", null, null);
    // A new opening sweeps what expired: a lasting key stays.
    const head = await indexedDbStore({ name: "cas-test", ttlSeconds: 1 }).swap("head", null, null, { lasting: true });
    let refused = "";
    try {
      indexedDbStore({ ttlSeconds: Number("") / 0 });
    } catch (e) {
      refused = `${e.name}: ${e.message}`;
    }
    // What durability each swap asks for (the store opened and swept first).
    const durable = indexedDbStore({ name: "cas-test" });
    await durable.swap("counter", null, null);
    const asked = [];
    const transaction = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (names, mode, options) {
      asked.push(options?.durability ?? "default");
      return transaction.call(this, names, mode, options);
    };
    try {
      await durable.swap("entry", 0, "c|runner|1|0", { lasting: true });
      await durable.swap("record", 0, "a1|");
    } finally {
      IDBDatabase.prototype.transaction = transaction;
    }
    return { counter, wrote, reads, expired, head, refused, asked };
  });
  await context.close();
  assert.equal(end.counter.value, "100", `two tabs x 50 increments, none lost (conflicts retried: ${conflicts})`);
  assert.equal(end.counter.version, 100);
  assert.deepEqual(end.wrote, { ok: true, value: "x", version: 1 });
  assert.deepEqual(end.reads, ["y", "y"], "a key read every 0.6 s outlives its TTL of 1 s");
  assert.deepEqual(end.expired, { ok: false, value: null, version: 0 });
  assert.deepEqual(end.head, { ok: false, value: "h", version: 1 }, "a lasting key (a journal's) outlives the TTL and the sweep");
  assert.equal(end.refused, "TypeError: indexedDbStore: options.ttlSeconds must be a finite number of seconds", "a NaN TTL is refused (it made every key read as absent)");
  assert.deepEqual(end.asked, ["strict", "default"], "a journal's swap is on disk before it answers; an account record's need not be");
});

test("a screenshot of a send, for the README", async () => {
  await page.setViewportSize({ width: 1200, height: 1250 });
  await send();
  await page.evaluate(() => window.scrollTo(0, 0));
  const dir = process.env.UPDATE_SCREENSHOTS ? path.join(root, "docs") : path.join(root, "target");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, "demo.png"), fullPage: false });
});

// Firefox ESR (Debian's firefox-esr), driven over WebDriver BiDi by puppeteer-core:
// Playwright's Firefox needs its own patched build, which cannot be downloaded here.
test("in Firefox ESR the demo sends, moves the meter, refuses a bad group id without a request, and shows a fault's kind", async () => {
  const puppeteer = (await import("puppeteer-core")).default;
  const firefox = await puppeteer.launch({ browser: "firefox", executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr", headless: true });
  try {
    const fx = await firefox.newPage();
    const errors = [];
    fx.on("pageerror", (e) => errors.push(String(e)));
    await fx.goto(`${BASE}/`);
    await fx.waitForFunction(() => document.querySelector("[data-testid=message-counter]")?.textContent.includes("/"));
    const text = (id) => fx.$eval(`[data-testid=${id}]`, (e) => e.textContent);
    const sendFx = async () => {
      await fx.$eval("#result", (e) => delete e.dataset.ok);
      await fx.click("[data-testid=send]");
      await fx.waitForFunction(() => document.getElementById("send").textContent === "Send" && document.getElementById("result").dataset.ok);
    };
    await sendFx();
    assert.equal(await fx.$eval("[data-testid=result]", (e) => e.dataset.ok), "true");
    assert.match(await text("result"), /Group context message sent successfully/);
    assert.match(await text("rate-limit"), /1 \/ 150 used/);

    await fx.$eval("[name=groupId]", (e) => (e.value = ""));
    await fx.type("[name=groupId]", "12a");
    assert.match(await text("error-groupId"), /digits/);
    await sendFx();
    assert.equal(await fx.$eval("[data-testid=result]", (e) => e.dataset.kind), "validation");
    assert.equal((await control("GET", "state")).requests, 1);

    await fx.$eval("[name=groupId]", (e) => (e.value = ""));
    await fx.type("[name=groupId]", "12345678");
    await fx.click("[data-testid=fault-server_error]");
    await sendFx();
    assert.equal(await fx.$eval("[data-testid=result]", (e) => e.dataset.kind), "server_error");
    assert.deepEqual(errors, []);
  } finally {
    await firefox.close();
  }
});
