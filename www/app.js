// The demo page: live validation from the wasm validator, sends through the
// wasm client, and the sandbox's test controls. Server text is only ever set
// with textContent, never as HTML.
import { ConnectSafelyClient, validateSendGroupWithAck } from "/pkg/web.mjs";
import { indexedDbStore } from "/pkg/indexeddb.mjs";

const $ = (id) => document.getElementById(id);
const form = $("send-form");
const FIELDS = ["recipientProfileUrn", "groupId", "message", "accountId", "messageUrns"];
const MAX = 8000;
const KIND_WORDS = {
  validation: "Invalid request: nothing was sent",
  bad_request: "Bad request (400)",
  unauthorized: "Unauthorized (401): check the API key",
  forbidden: "Forbidden (403): this recipient cannot be messaged via the group",
  rate_limited: "Rate limited: the daily quota is spent",
  server_error: "Server error (5xx)",
  http_error: "Unexpected HTTP status",
  invalid_response: "The server's answer was not a success",
  network: "Network failure: no response",
  timeout: "Timed out",
  aborted: "Aborted",
  store_unavailable: "The shared store failed: nothing was sent",
};

$("baseUrl").value = location.origin;

/** The request body the form describes; empty optional fields are left out. */
function bodyFromForm() {
  const v = (name) => form.elements[name].value;
  const body = { recipientProfileUrn: v("recipientProfileUrn"), groupId: v("groupId"), message: v("message") };
  if (v("accountId").trim()) body.accountId = v("accountId");
  const urns = v("messageUrns").split("\n").filter((l) => l.trim());
  if (urns.length) body.messageUrns = urns;
  return body;
}

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

let client = null;
let clientKey = "";
/** One client per key and base URL, so its rate-limit guard remembers across sends. */
function currentClient() {
  const apiKey = form.elements.apiKey.value;
  const baseUrl = form.elements.baseUrl.value.trim();
  const key = `${apiKey}\n${baseUrl}`;
  if (client && key === clientKey) return client;
  client = new ConnectSafelyClient({ apiKey, baseUrl, dangerouslyAllowBrowser: true });
  clientKey = key;
  return client;
}

function showFieldErrors(errors) {
  for (const f of FIELDS) {
    const msgs = errors.filter((e) => e.field === f || e.field.startsWith(f + "["));
    const text = msgs
      .map((e) => {
        const line = /\[(\d+)\]$/.exec(e.field);
        return line ? `Line ${Number(line[1]) + 1}: ${e.message}` : e.message;
      })
      .join(" ");
    $(`error-${f}`).textContent = text;
    form.elements[f].setAttribute("aria-invalid", msgs.length ? "true" : "false");
  }
}

function renderSnippet(body, valid) {
  const baseUrl = form.elements.baseUrl.value.trim();
  const options = ["  apiKey: process.env.CONNECTSAFELY_API_KEY,"];
  if (baseUrl && baseUrl !== "https://api.connectsafely.ai") options.push(`  baseUrl: ${JSON.stringify(baseUrl)},`);
  const text = [
    'import { ConnectSafelyClient } from "connectsafely-wasm";',
    "",
    `const client = new ConnectSafelyClient({\n${options.join("\n")}\n});`,
    `const result = await client.sendGroupWithAck(${JSON.stringify(valid ?? body, null, 2)});`,
    'if (!result.ok) console.error(result.error.kind, result.error.message);',
  ].join("\n");
  $("snippet").textContent = text;
}

function liveValidate() {
  const body = bodyFromForm();
  const r = validateSendGroupWithAck(body);
  renderSnippet(body, r.ok ? r.value : null);
  showFieldErrors(r.ok ? [] : r.error.fieldErrors);
  const n = [...body.message].length;
  const counter = $("counter");
  counter.textContent = `${n.toLocaleString()} / ${MAX.toLocaleString()}`;
  counter.classList.toggle("over", n > MAX);
  let baseError = "";
  try {
    currentClient();
  } catch (e) {
    baseError = e.message.replace(/^ConnectSafelyClient: /, "");
    client = null;
  }
  $("error-baseUrl").textContent = baseError;
  form.elements.baseUrl.setAttribute("aria-invalid", baseError ? "true" : "false");
  updateSandboxVisibility();
  return r.ok && !baseError;
}

function updateSandboxVisibility() {
  let sameOrigin = false;
  try {
    sameOrigin = new URL(form.elements.baseUrl.value).origin === location.origin;
  } catch {}
  $("sandbox").hidden = !sameOrigin;
}

