//! Classification of an HTTP outcome (status, body text, headers) into a
//! success or one of the contract's error kinds.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::{ErrorKind, FieldError, FieldErrorCode, SendError};
use crate::json::Json;
use crate::rate_limit::{parse_retry_after, RateLimitHeaders, RateLimitInfo};
use crate::response::SuccessData;

/// A classified response.
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    /// The HTTP status.
    pub status: u16,
    /// The rate-limit info of the headers, if any of the five was present.
    pub rate_limit: Option<RateLimitInfo>,
    /// Success data, or the error.
    pub outcome: Result<SuccessData, SendError>,
}

impl Classified {
    /// `retryAfterMs` of a failure, if known.
    pub fn retry_after_ms(&self) -> Option<f64> {
        self.outcome.as_ref().err().and_then(|e| e.retry_after_ms)
    }
}

/// Every key of a response body that classification reads ([`BodyFacts::read`]), so a
/// transport that reads a body lazily can name them by index (the npm build hands this
/// list to its JavaScript once). A key outside it reads as absent in that build;
/// tests/classify.rs records the keys read from every body shape and checks them here.
///
/// ```
/// use connectsafely_wasm::classify::BODY_KEYS;
///
/// assert_eq!(BODY_KEYS[0], "success");
/// ```
pub const BODY_KEYS: [&str; 9] = [
    "success",
    "message",
    "recipientProfileUrn",
    "groupId",
    "acknowledgmentSent",
    "error",
    "issues",
    "path",
    "code",
];

/// A parsed JSON value, as classification reads it. Each transport implements it over
/// the JSON it already has: JavaScript's `JSON.parse` result (the npm build, which so
/// never parses a body twice), `serde_json` (the Rust API), the core's own reader (tests).
pub trait JsonView: Sized {
    /// The value of `key`, when this is an object that has it.
    fn field(&self, key: &str) -> Option<Self>;
    /// The string, when this is one.
    fn string(&self) -> Option<String>;
    /// A success's string field, when this is a string: [`JsonView::string`] unless the
    /// transport hands the body's own strings to its results (the npm build), which may
    /// answer `Some("")` for any string instead of copying it.
    fn text(&self) -> Option<String> {
        self.string()
    }
    /// The boolean, when this is one.
    fn boolean(&self) -> Option<bool>;
    /// Whether this is an object (not an array, not null).
    fn is_object(&self) -> bool;
    /// The first `max` elements, when this is an array.
    fn elements(&self, max: usize) -> Option<Vec<Self>>;
    /// The decimal digits of a whole number >= 0, when this is one.
    fn index(&self) -> Option<String>;
}

impl JsonView for &Json {
    fn field(&self, key: &str) -> Option<Self> {
        self.get(key)
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }
    fn elements(&self, max: usize) -> Option<Vec<Self>> {
        match self {
            Json::Array(items) => Some(items.iter().take(max).collect()),
            _ => None,
        }
    }
    fn index(&self) -> Option<String> {
        match self {
            Json::Number(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                Some(n.clone())
            }
            _ => None,
        }
    }
}

#[cfg(feature = "serde")]
impl JsonView for &serde_json::Value {
    fn field(&self, key: &str) -> Option<Self> {
        self.as_object().and_then(|o| o.get(key))
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn is_object(&self) -> bool {
        serde_json::Value::is_object(self)
    }
    fn elements(&self, max: usize) -> Option<Vec<Self>> {
        self.as_array().map(|a| a.iter().take(max).collect())
    }
    fn index(&self) -> Option<String> {
        self.as_u64().map(|n| crate::text::whole(n as f64))
    }
}

/// What classification needs of a JSON body, read once by [`BodyFacts::read`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyFacts {
    /// The body is a JSON object.
    pub object: bool,
    /// `success`, when a boolean.
    pub success: Option<bool>,
    /// The success fields, each `None` when absent or of the wrong type (each string as
    /// [`JsonView::text`] read it).
    pub data: SuccessData,
    /// The error text of a failure body: `error` when a string, else `message`, else `error.message`.
    pub said: Option<String>,
    /// A ZodError body's issues as field errors.
    pub issues: Vec<FieldError>,
}

impl BodyFacts {
    /// Reads what classification of a response with `status` needs from its parsed body:
    /// a success's fields only when it is one (a 2xx with `success: true`), the server's
    /// error text and a ZodError's issues only when it is not.
    pub fn read<J: JsonView>(body: &J, status: u16) -> Self {
        if !body.is_object() {
            return BodyFacts::default();
        }
        let success = body.field("success").and_then(|v| v.boolean());
        let two_xx = (200..300).contains(&status);
        let sent = two_xx && success == Some(true);
        let text = |k: &str| body.field(k).and_then(|v| v.text());
        BodyFacts {
            object: true,
            success,
            data: if sent {
                SuccessData {
                    success: true,
                    message: text("message"),
                    recipient_profile_urn: text("recipientProfileUrn"),
                    group_id: text("groupId"),
                    acknowledgment_sent: body.field("acknowledgmentSent").and_then(|v| v.boolean()),
                }
            } else {
                SuccessData::default()
            },
            said: if sent { None } else { server_message(body) },
            issues: if two_xx { Vec::new() } else { zod_issues(body) },
        }
    }

    /// Parses `text` with the core's own JSON reader: `None` when it is not JSON.
    pub fn parse(text: &str, status: u16) -> Option<Self> {
        Json::parse(text).map(|j| BodyFacts::read(&&j, status))
    }
}

/// Classifies a response whose body is `text` (parsed here). `now_ms` is the current
/// time, for `Retry-After` dates and reset times.
pub fn classify(status: u16, text: &str, headers: &RateLimitHeaders, now_ms: f64) -> Classified {
    classify_facts(status, BodyFacts::parse(text, status), headers, now_ms)
}

