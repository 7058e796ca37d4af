import { ConnectSafelyClient } from "connectsafely-wasm";

export const runtime = "edge";

export async function POST(request: Request) {
  const client = new ConnectSafelyClient({
    apiKey: process.env.CONNECTSAFELY_API_KEY!,
    baseUrl: process.env.CONNECTSAFELY_BASE_URL,
  });
  const result = await client.sendGroupWithAck(await request.json());
  return Response.json(result, { status: result.ok ? 200 : 502 });
}
