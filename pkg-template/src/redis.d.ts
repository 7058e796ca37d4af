import type { SharedStore } from "./index.js";

/** Options of `redisStore`. */
export interface RedisStoreOptions {
  /** Prefix of every key (default `"connectsafely:"`). */
  prefix?: string;
  /** How long a key lives neither read nor written, in seconds (default 3 days); a journal's keys (swapped with `{ lasting: true }`) stay until deleted. */
  ttlSeconds?: number;
}

/**
 * A shared store on Redis for the client's `store` option: your connected node-redis
 * (v4 and later) or ioredis client. One round trip per swap (an atomic EVAL).
 *
 * ```js
 * import { createClient } from "redis";
 * import { redisStore } from "connectsafely-wasm/redis";
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const client = new ConnectSafelyClient({ apiKey, store: redisStore(redis) });
 * ```
 */
export function redisStore(client: unknown, options?: RedisStoreOptions): SharedStore;
