// A campaign longer than a day (issue 24), through the package and a real redis-server: a
// journal entry belongs to its body (lists reordered, shortened, extended, with repeats),
// workspaces keep apart on one Redis, a rotated key carries on in its workspace, the store
// holds no API key, an earlier build's journal is refused, and the README's two campaign
// scripts see 400 bodies through three short "days" of the sandbox (`dayMs`), one of them
// killed with SIGKILL on the second day.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "redis";
import { ConnectSafelyClient } from "connectsafely-wasm";
import { redisStore } from "connectsafely-wasm/redis";
import { SANDBOX, reset, config, fault, messages, state } from "./helpers.mjs";
import { startRedis } from "./redis/redis-server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const KEY_A = "sk-live-customer-A-0123456789";
const KEY_B = "sk-live-customer-B-9876543210";
let redisServer;
let redis;

before(async () => {
  redisServer = await startRedis();
  redis = await createClient({ url: redisServer.url }).connect();
});
after(async () => {
  await redis?.quit();
  redisServer?.stop();
});
beforeEach(async () => {
  await reset();
  await config({ keys: ["sandbox-key", KEY_A, KEY_B] });
  await redis.flushAll();
});

const body = (n, extra = {}) => ({ recipientProfileUrn: `urn:li:fsd_profile:P${n}`, groupId: "12345678", message: `Hello ${n}`, ...extra });
const client = (apiKey = KEY_A, extra = {}) => new ConnectSafelyClient({ apiKey, baseUrl: SANDBOX, store: redisStore(redis), ...extra });
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Waits for the start of the sandbox's next quota day of `dayMs`. */
async function nextDay(dayMs) {
  await sleep((Math.floor(Date.now() / dayMs) + 1) * dayMs - Date.now() + 20);
}

/** How many times the sandbox accepted each message text. */
async function accepted() {
  const count = new Map();
  for (const m of await messages()) count.set(m.message, (count.get(m.message) ?? 0) + 1);
  return count;
}

/** Each result of a run is its own body's: sent now (its body read) or recorded, never another's. */
function assertOwn(run, list) {
  run.results.forEach((r, i) => {
    assert.ok(r, `item ${i} has a result`);
    assert.equal(r.ok, true, `item ${i}: ${JSON.stringify(r.error)}`);
    assert.equal(r.data.recipientProfileUrn, list[i].recipientProfileUrn, `item ${i}'s result is its own body's`);
  });
}

/**
 * Day one: `first` with a quota of `quota` (a partial run). Day two: `second`, with a
 * quota covering the rest. Two processes' worth of clients on one Redis.
 */
async function twoDays(first, second, quota) {
  const dayMs = 1500;
  await config({ quota, dayMs });
  await nextDay(dayMs);
  const day1 = await client().sendGroupWithAckMany(first, { journal: "campaign" });
  assert.equal(day1.sent, quota);
  assert.equal(day1.stoppedBy, "rate_limited");
  assert.ok(day1.resumeAt % dayMs === 0 && day1.resumeAt > Date.now() - dayMs, `resumeAt is the day's reset: ${day1.resumeAt}`);
  await config({ quota: 1000 });
  await sleep(day1.resumeAt - Date.now() + 20);
  const day2 = await client().sendGroupWithAckMany(second, { journal: "campaign" });
  return { day1, day2, count: await accepted() };
}

test("a journal resumed with the list reversed sends only what was not sent, and reports each recorded outcome for its own body", async () => {
  const list = Array.from({ length: 20 }, (_, i) => body(i));
  const reversed = [...list].reverse();
  const { day2, count } = await twoDays(list, reversed, 12);
  for (const b of list) assert.equal(count.get(b.message), 1, `${b.message} once`);
  assertOwn(day2, reversed);
  assert.equal(day2.results.filter((r) => r.body === null).length, 12, "twelve reported from the journal");
  assert.equal(day2.sent, 20);
});

test("a journal resumed with the list shuffled sends each body once", async () => {
  const list = Array.from({ length: 30 }, (_, i) => body(i));
  const shuffled = list.map((_, i) => list[(i * 7 + 3) % 30]);
  const { day2, count } = await twoDays(list, shuffled, 17);
  for (const b of list) assert.equal(count.get(b.message), 1, `${b.message} once`);
  assertOwn(day2, shuffled);
});

