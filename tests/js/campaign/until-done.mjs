// One long-running process that sees the campaign through, sleeping until each quota
// resets:  node until-done.mjs bodies.json
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
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

for (;;) {
  const run = await client.sendGroupWithAckMany(bodies, { journal: "welcome-campaign", runnerId: "campaign-loop" });
  console.log(`${run.sent} of ${bodies.length} sent, ${run.failed} failed, ${run.notAttempted.length} not sent yet`);
  // null: nothing waits on a quota (done, or stopped for a reason waiting does not fix).
  if (run.resumeAt === null) {
    if (run.stoppedBy !== null) console.error(`stopped: ${run.stoppedBy}`);
    break;
  }
  console.log(`sleeping until ${new Date(run.resumeAt).toISOString()}`);
  await sleep(run.resumeAt - Date.now() + 1000);
}
await redis.quit();