const timers = new Set();
function countdown(node, untilMs, prefix) {
  const tick = () => {
    const left = Math.max(0, untilMs - Date.now());
    const s = Math.ceil(left / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    node.textContent = `${prefix}${h ? `${h} h ` : ""}${h || m ? `${m} min ` : ""}${sec} s`;
    if (left <= 0) clearInterval(id);
  };
  const id = setInterval(tick, 1000);
  timers.add(id);
  tick();
}

function renderResult(r) {
  for (const id of timers) clearInterval(id);
  timers.clear();
  const box = $("result");
  box.replaceChildren();
  box.className = `card ${r.ok ? "ok" : "fail"}`;
  box.dataset.ok = String(r.ok);
  if (r.ok) {
    delete box.dataset.kind;
    box.append(el("p", "Sent", "kind"), el("p", r.data.message ?? "(no message from the server)"));
    box.append(el("p", r.data.acknowledgmentSent ? "Acknowledgment sent." : "No acknowledgment was sent."));
  } else {
    const e = r.error;
    box.dataset.kind = e.kind;
    box.append(el("p", KIND_WORDS[e.kind] ?? e.kind, "kind"), el("p", e.message));
    if (e.fieldErrors.length) {
      const ul = el("ul");
      for (const f of e.fieldErrors) ul.append(el("li", `${f.field || "body"}: ${f.message}`));
      box.append(ul);
    }
    if (e.deliveryUnknown) {
      const w = el("p", "This message may have been delivered; check before resending.", "warning");
      w.dataset.testid = "delivery-unknown";
      box.append(w);
    }
    if (e.retryAfterMs !== null) {
      const c = el("p");
      c.dataset.testid = "retry-countdown";
      box.append(c);
      countdown(c, Date.now() + e.retryAfterMs, "A send can succeed again in ");
    }
  }
  $("result-json").textContent = JSON.stringify(r, null, 2);
  if (r.rateLimit) renderRateLimit(r.rateLimit);
}

function renderRateLimit(rl) {
  const box = $("rate-limit");
  box.replaceChildren();
  box.className = "card";
  if (rl.limit !== null && rl.used !== null) {
    const meter = el("meter");
    meter.max = rl.limit;
    meter.value = rl.used;
    meter.low = rl.limit * 0.7;
    meter.high = rl.limit * 0.9;
    meter.optimum = 0;
    meter.setAttribute("aria-label", "messages used today");
    box.append(meter, el("p", `${rl.used} / ${rl.limit} used`));
  }
  if (rl.remaining !== null) box.append(el("p", `${rl.remaining} remaining${rl.action ? ` (${rl.action})` : ""}`));
  if (rl.resetAt !== null) {
    box.append(el("p", `Resets at ${new Date(rl.resetAt).toLocaleString()}`));
    const c = el("p");
    box.append(c);
    countdown(c, rl.resetAt, "in ");
  }
}

const history = [];
function addHistory(body, r) {
  history.unshift({ at: new Date(), recipient: String(body.recipientProfileUrn ?? ""), r });
  const rows = history.map(({ at, recipient, r }) => {
    const tr = document.createElement("tr");
    const outcome = el("td", r.ok ? "sent" : r.error.kind, r.ok ? "ok" : "fail");
    tr.append(el("td", at.toLocaleTimeString()), el("td", recipient), outcome, el("td", r.rateLimit?.remaining ?? "–"));
    return tr;
  });
  $("history").replaceChildren(...rows);
  $("history-empty").hidden = true;
}

let nextTimeoutMs;
let inFlight = null;
form.addEventListener("input", liveValidate);
$("cancel").addEventListener("click", () => inFlight?.abort());
$("copy").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText($("snippet").textContent);
    $("copy-status").textContent = "Copied.";
  } catch {
    $("copy-status").textContent = "Select the code and copy it: the clipboard is not available here.";
  }
});
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  liveValidate();
  let c;
  try {
    c = currentClient();
  } catch (e) {
    $("error-baseUrl").textContent = e.message;
    return;
  }
  const button = $("send");
  button.disabled = true;
  button.textContent = "Sending…";
  inFlight = new AbortController();
  $("cancel").hidden = false;
  const options = { signal: inFlight.signal };
  if (nextTimeoutMs) options.timeoutMs = nextTimeoutMs;
  nextTimeoutMs = undefined;
  const body = bodyFromForm();
  try {
    const r = await c.sendGroupWithAck(body, options);
    renderResult(r);
    addHistory(body, r);
  } finally {
    inFlight = null;
    $("cancel").hidden = true;
    button.disabled = false;
    button.textContent = "Send";
  }
});

