// A hand-written plain-JavaScript client of send-group-with-ack with the same
// rules as connectsafely-wasm: what a careful user would write instead. It is
// the baseline of `make bench`, not part of the package.

const KNOWN = ["accountId", "recipientProfileUrn", "groupId", "message", "messageUrns"];
const WS = "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const TRIM = new RegExp(`^${WS}+|${WS}+$`, "g");
const ACCOUNT = /^[A-Za-z0-9_-]{1,128}$/;
const PROFILE = /^urn:li:fsd_profile:[A-Za-z0-9_-]+$/;
const GROUP = /^[0-9]{1,20}$/;
const MESSAGE_URN = /^urn:li:[A-Za-z][A-Za-z0-9_]*:(\(.+\)|[^\s()]+)$/;
const trim = (s) => s.replace(TRIM, "");
const codePoints = (s) => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) i++;
    }
    n++;
  }
  return n;
};
const absent = (v) => v === undefined || v === null;
const err = (field, code, message) => ({ field, code, message });

function identifier(v, field, re, errors) {
  if (absent(v)) return errors.push(err(field, "required", `${field} is required`)), undefined;
  if (typeof v !== "string") return errors.push(err(field, "type", `${field} must be a string`)), undefined;
  const t = trim(v);
  if (!t) return errors.push(err(field, "empty", `${field} is empty`)), undefined;
  if (!re.test(t)) return errors.push(err(field, "format", `${field} has the wrong format`)), undefined;
  return t;
}

export function validate(body, maxMessageLength = 8000) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, error: failure("validation", [err("", "type", "The body must be an object")]) };
  }
  const errors = [];
  const value = {};
  if (!absent(body.accountId)) {
    const a = identifier(body.accountId, "accountId", ACCOUNT, errors);
    if (a !== undefined) value.accountId = a;
  }
  const r = identifier(body.recipientProfileUrn, "recipientProfileUrn", PROFILE, errors);
  const g = typeof body.groupId === "number" ? (errors.push(err("groupId", "type", "groupId must be a string")), undefined) : identifier(body.groupId, "groupId", GROUP, errors);
  const m = body.message;
  if (absent(m)) errors.push(err("message", "required", "message is required"));
  else if (typeof m !== "string") errors.push(err("message", "type", "message must be a string"));
  else if (codePoints(m) > maxMessageLength) errors.push(err("message", "too_long", "message is too long"));
  else if (!m.isWellFormed()) errors.push(err("message", "not_well_formed", "message has an unpaired surrogate"));
  else if (!trim(m)) errors.push(err("message", "empty", "message is empty"));
  let urns;
  if (!absent(body.messageUrns)) {
    const u = body.messageUrns;
    if (!Array.isArray(u)) errors.push(err("messageUrns", "type", "messageUrns must be an array"));
    else if (u.length > 100) errors.push(err("messageUrns", "too_long", "messageUrns is too long"));
    else {
      urns = [];
      u.forEach((x, i) => {
        const f = `messageUrns[${i}]`;
        if (typeof x !== "string") return errors.push(err(f, "type", `${f} must be a string`));
        const t = trim(x);
        if (codePoints(t) > 512) return errors.push(err(f, "too_long", `${f} is too long`));
        if (!t) return errors.push(err(f, "empty", `${f} is empty`));
        if (!MESSAGE_URN.test(t)) return errors.push(err(f, "format", `${f} has the wrong format`));
        urns.push(t);
      });
    }
  }
  for (const k of Object.keys(body)) if (!KNOWN.includes(k)) errors.push(err(k, "unknown_field", `${k} is not a field`));
  if (errors.length) return { ok: false, error: failure("validation", errors) };
  value.recipientProfileUrn = r;
  value.groupId = g;
  value.message = m;
  if (urns) value.messageUrns = urns;
  return { ok: true, value };
}

function failure(kind, fieldErrors = [], message = "", deliveryUnknown = false, retryAfterMs = null) {
  return { kind, message: message || (fieldErrors.map((e) => e.message).join("; ")), fieldErrors, retryAfterMs, deliveryUnknown };
}

