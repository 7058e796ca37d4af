// Run once a day by a scheduler (cron, a systemd timer, a Kubernetes CronJob), after the
// quota resets:  node campaign.mjs bodies.json
import { readFile } from "node:fs/promises";
import { createClient } from "redis";
import { ConnectSafelyClient } from "connectsafely-wasm";
import { redisStore } from "connectsafely-wasm/redis";

const bodies = JSON.parse(await readFile(process.argv[2], "utf8"));
const redis = await createClient({ url: process.env.REDIS_URL }).connect();
// CONNECTSAFELY_WORKSPACE names this ConnectSafely account's state in Redis (your company's
// name, say): with it, a rotated API key carries on with the campaign instead of starting it
// over. Unset, the workspace is the API key's own.
const client = new ConnectSafelyClient({
  apiKey: process.env.CONNECTSAFELY_API_KEY,
  workspace: process.env.CONNECTSAFELY_WORKSPACE,
  store: redisStore(redis),
});

// The same journal id every day: each body is sent once, on whichever day its turn comes.
const run = await client.sendGroupWithAckMany(bodies, { journal: "welcome-campaign", runnerId: "campaign-cron" });

const unknown = run.results.filter((r) => r && !r.ok && r.error.deliveryUnknown).length;
console.log(`${run.sent} of ${bodies.length} sent, ${run.failed} failed (${unknown} may have been delivered), ${run.notAttempted.length} not sent yet`);
if (run.resumeAt !== null) console.log(`the rest can be sent after ${new Date(run.resumeAt).toISOString()}`);
await redis.quit();
