// The types of connectsafely-wasm. The class and the function are the package's
// JavaScript driver (pkg-template/src/client.js) around the Rust core; the names of
// error kinds, field error codes and stop reasons are checked against the Rust enums
// by tests/boundary.rs.

/**
 * A client of ConnectSafely's `POST /linkedin/messaging/send-group-with-ack`.
 *
 * Validates every body before anything leaves the machine, never rejects,
 * never retries what may have been delivered, and keeps the API key out of
 * every result, error and log.
 *
 * ```js
 * const client = new ConnectSafelyClient({ apiKey: process.env.CONNECTSAFELY_API_KEY });
 * const result = await client.sendGroupWithAck({ recipientProfileUrn, groupId: "12345678", message: "Thanks!" });
 * if (result.ok) console.log(result.data.message);
 * else if (result.error.deliveryUnknown) console.warn("may have been delivered: check before resending");
 * ```
 */
export class ConnectSafelyClient {
  /**
   * Creates a client. Throws a `TypeError` naming the option when an option is
   * invalid, or when run in a browser page without `dangerouslyAllowBrowser: true`.
   */
  constructor(options: ClientOptions);
  /** The base URL requests go to. */
  readonly baseUrl: string;
  /**
   * The workspace whose state a shared store keeps for this client: the `workspace`
   * option, else `"key-"` and a digest of the API key (which does not reveal the key).
   * Before rotating a key, pass this value as the new client's `workspace` to carry on
   * with the old key's quota records and journals.
   */
  readonly workspace: string;
  /**
   * Validates `body`, then sends it once. Resolves to a `SendResult`; never rejects.
   * An invalid body resolves to a `validation` failure and makes no request.
   */
  sendGroupWithAck(body: SendGroupWithAckRequest, options?: CallOptions): Promise<SendResult>;
  /**
   * Sends many bodies, quota-aware: every body is validated first; `concurrency`
   * (default 1) sends at a time, `minIntervalMs` apart per account; a 429 or the
   * guard stops that account, a 401 or the signal stops everything. No body is sent
   * twice. Resolves to a `BulkResult`; never rejects.
   */
  sendGroupWithAckMany(bodies: SendGroupWithAckRequest[], options?: BulkOptions): Promise<BulkResult>;
  /** `"ConnectSafelyClient { baseUrl: ... }"`: the API key is never shown. */
  toString(): string;
  /** What `JSON.stringify(client)` shows: the settings, without the API key. */
  toJSON(): { baseUrl: string; apiKey: "[redacted]" };
}

/**
 * Validates a body as `sendGroupWithAck` would, without sending. Never throws.
 * `value` is the normalized body that would be sent.
 */
export function validateSendGroupWithAck(body: unknown, options?: { maxMessageLength?: number }): ValidationResult;

/** Options of `new ConnectSafelyClient(options)`. */
export interface ClientOptions {
  /** Your ConnectSafely API key (required, non-empty). Sent only as `Authorization: Bearer <apiKey>` to `baseUrl`. */
  apiKey: string;
  /** Default `"https://api.connectsafely.ai"`. Plain `http:` only for loopback hosts. A path is kept. */
  baseUrl?: string;
  /** Default 30000: the whole HTTP call including reading the body; 0 = no timeout. */
  timeoutMs?: number;
  /**
   * Default: the global `fetch`, called unbound. Its `init.signal` aborts on the timeout or
   * your `signal`; a signal whose request was read to its end unaborted may be handed to
   * later calls (up to 8 in all), so a fetch must not act on it once its own call settled.
   */
  fetch?: typeof fetch;
  /** Default 8000 (Unicode code points); at most 1000000. */
  maxMessageLength?: number;
  /** Default 0: never wait on a 429. Otherwise wait up to this long once, then send once more. */
  maxRateLimitWaitMs?: number;
  /** Default true: refuse locally, without a request, while an account's quota is known to be spent. */
  rateLimitGuard?: boolean;
  /** Default false. In a browser page anyone can read the key: set only for a local sandbox or your own proxy. */
  dangerouslyAllowBrowser?: boolean;
  /**
   * A store shared by every process sending for the same accounts (Redis, a Durable
   * Object, IndexedDB: see the `connectsafely-wasm/redis`, `/durable-object` and
   * `/indexeddb` entries). With it the quota, the guard and pacing hold across processes,
   * and runs to many can keep a crash-safe journal. Without it, this client's memory.
   */
  store?: SharedStore;
  /**
   * Names the workspace whose quota records and journals this client shares in the
   * `store`. Default: derived from the API key, so clients with one key share them and
   * clients with different keys never see each other's. Every key the client writes is
   * scoped to the workspace and the base URL's origin, and holds no API key. To rotate a
   * key and carry on, give the new client the old one's `workspace` (its getter).
   */
  workspace?: string;
  /** Default 4: sends in flight per account while its quota is unknown (across all processes, with a store; in this client without one). Once a response tells the quota, no more than what is left. */
  maxInFlightPerAccount?: number;
  /** Default 10000: how long one store operation may take before the send fails closed (`store_unavailable`). */
  storeTimeoutMs?: number;
  /**
   * Headers every request carries (a proxy's own auth, a tracing header). `Authorization`
   * and `Content-Type` are the client's own: setting either throws a `TypeError`. In a
   * server runtime (Node.js, Bun, Deno, Workers) the client also sends
   * `User-Agent: connectsafely-wasm/<version>` unless you set one; in a browser it adds none.
   */
  defaultHeaders?: Record<string, string>;
  /** Default `"warn"`: what the client logs (`debug`: each attempt and decision). */
  logLevel?: LogLevel;
  /** Default `console`: any object with `error`, `warn`, `info` and `debug` (pino, winston...). A line never holds the API key or a message's text. */
  logger?: Logger;
  /** Called around each HTTP attempt with frozen, redacted views; a hook that throws or is slow changes no outcome. */
  hooks?: Hooks;
}

