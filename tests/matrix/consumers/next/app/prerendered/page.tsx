import { ConnectSafelyClient, validateSendGroupWithAck } from "connectsafely-wasm";
import * as validateOnly from "connectsafely-wasm/validate";

// A server component with no dynamic input: `next build` renders it once, at build time.
export default async function Prerendered() {
  const client = new ConnectSafelyClient({
    apiKey: process.env.CONNECTSAFELY_API_KEY!,
    baseUrl: process.env.CONNECTSAFELY_BASE_URL,
  });
  const body = {
    recipientProfileUrn: "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o",
    groupId: "12345678",
    message: "Sent while Next.js prerendered this page",
  };
  const sent = await client.sendGroupWithAck(body);
  const invalid = await client.sendGroupWithAck({ ...body, groupId: "abc" });
  return (
    <main>
      <pre id="sent">{JSON.stringify(sent)}</pre>
      <pre id="invalid">{JSON.stringify(invalid)}</pre>
      <pre id="checked">{JSON.stringify(validateSendGroupWithAck(body))}</pre>
      <pre id="validated">{JSON.stringify(validateOnly.validateSendGroupWithAck({ ...body, groupId: " abc " }))}</pre>
    </main>
  );
}