test("a journal resumed with one body removed sends the rest once and never the removed one", async () => {
  const list = Array.from({ length: 20 }, (_, i) => body(i));
  const shorter = list.filter((_, i) => i !== 3 && i !== 15);
  const { day2, count } = await twoDays(list, shorter, 10);
  list.forEach((b, i) => assert.equal(count.get(b.message) ?? 0, i === 15 ? 0 : 1, b.message));
  assertOwn(day2, shorter);
});

test("a journal resumed with ten bodies inserted in the middle sends them, and nothing twice", async () => {
  const list = Array.from({ length: 20 }, (_, i) => body(i));
  const longer = [...list.slice(0, 5), ...Array.from({ length: 10 }, (_, i) => body(100 + i)), ...list.slice(5)];
  const { day2, count } = await twoDays(list, longer, 10);
  for (const b of longer) assert.equal(count.get(b.message), 1, `${b.message} once`);
  assertOwn(day2, longer);
  assert.equal(day2.sent, 30);
});

test("two identical bodies in a list are two items: each sent once, whatever the order", async () => {
  const twice = body(7);
  const list = [body(1), twice, body(2), twice, body(3)];
  const reordered = [twice, body(3), twice, body(2), body(1)];
  const { day2, count } = await twoDays(list, reordered, 3);
  assert.equal(count.get(twice.message), 2, "listed twice: accepted twice, never a third time");
  for (const n of [1, 2, 3]) assert.equal(count.get(`Hello ${n}`), 1);
  assertOwn(day2, reordered);
});

test("two API keys on one Redis, with the same account and journal ids: each spends its own quota and sees only its own journal", async () => {
  await config({ quota: 5 });
  const a = await client(KEY_A).sendGroupWithAckMany(Array.from({ length: 8 }, (_, i) => body(i)), { journal: "welcome" });
  assert.equal(a.sent, 5);
  assert.equal(a.stoppedBy, "rate_limited");
  // A's default account is spent; B's is not, though both are "the default account".
  assert.equal((await client(KEY_A).sendGroupWithAck(body(90))).error.kind, "rate_limited");
  const listB = [50, 51, 52].map((n) => body(n));
  const b = await client(KEY_B).sendGroupWithAckMany(listB, { journal: "welcome" });
  assert.equal(b.sent, 3, "B's quota is its own");
  assertOwn(b, listB);
  assert.ok(b.results.every((r) => r.body !== null), "sent now, not reported from A's journal");
  // The same bodies A sent, in B's journal of the same name: B sends them (its journal is empty).
  const again = await client(KEY_B).sendGroupWithAckMany([body(0), body(1)], { journal: "welcome" });
  assert.ok(again.results.every((r) => r.ok && r.body !== null));
  const got = await messages();
  assert.equal(got.filter((m) => m.workspace === 2).length, 5, "B's five reached the server");
  assert.equal(got.filter((m) => m.workspace === 1).length, 5);
});

test("a rotated key given the old key's workspace resumes its journal, with nothing sent twice", async () => {
  const dayMs = 1500;
  await config({ quota: 4, dayMs });
  await nextDay(dayMs);
  const list = Array.from({ length: 7 }, (_, i) => body(i));
  const old = client(KEY_A);
  assert.match(old.workspace, /^key-[0-9a-f]{24}$/);
  assert.ok(!old.workspace.includes(KEY_A));
  const first = await old.sendGroupWithAckMany(list, { journal: "campaign" });
  assert.equal(first.sent, 4);
  await sleep(first.resumeAt - Date.now() + 20);
  // The new key, named into the old workspace: the old journal and quota record are its.
  const rotated = client(KEY_B, { workspace: old.workspace });
  assert.equal(rotated.workspace, old.workspace);
  const resumed = await rotated.sendGroupWithAckMany(list, { journal: "campaign" });
  assertOwn(resumed, list);
  assert.equal(resumed.results.filter((r) => r.body === null).length, 4, "the old key's four reported from its journal");
  for (const b of list) assert.equal((await accepted()).get(b.message), 1);
  // Without the workspace, the new key's client starts afresh: it would send the four again.
  assert.notEqual(client(KEY_B).workspace, old.workspace);
});

