"use client";

import { useState } from "react";
import { ConnectSafelyClient, validateSendGroupWithAck } from "connectsafely-wasm";

// A client component talking to the local sandbox API. A real key in a browser is
// readable by anyone: in production, send from a route handler (below) instead.
const client = () =>
  new ConnectSafelyClient({
    apiKey: "sandbox-key",
    baseUrl: process.env.NEXT_PUBLIC_CONNECTSAFELY_BASE_URL,
    dangerouslyAllowBrowser: true,
  });

export default function SendForm() {
  const [outcome, setOutcome] = useState<unknown>(null);
  async function send(form: FormData) {
    // Typed input for the send, or the field errors, before anything leaves the page.
    const checked = validateSendGroupWithAck(Object.fromEntries(form));
    if (!checked.ok) return setOutcome(checked);
    setOutcome(await client().sendGroupWithAck(checked.value));
  }
  // A run to many (here the message twice): its part of the package is a chunk of its
  // own, downloaded on first use.
  async function sendMany(form: FormData) {
    const checked = validateSendGroupWithAck(Object.fromEntries(form));
    if (!checked.ok) return setOutcome(checked);
    const one = checked.value;
    setOutcome(await client().sendGroupWithAckMany([one, { ...one, message: `${one.message} (2)` }]));
  }
  return (
    <form action={send}>
      <input name="recipientProfileUrn" placeholder="urn:li:fsd_profile:..." />
      <input name="groupId" placeholder="12345678" />
      <textarea name="message" />
      <button>Send</button>
      <button name="many" formAction={sendMany}>Send to many</button>
      <output>{outcome ? JSON.stringify(outcome) : ""}</output>
    </form>
  );
}
