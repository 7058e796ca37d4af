#!/usr/bin/env node
// The sandbox API: a real HTTP server on loopback that behaves like
// ConnectSafely's POST /linkedin/messaging/send-group-with-ack, with test
// controls under /__sandbox/. No dependencies: it starts from this file alone.
//
//   node sandbox/server.mjs [--port 8787] [--host 127.0.0.1] [--static /=www] [--static /pkg=pkg]
//
// Controls (JSON in, JSON out):
//   POST /__sandbox/reset                 back to defaults: no messages, no usage, no faults
//   GET  /__sandbox/config                the configuration
//   POST /__sandbox/config                merge: {keys, quota, quotas: {account: n}, forbiddenRecipients,
//                                         serverError: "text"|null, retryAfter: bool, resetAt: ISO|null,
//                                         dayMs: n|null (a quota "day" of n ms: usage resets at each
//                                         multiple of n since the epoch, for campaigns over several days)}
//   POST /__sandbox/faults                queue faults for the next endpoint requests (one object or an array):
//                                         {status, body, headers, delayMs, bodyDelayMs, drop: "before-headers"|"mid-body",
//                                          malformed, padBytes, accept, repeat}
//   GET  /__sandbox/faults                the queue;  DELETE /__sandbox/faults empties it
//   GET  /__sandbox/messages              {messages: [...]}: every message accepted, in order
//   GET  /__sandbox/state                 config, usage per workspace and account, queued faults, message count,
//                                         requests in flight now and at most
//   GET  /__sandbox/requests              {requests: [{headers}]}: the headers of the last 100 endpoint
//                                         requests, oldest first (Authorization's value shown as "[present]")
//
// Each accepted key is its own workspace, as each API key is on the real API: its accounts'
// quotas are its own (usage is kept per key and account); a message records the index of
// the key that sent it in `keys` as `workspace`.
import http from "node:http";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

export const ENDPOINT = "/linkedin/messaging/send-group-with-ack";
const RATE_HEADERS = ["X-RateLimit-Action", "X-RateLimit-Limit", "X-RateLimit-Used", "X-RateLimit-Remaining", "X-RateLimit-Reset"];

const DOCUMENTED = {
  400: { success: false, error: "recipientProfileUrn, groupId, and message are required" },
  401: { error: "Unauthorized - Invalid credentials" },
  403: {
    success: false,
    message: "Error sending group context message: Request failed with status code 403",
    recipientProfileUrn: "urn:li:fsd_profile:...",
    groupId: "12345678",
  },
  429: null, // built from the quota
  500: { error: "Failed to get LinkedIn authentication credentials", success: false },
};

function defaults() {
  return {
    keys: ["sandbox-key"],
    quota: 150,
    quotas: {},
    forbiddenRecipients: ["urn:li:fsd_profile:FORBIDDEN"],
    serverError: null,
    retryAfter: false,
    resetAt: null,
    dayMs: null,
  };
}