test("a journal is discarded by deleting the keys the README's patterns match, and nothing else goes with it", async () => {
  const list = [body(1), body(2)];
  await client().sendGroupWithAckMany(list, { journal: "to-discard" });
  await client().sendGroupWithAckMany([body(3)], { journal: "to-keep" });
  const matched = [];
  for (const pattern of ["connectsafely:s2:*:run:to-discard:*", "connectsafely:s2:*:head:to-discard"]) {
    for await (const keys of redis.scanIterator({ MATCH: pattern })) matched.push(...[keys].flat());
  }
  assert.equal(matched.length, 3, matched.join("\n"));
  await redis.del(matched);
  const again = await client().sendGroupWithAckMany(list, { journal: "to-discard" });
  assert.ok(again.results.every((r) => r.ok && r.body !== null), "a discarded journal sends again");
  const kept = await client().sendGroupWithAckMany([body(3)], { journal: "to-keep" });
  assert.equal(kept.results[0].body, null, "another journal is untouched");
  assert.equal((await messages()).length, 5);
});

test("the Redis store keeps a key alive while it is read, lets it go once neither read nor written for its TTL, and keeps a lasting key until deleted", async () => {
  const store = redisStore(redis, { ttlSeconds: 2 });
  for (const ttlSeconds of [NaN, Infinity, "60"]) {
    assert.throws(() => redisStore(redis, { ttlSeconds }), (e) => e instanceof TypeError && /redisStore: options\.ttlSeconds must be a finite number/.test(e.message));
  }
  assert.equal((await store.swap("kept", 0, "v")).ok, true);
  await store.swap("gone", 0, "v");
  await store.swap("head", 0, "h", { lasting: true });
  // A key written with a TTL and read as lasting loses its TTL (a head written before heads lasted).
  await store.swap("older-head", 0, "h");
  await store.swap("older-head", null, null, { lasting: true });
  for (let i = 0; i < 3; i++) {
    await sleep(1200);
    assert.equal((await store.swap("kept", null, null)).value, "v", `read ${i + 1}, ${(i + 1) * 1.2} s after the write`);
  }
  assert.deepEqual(await store.swap("gone", null, null), { ok: false, value: null, version: 0 }, "unread for 3.6 s: expired");
  assert.equal(await redis.ttl("connectsafely:head"), -1, "no expiry on a lasting key");
  assert.deepEqual(await store.swap("head", null, null, { lasting: true }), { ok: false, value: "h", version: 1 }, "a lasting key outlives the TTL");
  assert.equal((await store.swap("older-head", null, null, { lasting: true })).value, "h");
});

test("a journal resumed after longer than the store's TTL sends nothing twice: its head and entries stay, its account records expire", async () => {
  const c = new ConnectSafelyClient({ apiKey: KEY_A, baseUrl: SANDBOX, store: redisStore(redis, { ttlSeconds: 1 }) });
  const list = [body(1), body(2)];
  assert.equal((await c.sendGroupWithAckMany(list, { journal: "paused" })).sent, 2);
  const keys = await redis.keys("connectsafely:s2:*");
  const journal = keys.filter((k) => !k.includes(":acct:"));
  assert.equal(journal.length, 3, "the head and two entries");
  for (const k of journal) assert.equal(await redis.ttl(k), -1, `${k}: no expiry`);
  assert.ok(keys.some((k) => k.includes(":acct:")), "an account record");
  await sleep(1500);
  assert.deepEqual((await redis.keys("connectsafely:s2:*")).sort(), journal.sort(), "the account record expired, the journal did not");
  const later = await c.sendGroupWithAckMany([...list, body(3)], { journal: "paused" });
  assert.ok(later.results.slice(0, 2).every((r) => r.ok && r.body === null), "the two sent reported from the journal");
  assert.ok(later.results[2].ok && later.results[2].body !== null, "the new body sent");
  assert.equal((await state()).requests, 3, "each body sent once");
});

