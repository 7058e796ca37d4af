import type { SharedStore } from "./index.js";

/**
 * A shared store in the browser's IndexedDB for the client's `store` option: the quota
 * and pacing shared by the page's tabs, and bulk journals that survive a reload. Each
 * swap is one readwrite transaction, which IndexedDB runs one at a time across tabs.
 *
 * ```js
 * const client = new ConnectSafelyClient({ apiKey, baseUrl, store: indexedDbStore() });
 * await client.sendGroupWithAckMany(bodies, { journal: "list-2026-11-28", runnerId: tabId });
 * ```
 */
export function indexedDbStore(options?: {
  /** The database's name (default "connectsafely-wasm"). */
  name?: string;
  /** How long a key lives neither read nor written, in seconds (default 3 days); a journal's keys (swapped with `{ lasting: true }`) stay until deleted. */
  ttlSeconds?: number;
  /** The IndexedDB factory (default `globalThis.indexedDB`). */
  indexedDB?: IDBFactory;
}): SharedStore;