async function control(method, path, value) {
  const res = await fetch(`/__sandbox/${path}`, { method, body: value === undefined ? undefined : JSON.stringify(value) });
  return res.json();
}

$("faults").addEventListener("click", async (ev) => {
  const b = ev.target.closest("button[data-fault]");
  if (!b) return;
  await control("POST", "faults", JSON.parse(b.dataset.fault));
  nextTimeoutMs = b.dataset.timeout ? Number(b.dataset.timeout) : undefined;
  $("sandbox-status").textContent = `The next send will get: ${b.textContent}. Press Send.`;
});
$("make-invalid").addEventListener("click", () => {
  form.elements.groupId.value = "not-a-group";
  liveValidate();
  $("sandbox-status").textContent = "The group id is now invalid: Send will be refused locally, and nothing will be sent.";
});
$("quota-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const quota = Number($("quota").value);
  await control("POST", "config", { quota });
  $("sandbox-status").textContent = `Daily quota set to ${quota}.`;
});
$("reset").addEventListener("click", async () => {
  await control("POST", "reset");
  client = null;
  $("sandbox-status").textContent = "Sandbox reset: no messages, full quota, no faults. The client's guard was reset too.";
});

liveValidate();

// ---- Send to many ----------------------------------------------------------
const tabs = { one: [$("tab-one"), $("panel-one")], many: [$("tab-many"), $("panel-many")] };
function showTab(name) {
  for (const [key, [tab, panel]] of Object.entries(tabs)) {
    const on = key === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    panel.hidden = !on;
  }
}
$("tab-one").addEventListener("click", () => showTab("one"));
$("tab-many").addEventListener("click", () => showTab("many"));
for (const [tab] of Object.values(tabs)) {
  tab.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
      const next = tab.id === "tab-one" ? "many" : "one";
      showTab(next);
      tabs[next][0].focus();
    }
  });
}

const bulkForm = $("bulk-form");
/** The columns a CSV header may name for the request's fields. */
const COLUMNS = ["recipientProfileUrn", "message", "groupId", "accountId", "messageUrns"];

/**
 * The rows of the textarea, parsed as CSV by Papa Parse (quotes, escaped quotes, line breaks
 * inside quotes, CRLF, a byte-order mark): with a header row, columns by name and the other
 * columns filling the template's {{column}}; without one, a URN a line or `urn,message`.
 * Each row is `{ body }` to send, or `{ body, problem }` when it cannot be (never sent).
 */
function bulkRows() {
  const v = (name) => bulkForm.elements[name].value;
  const parsed = Papa.parse(v("bulkRows"), { skipEmptyLines: "greedy" }).data;
  if (parsed.length === 0) return [];
  const header = parsed[0].map((c) => c.trim());
  const named = header.some((c) => c.toLowerCase() === "recipientprofileurn");
  const column = (name) => header.findIndex((c) => c.toLowerCase() === name.toLowerCase());
  const rows = named ? parsed.slice(1) : parsed;
  return rows.map((cells) => {
    const cell = (name) => (named ? (cells[column(name)] ?? "") : "");
    let urn;
    let own;
    if (named) {
      urn = cell("recipientProfileUrn");
      own = cell("message");
    } else {
      // A line's message may hold commas: everything after the first cell.
      urn = cells[0] ?? "";
      own = cells.slice(1).join(",");
    }
    const body = { recipientProfileUrn: urn.trim(), groupId: cell("groupId").trim() || v("bulkGroupId") };
    const account = cell("accountId").trim() || v("bulkAccountId").trim();
    if (account) body.accountId = account;
    const urns = cell("messageUrns").split(/\r?\n/).map((u) => u.trim()).filter(Boolean);
    if (urns.length) body.messageUrns = urns;
    if (own.trim()) {
      body.message = own;
      return { body };
    }
    // The template, each {{column}} taken from the row: a value missing is a row not sent.
    let problem = null;
    body.message = v("bulkMessage").replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (whole, name) => {
      const at = named ? column(name) : -1;
      const value = at >= 0 ? (cells[at] ?? "") : "";
      if (!value.trim()) problem ??= at >= 0 ? `the template's {{${name}}} is empty in this row` : `the template's {{${name}}} names no column`;
      return value;
    });
    return problem ? { body, problem } : { body };
  });
}