test("a body dropped from a journal's list for longer than the store's TTL and added back is reported from its entry, not sent again", async () => {
  const c = new ConnectSafelyClient({ apiKey: KEY_A, baseUrl: SANDBOX, store: redisStore(redis, { ttlSeconds: 1 }) });
  assert.equal((await c.sendGroupWithAckMany([body(1), body(2)], { journal: "crm" })).sent, 2);
  // Days the list's source leaves body 2 out (a CRM outage), each run reading body 1 only.
  for (let i = 0; i < 3; i++) {
    await sleep(600);
    assert.equal((await c.sendGroupWithAckMany([body(1)], { journal: "crm" })).results[0].body, null);
  }
  const back = await c.sendGroupWithAckMany([body(1), body(2)], { journal: "crm" });
  assert.ok(back.results.every((r) => r.ok && r.body === null), JSON.stringify(back.results[1]));
  assert.equal((await state()).requests, 2, "each body sent once in all");
});

test("a workspace name must be a non-empty string", () => {
  for (const workspace of ["", "   ", " acme", "acme\n", 7, "x".repeat(201)]) {
    assert.throws(() => client(KEY_A, { workspace }), (e) => e instanceof TypeError && /options\.workspace/.test(e.message));
  }
});

test("nothing the clients write to Redis holds or spells an API key", async () => {
  await config({ quota: 3 });
  // A server that echoes the key in its messages: the journal records them scrubbed.
  await fault({ status: 400, body: { success: false, error: `bad key ${KEY_A}` } });
  await client(KEY_A).sendGroupWithAckMany([body(1), body(2), body(3), body(4), body(5)], { journal: "j" });
  await client(KEY_B, { workspace: "acme" }).sendGroupWithAckMany([body(1), body(2)], { journal: "j" });
  const keys = await redis.keys("*");
  assert.ok(keys.length >= 8, keys.join("\n"));
  for (const key of keys) {
    const held = JSON.stringify(await redis.hGetAll(key));
    for (const secret of [KEY_A, KEY_B, "customer-A", "customer-B"]) {
      assert.ok(!key.includes(secret) && !held.includes(secret), `${key}: ${held}`);
    }
  }
  assert.ok(keys.every((k) => k.startsWith("connectsafely:s2:")), keys.join("\n"));
});

test("a journal an earlier build kept by position is refused before anything is sent, with a clear error, and stays refused when run again", async () => {
  // What a development build before entries were keyed by body wrote for item 0.
  await redis.hSet("connectsafely:run:old-list:0", { v: "d|1|o1|200|=MESSAGE|150|1|149||ok|=sent|||1", n: "3" });
  const list = [body(1), body(2)];
  const run = await client().sendGroupWithAckMany(list, { journal: "old-list" });
  assert.equal((await state()).requests, 0, "nothing sent");
  assert.equal(run.sent, 0);
  for (const r of run.results) {
    assert.equal(r.error.kind, "validation");
    assert.equal(r.error.fieldErrors[0].field, "options.journal");
    assert.match(r.error.message, /earlier build.*by position/);
  }
  // Refused, it stays refused: run again (a retrying cron job), nothing is sent.
  const again = await client().sendGroupWithAckMany(list, { journal: "old-list" });
  assert.ok(again.results.every((r) => /earlier build/.test(r.error?.message)), JSON.stringify(again.results[0]));
  assert.equal((await state()).requests, 0, "nothing sent on the second run either");
  // A new journal id is this version's.
  assert.equal((await client().sendGroupWithAckMany(list, { journal: "new-list" })).sent, 2);
});

test("a journal whose head names another format is refused the same way", async () => {
  const c = client();
  const first = await c.sendGroupWithAckMany([body(1)], { journal: "j" });
  assert.equal(first.sent, 1);
  const [head] = await redis.keys("connectsafely:s2:*:head:j");
  await redis.hSet(head, { v: "j9", n: "2" });
  const run = await c.sendGroupWithAckMany([body(2)], { journal: "j" });
  assert.match(run.results[0].error.message, /another version/);
  assert.equal((await messages()).length, 1);
});

