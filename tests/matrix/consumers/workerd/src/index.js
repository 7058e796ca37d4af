import { ConnectSafelyClient } from "connectsafely-wasm";

export default {
  async fetch(request, env) {
    const client = new ConnectSafelyClient({ apiKey: env.CONNECTSAFELY_API_KEY, baseUrl: env.CONNECTSAFELY_BASE_URL });
    const result = await client.sendGroupWithAck(await request.json());
    return Response.json(result, { status: result.ok ? 200 : 502 });
  },
};