/** What the client logs: each level includes the ones before it. */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Where the client logs (console, pino, winston...). */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** An HTTP attempt as a hook sees it (the API key replaced by `[redacted]`). */
export interface RequestView {
  readonly method: "POST";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** 1, or 2 for the one attempt after a 429 wait. */
  readonly attempt: number;
}

/**
 * Hooks around each HTTP attempt: `onRequest` before it, then `onResponse` or `onError`
 * once, given the same `request` object (a key for a `WeakMap` of spans). Nothing waits
 * for them, and what they throw or return changes nothing.
 */
export interface Hooks {
  onRequest?(request: RequestView): void;
  /** A response arrived (any status). */
  onResponse?(response: { readonly request: RequestView; readonly status: number; readonly durationMs: number; readonly rateLimit: RateLimitInfo | null }): void;
  /** No response: a network failure, a timeout, an abort, a redirect not followed. */
  onError?(failure: { readonly request: RequestView; readonly durationMs: number; readonly error: { readonly kind: ErrorKind; readonly deliveryUnknown: boolean } }): void;
}

/**
 * What a shared store does, atomically: if `key`'s version is still `expected` (0 when it
 * has no value), set it to `value` and add one to its version; `expected: null` only reads.
 * Either way, answer whether it wrote and the value and version the key has now (a whole
 * number, 1 or more once written: any other, or a write answered with version 0, fails the
 * send as `store_unavailable`; a read is never taken for a write, whatever it answers). The client keeps no other
 * state in it: every decision is the client's.
 *
 * A store whose keys expire leaves a key without expiry after any swap given
 * `{ lasting: true }`, read or write: a journal's head and entries, which must outlive any
 * pause of a campaign (an expired entry would read as an item never sent). Account
 * records may expire.
 */
export interface SharedStore {
  swap(key: string, expected: number | null, value: string | null, options?: { lasting?: boolean }): Promise<{ ok: boolean; value: string | null; version: number }>;
}

/** Per-call options of `sendGroupWithAck`. */
export interface CallOptions {
  /** Aborting it ends the call with an `aborted` failure. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** This call's own headers, over the client's `defaultHeaders` (not `Authorization` or `Content-Type`). */
  headers?: Record<string, string>;
}

/** The body of `POST /linkedin/messaging/send-group-with-ack`. */
export interface SendGroupWithAckRequest {
  /** LinkedIn account to use; the default account when absent. */
  accountId?: string;
  /** `urn:li:fsd_profile:...` of the recipient. */
  recipientProfileUrn: string;
  /** The LinkedIn group id: 1 to 20 digits, as a string. */
  groupId: string;
  /** The message, at most `maxMessageLength` code points. */
  message: string;
  /** Message URNs to acknowledge (at most 100). */
  messageUrns?: string[];
}

/** What went wrong. */
export type ErrorKind =
  | "validation"
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "rate_limited"
  | "server_error"
  | "http_error"
  | "invalid_response"
  | "network"
  | "timeout"
  | "aborted"
  | "store_unavailable";

