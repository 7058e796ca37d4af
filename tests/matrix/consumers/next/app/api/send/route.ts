import { ConnectSafelyClient } from "connectsafely-wasm";

const client = new ConnectSafelyClient({
  apiKey: process.env.CONNECTSAFELY_API_KEY!,
  baseUrl: process.env.CONNECTSAFELY_BASE_URL,
});

export async function POST(request: Request) {
  const result = await client.sendGroupWithAck(await request.json());
  return Response.json(result, { status: result.ok ? 200 : 502 });
}
