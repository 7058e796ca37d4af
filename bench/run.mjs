// make bench: validation and send throughput of the package, side by side with
// raw fetch, in one run on this machine. (Issue 6 grows this into the full table.)
import os from "node:os";
import { createRequire } from "node:module";
import { createSandbox } from "../sandbox/server.mjs";

const require = createRequire(import.meta.url);
const { ConnectSafelyClient, validateSendGroupWithAck } = require("../pkg/node/connectsafely_wasm.js");

const URN = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";
const bodies = {
  "valid body": { recipientProfileUrn: URN, groupId: "12345678", message: "Thanks for your message in the group!" },
  "invalid body (4 errors)": { recipientProfileUrn: "nope", groupId: 12345678, message: " ", messageUrns: "x" },
  "8000-character message": { recipientProfileUrn: URN, groupId: "12345678", message: "é".repeat(8000) },
};

function opsPerSecond(fn, ms = 1000) {
  for (let i = 0; i < 1000; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return n / ((performance.now() - start) / 1000);
}

const rows = [];
for (const [name, body] of Object.entries(bodies)) {
  rows.push({ measure: `validate: ${name}`, "connectsafely-wasm": `${Math.round(opsPerSecond(() => validateSendGroupWithAck(body))).toLocaleString()} ops/s`, "raw fetch": "-" });
}

const server = createSandbox();
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;
await fetch(`${base}/__sandbox/config`, { method: "POST", body: JSON.stringify({ quota: 1e9 }) });
const client = new ConnectSafelyClient({ apiKey: "sandbox-key", baseUrl: base, rateLimitGuard: false });
const raw = async (body) => {
  const res = await fetch(`${base}/linkedin/messaging/send-group-with-ack`, {
    method: "POST",
    headers: { Authorization: "Bearer sandbox-key", "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
    redirect: "manual",
  });
  return JSON.parse(await res.text());
};
async function sequential(send, n) {
  const start = performance.now();
  for (let i = 0; i < n; i++) await send(bodies["valid body"]);
  return n / ((performance.now() - start) / 1000);
}
const N = 1000;
await sequential((b) => client.sendGroupWithAck(b), 100);
await sequential(raw, 100);
const wasmRate = await sequential((b) => client.sendGroupWithAck(b), N);
const rawRate = await sequential(raw, N);
rows.push({ measure: `${N} sequential sends`, "connectsafely-wasm": `${Math.round(wasmRate)} sends/s`, "raw fetch": `${Math.round(rawRate)} sends/s (ratio ${(wasmRate / rawRate).toFixed(2)}x)` });
server.close();

console.log(`connectsafely-wasm benchmarks, ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, Node ${process.version}`);
console.table(rows);
