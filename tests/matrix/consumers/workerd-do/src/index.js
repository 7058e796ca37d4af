// The README's Durable Object setup: the Worker exports ConnectSafelyStore and passes
// its binding to the client. POST a JSON { from, count, account, options } to send
// `count` bodies with sendGroupWithAckMany; the answer is the BulkResult.
import { ConnectSafelyClient } from "connectsafely-wasm";
import { durableObjectStore } from "connectsafely-wasm/durable-object";
export { ConnectSafelyStore } from "connectsafely-wasm/durable-object";

export default {
  async fetch(request, env) {
    const { from, count, account, options } = await request.json();
    const client = new ConnectSafelyClient({
      apiKey: env.CONNECTSAFELY_API_KEY,
      baseUrl: env.CONNECTSAFELY_BASE_URL,
      store: durableObjectStore(env.CONNECTSAFELY_STORE),
    });
    const bodies = Array.from({ length: count }, (_, k) => ({
      accountId: account,
      recipientProfileUrn: "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o",
      groupId: "12345678",
      message: `Hello ${from + k}`,
    }));
    return Response.json(await client.sendGroupWithAckMany(bodies, options));
  },
};
