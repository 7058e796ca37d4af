// What the send benchmarks (run.mjs, send-alone.mjs, compare.mjs) send, and the fetch they send it with:
// one that answers at once in this process, so a send's time is the client's own CPU.
export const URN = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";
const ANSWER = JSON.stringify({ success: true, message: "Group context message sent successfully", recipientProfileUrn: URN, groupId: "12345678", acknowledgmentSent: true });
const HEADERS = { "content-type": "application/json", "x-ratelimit-action": "MESSAGE", "x-ratelimit-limit": "150", "x-ratelimit-used": "1", "x-ratelimit-remaining": "149", "x-ratelimit-reset": "2030-01-01T00:00:00Z" };
export const inProcessFetch = async () => new Response(ANSWER, { status: 200, headers: HEADERS });
// The same answer as a plain object with only what the clients read of a Response (status,
// type, headers.get, text): building a real Response costs Node.js 20 most of a send (its
// body stream), and its garbage and code crowd the client's out of V8's caches. With this
// fetch a send's time is the client's own work alone, and it varies far less between
// processes (a few percent, against ~10% with a real Response), so a change to the
// client shows in it first.
const PLAIN_HEADERS = new Map(Object.entries(HEADERS));
const plainAnswer = Object.freeze({
  status: 200,
  type: "basic",
  headers: Object.freeze({ get: (name) => PLAIN_HEADERS.get(String(name).toLowerCase()) ?? null }),
  text: () => Promise.resolve(ANSWER),
});
export const plainFetch = async () => plainAnswer;
// An API key of a real key's length: the client scrubs its key from every body it reads, and
// a one-letter key ("k") is found in this answer's "acknowledgmentSent" on every send.
export const API_KEY = "cs_bench_4f1c9a7e2b8d6035af19c2e7b4d80a6f";
export const sendBody = { recipientProfileUrn: URN, groupId: "12345678", message: "Thanks for your message in the group!" };

// What a hand-rolled timeout adds around fetch: a new AbortController whose signal fetch
// gets, a timer that would abort it, cleared when the body is read; then JSON.parse.
// Beside raw fetch it shows what such a timeout alone costs, before any client's own work
// (this package reuses a controller whose request ended unaborted: exchange.js `Lease`).
export const WITH_TIMEOUT = "fetch + timeout + JSON.parse";
export async function fetchWithTimeout(fetchFn, url, init) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000);
  try {
    const res = await fetchFn(url, { ...init, signal: controller.signal });
    return JSON.parse(await res.text());
  } finally {
    clearTimeout(timer);
  }
}