test("when the store fails before a journaled run starts, nothing is sent and the run says why", async () => {
  const down = { swap: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379")) };
  const run = await new ConnectSafelyClient({ apiKey: KEY_A, baseUrl: SANDBOX, store: down }).sendGroupWithAckMany([body(1), body(2)], { journal: "j" });
  assert.equal(run.stoppedBy, "store_unavailable");
  assert.deepEqual(run.notAttempted, [0, 1]);
  assert.equal((await state()).requests, 0);
});

test("resumeAt is null when nothing waits on a quota, and the reset when a quota stopped the run (without a store too)", async () => {
  const done = await client().sendGroupWithAckMany([body(1)], { journal: "j" });
  assert.equal(done.resumeAt, null);
  await config({ quota: 1, resetAt: new Date(Date.now() + 3_600_000).toISOString() });
  const plain = new ConnectSafelyClient({ apiKey: KEY_B, baseUrl: SANDBOX });
  const stopped = await plain.sendGroupWithAckMany([body(2), body(3)]);
  assert.equal(stopped.stoppedBy, "rate_limited");
  const reset = stopped.results[0].rateLimit.resetAt;
  assert.ok(Math.abs(stopped.resumeAt - reset) < 1000, `${stopped.resumeAt} vs ${reset}`);
  // A 401 stops a run, but no quota waits: null.
  const wrong = await new ConnectSafelyClient({ apiKey: "sk-wrong", baseUrl: SANDBOX }).sendGroupWithAckMany([body(4), body(5)]);
  assert.equal(wrong.stoppedBy, "unauthorized");
  assert.equal(wrong.resumeAt, null);
});

/** Runs one of the README's campaign scripts on `file`; resolves to { code, signal, lines }. */
function script(name, file, { onLine, env = {} } = {}) {
  const child = spawn(process.execPath, ["--import", path.join(here, "readme/preamble.mjs"), path.join(here, "campaign", name), file], {
    env: { ...process.env, README_SANDBOX: SANDBOX, CONNECTSAFELY_API_KEY: KEY_A, REDIS_URL: redisServer.url, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = [];
  let err = "";
  let buf = "";
  child.stdout.on("data", (d) => {
    buf += d;
    for (let at; (at = buf.indexOf("\n")) >= 0; buf = buf.slice(at + 1)) {
      lines.push(buf.slice(0, at));
      onLine?.(buf.slice(0, at), child);
    }
  });
  child.stderr.on("data", (d) => (err += d));
  const done = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, lines, err })));
  return { child, done };
}

/** The time a "the rest can be sent after <ISO>" / "sleeping until <ISO>" line names. */
const timeIn = (line) => Date.parse(line.split(" ").at(-1));

function campaignFile() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cs-campaign-"));
  const file = path.join(dir, "bodies.json");
  writeFileSync(file, JSON.stringify(Array.from({ length: 400 }, (_, i) => body(i))));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What the sandbox accepted: 400 bodies, each once, never more than the quota in a day, no 429. */
