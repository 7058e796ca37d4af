// Result objects built in one call each, with a fixed shape (fast for V8, small for the wasm).
export function success(status, message, recipientProfileUrn, groupId, acknowledgmentSent, rateLimit, body) {
  return { ok: true, status, data: { success: true, message, recipientProfileUrn, groupId, acknowledgmentSent }, rateLimit, body };
}
export function failure(status, error, rateLimit, body) {
  return { ok: false, status, error, rateLimit, body };
}
export function sendError(kind, message, fieldErrors, retryAfterMs, deliveryUnknown) {
  return { kind, message, fieldErrors, retryAfterMs, deliveryUnknown };
}
export function fieldError(list, field, code, message) {
  list.push({ field, code, message });
}
export function rateLimit(action, limit, used, remaining, resetAt) {
  return { action, limit, used, remaining, resetAt };
}
export function valid(accountId, recipientProfileUrn, groupId, message, messageUrns) {
  const value = {};
  if (accountId !== undefined) value.accountId = accountId;
  value.recipientProfileUrn = recipientProfileUrn;
  value.groupId = groupId;
  value.message = message;
  if (messageUrns !== undefined) value.messageUrns = messageUrns;
  return { ok: true, value };
}
export function invalid(error) {
  return { ok: false, error };
}
export function bulk(results, sent, failed, notAttempted, stoppedBy, resumeAt) {
  return { results, sent, failed, notAttempted, stoppedBy, resumeAt };
}
// The few values the driver reads at once (a send's request, what a hook sees), as one
// array made in one call (an Array built from wasm costs a call per element).
export function four(a, b, c, d) {
  return [a, b, c, d];
}
export function shown(baseUrl, apiKey) {
  return { baseUrl, apiKey };
}
// What the driver needs of a run to many.
export function bulkSettings(signal, onResult, workers, results, invalid) {
  return { signal, onResult, workers, results, invalid };
}
// A network failure keeps what fetch threw, as `cause` (not enumerable, like Error's
// own cause: JSON.stringify(result) and the result's shape stay as the contract says).
export function withCause(error, cause) {
  return Object.defineProperty(error, "cause", { value: cause, configurable: true, writable: true, enumerable: false });
}