const num = (v) => (v !== null && /^\d+$/.test(v.trim()) ? Number(v) : null);
function rateLimit(h) {
  const names = ["x-ratelimit-action", "x-ratelimit-limit", "x-ratelimit-used", "x-ratelimit-remaining", "x-ratelimit-reset"];
  const [action, limit, used, remaining, reset] = names.map((n) => h.get(n));
  if ([action, limit, used, remaining, reset].every((v) => v === null)) return null;
  let resetAt = null;
  if (reset !== null) {
    const n = Number(reset);
    resetAt = /^\d+(\.\d+)?$/.test(reset.trim()) ? (n >= 1e12 ? n : n * 1000) : Date.parse(reset);
    if (!Number.isFinite(resetAt)) resetAt = null;
  }
  return { action, limit: num(limit), used: num(used), remaining: num(remaining), resetAt };
}

const KIND = { 400: "bad_request", 401: "unauthorized", 403: "forbidden", 429: "rate_limited" };

export class HandwrittenClient {
  #apiKey;
  constructor({ apiKey, baseUrl = "https://api.connectsafely.ai", timeoutMs = 30000, fetch: f = globalThis.fetch }) {
    if (typeof apiKey !== "string" || !apiKey) throw new TypeError("apiKey is required");
    this.#apiKey = apiKey;
    this.url = baseUrl.replace(/\/+$/, "") + "/linkedin/messaging/send-group-with-ack";
    this.timeoutMs = timeoutMs;
    this.fetch = f;
  }

  async sendGroupWithAck(body, { signal, timeoutMs = this.timeoutMs } = {}) {
    const v = validate(body);
    if (!v.ok) return { ok: false, status: null, error: v.error, rateLimit: null, body: null };
    const controller = new AbortController();
    const timer = timeoutMs ? setTimeout(() => controller.abort(), timeoutMs) : null;
    const onAbort = () => controller.abort();
    signal?.addEventListener("abort", onAbort);
    try {
      const res = await this.fetch.call(undefined, this.url, {
        method: "POST",
        headers: { Authorization: `Bearer ${this.#apiKey}`, "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(v.value),
        redirect: "manual",
        signal: controller.signal,
      });
      const text = await res.text();
      let parsed = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = text.slice(0, 65536);
      }
      const rl = rateLimit(res.headers);
      if (res.status >= 200 && res.status < 300) {
        if (parsed && parsed.success === true) {
          const s = (k) => (typeof parsed[k] === "string" ? parsed[k] : null);
          const data = { success: true, message: s("message"), recipientProfileUrn: s("recipientProfileUrn"), groupId: s("groupId"), acknowledgmentSent: typeof parsed.acknowledgmentSent === "boolean" ? parsed.acknowledgmentSent : null };
          return { ok: true, status: res.status, data, rateLimit: rl, body: parsed };
        }
        return { ok: false, status: res.status, error: failure("invalid_response", [], "not a success", true), rateLimit: rl, body: parsed };
      }
      const kind = KIND[res.status] ?? (res.status >= 500 ? "server_error" : "http_error");
      const message = (parsed && (typeof parsed.error === "string" ? parsed.error : parsed.message ?? parsed.error?.message)) || `HTTP ${res.status}`;
      let retryAfterMs = null;
      if (kind === "rate_limited") {
        const ra = res.headers.get("retry-after");
        retryAfterMs = ra !== null && /^\d+$/.test(ra) ? Number(ra) * 1000 : rl?.resetAt != null ? Math.max(0, rl.resetAt - Date.now()) : null;
      }
      return { ok: false, status: res.status, error: failure(kind, [], message, kind === "server_error", retryAfterMs), rateLimit: rl, body: parsed };
    } catch (e) {
      const kind = signal?.aborted ? "aborted" : controller.signal.aborted ? "timeout" : "network";
      return { ok: false, status: null, error: failure(kind, [], String(e), true), rateLimit: null, body: null };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