/** One field's problem: `field` is `"groupId"`, `"messageUrns[2]"`, or `""` for the body. */
export interface FieldError {
  field: string;
  code: "required" | "type" | "empty" | "format" | "too_long" | "not_well_formed" | "unknown_field";
  message: string;
}

/** The error of a failed send. */
export interface SendError {
  kind: ErrorKind;
  /** For people; never contains the API key. */
  message: string;
  fieldErrors: FieldError[];
  /** rate_limited: milliseconds until a send can succeed. */
  retryAfterMs: number | null;
  /** The message may have been delivered: check before resending. */
  deliveryUnknown: boolean;
  /**
   * `network`: what fetch threw, as thrown (as `Error.cause`, not enumerable). Absent
   * when nothing was thrown, or when what was thrown mentions the API key.
   */
  cause?: unknown;
}

/** The five `X-RateLimit-*` headers; `null` in a result when none was present. */
export interface RateLimitInfo {
  action: string | null;
  limit: number | null;
  used: number | null;
  remaining: number | null;
  /** Epoch milliseconds. */
  resetAt: number | null;
}

export interface SendSuccess {
  ok: true;
  status: number;
  data: {
    success: true;
    message: string | null;
    recipientProfileUrn: string | null;
    groupId: string | null;
    acknowledgmentSent: boolean | null;
  };
  rateLimit: RateLimitInfo | null;
  /** The whole parsed body, as received. */
  body: unknown;
}

export interface SendFailure {
  ok: false;
  /** `null` when no response arrived. */
  status: number | null;
  error: SendError;
  rateLimit: RateLimitInfo | null;
  /** Parsed JSON if the body parses, else its text (first 64 KiB), `null` if none. */
  body: unknown;
}

/** Discriminated on `ok`. */
export type SendResult = SendSuccess | SendFailure;

/** The result of `validateSendGroupWithAck`. */
export type ValidationResult =
  | { ok: true; value: SendGroupWithAckRequest }
  | { ok: false; error: SendError };

/** Options of `sendGroupWithAckMany`. */
export interface BulkOptions {
  /** Aborting it stops the run: sends in flight settle as `aborted`, the rest are not attempted. */
  signal?: AbortSignal;
  /** Per send. */
  timeoutMs?: number;
  /** Each send's own headers, as `CallOptions.headers`. */
  headers?: Record<string, string>;
  /** Sends in flight at once (default 1). */
  concurrency?: number;
  /** Least time between two send starts for one account (default 0). */
  minIntervalMs?: number;
  /** Called as each item settles; a throw here does not stop the run. */
  onResult?: (index: number, result: SendResult) => void;
  /**
   * A run id: with the client's `store`, each item is claimed before it is sent and its
   * outcome recorded after, so re-running with the same id resumes (nothing sent twice)
   * and several runners can share the run. An entry belongs to its body (the normalized
   * request; a body listed twice is two items), not to its position: the list may be
   * reordered, shortened or extended between runs, and each body not sent before is
   * sent once. Items of an account stopped by its quota are still looked up, so those
   * an earlier run sent report their recorded result.
   */
  journal?: string;
  /** Default false: an item in flight when its runner died (its claim marked sending) is reported `deliveryUnknown` and not sent again; true sends it again. An item whose runner died before its claim was marked sending (just before the request) is sent either way. */
  resendUnknown?: boolean;
  /**
   * With a journal: who this runner is, kept across its restarts (a pod's name; a
   * browser tab's id in sessionStorage). A claim it meets under its own id is from its
   * earlier life, so it is settled at once instead of waiting for the claim to expire: as
   * `deliveryUnknown` when it was marked sending, sent when it was only held. Never give two live runners one id (a duplicated tab copies its
   * sessionStorage: make a new id when another tab holds it). Default: an id of this run alone.
   */
  runnerId?: string;
}

/** The outcome of `sendGroupWithAckMany`. */
export interface BulkResult {
  /** In input order; `null` = not attempted. */
  results: (SendResult | null)[];
  /** Results with `ok: true`. */
  sent: number;
  /** Attempted and not ok (validation failures included). */
  failed: number;
  /** Indexes never sent: resume with these. */
  notAttempted: number[];
  stoppedBy: null | "rate_limited" | "unauthorized" | "aborted" | "store_unavailable";
  /**
   * When running the same bodies again (with the same `journal`) would send more: the
   * earliest time, in epoch ms, at which an account stopped by its quota may send again.
   * `null` when nothing waits on a quota (or the server told neither its reset time nor
   * `Retry-After`).
   */
  resumeAt: number | null;
}