/// Classifies a response from its body's facts (`None`: the body is not JSON), which it
/// takes apart.
pub fn classify_facts(
    status: u16,
    body: Option<BodyFacts>,
    headers: &RateLimitHeaders,
    now_ms: f64,
) -> Classified {
    let rate_limit = headers.info();
    let outcome = if (200..300).contains(&status) {
        success(status, body)
    } else {
        Err(failure(status, body, headers, rate_limit.as_ref(), now_ms))
    };
    Classified {
        status,
        rate_limit,
        outcome,
    }
}

fn success(status: u16, body: Option<BodyFacts>) -> Result<SuccessData, SendError> {
    let Some(body) = body.filter(|b| b.object) else {
        return Err(SendError::new(
            ErrorKind::InvalidResponse,
            crate::cat!(
                "The server answered ",
                crate::text::whole(f64::from(status)),
                " without a JSON object body; the message may have been delivered"
            ),
            true,
        ));
    };
    if body.success != Some(true) {
        let said = body
            .said
            .as_ref()
            .map(|m| crate::cat!(" (", m, ")"))
            .unwrap_or_default();
        return Err(SendError::new(
            ErrorKind::InvalidResponse,
            crate::cat!(
                "The server answered ",
                crate::text::whole(f64::from(status)),
                " but its body is not a success object",
                said,
                "; the message may have been delivered"
            ),
            true,
        ));
    }
    Ok(body.data)
}

/// The error text of a failure body: `error` when a string, else `message`, else `error.message`.
fn server_message<J: JsonView>(body: &J) -> Option<String> {
    let text = body
        .field("error")
        .and_then(|e| e.string())
        .or_else(|| body.field("message").and_then(|m| m.string()))
        .or_else(|| {
            body.field("error")
                .and_then(|e| e.field("message"))
                .and_then(|m| m.string())
        })?;
    let text = crate::text::trim(&text);
    (!text.is_empty()).then(|| crate::text::clip(text, 500).to_owned())
}

/// The kind a non-2xx status maps to.
pub fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        400 => ErrorKind::BadRequest,
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::ServerError,
        _ => ErrorKind::HttpError,
    }
}

fn failure(
    status: u16,
    body: Option<BodyFacts>,
    headers: &RateLimitHeaders,
    rate_limit: Option<&RateLimitInfo>,
    now_ms: f64,
) -> SendError {
    let kind = kind_for_status(status);
    let (said, issues) = body.map_or((None, Vec::new()), |b| (b.said, b.issues));
    let mut message = match (said, kind) {
        (Some(m), _) => m,
        (None, ErrorKind::HttpError) if (300..400).contains(&status) => {
            crate::cat!(
                "HTTP ",
                crate::text::whole(f64::from(status)),
                ": a redirect, which is never followed"
            )
        }
        (None, _) => crate::cat!("HTTP ", crate::text::whole(f64::from(status))),
    };
    // A 303 (See Other) is how a server answers a request it has handled; the other
    // redirects (a proxy's http to https, a moved path: 301, 302, 307, 308) are how
    // servers send a request elsewhere before handling it. (A browser hides which redirect
    // came: `opaque_redirect`.)
    let maybe = kind == ErrorKind::ServerError || status == 303;
    if maybe {
        message.push_str(" (the message may have been delivered: check before resending)");
    }
    let mut error = SendError::new(kind, message, maybe);
    if kind == ErrorKind::RateLimited {
        error.retry_after_ms = headers
            .retry_after
            .as_deref()
            .and_then(|r| parse_retry_after(r, now_ms))
            .or_else(|| {
                rate_limit
                    .and_then(|r| r.reset_at)
                    .map(|at| (at - now_ms).max(0.0))
            });
    }
    if kind == ErrorKind::BadRequest {
        error.field_errors = issues;
    }
    error
}

/// Field errors from a ZodError body: `{error: {name: "ZodError", issues: [{path, message, code?}]}}`.
fn zod_issues<J: JsonView>(body: &J) -> Vec<FieldError> {
    let Some(issues) = body
        .field("error")
        .and_then(|e| e.field("issues"))
        .and_then(|i| i.elements(100))
    else {
        return Vec::new();
    };
    issues
        .iter()
        .filter_map(|issue| {
            let message = issue.field("message").and_then(|m| m.string())?;
            let mut field = String::new();
            for seg in issue
                .field("path")
                .and_then(|p| p.elements(32))
                .unwrap_or_default()
            {
                if let Some(s) = seg.string() {
                    if !field.is_empty() {
                        field.push('.');
                    }
                    field.push_str(&s);
                } else if let Some(n) = seg.index() {
                    field.push('[');
                    field.push_str(&n);
                    field.push(']');
                }
            }
            let code = match issue.field("code").and_then(|c| c.string()).as_deref() {
                Some("invalid_type") => FieldErrorCode::Type,
                Some("too_big") => FieldErrorCode::TooLong,
                Some("too_small") => FieldErrorCode::Empty,
                Some("unrecognized_keys") => FieldErrorCode::UnknownField,
                _ => FieldErrorCode::Format,
            };
            Some(FieldError {
                field,
                code,
                message,
            })
        })
        .collect()
}

/// A browser's opaque answer to a redirect (`redirect: "manual"`): the status is hidden, so
/// it may be a 303 (See Other), which says the server handled the request: maybe delivered.
pub fn opaque_redirect() -> SendError {
    SendError::new(
        ErrorKind::HttpError,
        "The server answered with a redirect, which is never followed (the API key stays with the base URL's origin); a browser hides which (a 303 means it was handled): check before resending",
        true,
    )
}
