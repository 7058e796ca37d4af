import { ConnectSafelyClient } from "connectsafely-wasm";

// node send.mjs '{"recipientProfileUrn":"urn:li:fsd_profile:...","groupId":"12345678","message":"Hi"}'
const client = new ConnectSafelyClient({
  apiKey: process.env.CONNECTSAFELY_API_KEY,
  baseUrl: process.env.CONNECTSAFELY_BASE_URL, // unset: https://api.connectsafely.ai
});
const result = await client.sendGroupWithAck(JSON.parse(process.argv[2]));
console.log(JSON.stringify(result));
process.exitCode = result.ok ? 0 : 1;
