import { ConnectSafelyClient, validateSendGroupWithAck } from "connectsafely-wasm";

// This page is served by the local sandbox API, so it may hold the sandbox key. A real
// key in a page is readable by anyone who opens it: send through your own server instead.
const client = new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: location.origin, dangerouslyAllowBrowser: true });

const form = document.querySelector("form");
const output = document.querySelector("output");

form.addEventListener("input", () => {
  const checked = validateSendGroupWithAck(Object.fromEntries(new FormData(form)));
  form.querySelector("button").title = checked.ok ? "" : checked.error.fieldErrors.map((e) => e.message).join("\n");
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  output.value = "";
  const result = await client.sendGroupWithAck(Object.fromEntries(new FormData(form)));
  output.value = JSON.stringify(result);
});

// A run to many (here the form's message twice): its part of the package (many.mjs) is a
// chunk of its own, downloaded on first use, so a page that sends one never fetches it.
form.querySelector("[name=many]").addEventListener("click", async () => {
  output.value = "";
  const one = Object.fromEntries(new FormData(form));
  const result = await client.sendGroupWithAckMany([one, { ...one, message: `${one.message} (2)` }]);
  output.value = JSON.stringify(result);
});
