// index.mjs, web.mjs and index.cjs hold the single-send core; their client switches to the full one
// (many.mjs, imported on first need; many.cjs, required so) for a run to many or a client
// with a store. What must hold, for each: a page or process that sends one never needs the
// full core; the switch carries the guard and quota state over and loses or repeats no
// send in flight; when the full core cannot be loaded, the calls that need it resolve to a
// typed failure that says so and send nothing.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SANDBOX, body, reset, fault, config, messages, state, memoryStore } from "./helpers.mjs";
import { BUNDLES } from "../../scripts/entries.mjs";

const pkg = path.dirname(createRequire(import.meta.url).resolve("connectsafely-wasm/package.json"));

const require = createRequire(import.meta.url);
// Each file of the main entry whose own core is the single-send one, the file holding the
// full core it loads on first need, and its client: as a user loads the package (import,
// require), and from a file of a copy.
/** The full core's file that the bundle `file` loads on first need. */
const fullOf = (/** @type {string} */ file) => /** @type {string} */ (BUNDLES.find((b) => b.file === file)?.full);
const ENTRIES = [
  {
    file: "index.mjs",
    many: fullOf("index.mjs"),
    Client: (await import("connectsafely-wasm")).ConnectSafelyClient,
    load: async (/** @type {string} */ f) => (await import(pathToFileURL(f).href)).ConnectSafelyClient,
  },
  {
    // What pages get (the `import` condition; Node.js gets index.mjs by `node`).
    file: "web.mjs",
    many: fullOf("web.mjs"),
    Client: (await import(pathToFileURL(path.join(pkg, "web.mjs")).href)).ConnectSafelyClient,
    load: async (/** @type {string} */ f) => (await import(pathToFileURL(f).href)).ConnectSafelyClient,
  },
  {
    file: "index.cjs",
    many: fullOf("index.cjs"),
    Client: require("connectsafely-wasm").ConnectSafelyClient,
    load: async (/** @type {string} */ f) => require(f).ConnectSafelyClient,
  },
];

/** The entry's client from the package as installed, less its full core's file (a chunk the network failed to bring); `restore()` puts it back. */
async function withoutMany(e) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cs-no-many-"));
  cpSync(pkg, dir, { recursive: true, dereference: true });
  rmSync(path.join(dir, e.many));
  const Client = await e.load(path.join(dir, e.file));
  Client.restore = () => cpSync(path.join(pkg, e.many), path.join(dir, e.many));
  return Client;
}

const options = { apiKey: "sandbox-key", baseUrl: SANDBOX };

beforeEach(reset);

