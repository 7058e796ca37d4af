// Shared by the JavaScript tests: the sandbox and its controls.
export const SANDBOX = process.env.CS_SANDBOX_URL || "http://127.0.0.1:8787";
export const URN = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";
export const body = (n = 1, extra = {}) => ({ recipientProfileUrn: URN, groupId: "12345678", message: `Hello ${n}`, ...extra });

export async function control(method, path, value) {
  const res = await fetch(`${SANDBOX}/__sandbox/${path}`, { method, body: value === undefined ? undefined : JSON.stringify(value) });
  return res.json();
}
export const reset = () => control("POST", "reset");
export const fault = (f) => control("POST", "faults", f);
export const config = (c) => control("POST", "config", c);
export const state = () => control("GET", "state");
export const messages = async () => (await control("GET", "messages")).messages;
