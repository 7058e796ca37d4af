// @ts-check
// A shared store in the browser's IndexedDB, for the client's `store` option: the quota
// and pacing shared by the page's tabs, and bulk journals that survive a reload or a
// closed tab. Each swap is one readwrite transaction, which IndexedDB runs one at a time
// for the object store across every tab of the origin: the swap is atomic.
//
//   import { ConnectSafelyClient } from "connectsafely-wasm";
//   import { indexedDbStore } from "connectsafely-wasm/indexeddb";
//   const client = new ConnectSafelyClient({ apiKey, baseUrl, dangerouslyAllowBrowser: true, store: indexedDbStore() });
//   await client.sendGroupWithAckMany(bodies, { journal: "list-2026-11-28", runnerId: tabId });

import { ttlSeconds } from "./ttl.js";

const STORE = "kv";

/** What a journal's swaps ask of IndexedDB: on disk before they answer. */
const DURABLE = { durability: "strict" };

/**
 * @param {{ name?: string, ttlSeconds?: number, indexedDB?: IDBFactory }} [options]
 *   database name (default "connectsafely-wasm"); how long a key lives unread and
 *   unwritten (default 3 days: longer than a day's quota and the gap between a
 *   campaign's daily runs); the IndexedDB
 *   factory (default `globalThis.indexedDB`)
 * @returns {import("./index").SharedStore}
 */
export function indexedDbStore(options = {}) {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  if (!factory || typeof factory.open !== "function") {
    throw new TypeError("indexedDbStore needs IndexedDB (a browser page or worker), or options.indexedDB");
  }
  const name = options.name ?? "connectsafely-wasm";
  const ttlMs = ttlSeconds("indexedDbStore", options) * 1000;
  /** @type {Promise<IDBDatabase> | null} */
  let opened = null;

  const open = () =>
    (opened ??= new Promise((resolve, reject) => {
      const req = factory.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => {
        const db = req.result;
        // Another tab upgrading the database: let it, and open again on the next swap.
        db.onversionchange = () => {
          db.close();
          opened = null;
        };
        db.onclose = () => (opened = null);
        sweep(db);
        resolve(db);
      };
      req.onerror = () => {
        opened = null;
        reject(req.error ?? new Error(`IndexedDB could not open ${name}`));
      };
      req.onblocked = () => {
        opened = null;
        reject(new Error(`IndexedDB ${name} is blocked by another tab holding an older version`));
      };
    }));

  return {
    async swap(key, expected, value, keep) {
      const db = await open();
      const write = expected !== null && value !== null;
      // A journal's keys live until deleted.
      const lasting = keep?.lasting === true;
      const life = lasting ? Infinity : ttlMs;
      return new Promise((resolve, reject) => {
        // Read-write even to read: a key read is kept alive (a journal read by each day's run).
        // A journal's swap answers once its entry is on disk: by default ("relaxed": Chrome
        // 121 and later, Firefox, Safari) once the OS holds it, so a crash or a power cut
        // could lose a claim and the outcome recorded after its send, and the next run send
        // the item again. An account's record is not worth the wait.
        const tx = lasting ? db.transaction(STORE, "readwrite", DURABLE) : db.transaction(STORE, "readwrite");
        const kv = tx.objectStore(STORE);
        /** @type {{ ok: boolean, value: string | null, version: number }} */
        let answer = { ok: false, value: null, version: 0 };
        const get = kv.get(key);
        get.onsuccess = () => {
          const now = Date.now();
          const held = get.result;
          const cur = held && typeof held.n === "number" && held.e > now ? held : { v: null, n: 0 };
          if (write && expected === cur.n) {
            const next = { v: value, n: cur.n + 1, e: now + life };
            kv.put(next, key);
            answer = { ok: true, value: next.v, version: next.n };
          } else {
            if (cur.n > 0) kv.put({ v: cur.v, n: cur.n, e: now + life }, key);
            answer = { ok: false, value: cur.v ?? null, version: cur.n };
          }
        };
        tx.oncomplete = () => resolve(answer);
        tx.onerror = () => reject(tx.error ?? new Error("the IndexedDB transaction failed"));
        tx.onabort = () => reject(tx.error ?? new Error("the IndexedDB transaction was aborted"));
      });
    },
  };
}

/** Deletes the keys whose time is up, once per opening (nobody waits for it). */
function sweep(/** @type {IDBDatabase} */ db) {
  try {
    const tx = db.transaction(STORE, "readwrite");
    const now = Date.now();
    const cursor = tx.objectStore(STORE).openCursor();
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) return;
      if (!(c.value && c.value.e > now)) c.delete();
      c.continue();
    };
  } catch {
    // A closing database: the next opening sweeps.
  }
}