async function assertCampaignDone(dayMs) {
  const got = await messages();
  assert.equal(got.length, 400, "exactly the 400 bodies accepted");
  assert.equal(new Set(got.map((m) => m.message)).size, 400, "none twice");
  const st = await state();
  assert.equal(st.repeatedBodies, 0);
  assert.equal(st.requests, 400, "no request refused: nothing was sent past a spent quota");
  const perDay = new Map();
  for (const m of got) {
    const day = Math.floor(Date.parse(m.receivedAt) / dayMs);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  assert.ok([...perDay.values()].every((n) => n <= 150), JSON.stringify([...perDay]));
  return got;
}

test("the README's daily script runs a 400-body campaign over three days of 150, killed with SIGKILL on day two and started again, its API key rotated on day three: each body once, no run sending before its resumeAt", async () => {
  // The workspace named as the recipe says: the key rotated on day three carries on.
  const acme = { env: { CONNECTSAFELY_WORKSPACE: "acme" } };
  const rotated = { env: { CONNECTSAFELY_WORKSPACE: "acme", CONNECTSAFELY_API_KEY: KEY_B } };
  const dayMs = 4000;
  await config({ quota: 150, dayMs });
  const { file, cleanup } = campaignFile();
  try {
    await nextDay(dayMs);
    const day1 = await script("campaign.mjs", file, acme).done;
    assert.equal(day1.code, 0, day1.err);
    assert.match(day1.lines[0], /^150 of 400 sent, 0 failed \(0 may have been delivered\), 250 not sent yet$/);
    const resume1 = timeIn(day1.lines[1]);
    assert.ok(resume1 % dayMs === 0 && resume1 > Date.now() - dayMs, `resumeAt is the sandbox's reset: ${resume1}`);
    // Run again before the reset: nothing is sent, and it names the same time.
    const early = await script("campaign.mjs", file, acme).done;
    assert.equal(early.lines[0].split(",")[0], "150 of 400 sent");
    assert.equal(timeIn(early.lines[1]), resume1);
    assert.equal((await messages()).length, 150);

    // Day two: the runner is killed while a request it sent is in flight (the sandbox has
    // accepted that message and holds the rest of its answer), then started again.
    await sleep(resume1 - Date.now() + 50);
    await fault([...Array.from({ length: 39 }, () => ({})), { bodyDelayMs: 60_000 }]);
    const killed = script("campaign.mjs", file, acme);
    for (let i = 0; i < 400 && (await messages()).length < 190; i++) await sleep(25);
    await sleep(100);
    killed.child.kill("SIGKILL");
    assert.equal((await killed.done).signal, "SIGKILL");
    assert.equal((await messages()).length, 190, "the killed runner's last message was accepted");
    const restarted = await script("campaign.mjs", file, acme).done;
    assert.equal(restarted.code, 0, restarted.err);
    assert.match(restarted.lines[0], /^299 of 400 sent, 1 failed \(1 may have been delivered\), 100 not sent yet$/);
    const resume2 = timeIn(restarted.lines[1]);
    assert.ok(resume2 >= resume1 + dayMs);

    await sleep(resume2 - Date.now() + 50);
    const day3 = await script("campaign.mjs", file, rotated).done;
    assert.equal(day3.code, 0, day3.err);
    assert.equal(day3.lines[0], "399 of 400 sent, 1 failed (1 may have been delivered), 0 not sent yet");
    assert.equal(day3.lines.length, 1, "nothing waits on a quota: no time to come back");
    // Finished: running it again sends nothing and reports every item from the journal.
    const after = await script("campaign.mjs", file, rotated).done;
    assert.deepEqual(after.lines, ["399 of 400 sent, 1 failed (1 may have been delivered), 0 not sent yet"]);
    const got = await assertCampaignDone(dayMs);
    const at = (m) => Date.parse(m.receivedAt);
    assert.ok(got.slice(150).every((m) => at(m) >= resume1), "nothing of day two before its resumeAt");
    assert.ok(got.slice(300).every((m) => at(m) >= resume2), "nothing of day three before its resumeAt");
  } finally {
    cleanup();
  }
});

test("the README's long-running script sleeps until each resumeAt and sees a 400-body campaign through three days of 150", async () => {
  const dayMs = 3000;
  await config({ quota: 150, dayMs });
  const { file, cleanup } = campaignFile();
  try {
    await nextDay(dayMs);
    const started = Date.now();
    const r = await script("until-done.mjs", file).done;
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      r.lines.filter((l) => !l.startsWith("sleeping")),
      ["150 of 400 sent, 0 failed, 250 not sent yet", "300 of 400 sent, 0 failed, 100 not sent yet", "400 of 400 sent, 0 failed, 0 not sent yet"],
    );
    const wakes = r.lines.filter((l) => l.startsWith("sleeping")).map(timeIn);
    assert.equal(wakes.length, 2);
    const got = await assertCampaignDone(dayMs);
    assert.ok(got.slice(150, 300).every((m) => Date.parse(m.receivedAt) >= wakes[0]));
    assert.ok(got.slice(300).every((m) => Date.parse(m.receivedAt) >= wakes[1]));
    assert.ok(Date.now() - started >= 2 * dayMs, "three days passed");
  } finally {
    cleanup();
  }
});
