// One runner process: sends bodies through the package with a Redis store and prints
// a line per settled item ("item <i> <ok|kind>") and the BulkResult as JSON at the end.
//   node runner.mjs '<json settings>'
// settings: { redis, lib: "redis" | "ioredis", sandbox, from, count, account, options, client }
import { ConnectSafelyClient } from "connectsafely-wasm";
import { redisStore } from "connectsafely-wasm/redis";

const s = JSON.parse(process.argv[2]);
let redis;
if (s.lib === "ioredis") {
  const { default: Redis } = await import("ioredis");
  redis = new Redis(s.redis, { maxRetriesPerRequest: 1 });
  await new Promise((resolve, reject) => {
    redis.once("ready", resolve);
    redis.once("error", reject);
  });
} else {
  const { createClient } = await import("redis");
  redis = await createClient({ url: s.redis }).connect();
}
const client = new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: s.sandbox, store: redisStore(redis), ...s.client });
const bodies = Array.from({ length: s.count }, (_, k) => ({
  accountId: s.account,
  recipientProfileUrn: "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o",
  groupId: "12345678",
  message: `Hello ${s.from + k}`,
}));
const run = await client.sendGroupWithAckMany(bodies, {
  ...s.options,
  onResult: (i, r) => console.log(`item ${i} ${r.ok ? "ok" : r.error.kind}`),
});
console.log(JSON.stringify(run));
// Not quit(): it waits for Redis, which a test may have paused.
process.exit(0);
