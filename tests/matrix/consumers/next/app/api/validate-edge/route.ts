import { validateSendGroupWithAck } from "connectsafely-wasm/validate";

export const runtime = "edge";

export async function POST(request: Request) {
  return Response.json(validateSendGroupWithAck(await request.json()));
}
