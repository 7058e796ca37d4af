//! The results of the Rust API, shaped and named as the JavaScript API's (contract
//! 3.2 and 6): serialized, a `SendResult` is the same JSON as the JS result object,
//! so a server function or a Worker can hand it on as it is.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;

use crate::bulk::Summary;
use crate::error::SendError;
use crate::outcome::Outcome;
use crate::rate_limit::RateLimitInfo;

pub use crate::error::StopReason;
pub use crate::response::SuccessData;

/// A 2xx whose body is a success object.
///
/// ```
/// use connectsafely_wasm::result::SendResult;
///
/// let json = serde_json::json!({
///     "ok": true, "status": 200,
///     "data": { "success": true, "message": "Group context message sent successfully",
///               "recipientProfileUrn": "urn:li:fsd_profile:A", "groupId": "12345678", "acknowledgmentSent": true },
///     "rateLimit": { "action": "MESSAGE", "limit": 150, "used": 1, "remaining": 149, "resetAt": 1795996800000u64 },
///     "body": { "success": true },
/// });
/// let sent = serde_json::from_value::<SendResult>(json).unwrap().into_result().unwrap();
/// assert_eq!(sent.data.acknowledgment_sent, Some(true));
/// assert_eq!(sent.rate_limit.and_then(|r| r.remaining), Some(149.0));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SendSuccess {
    /// The 2xx status.
    pub status: u16,
    /// The success fields of the body.
    pub data: SuccessData,
    /// The rate-limit headers, parsed.
    pub rate_limit: Option<RateLimitInfo>,
    /// The whole parsed body, as received.
    pub body: Json,
}

/// Every other outcome: the error says what happened and whether the message may
/// have been delivered.
///
/// ```
/// use connectsafely_wasm::result::SendResult;
///
/// let json = serde_json::json!({
///     "ok": false, "status": 503,
///     "error": { "kind": "server_error", "message": "Service Unavailable", "fieldErrors": [],
///                "retryAfterMs": null, "deliveryUnknown": true },
///     "rateLimit": null, "body": "Service Unavailable",
/// });
/// let failed = serde_json::from_value::<SendResult>(json).unwrap().into_result().unwrap_err();
/// assert_eq!((failed.status, failed.error.delivery_unknown), (Some(503), true));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SendFailure {
    /// The status; `None` when no response arrived.
    pub status: Option<u16>,
    /// What went wrong.
    pub error: SendError,
    /// The rate-limit headers, parsed (or the last known, for a refusal by the guard).
    pub rate_limit: Option<RateLimitInfo>,
    /// The parsed JSON body, else its text (first 64 KiB), else `null`.
    pub body: Json,
}

/// The outcome of one send; as JSON, discriminated on `ok` as in JavaScript.
///
/// ```
/// use connectsafely_wasm::result::SendResult;
///
/// // Serialized, a result is the JS API's result object: a server function can pass it on.
/// let json = serde_json::json!({
///     "ok": true, "status": 200,
///     "data": { "success": true, "message": "Group context message sent successfully",
///               "recipientProfileUrn": "urn:li:fsd_profile:A", "groupId": "12345678", "acknowledgmentSent": true },
///     "rateLimit": { "action": "MESSAGE", "limit": 150, "used": 1, "remaining": 149, "resetAt": 1795996800000u64 },
///     "body": { "success": true },
/// });
/// let result: SendResult = serde_json::from_value(json.clone()).unwrap();
/// assert_eq!(serde_json::to_value(&result).unwrap(), json);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum SendResult {
    /// `ok: true`.
    Success(SendSuccess),
    /// `ok: false`.
    Failure(SendFailure),
}

impl SendResult {
    /// Whether the message was sent (`ok` in JavaScript).
    ///
    /// ```
    /// use connectsafely_wasm::result::SendResult;
    ///
    /// let json = serde_json::json!({
    ///     "ok": false, "status": 503,
    ///     "error": { "kind": "server_error", "message": "Service Unavailable", "fieldErrors": [],
    ///                "retryAfterMs": null, "deliveryUnknown": true },
    ///     "rateLimit": null, "body": "Service Unavailable",
    /// });
    /// assert!(!serde_json::from_value::<SendResult>(json).unwrap().ok());
    /// ```
    pub fn ok(&self) -> bool {
        matches!(self, SendResult::Success(_))
    }

    /// The error, for a failure.
    ///
    /// ```
    /// use connectsafely_wasm::result::SendResult;
    ///
    /// let json = serde_json::json!({
    ///     "ok": false, "status": 503,
    ///     "error": { "kind": "server_error", "message": "Service Unavailable", "fieldErrors": [],
    ///                "retryAfterMs": null, "deliveryUnknown": true },
    ///     "rateLimit": null, "body": "Service Unavailable",
    /// });
    /// let result: SendResult = serde_json::from_value(json).unwrap();
    /// assert_eq!(result.error().map(|e| e.kind.as_str()), Some("server_error"));
    /// ```
    pub fn error(&self) -> Option<&SendError> {
        match self {
            SendResult::Success(_) => None,
            SendResult::Failure(f) => Some(&f.error),
        }
    }

    /// The rate-limit info of either kind.
    ///
    /// ```
    /// use connectsafely_wasm::result::SendResult;
    ///
    /// let json = serde_json::json!({
    ///     "ok": true, "status": 200,
    ///     "data": { "success": true, "message": "Group context message sent successfully",
    ///               "recipientProfileUrn": "urn:li:fsd_profile:A", "groupId": "12345678", "acknowledgmentSent": true },
    ///     "rateLimit": { "action": "MESSAGE", "limit": 150, "used": 1, "remaining": 149, "resetAt": 1795996800000u64 },
    ///     "body": { "success": true },
    /// });
    /// let result: SendResult = serde_json::from_value(json).unwrap();
    /// assert_eq!(result.rate_limit().and_then(|r| r.limit), Some(150.0));
    /// ```
    pub fn rate_limit(&self) -> Option<&RateLimitInfo> {
        match self {
            SendResult::Success(s) => s.rate_limit.as_ref(),
            SendResult::Failure(f) => f.rate_limit.as_ref(),
        }
    }

