// A campaign longer than a day on Cloudflare Workers: a Cron Trigger runs the list each day
// with the same journal, and the Durable Object store keeps the journal and each account's
// quota between runs and across isolates.
import { ConnectSafelyClient } from "connectsafely-wasm";
import { durableObjectStore } from "connectsafely-wasm/durable-object";
import bodies from "./campaign.json";
export { ConnectSafelyStore } from "connectsafely-wasm/durable-object";

export default {
  async scheduled(controller, env) {
    const client = new ConnectSafelyClient({
      apiKey: env.CONNECTSAFELY_API_KEY,
      baseUrl: env.CONNECTSAFELY_BASE_URL,
      // A name for this account's state (a var): a rotated API key then carries on.
      workspace: env.CONNECTSAFELY_WORKSPACE,
      store: durableObjectStore(env.CONNECTSAFELY_STORE),
    });
    // The same journal id every day: each body is sent once, on whichever day its turn comes.
    const run = await client.sendGroupWithAckMany(bodies, { journal: "welcome-campaign", runnerId: "campaign-cron" });
    console.log(`${run.sent} of ${bodies.length} sent, ${run.failed} failed, ${run.notAttempted.length} not sent yet`);
    if (run.resumeAt !== null) console.log(`the rest can be sent after ${new Date(run.resumeAt).toISOString()}`);
  },
};
