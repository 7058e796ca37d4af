// Shared by the JavaScript tests: the sandbox and its controls.
export const SANDBOX = process.env.CS_SANDBOX_URL || "http://127.0.0.1:8787";
export const URN = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";
export const body = (n = 1, extra = {}) => ({ recipientProfileUrn: URN, groupId: "12345678", message: `Hello ${n}`, ...extra });

// Each control on a connection of its own: a test's long synchronous work (a run over
// 512 MiB of text, its garbage collected) can hold the event loop past the sandbox's
// keep-alive (5 s), which then closes the idle connection while this process still
// holds it, and the next control on it fails: the likeliest cause of the one control that
// failed ("fetch failed", after bulk.test.mjs's run of 512 MiB).
export async function control(method, path, value) {
  const init = { method, headers: { connection: "close" }, body: value === undefined ? undefined : JSON.stringify(value) };
  const res = await fetch(`${SANDBOX}/__sandbox/${path}`, init);
  return res.json();
}
export const reset = () => control("POST", "reset");
export const fault = (f) => control("POST", "faults", f);
export const config = (c) => control("POST", "config", c);
export const state = () => control("GET", "state");
export const messages = async () => (await control("GET", "messages")).messages;

/** Inputs built to break a reader: proxies, throwing getters, cycles, huge and odd values. */
export function hostileInputs() {
  const cyclic = { ...body() };
  cyclic.self = cyclic;
  cyclic.messageUrns = [];
  cyclic.messageUrns.push(cyclic.messageUrns);
  let deep = {};
  for (let i = 0; i < 10_000; i++) deep = { deep };
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const trapAll = new Proxy({}, new Proxy({}, { get: () => () => { throw new Error("trap"); } }));
  return {
    "proxy whose traps throw": trapAll,
    "revoked proxy": revoked.proxy,
    "throwing getters": { get recipientProfileUrn() { throw new Error("g"); }, get groupId() { throw 1; }, message: "hi" },
    "array proxy whose length getter throws": { ...body(), messageUrns: new Proxy([], { get: (t, k) => { if (k === "length") throw new Error("len"); return t[k]; } }) },
    "cyclic object": cyclic,
    symbols: { recipientProfileUrn: Symbol("x"), groupId: Symbol.iterator, message: "hi", [Symbol("k")]: 1 },
    BigInt: { recipientProfileUrn: URN, groupId: 12345678n, message: 1n },
    "50 MB string": { ...body(), message: "x".repeat(50 * 1024 * 1024), groupId: "1".repeat(50 * 1024 * 1024) },
    "10,000-deep nesting": { ...body(), message: deep, messageUrns: [deep] },
    "__proto__ key": JSON.parse(`{"__proto__":{"groupId":"1"},"recipientProfileUrn":"${URN}","message":"hi"}`),
    "inherited fields": Object.create(body()),
    function: () => body(),
    "a huge messageUrns": { ...body(), messageUrns: new Array(1e7) },
    "sparse messageUrns": { ...body(), messageUrns: [, , "urn:li:a:b"] },
    "boxed strings": { recipientProfileUrn: new String(URN), groupId: new String("1"), message: new String("hi") },
    "a Date body": new Date(),
    "a Map body": new Map([["groupId", "1"]]),
  };
}

/** The store interface, in memory: versioned values swapped atomically, its swaps counted; `down` makes it fail. */
export function memoryStore() {
  const map = new Map();
  const store = {
    down: false,
    swaps: 0,
    map,
    async swap(key, expected, value) {
      store.swaps += 1;
      await null;
      if (store.down) throw new Error("connect ECONNREFUSED 127.0.0.1:6379");
      const cur = map.get(key) ?? { value: null, version: 0 };
      if (expected !== null && expected === cur.version && value !== null) {
        const next = { value, version: cur.version + 1 };
        map.set(key, next);
        return { ok: true, ...next };
      }
      return { ok: false, ...cur };
    },
  };
  return store;
}
