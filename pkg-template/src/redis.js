// @ts-check
// A shared store on Redis, for the client's `store` option: takes your node-redis
// (v4 and later) or ioredis client. Each swap is one EVAL of a small script, so it is
// atomic on the Redis server: one round trip per swap.
//
//   import { createClient } from "redis";
//   import { redisStore } from "connectsafely-wasm/redis";
//   const redis = await createClient({ url: process.env.REDIS_URL }).connect();
//   const client = new ConnectSafelyClient({ apiKey, store: redisStore(redis) });

import { ttlSeconds } from "./ttl.js";

// KEYS[1]: the key. ARGV: the version to expect ("" reads only), the value, the TTL
// in seconds (0: lasting, no expiry: a journal's keys). A key is a hash of its value (v)
// and version (n). Reading a key keeps it alive too.
const SWAP = `
local cur = redis.call('HMGET', KEYS[1], 'v', 'n')
local version = tonumber(cur[2]) or 0
local ttl = tonumber(ARGV[3])
local wrote = 0
if ARGV[1] ~= '' and tonumber(ARGV[1]) == version then
  version = version + 1
  redis.call('HSET', KEYS[1], 'v', ARGV[2], 'n', version)
  cur[1] = ARGV[2]
  wrote = 1
end
if cur[1] then
  if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
end
return {wrote, cur[1], version}
`;

/**
 * @param {any} client a connected node-redis or ioredis client
 * @param {{ prefix?: string, ttlSeconds?: number }} [options] key prefix (default
 *   "connectsafely:"); how long a key lives unread and unwritten (default 3 days: longer
 *   than a day's quota), but a journal's keys (swapped with `{ lasting: true }`), which
 *   live until deleted
 * @returns {import("./index").SharedStore}
 */
export function redisStore(client, options = {}) {
  const prefix = options.prefix ?? "connectsafely:";
  const ttl = String(ttlSeconds("redisStore", options));
  if (!client || (typeof client.sendCommand !== "function" && typeof client.call !== "function")) {
    throw new TypeError("redisStore needs a node-redis or ioredis client (with sendCommand or call)");
  }
  // ioredis has call(command, ...args); node-redis has sendCommand([command, ...args]) only.
  const evalSwap =
    typeof client.call === "function"
      ? (/** @type {string[]} */ args) => client.call("EVAL", SWAP, "1", ...args)
      : (/** @type {string[]} */ args) => client.sendCommand(["EVAL", SWAP, "1", ...args]);
  return {
    async swap(key, expected, value, keep) {
      const reply = await evalSwap([prefix + key, expected === null ? "" : String(expected), value ?? "", keep?.lasting === true ? "0" : ttl]);
      if (!Array.isArray(reply) || reply.length !== 3) throw new Error("Redis answered the swap script with something unexpected");
      const [wrote, current, version] = reply;
      return { ok: Number(wrote) === 1, value: current === null || current === undefined ? null : String(current), version: Number(version) };
    },
  };
}
