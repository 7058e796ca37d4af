import { validateSendGroupWithAck } from "connectsafely-wasm/validate";

export const config = { runtime: "edge" };

export default async function handler(request) {
  return Response.json(validateSendGroupWithAck(await request.json()));
}
