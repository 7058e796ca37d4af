// @ts-check
// A shared store on Cloudflare Durable Objects, for the client's `store` option in
// Workers: export the `ConnectSafelyStore` class from your Worker, bind it, and pass
// `durableObjectStore(env.CONNECTSAFELY_STORE)`. Each key lives in its own Durable
// Object (named after the key), whose single-threaded storage makes a swap atomic.
//
//   import { ConnectSafelyClient } from "connectsafely-wasm";
//   import { durableObjectStore } from "connectsafely-wasm/durable-object";
//   export { ConnectSafelyStore } from "connectsafely-wasm/durable-object";
//
//   export default {
//     async fetch(request, env) {
//       const client = new ConnectSafelyClient({ apiKey: env.CONNECTSAFELY_API_KEY, store: durableObjectStore(env.CONNECTSAFELY_STORE) });
//       ...
//
// wrangler.toml:
//   [[durable_objects.bindings]]
//   name = "CONNECTSAFELY_STORE"
//   class_name = "ConnectSafelyStore"
//   [[migrations]]
//   tag = "connectsafely-v1"
//   new_sqlite_classes = ["ConnectSafelyStore"]

import { ttlSeconds } from "./ttl.js";

/**
 * @param {any} namespace the Durable Object namespace binding of `ConnectSafelyStore`
 * @param {{ prefix?: string, ttlSeconds?: number }} [options] prefix of the object names
 *   (default ""); how long a key lives unread and unwritten (default 3 days: longer than
 *   a day's quota), after which its object deletes it; a journal's keys (swapped with
 *   `{ lasting: true }`) live until deleted
 * @returns {import("./index").SharedStore}
 */
export function durableObjectStore(namespace, options = {}) {
  if (!namespace || typeof namespace.idFromName !== "function" || typeof namespace.get !== "function") {
    throw new TypeError("durableObjectStore needs the Durable Object namespace binding of ConnectSafelyStore (env.<binding>)");
  }
  const prefix = options.prefix ?? "";
  const ttl = ttlSeconds("durableObjectStore", options);
  return {
    async swap(key, expected, value, keep) {
      const stub = namespace.get(namespace.idFromName(prefix + key));
      const res = await stub.fetch("https://connectsafely-store/swap", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        // ttl 0: lasting, never deleted by an alarm (a journal's keys).
        body: JSON.stringify({ key, expected, value, ttl: keep?.lasting === true ? 0 : ttl }),
      });
      if (!res.ok) throw new Error(`the ConnectSafelyStore Durable Object answered ${res.status}`);
      return res.json();
    },
  };
}

/**
 * The Durable Object class a Worker exports for `durableObjectStore`: keeps versioned
 * values in its storage and swaps them one request at a time.
 */
export class ConnectSafelyStore {
  /**
   * @param {any} state the Durable Object's state (its `storage`)
   * @param {unknown} _env
   */
  constructor(state, _env) {
    this.storage = state.storage;
  }

  /** @param {Request} request */
  async fetch(request) {
    let input;
    try {
      input = await request.json();
    } catch {
      return new Response("expected { key, expected, value, ttl }", { status: 400 });
    }
    const { key, expected, value, ttl } = /** @type {any} */ (input);
    if (typeof key !== "string" || (expected !== null && typeof expected !== "number") || (value !== null && typeof value !== "string") || !(Number.isFinite(ttl) && ttl >= 0)) {
      return new Response("expected { key, expected, value, ttl }", { status: 400 });
    }
    // No await between the read and the write but the storage's own: a Durable Object
    // takes no other request meanwhile, so the swap is atomic.
    const current = (await this.storage.get(key)) ?? { v: null, n: 0 };
    // Unread and unwritten for `ttl` seconds, the key goes (alarm below), as Redis's
    // EXPIRE does; read, it stays alive; ttl 0: never (a journal's keys).
    const keep = async () => (ttl > 0 ? this.storage.setAlarm(Date.now() + ttl * 1000) : this.storage.deleteAlarm());
    if (expected !== null && expected === current.n && value !== null) {
      const next = { v: value, n: current.n + 1 };
      await this.storage.put(key, next);
      await keep();
      return Response.json({ ok: true, value: next.v, version: next.n });
    }
    if (current.n > 0) await keep();
    return Response.json({ ok: false, value: current.v, version: current.n });
  }

  /** The key went untouched for its TTL: delete it (and the object's storage with it). */
  async alarm() {
    await this.storage.deleteAll();
  }
}
