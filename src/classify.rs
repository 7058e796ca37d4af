//! Classification of an HTTP outcome (status, body text, headers) into a
//! success or one of the contract's error kinds.

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, FieldError, FieldErrorCode, SendError};
use crate::json::Json;
use crate::rate_limit::{parse_retry_after, RateLimitHeaders, RateLimitInfo};

/// The `data` of a success, each field `null` when the body lacks it or has the wrong type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize), serde(rename_all = "camelCase", deny_unknown_fields))]
pub struct SuccessData {
    /// Always true.
    pub success: bool,
    /// The server's message.
    pub message: Option<String>,
    /// The recipient, as the server echoed it.
    pub recipient_profile_urn: Option<String>,
    /// The group, as the server echoed it.
    pub group_id: Option<String>,
    /// Whether the acknowledgment was sent.
    pub acknowledgment_sent: Option<bool>,
}

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

/// Classifies a response. `now_ms` is the current time, for `Retry-After` dates and reset times.
pub fn classify(status: u16, body: &str, headers: &RateLimitHeaders, now_ms: f64) -> Classified {
    let rate_limit = headers.info();
    let json = Json::parse(body);
    let outcome = if (200..300).contains(&status) {
        success(status, json.as_ref())
    } else {
        Err(failure(
            status,
            json.as_ref(),
            headers,
            rate_limit.as_ref(),
            now_ms,
        ))
    };
    Classified {
        status,
        rate_limit,
        outcome,
    }
}

fn success(status: u16, json: Option<&Json>) -> Result<SuccessData, SendError> {
    let Some(body @ Json::Object(_)) = json else {
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
    if body.get("success").and_then(Json::as_bool) != Some(true) {
        let said = server_message(body)
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
    let string = |k: &str| body.get(k).and_then(Json::as_str).map(str::to_owned);
    Ok(SuccessData {
        success: true,
        message: string("message"),
        recipient_profile_urn: string("recipientProfileUrn"),
        group_id: string("groupId"),
        acknowledgment_sent: body.get("acknowledgmentSent").and_then(Json::as_bool),
    })
}

/// The error text of a failure body: `error` when a string, else `message`, else `error.message`.
pub fn server_message(body: &Json) -> Option<String> {
    let text = body
        .get("error")
        .and_then(Json::as_str)
        .or_else(|| body.get("message").and_then(Json::as_str))
        .or_else(|| {
            body.get("error")
                .and_then(|e| e.get("message"))
                .and_then(Json::as_str)
        })?;
    let text = text.trim();
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
    json: Option<&Json>,
    headers: &RateLimitHeaders,
    rate_limit: Option<&RateLimitInfo>,
    now_ms: f64,
) -> SendError {
    let kind = kind_for_status(status);
    let said = json.and_then(server_message);
    let mut message = match (&said, kind) {
        (Some(m), _) => m.clone(),
        (None, ErrorKind::HttpError) if (300..400).contains(&status) => {
            crate::cat!("HTTP ", crate::text::whole(f64::from(status)), ": a redirect, which is never followed")
        }
        (None, _) => crate::cat!("HTTP ", crate::text::whole(f64::from(status))),
    };
    if kind == ErrorKind::ServerError {
        message.push_str(" (the message may have been delivered: check before resending)");
    }
    let mut error = SendError::new(kind, message, kind == ErrorKind::ServerError);
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
        error.field_errors = json.map(zod_issues).unwrap_or_default();
    }
    error
}

/// Field errors from a ZodError body: `{error: {name: "ZodError", issues: [{path, message, code?}]}}`.
fn zod_issues(body: &Json) -> Vec<FieldError> {
    let Some(Json::Array(issues)) = body.get("error").and_then(|e| e.get("issues")) else {
        return Vec::new();
    };
    issues
        .iter()
        .take(100)
        .filter_map(|issue| {
            let message = issue.get("message").and_then(Json::as_str)?.to_owned();
            let mut field = String::new();
            if let Some(Json::Array(path)) = issue.get("path") {
                for seg in path {
                    match seg {
                        Json::Str(s) => {
                            if !field.is_empty() {
                                field.push('.');
                            }
                            field.push_str(s);
                        }
                        Json::Number(n) => {
                            field.push('[');
                            field.push_str(n);
                            field.push(']');
                        }
                        _ => {}
                    }
                }
            }
            let code = match issue.get("code").and_then(Json::as_str) {
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

/// A browser's opaque answer to a redirect (`redirect: "manual"`): the status is hidden.
pub fn opaque_redirect() -> SendError {
    SendError::new(
        ErrorKind::HttpError,
        "The server answered with a redirect, which is never followed (the API key stays with the base URL's origin)",
        false,
    )
}