let bulkRowsParsed = [];
let bulkBodies = [];
function renderBulkCheck() {
  bulkRowsParsed = bulkRows();
  bulkBodies = bulkRowsParsed.filter((r) => !r.problem).map((r) => r.body);
  let valid = 0;
  const rows = bulkRowsParsed.map(({ body, problem }, i) => {
    const r = problem ? null : validateSendGroupWithAck(body);
    const ok = Boolean(r && r.ok);
    if (ok) valid += 1;
    const tr = document.createElement("tr");
    tr.dataset.testid = "bulk-row";
    tr.dataset.valid = String(ok);
    if (!problem) tr.dataset.message = r.ok ? r.value.message : body.message;
    const why = problem ?? (ok ? "ready" : r.error.fieldErrors.map((e) => `${e.field}: ${e.message}`).join("; "));
    const status = el("td", why, ok ? "pending" : "fail");
    status.dataset.testid = "bulk-status";
    tr.append(el("td", String(i + 1)), el("td", body.recipientProfileUrn), el("td", problem ? "" : body.message), status);
    return tr;
  });
  $("bulk-rows").replaceChildren(...rows);
  $("bulk-check").textContent = bulkRowsParsed.length ? `${valid} of ${bulkRowsParsed.length} rows are valid; invalid rows will not be sent.` : "Paste recipients above.";
}
bulkForm.addEventListener("input", renderBulkCheck);

function offerDownload(id, text, type) {
  const a = $(id);
  if (a.href) URL.revokeObjectURL(a.href);
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.hidden = false;
}

// A run to many keeps a journal in IndexedDB: each row is claimed before it is sent and
// its outcome recorded after, so a reload (or a closed tab) mid-run can resume with no
// row sent twice. The run's form is kept in localStorage to offer that resume; this
// tab's runner id in sessionStorage, so a reload knows its own unfinished claims
// (`tabRunnerId`).
const SAVED_RUN = "connectsafely-demo-run";
const RUN_FIELDS = ["bulkRows", "bulkGroupId", "bulkAccountId", "bulkMessage", "bulkConcurrency", "bulkInterval"];
const store = indexedDbStore({ name: "connectsafely-demo" });
let bulkClient = null;
let bulkClientKey = "";
/** The bulk tab's client: the first tab's connection, with the IndexedDB store. */
function currentBulkClient() {
  const apiKey = form.elements.apiKey.value;
  const baseUrl = form.elements.baseUrl.value.trim();
  const key = `${apiKey}\n${baseUrl}`;
  if (bulkClient && key === bulkClientKey) return bulkClient;
  bulkClient = new ConnectSafelyClient({ apiKey, baseUrl, dangerouslyAllowBrowser: true, store });
  bulkClientKey = key;
  return bulkClient;
}
// This tab's runner id: kept in sessionStorage across reloads, and held with a Web Lock
// for as long as the page lives. Duplicating a tab copies its sessionStorage, and two live
// runners must never share an id (each would take the other's claims for its own dead
// ones), so a tab that finds its id's lock taken makes an id of its own.
const RUNNER = "connectsafely-demo-runner";
let runnerId = "";
/**
 * Whether this page now holds the lock of `id`, kept until the page goes: waited for up to
 * a second (a reloaded tab's earlier page lets it go as it unloads). Without Web Locks,
 * never: each page then runs under an id of its own.
 */
function holdRunnerLock(id) {
  if (!navigator.locks || typeof AbortSignal.timeout !== "function") return Promise.resolve(false);
  return new Promise((resolve) => {
    navigator.locks
      .request(`${RUNNER}:${id}`, { signal: AbortSignal.timeout(1000) }, () => {
        resolve(true);
        return new Promise(() => {});
      })
      .catch(() => resolve(false));
  });
}
async function tabRunnerId() {
  if (runnerId) return runnerId;
  let id = sessionStorage.getItem(RUNNER);
  if (!id || !(await holdRunnerLock(id))) {
    id = `tab-${crypto.randomUUID()}`;
    sessionStorage.setItem(RUNNER, id);
    await holdRunnerLock(id);
  }
  runnerId = id;
  $("bulk-runner").textContent = `This tab runs as ${id}.`;
  return id;
}
function savedRun() {
  try {
    const run = JSON.parse(localStorage.getItem(SAVED_RUN) ?? "null");
    return run && typeof run.journal === "string" && run.fields ? run : null;
  } catch {
    return null;
  }
}

let bulkAbort = null;
$("bulk-stop").addEventListener("click", () => bulkAbort?.abort());
bulkForm.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const fields = Object.fromEntries(RUN_FIELDS.map((f) => [f, bulkForm.elements[f].value]));
  runBulk({ journal: `demo-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`, fields, startedAt: new Date().toISOString() });
});