for (const e of ENTRIES) {
  const { Client } = e;

  test(`${e.file}'s own core defines no run to many, store or journal methods, ${e.many} defines them, and ${e.file} names ${e.many} in one load`, () => {
    const index = readFileSync(path.join(pkg, e.file), "utf8");
    const many = readFileSync(path.join(pkg, e.many), "utf8");
    // The glue's methods of the core, defined as `NAME(` after the class's `{` or the
    // method before's `}` (the driver calls them as `core.NAME(`).
    for (const method of ["bulkBegin", "swapped", "storeFailed"]) {
      assert.doesNotMatch(index, new RegExp(`[{}]\\s*${method}\\(`), `${e.file} defines ${method}`);
      assert.match(many, new RegExp(`[{}]\\s*${method}\\(`), `${e.many} defines ${method}`);
    }
    const load = e.file.endsWith(".cjs") ? `require("./${e.many}")` : `import("./${e.many}")`;
    assert.equal(index.split(load).length, 2, `one ${load}`);
  });

  test(`a process that validates and sends one through ${e.file} never loads ${e.many}`, async () => {
    // A fresh process (this one loaded both): every module file it resolves logged by a
    // resolve hook, on its own thread (module.register), to a file.
    const dir = mkdtempSync(path.join(os.tmpdir(), "cs-lazy-"));
    try {
      const log = path.join(dir, "resolved.txt");
      const hook = `import { appendFileSync } from "node:fs";
export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r; }`;
      const entry = JSON.stringify(path.join(pkg, e.file));
      const load = e.file.endsWith(".cjs") ? `(await import("node:module")).createRequire(import.meta.url)(${entry})` : `await import(${entry})`;
      const script = `import { register } from "node:module";
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});
const m = ${load};
const body = ${JSON.stringify(body(1))};
if (!m.validateSendGroupWithAck(body).ok) throw new Error("invalid");
const r = await new m.ConnectSafelyClient(${JSON.stringify(options)}).sendGroupWithAck(body);
if (!r.ok) throw new Error(JSON.stringify(r.error));
await new Promise((done) => setTimeout(done, 100));
const cjs = Object.keys((await import("node:module")).createRequire(import.meta.url).cache);
console.log(JSON.stringify(cjs));`;
      const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
      const loaded = [...JSON.parse(run.stdout.trim().split("\n").at(-1)), ...readFileSync(log, "utf8").split("\n")];
      assert.ok(loaded.some((f) => f.endsWith(e.file)), `${e.file} was loaded: ${loaded.join(", ")}`);
      assert.deepEqual(loaded.filter((f) => f.endsWith(e.many)), [], `${e.many} was loaded`);
      assert.deepEqual((await messages()).map((x) => x.message), ["Hello 1"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (e.file.endsWith(".cjs")) {
    test(`a bundler given ${e.file} includes ${e.many} in its output (a require is no split point), as the README says`, async () => {
      const { build } = await import("esbuild");
      const out = await build({ entryPoints: [path.join(pkg, e.file)], bundle: true, write: false, format: "esm", platform: "browser", logLevel: "silent" });
      const text = out.outputFiles.map((f) => f.text).join("\n");
      assert.equal(out.outputFiles.length, 1);
      assert.match(text, /[{}]\s*bulkBegin\(/, `${e.many}'s core is in the bundle`);
    });
  }

  test(`without ${e.many}, ${e.file} validates and sends one: a page that sends one never needs it`, async () => {
    const Client = await withoutMany(e);
    const client = new Client(options);
    const r = await client.sendGroupWithAck(body(1));
    assert.equal(r.ok, true);
    assert.deepEqual((await messages()).map((m) => m.message), ["Hello 1"]);
  });

  test(`${e.file}: when ${e.many} cannot be loaded, a run to many resolves with every item not attempted, each result saying why; single sends go on; a later run loads it`, async () => {
    const Client = await withoutMany(e);
    const client = new Client(options);
    const seen = [];
    const r = await client.sendGroupWithAckMany([body(1), body(2)], { onResult: (i, x) => seen.push([i, x.ok]) });
    assert.deepEqual(Object.keys(r), ["results", "sent", "failed", "notAttempted", "stoppedBy", "resumeAt"]);
    assert.equal(r.sent, 0);
    assert.equal(r.failed, 0);
    assert.deepEqual(r.notAttempted, [0, 1], "not sent: a later run sends them");
    assert.equal(r.resumeAt, null);
    for (const x of r.results) {
      assert.equal(x.ok, false);
      assert.equal(x.status, null);
      assert.equal(x.error.kind, "network");
      assert.equal(x.error.deliveryUnknown, false);
      assert.match(x.error.message, /^Nothing was sent: .*many\.mjs or many\.cjs/);
      assert.ok(x.error.cause, "what the import threw, as cause");
    }
    assert.deepEqual(seen, [[0, false], [1, false]]);
    assert.equal((await state()).requests, 0);
    // The failed load changes nothing for single sends.
    assert.equal((await client.sendGroupWithAck(body(3))).ok, true);
    assert.deepEqual((await messages()).map((m) => m.message), ["Hello 3"]);
    // Once the file can be loaded (Node.js tries the import or require again), the run goes.
    Client.restore();
    assert.equal((await client.sendGroupWithAckMany([body(1), body(2)])).sent, 2);
    assert.deepEqual((await messages()).map((m) => m.message), ["Hello 3", "Hello 1", "Hello 2"]);
  });

  test(`${e.file}: when ${e.many} cannot be loaded, a client with a store resolves each send to that failure and sends nothing`, async () => {
    const Client = await withoutMany(e);
    const store = memoryStore();
    const client = new Client({ ...options, store });
    const r = await client.sendGroupWithAck(body(1));
    assert.equal(r.ok, false);
    assert.equal(r.error.kind, "network");
    assert.equal(r.error.deliveryUnknown, false);
    assert.match(r.error.message, /many\.mjs or many\.cjs/);
    assert.equal(store.swaps, 0);
    assert.equal((await state()).requests, 0);
  });

  test(`${e.file}: a client with a store sends through the full core: its reservation goes through the store`, async () => {
    const store = memoryStore();
    const client = new Client({ ...options, store });
    assert.equal((await client.sendGroupWithAck(body(1))).ok, true);
    assert.ok(store.swaps >= 2, `${store.swaps} swaps: a reservation and its release`);
  });

  test(`${e.file}: the guard's state carries over the switch: an account the single sends saw spent is refused locally by the run to many`, async () => {
    await config({ quotas: { a: 1, b: 5 } });
    const client = new Client(options);
    assert.equal((await client.sendGroupWithAck(body(1, { accountId: "a" }))).ok, true);
    const refused = await client.sendGroupWithAck(body(2, { accountId: "a" }));
    assert.equal(refused.error.kind, "rate_limited");
    const before = (await state()).requests;
    const r = await client.sendGroupWithAckMany([body(3, { accountId: "a" }), body(4, { accountId: "b" })]);
    assert.deepEqual(r.notAttempted, [0], "a's item refused by the guard it took over");
    assert.equal(r.stoppedBy, "rate_limited");
    assert.equal(r.sent, 1);
    assert.equal((await state()).requests, before + 1, "only b's request left");
    // And after the switch, single sends keep that state too.
    assert.match((await client.sendGroupWithAck(body(5, { accountId: "a" }))).error.message, /Refused locally/);
  });

  test(`${e.file}: the switch waits for the sends in flight: each delivered once, and what their responses showed goes over with the registry`, async () => {
    // Account a's quota is 3: the three sends in flight when the run starts spend it.
    await config({ quotas: { a: 3, b: 10 } });
    await fault(Array.from({ length: 3 }, () => ({ delayMs: 300 })));
    const client = new Client(options);
    const singles = [1, 2, 3].map((n) => client.sendGroupWithAck(body(n, { accountId: "a" })));
    const run = client.sendGroupWithAckMany([body(4, { accountId: "a" }), body(5, { accountId: "b" })]);
    const later = client.sendGroupWithAck(body(6, { accountId: "b" }));
    const results = await Promise.all([...singles, later]);
    assert.ok(results.every((x) => x.ok), JSON.stringify(results.map((x) => x.error)));
    const r = await run;
    assert.deepEqual(r.notAttempted, [0], "a's item refused locally: the spent quota went over");
    assert.equal(r.sent, 1);
    const { requests } = await state();
    assert.equal(requests, 5, "no request for a's fourth body");
    const sent = (await messages()).map((m) => m.message).sort();
    assert.deepEqual(sent, ["Hello 1", "Hello 2", "Hello 3", "Hello 5", "Hello 6"]);
  });

  test(`${e.file}: the last start of an account goes over the switch: a run's minIntervalMs counts from the single send before it`, async () => {
    const client = new Client(options);
    assert.equal((await client.sendGroupWithAck(body(1))).ok, true);
    assert.equal((await client.sendGroupWithAckMany([body(2)], { minIntervalMs: 600 })).sent, 1);
    const at = (await messages()).map((m) => Date.parse(m.receivedAt));
    assert.ok(at[1] - at[0] >= 550, `the run's send came ${at[1] - at[0]} ms after the single one`);
  });

  test(`${e.file}: a call that waits for the switch reads its bodies and options as they were when it was made`, async () => {
    const client = new Client({ ...options, store: memoryStore() });
    const one = body(1);
    const sent = client.sendGroupWithAck(one);
    one.message = "changed after the call";
    const list = [body(2), body(3)];
    const run = client.sendGroupWithAckMany(list);
    list[0].message = "changed too";
    list.push(body(4));
    assert.equal((await sent).ok, true);
    assert.equal((await run).sent, 2);
    assert.deepEqual((await messages()).map((m) => m.message).sort(), ["Hello 1", "Hello 2", "Hello 3"]);
  });

  test(`${e.file}: a body with a "__proto__" key (as JSON.parse makes one) waiting for the switch is refused as one sent at once: an unknown key, nothing sent`, async () => {
    const text = JSON.stringify(body(1)).replace(/^\{/, '{"__proto__":{"accountId":"a1"},');
    const direct = await new Client(options).sendGroupWithAck(JSON.parse(text));
    const waited = await new Client({ ...options, store: memoryStore() }).sendGroupWithAck(JSON.parse(text));
    const run = await new Client({ ...options, store: memoryStore() }).sendGroupWithAckMany([JSON.parse(text)]);
    for (const r of [direct, waited, run.results[0]]) {
      assert.equal(r.error?.kind, "validation", JSON.stringify(r));
      assert.deepEqual(
        r.error.fieldErrors.map((f) => [f.field, f.code]),
        [["__proto__", "unknown_field"]],
      );
    }
    assert.equal((await state()).requests, 0);
  });

  test(`${e.file}: a send waiting for the switch whose signal fires resolves aborted at once, nothing sent, while the switch still waits`, async () => {
    await fault({ delayMs: 1500 });
    const client = new Client(options);
    const slow = client.sendGroupWithAck(body(1)).then((r) => ["slow", r]);
    await new Promise((r) => setTimeout(r, 100));
    const run = client.sendGroupWithAckMany([body(2)]);
    const controller = new AbortController();
    const waiting = client.sendGroupWithAck(body(3), { signal: controller.signal }).then((r) => ["waiting", r]);
    setTimeout(() => controller.abort(), 50);
    const [first, r] = await Promise.race([slow, waiting]);
    assert.equal(first, "waiting", "the aborted send did not wait for the slow one");
    assert.equal(r.ok, false);
    assert.equal(r.error.kind, "aborted");
    assert.equal(r.error.deliveryUnknown, false);
    assert.equal((await slow)[1].ok, true);
    assert.equal((await run).sent, 1);
    assert.deepEqual((await messages()).map((m) => m.message).sort(), ["Hello 1", "Hello 2"]);
  });

  test(`${e.file}: two runs to many started at once both go through one switch, each body sent once`, async () => {
    const client = new Client(options);
    const [x, y] = await Promise.all([client.sendGroupWithAckMany([body(1), body(2)]), client.sendGroupWithAckMany([body(3)])]);
    assert.equal(x.sent + y.sent, 3);
    assert.deepEqual((await messages()).map((m) => m.message).sort(), ["Hello 1", "Hello 2", "Hello 3"]);
  });

  test(`${e.file}: the quota left goes over the switch: a run starts no more sends for an account than the single sends saw it had left`, async () => {
    await config({ quotas: { a: 2 } });
    const client = new Client(options);
    assert.equal((await client.sendGroupWithAck(body(1, { accountId: "a" }))).rateLimit.remaining, 1);
    const r = await client.sendGroupWithAckMany([2, 3, 4].map((n) => body(n, { accountId: "a" })), { concurrency: 4 });
    assert.equal(r.sent, 1);
    assert.deepEqual(r.notAttempted, [1, 2], "one left: one send, then the guard");
    assert.equal((await state()).requests, 2, "no request answered 429");
  });
}