export function createSandbox({ statics = [], log = false } = {}) {
  let config = defaults();
  let usage = new Map(); // "<key index>:<account>" -> {day, used}
  let faults = [];
  let messages = [];
  let nextId = 1;
  let requests = 0; // every request that reached the endpoint
  let bodiesSeen = new Map(); // request body text -> how many times it arrived
  let recent = []; // the headers of the last 100 endpoint requests
  let inflight = 0; // endpoint requests being handled now
  let peakInflight = 0;

  // The quota's day: a UTC date, or with `dayMs` the number of the window of that length.
  const today = () => (config.dayMs > 0 ? String(Math.floor(Date.now() / config.dayMs)) : new Date().toISOString().slice(0, 10));
  const resetTime = () => {
    if (config.resetAt) return new Date(config.resetAt);
    if (config.dayMs > 0) return new Date((Math.floor(Date.now() / config.dayMs) + 1) * config.dayMs);
    const d = new Date();
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
  };
  const quotaOf = (account) => (account in config.quotas ? config.quotas[account] : config.quota);
  const who = (key, account) => `${config.keys.indexOf(key)}:${account}`;
  const usageOf = (workspace, account) => {
    const at = who(workspace, account);
    let u = usage.get(at);
    if (!u || (u.day !== today() && !config.resetAt)) {
      u = { day: today(), used: 0 };
      usage.set(at, u);
    }
    return u;
  };
  const rateHeaders = (workspace, account) => {
    const limit = quotaOf(account);
    const used = usageOf(workspace, account).used;
    return {
      "X-RateLimit-Action": "MESSAGE",
      "X-RateLimit-Limit": String(limit),
      "X-RateLimit-Used": String(used),
      "X-RateLimit-Remaining": String(Math.max(0, limit - used)),
      "X-RateLimit-Reset": resetTime().toISOString(),
    };
  };

  function cors(req, res) {
    res.setHeader("Access-Control-Allow-Origin", req.headers.origin || "*");
    res.setHeader("Vary", "Origin");
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
    res.setHeader("Access-Control-Allow-Headers", req.headers["access-control-request-headers"] || "Authorization, Content-Type, Accept");
    res.setHeader("Access-Control-Expose-Headers", [...RATE_HEADERS, "Retry-After"].join(", "));
    res.setHeader("Access-Control-Max-Age", "600");
  }

  function readBody(req, limit = 1 << 20) {
    return new Promise((resolve) => {
      const chunks = [];
      let size = 0;
      req.on("data", (c) => {
        size += c.length;
        if (size <= limit) chunks.push(c);
      });
      req.on("end", () => resolve(size > limit ? null : Buffer.concat(chunks).toString("utf8")));
      req.on("error", () => resolve(null));
    });
  }

  const sleep = (ms, req) =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      req.socket.once("close", () => {
        clearTimeout(t);
        resolve();
      });
    });

  function json(res, status, value, headers = {}) {
    const text = JSON.stringify(value);
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
    res.end(text);
  }

  function zodIssues(body) {
    const issues = [];
    const str = (k, optional) => {
      const v = body[k];
      if (optional && (v === undefined || v === null)) return;
      if (typeof v !== "string") issues.push({ code: "invalid_type", expected: "string", received: typeof v, path: [k], message: `Expected string, received ${typeof v}` });
    };
    str("recipientProfileUrn");
    str("groupId");
    str("message");
    str("accountId", true);
    if (body.messageUrns !== undefined && body.messageUrns !== null) {
      if (!Array.isArray(body.messageUrns)) {
        issues.push({ code: "invalid_type", expected: "array", received: typeof body.messageUrns, path: ["messageUrns"], message: "Expected array" });
      } else {
        body.messageUrns.forEach((u, i) => {
          if (typeof u !== "string") issues.push({ code: "invalid_type", expected: "string", received: typeof u, path: ["messageUrns", i], message: `Expected string, received ${typeof u}` });
        });
      }
    }
    return issues;
  }

  // The endpoint's own behaviour, as documented.
  function process(req, text, accept) {
    const auth = req.headers.authorization || "";
    const key = auth.startsWith("Bearer ") ? auth.slice(7) : null;
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    const account = body && typeof body.accountId === "string" && body.accountId ? body.accountId : "default";
    const headers = () => rateHeaders(key, account);
    if (!key || !config.keys.includes(key)) return { status: 401, body: DOCUMENTED[401], headers: headers() };
    if (!body || typeof body !== "object" || Array.isArray(body) || !body.recipientProfileUrn || !body.groupId || !body.message) {
      return { status: 400, body: DOCUMENTED[400], headers: headers() };
    }
    const issues = zodIssues(body);
    if (issues.length) return { status: 400, body: { success: false, error: { name: "ZodError", issues } }, headers: headers() };
    if (config.serverError) return { status: 500, body: { error: config.serverError, success: false }, headers: headers() };
    const u = usageOf(key, account);
    const limit = quotaOf(account);
    if (u.used >= limit) {
      const extra = config.retryAfter ? { "Retry-After": String(Math.max(0, Math.ceil((resetTime() - Date.now()) / 1000))) } : {};
      return { status: 429, body: { error: `Rate limit exceeded for MESSAGE: ${u.used}/${limit} used`, success: false }, headers: { ...headers(), ...extra } };
    }
    if (config.forbiddenRecipients.includes(body.recipientProfileUrn)) {
      return { status: 403, body: { ...DOCUMENTED[403], recipientProfileUrn: body.recipientProfileUrn, groupId: body.groupId }, headers: headers() };
    }
    if (accept) {
      u.used += 1;
      messages.push({
        id: nextId++,
        workspace: config.keys.indexOf(key),
        accountId: body.accountId ?? null,
        recipientProfileUrn: body.recipientProfileUrn,
        groupId: body.groupId,
        message: body.message,
        messageUrns: body.messageUrns ?? null,
        receivedAt: new Date().toISOString(),
      });
    }
    return {
      status: 200,
      body: {
        success: true,
        message: "Group context message sent successfully",
        recipientProfileUrn: body.recipientProfileUrn,
        groupId: body.groupId,
        acknowledgmentSent: true,
      },
      headers: headers(),
    };
  }

  async function endpoint(req, res) {
    requests += 1;
    const seen = { ...req.headers };
    if (seen.authorization !== undefined) seen.authorization = "[present]";
    recent.push({ headers: seen });
    if (recent.length > 100) recent.shift();
    inflight += 1;
    peakInflight = Math.max(peakInflight, inflight);
    let counted = true;
    const done = () => {
      if (counted) inflight -= 1;
      counted = false;
    };
    res.once("finish", done);
    res.once("close", done);
    const text = await readBody(req);
    if (text !== null) bodiesSeen.set(text, (bodiesSeen.get(text) ?? 0) + 1);
    let fault = faults.shift() || {};
    // `repeat: n` applies a fault to the next n requests (browsers resend a request
    // whose reused connection dropped, once per idle connection they hold).
    if (fault.repeat > 1) faults.unshift({ ...fault, repeat: fault.repeat - 1 });
    if (fault.delayMs) await sleep(fault.delayMs, req);
    if (req.socket.destroyed) return;
    if (fault.drop === "before-headers") {
      if (fault.accept) process(req, text ?? "", true);
      req.socket.destroy();
      return;
    }
    let out;
    if (fault.status) {
      const accept = fault.accept ?? (fault.status >= 200 && fault.status < 300);
      const normal = process(req, text ?? "", accept);
      const documented = fault.status === 429 ? { error: "Rate limit exceeded for MESSAGE: 150/150 used", success: false } : DOCUMENTED[fault.status];
      out = { status: fault.status, body: fault.body ?? documented ?? (fault.status >= 200 && fault.status < 300 ? normal.body : { error: `Sandbox fault ${fault.status}`, success: false }), headers: normal.headers };
    } else {
      out = process(req, text ?? "", fault.accept ?? true);
    }
    let bodyText = typeof out.body === "string" ? out.body : JSON.stringify(out.body);
    if (fault.malformed) bodyText = bodyText.slice(0, Math.max(1, Math.floor(bodyText.length / 2)));
    if (fault.padBytes) bodyText += " ".repeat(fault.padBytes);
    const headers = {
      "Content-Type": typeof fault.body === "string" && fault.body.trimStart().startsWith("<") ? "text/html; charset=utf-8" : "application/json; charset=utf-8",
      ...out.headers,
      ...(fault.headers || {}),
    };
    res.writeHead(out.status, headers);
    const buf = Buffer.from(bodyText, "utf8");
    if (fault.drop === "mid-body" || fault.bodyDelayMs) {
      res.flushHeaders?.();
      const half = Math.floor(buf.length / 2);
      res.write(buf.subarray(0, half));
      if (fault.bodyDelayMs) await sleep(fault.bodyDelayMs, req);
      if (fault.drop === "mid-body") {
        // Let the first half reach the client, then cut the connection.
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      if (!req.socket.destroyed) res.end(buf.subarray(half));
      return;
    }
    res.end(buf);
  }

  async function controls(req, res, route) {
    const text = req.method === "POST" ? await readBody(req, 64 << 20) : "";
    let input = {};
    if (text === null) return json(res, 413, { error: "control body over 64 MiB" });
    if (text) {
      try {
        input = JSON.parse(text);
      } catch {
        return json(res, 400, { error: "control bodies are JSON" });
      }
    }
    switch (`${req.method} ${route}`) {
      case "POST reset":
        config = defaults();
        usage = new Map();
        faults = [];
        messages = [];
        requests = 0;
        bodiesSeen = new Map();
        recent = [];
        peakInflight = inflight;
        return json(res, 200, { ok: true });
      case "GET config":
        return json(res, 200, config);
      case "POST config":
        for (const k of Object.keys(defaults())) if (k in input) config[k] = input[k];
        return json(res, 200, config);
      case "POST faults":
        faults.push(...(Array.isArray(input) ? input : [input]));
        return json(res, 200, { queued: faults.length });
      case "GET faults":
        return json(res, 200, { faults });
      case "DELETE faults":
        faults = [];
        return json(res, 200, { queued: 0 });
      case "GET messages":
        return json(res, 200, { messages });
      case "GET requests":
        return json(res, 200, { requests: recent });
      case "GET state":
        return json(res, 200, {
          config,
          usage: Object.fromEntries([...usage].map(([a, u]) => [a, { ...u, limit: quotaOf(a.slice(a.indexOf(":") + 1)) }])),
          faults: faults.length,
          messages: messages.length,
          requests,
          inflight,
          peakInflight,
          repeatedBodies: [...bodiesSeen.values()].filter((n) => n > 1).length,
          resetAt: resetTime().toISOString(),
        });
      default:
        return json(res, 404, { error: `no control ${req.method} /__sandbox/${route}` });
    }
  }

  const TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".cjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".wasm": "application/wasm",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ts": "text/plain; charset=utf-8",
  };

  async function serveStatic(req, res, pathname) {
    for (const { prefix, dir } of statics) {
      if (!pathname.startsWith(prefix)) continue;
      let rel = decodeURIComponent(pathname.slice(prefix.length));
      if (rel === "" || rel.endsWith("/")) rel += "index.html";
      const file = path.resolve(dir, "." + path.posix.normalize("/" + rel));
      if (!file.startsWith(path.resolve(dir) + path.sep)) continue;
      try {
        const s = await stat(file);
        if (!s.isFile()) continue;
        const data = await readFile(file);
        res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream", "Cache-Control": "no-store" });
        res.end(data);
        return true;
      } catch {
        continue;
      }
    }
    return false;
  }

  const server = http.createServer(async (req, res) => {
    try {
      cors(req, res);
      const { pathname } = new URL(req.url, "http://sandbox");
      if (log) console.log(`${req.method} ${pathname}`);
      if (req.method === "OPTIONS") {
        res.writeHead(204);
        return res.end();
      }
      if (pathname === ENDPOINT) {
        if (req.method !== "POST") return json(res, 405, { success: false, error: "Method not allowed" }, rateHeaders(null, "default"));
        return await endpoint(req, res);
      }
      if (pathname.startsWith("/__sandbox/")) return await controls(req, res, pathname.slice("/__sandbox/".length));
      if ((req.method === "GET" || req.method === "HEAD") && (await serveStatic(req, res, pathname))) return;
      json(res, 404, { success: false, error: "Not found" }, rateHeaders(null, "default"));
    } catch (err) {
      if (!res.headersSent) json(res, 500, { success: false, error: "sandbox failure: " + err.message });
      else req.socket.destroy();
    }
  });
  server.keepAliveTimeout = 5000;
  return server;
}

function parseArgs(argv) {
  const opts = { port: Number(process.env.PORT || 8787), host: process.env.HOST || "127.0.0.1", statics: [], log: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--port") opts.port = Number(argv[++i]);
    else if (a === "--host") opts.host = argv[++i];
    else if (a === "--log") opts.log = true;
    else if (a === "--static") {
      const [prefix, dir] = argv[++i].split("=");
      opts.statics.push({ prefix: prefix.endsWith("/") ? prefix : prefix + "/", dir });
    } else throw new Error(`unknown argument ${a}`);
  }
  // Longest prefix first, so /pkg/ wins over /.
  opts.statics.sort((a, b) => b.prefix.length - a.prefix.length);
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const opts = parseArgs(process.argv.slice(2));
  const server = createSandbox(opts);
  server.on("error", (e) => {
    console.error(`sandbox: cannot listen on ${opts.host}:${opts.port}: ${e.message}`);
    process.exit(1);
  });
  // A deep accept queue: load tests open a thousand connections at once.
  server.listen({ port: opts.port, host: opts.host, backlog: 4096 }, () => {
    const { port } = server.address();
    console.log(`Sandbox API listening on http://${opts.host}:${port}/ (API key: sandbox-key)`);
  });
  const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