async function runBulk(run) {
  // The journal's rows must outlive storage pressure (a browser may clear an origin's
  // IndexedDB unless it is persistent): asked on the click that starts or resumes a run
  // (Firefox asks its user), never awaited.
  navigator.storage?.persist?.().catch(() => {});
  $("bulk-resume").hidden = true;
  for (const f of RUN_FIELDS) bulkForm.elements[f].value = run.fields[f];
  renderBulkCheck();
  let c;
  try {
    c = currentBulkClient();
  } catch (e) {
    $("bulk-summary").textContent = `Fix the connection on the first tab: ${e.message}`;
    return;
  }
  localStorage.setItem(SAVED_RUN, JSON.stringify(run));
  const bodies = bulkBodies;
  const progress = $("bulk-progress");
  progress.max = Math.max(1, bodies.length);
  progress.value = 0;
  // The status cell of each body sent (rows that cannot be sent are not in the run).
  const allCells = [...$("bulk-rows").querySelectorAll("[data-testid=bulk-status]")];
  const statusCells = allCells.filter((_, row) => !bulkRowsParsed[row].problem);
  bulkAbort = new AbortController();
  $("bulk-send").disabled = true;
  $("bulk-stop").hidden = false;
  $("bulk-summary").textContent = "Sending…";
  let settled = 0;
  const r = await c.sendGroupWithAckMany(bodies, {
    signal: bulkAbort.signal,
    concurrency: Number(run.fields.bulkConcurrency) || 1,
    minIntervalMs: Number(run.fields.bulkInterval) || 0,
    journal: run.journal,
    runnerId: await tabRunnerId(),
    onResult: (i, res) => {
      progress.value = ++settled;
      const cell = statusCells[i];
      if (!cell) return;
      // A result recorded by an earlier life of the run has no response body.
      cell.textContent = res.ok ? (res.body === null ? "sent (before)" : "sent") : `${res.error.kind}: ${res.error.message}${res.error.deliveryUnknown ? " (may have been delivered)" : ""}`;
      cell.className = res.ok ? "ok" : "fail";
      if (res.rateLimit) renderRateLimit(res.rateLimit);
    },
  });
  for (const i of r.notAttempted) {
    if (statusCells[i]) {
      statusCells[i].textContent = "not attempted";
      statusCells[i].className = "pending";
    }
  }
  // Rows left for later keep the run resumable (with no row sent twice); a finished
  // run is forgotten.
  if (r.notAttempted.length === 0) localStorage.removeItem(SAVED_RUN);
  progress.value = progress.max;
  $("bulk-send").disabled = false;
  $("bulk-stop").hidden = true;
  bulkAbort = null;
  const summary = $("bulk-summary");
  summary.textContent = `Sent ${r.sent}, failed ${r.failed}, not attempted ${r.notAttempted.length}${r.stoppedBy ? `; stopped by ${r.stoppedBy.replace("_", " ")}` : ""}.`;
  if (r.resumeAt !== null) {
    summary.textContent += ` The rest can be sent after ${new Date(r.resumeAt).toLocaleString()}: resume the run then.`;
    summary.dataset.resumeAt = String(r.resumeAt);
  } else {
    delete summary.dataset.resumeAt;
  }
  offerDownload("bulk-json", JSON.stringify({ ...r, bodies }, null, 2), "application/json");
  // The rows never attempted, as CSV this page reads back to the same bodies.
  const left = r.notAttempted.map((i) => bodies[i]);
  const csv = Papa.unparse({
    fields: COLUMNS,
    data: left.map((b) => [b.recipientProfileUrn, b.message, b.groupId, b.accountId ?? "", (b.messageUrns ?? []).join("\n")]),
  });
  offerDownload("bulk-csv", csv + "\r\n", "text/csv");
}

/** An unfinished run from before a reload (or a closed tab): offer to resume it. */
function offerResume() {
  const run = savedRun();
  if (!run) return;
  const parsed = Papa.parse(run.fields.bulkRows, { skipEmptyLines: "greedy" }).data;
  const header = parsed[0]?.some((c) => c.trim().toLowerCase() === "recipientprofileurn");
  const rows = parsed.length - (header ? 1 : 0);
  $("bulk-resume-text").textContent = `A run to ${rows} row${rows === 1 ? "" : "s"} started ${new Date(run.startedAt).toLocaleString()} did not finish. Resume it: rows already sent are not sent again, and a row that was in flight is reported as possibly delivered.`;
  $("bulk-resume").hidden = false;
  showTab("many");
}
$("bulk-resume-button").addEventListener("click", () => {
  const run = savedRun();
  if (run) runBulk(run);
});
$("bulk-discard").addEventListener("click", () => {
  localStorage.removeItem(SAVED_RUN);
  $("bulk-resume").hidden = true;
});
renderBulkCheck();
offerResume();
