import { validateSendGroupWithAck } from "connectsafely-wasm/validate";

export async function POST(request: Request) {
  return Response.json(validateSendGroupWithAck(await request.json()));
}