    /// As a `Result`, for `?` and `match`.
    ///
    /// ```
    /// use connectsafely_wasm::result::SendResult;
    ///
    /// let json = serde_json::json!({
    ///     "ok": false, "status": 503,
    ///     "error": { "kind": "server_error", "message": "Service Unavailable", "fieldErrors": [],
    ///                "retryAfterMs": null, "deliveryUnknown": true },
    ///     "rateLimit": null, "body": "Service Unavailable",
    /// });
    /// match serde_json::from_value::<SendResult>(json).unwrap().into_result() {
    ///     Ok(sent) => println!("sent: {:?}", sent.data.message),
    ///     Err(failed) if failed.error.delivery_unknown => println!("may have been delivered: check first"),
    ///     Err(failed) => println!("not sent: {}", failed.error.message),
    /// }
    /// ```
    #[allow(clippy::result_large_err)] // moved once, at the end of a send
    pub fn into_result(self) -> Result<SendSuccess, SendFailure> {
        match self {
            SendResult::Success(s) => Ok(s),
            SendResult::Failure(f) => Err(f),
        }
    }

    /// The result of an outcome of the core; `secret` (the API key) is removed from every
    /// text, as in the JS API.
    #[doc(hidden)]
    pub fn from_outcome(o: Outcome, secret: &str) -> Self {
        // The key out of every text first, by the rule the npm build applies too.
        let o = crate::policy::scrubbed(o, secret);
        let body = body_json(o.body.as_deref());
        match o.result {
            Ok(data) => SendResult::Success(SendSuccess {
                status: o.status.unwrap_or(200),
                data,
                rate_limit: o.rate_limit,
                body,
            }),
            Err(error) => SendResult::Failure(SendFailure {
                status: o.status,
                error,
                rate_limit: o.rate_limit,
                body,
            }),
        }
    }
}

/// A result's `body`: parsed JSON, else the first text a result keeps, else `null`.
fn body_json(text: Option<&str>) -> Json {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Json::Null;
    };
    serde_json::from_str(text).unwrap_or_else(|_| {
        Json::String(crate::text::clip_bytes(text, crate::policy::KEPT_BODY).to_owned())
    })
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SuccessJson {
    ok: bool,
    status: u16,
    data: SuccessData,
    rate_limit: Option<RateLimitInfo>,
    body: Json,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FailureJson {
    ok: bool,
    status: Option<u16>,
    error: SendError,
    rate_limit: Option<RateLimitInfo>,
    body: Json,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum EitherJson {
    Success(SuccessJson),
    Failure(FailureJson),
}

impl Serialize for SendResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.clone() {
            SendResult::Success(x) => SuccessJson {
                ok: true,
                status: x.status,
                data: x.data,
                rate_limit: x.rate_limit,
                body: x.body,
            }
            .serialize(s),
            SendResult::Failure(x) => FailureJson {
                ok: false,
                status: x.status,
                error: x.error,
                rate_limit: x.rate_limit,
                body: x.body,
            }
            .serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for SendResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match EitherJson::deserialize(d)? {
            EitherJson::Success(x) if x.ok => Ok(SendResult::Success(SendSuccess {
                status: x.status,
                data: x.data,
                rate_limit: x.rate_limit,
                body: x.body,
            })),
            EitherJson::Failure(x) if !x.ok => Ok(SendResult::Failure(SendFailure {
                status: x.status,
                error: x.error,
                rate_limit: x.rate_limit,
                body: x.body,
            })),
            _ => Err(D::Error::custom("`ok` disagrees with the result's fields")),
        }
    }
}

/// The outcome of a run to many (`sendGroupWithAckMany`).
///
/// ```
/// use connectsafely_wasm::result::{BulkResult, StopReason};
///
/// let json = serde_json::json!({
///     "results": [null, null], "sent": 0, "failed": 0, "notAttempted": [0, 1], "stoppedBy": "rate_limited",
/// });
/// let run: BulkResult = serde_json::from_value(json).unwrap();
/// assert_eq!(run.stopped_by, Some(StopReason::RateLimited));
/// assert_eq!(run.not_attempted, [0, 1]); // resume with these tomorrow
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkResult {
    /// In input order; `None` = not attempted.
    pub results: Vec<Option<SendResult>>,
    /// Results with `ok: true`.
    pub sent: usize,
    /// Attempted and not ok (validation failures included).
    pub failed: usize,
    /// Indexes never sent: resume with these.
    pub not_attempted: Vec<usize>,
    /// Why the run stopped early.
    pub stopped_by: Option<StopReason>,
    /// When running the same requests again would send more: the earliest time, in epoch
    /// ms, an account stopped by its quota may send again; `None` when nothing waits on a
    /// quota.
    #[serde(default)]
    pub resume_at: Option<f64>,
}

impl BulkResult {
    /// The result of a run from its items' results and the plan's summary.
    #[doc(hidden)]
    pub fn new(results: Vec<Option<SendResult>>, summary: Summary) -> Self {
        BulkResult {
            results,
            sent: summary.sent,
            failed: summary.failed,
            not_attempted: summary.not_attempted,
            stopped_by: summary.stopped_by,
            resume_at: summary.resume_at,
        }
    }
}
