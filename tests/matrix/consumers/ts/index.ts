// A strict TypeScript consumer: narrowing must work, and every @ts-expect-error
// below fails the build if the type it probes were `any`.
import {
  ConnectSafelyClient,
  validateSendGroupWithAck,
  type CallOptions,
  type ClientOptions,
  type ErrorKind,
  type FieldError,
  type RateLimitInfo,
  type SendError,
  type SendFailure,
  type SendGroupWithAckRequest,
  type SendResult,
  type SendSuccess,
  type ValidationResult,
  type BulkOptions,
  type BulkResult,
  type Hooks,
  type Logger,
  type LogLevel,
  type SharedStore,
} from "connectsafely-wasm";
import * as validateOnly from "connectsafely-wasm/validate";

const options: ClientOptions = { apiKey: "k", baseUrl: "https://proxy.example/cs", timeoutMs: 1000 };
const client = new ConnectSafelyClient(options);
const body: SendGroupWithAckRequest = { recipientProfileUrn: "urn:li:fsd_profile:A", groupId: "1", message: "hi" };
const call: CallOptions = { signal: new AbortController().signal, timeoutMs: 5 };

function describe(kind: ErrorKind): string {
  switch (kind) {
    case "validation":
    case "bad_request":
    case "unauthorized":
    case "forbidden":
    case "rate_limited":
    case "server_error":
    case "http_error":
    case "invalid_response":
    case "network":
    case "timeout":
    case "aborted":
    case "store_unavailable":
      return kind;
    default: {
      const none: never = kind; // the union is closed: twelve kinds
      return none;
    }
  }
}

export async function main(): Promise<string> {
  const r: SendResult = await client.sendGroupWithAck(body, call);
  await client.sendGroupWithAck(body);
  if (r.ok) {
    const success: SendSuccess = r;
    const status: number = success.status;
    const message: string | null = r.data.message;
    const ack: boolean | null = r.data.acknowledgmentSent;
    const limit: RateLimitInfo | null = r.rateLimit;
    // @ts-expect-error a success has no error
    r.error;
    return `${status} ${message} ${ack} ${limit?.remaining}`;
  }
  const failure: SendFailure = r;
  const error: SendError = failure.error;
  const status: number | null = r.status;
  const fields: FieldError[] = error.fieldErrors;
  const first = fields[0];
  if (first) {
    const code: "required" | "type" | "empty" | "format" | "too_long" | "not_well_formed" | "unknown_field" = first.code;
    // @ts-expect-error not a field error code
    const bad: FieldError["code"] = "wrong";
    void code, bad;
  }
  if (error.kind === "rate_limited") {
    const wait: number | null = error.retryAfterMs;
    void wait;
  }
  // @ts-expect-error a failure has no data
  r.data;
  // @ts-expect-error not an error kind
  const teapot: ErrorKind = "teapot";
  // @ts-expect-error body is unknown until checked
  const n: number = r.body;
  // @ts-expect-error deliveryUnknown is a boolean
  const d: string = error.deliveryUnknown;
  void teapot, n, d, status;
  return describe(error.kind);
}

// @ts-expect-error groupId is a string, not a number
void client.sendGroupWithAck({ recipientProfileUrn: "u", groupId: 1, message: "m" });
// @ts-expect-error apiKey is required
new ConnectSafelyClient({ baseUrl: "https://x" });
// @ts-expect-error timeoutMs is a number
new ConnectSafelyClient({ apiKey: "k", timeoutMs: "5" });
// @ts-expect-error the promise resolves to a SendResult, not a string
const wrong: Promise<string> = client.sendGroupWithAck(body);
void wrong;

const v: ValidationResult = validateSendGroupWithAck({ anything: true }, { maxMessageLength: 100 });
if (v.ok) {
  const value: SendGroupWithAckRequest = v.value;
  void value;
} else {
  const kind: ErrorKind = v.error.kind;
  // @ts-expect-error an invalid result has no value
  v.value;
  void kind;
}

// connectsafely-wasm/validate: the same function and result types.
const checked: validateOnly.ValidationResult = validateOnly.validateSendGroupWithAck({ groupId: " 1 " }, { maxMessageLength: 100 });
const same: ValidationResult = checked;
if (!checked.ok) {
  const field: validateOnly.FieldError | undefined = checked.error.fieldErrors[0];
  void field;
}
// @ts-expect-error the validate entry has no client
void validateOnly.ConnectSafelyClient;
void same;

export async function many(): Promise<number[]> {
  const opts: BulkOptions = { concurrency: 2, minIntervalMs: 100, onResult: (i: number, r: SendResult) => void (r.ok ? i : r.error.kind) };
  const r: BulkResult = await client.sendGroupWithAckMany([body, body], opts);
  const first = r.results[0];
  if (first && !first.ok) {
    const k: ErrorKind = first.error.kind;
    void k;
  }
  // @ts-expect-error stoppedBy is a closed union
  const s: "teapot" = r.stoppedBy;
  void s;
  return r.notAttempted;
}

// Logs, hooks, headers and a store: the option types are closed.
const logger: Logger = console;
const level: LogLevel = "debug";
const hooks: Hooks = {
  onRequest: (req) => void req.headers["traceparent"],
  onResponse: ({ request, status, rateLimit }) => void [request.attempt, status, rateLimit?.remaining],
  onError: ({ request, error }) => void [request.url, error.kind === "network", error.deliveryUnknown],
};
const store: SharedStore = { swap: async (_key, _expected, value) => ({ ok: false, value, version: 0 }) };
new ConnectSafelyClient({ apiKey: "k", logger, logLevel: level, hooks, store, defaultHeaders: { "X-Team": "t" } });
void client.sendGroupWithAck(body, { headers: { traceparent: "00-1-2-01" } });
void client.sendGroupWithAckMany([body], { journal: "run-1", runnerId: "pod-a", resendUnknown: false, headers: { "X-Run": "1" } });
// @ts-expect-error not a log level
new ConnectSafelyClient({ apiKey: "k", logLevel: "verbose" });
// @ts-expect-error header values are strings
new ConnectSafelyClient({ apiKey: "k", defaultHeaders: { "X-Count": 1 } });
// @ts-expect-error a view is read-only
const hooked: Hooks = { onRequest: (req) => void (req.attempt = 2) };
void hooked;
