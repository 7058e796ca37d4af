import type { SharedStore } from "./index.js";

/**
 * A shared store on Cloudflare Durable Objects for the client's `store` option: the
 * namespace binding of `ConnectSafelyStore` (which your Worker exports). Each key lives
 * in its own Durable Object, whose storage makes a swap atomic.
 *
 * ```js
 * export { ConnectSafelyStore } from "connectsafely-wasm/durable-object";
 * const client = new ConnectSafelyClient({ apiKey: env.CONNECTSAFELY_API_KEY, store: durableObjectStore(env.CONNECTSAFELY_STORE) });
 * ```
 */
export function durableObjectStore(
  namespace: unknown,
  options?: {
    /** Prefix of the object names (default ""). */
    prefix?: string;
    /** How long a key lives neither read nor written, in seconds (default 3 days); its object then deletes it. A journal's keys (swapped with `{ lasting: true }`) stay until deleted. */
    ttlSeconds?: number;
  },
): SharedStore;

/** The Durable Object class to export from your Worker and bind (see `durableObjectStore`). */
export class ConnectSafelyStore {
  constructor(state: unknown, env: unknown);
  fetch(request: Request): Promise<Response>;
  alarm(): Promise<void>;
}
