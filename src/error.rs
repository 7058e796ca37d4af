//! The error taxonomy of the contract: `SendError`, `ErrorKind`, `FieldError`, and why a
//! run to many stopped early (`StopReason`).

#[allow(unused_imports)]
use crate::prelude::*;

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// What went wrong with a send, in the contract's words (`"rate_limited"`, ...).
///
/// ```
/// use connectsafely_wasm::error::ErrorKind;
///
/// // A 5xx, a timeout or a network failure may have delivered the message.
/// let kind = ErrorKind::ServerError;
/// assert!(matches!(kind, ErrorKind::ServerError | ErrorKind::Timeout | ErrorKind::Network));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum ErrorKind {
    /// Rejected locally, nothing sent.
    Validation,
    /// HTTP 400.
    BadRequest,
    /// HTTP 401.
    Unauthorized,
    /// HTTP 403.
    Forbidden,
    /// HTTP 429, or refused locally by the rate-limit guard.
    RateLimited,
    /// HTTP 5xx: the message may have been delivered.
    ServerError,
    /// Any other non-2xx status (3xx, 404, 409, ...).
    HttpError,
    /// A 2xx whose body is not a success object: the message may have been delivered.
    InvalidResponse,
    /// `fetch` failed.
    Network,
    /// `timeoutMs` elapsed.
    Timeout,
    /// The caller's signal fired.
    Aborted,
    /// The shared store (Redis, a Durable Object, IndexedDB) could not be used: nothing
    /// was sent, failing closed.
    StoreUnavailable,
}

impl ErrorKind {
    /// The contract's name for the kind, as JavaScript sees it.
    ///
    /// ```
    /// use connectsafely_wasm::error::ErrorKind;
    ///
    /// assert_eq!(ErrorKind::RateLimited.as_str(), "rate_limited");
    /// assert_eq!(ErrorKind::StoreUnavailable.as_str(), "store_unavailable");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::ServerError => "server_error",
            ErrorKind::HttpError => "http_error",
            ErrorKind::InvalidResponse => "invalid_response",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Aborted => "aborted",
            ErrorKind::StoreUnavailable => "store_unavailable",
        }
    }

    /// Every kind, in the contract's order.
    ///
    /// ```
    /// use connectsafely_wasm::error::ErrorKind;
    ///
    /// let names: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    /// assert_eq!(names.len(), 12);
    /// assert_eq!(names[0], "validation");
    /// ```
    pub const ALL: [ErrorKind; 12] = [
        ErrorKind::Validation,
        ErrorKind::BadRequest,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::RateLimited,
        ErrorKind::ServerError,
        ErrorKind::HttpError,
        ErrorKind::InvalidResponse,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Aborted,
        ErrorKind::StoreUnavailable,
    ];
}

/// Why one field of the body was rejected.
///
/// ```
/// use connectsafely_wasm::error::FieldErrorCode;
/// use connectsafely_wasm::{validate::validate, value::Value};
///
/// let body = Value::object([("recipientProfileUrn", Value::str("urn:li:fsd_profile:A")), ("groupId", Value::str("abc"))]);
/// let errors = validate(&body, 8000).unwrap_err();
/// assert_eq!(errors[0].code, FieldErrorCode::Format); // groupId: digits only
/// assert_eq!(errors[1].code, FieldErrorCode::Required); // message
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum FieldErrorCode {
    /// The field is absent (missing, `undefined` or `null`).
    Required,
    /// The field has the wrong type.
    Type,
    /// The field trims to nothing, or the message is only whitespace.
    Empty,
    /// The field does not match its pattern.
    Format,
    /// The field (or list) is longer than allowed.
    TooLong,
    /// The message holds an unpaired UTF-16 surrogate.
    NotWellFormed,
    /// The key is not a field of the request.
    UnknownField,
}

impl FieldErrorCode {
    /// Every code, in declaration order (a code as a number indexes it: how the
    /// validate-only build hands one to JavaScript).
    pub const ALL: [FieldErrorCode; 7] = [
        FieldErrorCode::Required,
        FieldErrorCode::Type,
        FieldErrorCode::Empty,
        FieldErrorCode::Format,
        FieldErrorCode::TooLong,
        FieldErrorCode::NotWellFormed,
        FieldErrorCode::UnknownField,
    ];

    /// The contract's name for the code.
    ///
    /// ```
    /// use connectsafely_wasm::error::FieldErrorCode;
    ///
    /// assert_eq!(FieldErrorCode::TooLong.as_str(), "too_long");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            FieldErrorCode::Required => "required",
            FieldErrorCode::Type => "type",
            FieldErrorCode::Empty => "empty",
            FieldErrorCode::Format => "format",
            FieldErrorCode::TooLong => "too_long",
            FieldErrorCode::NotWellFormed => "not_well_formed",
            FieldErrorCode::UnknownField => "unknown_field",
        }
    }
}

/// One field's error: `field` is `"groupId"`, `"messageUrns[2]"`, or `""` for the body.
///
/// ```
/// use connectsafely_wasm::{validate::validate, value::Value};
///
/// let body = Value::object([
///     ("recipientProfileUrn", Value::str("urn:li:fsd_profile:A")),
///     ("groupId", Value::str("12345678")),
///     ("message", Value::str("Hi")),
///     ("messageUrns", Value::Array(vec![Value::str("not a urn")])),
/// ]);
/// let errors = validate(&body, 8000).unwrap_err();
/// assert_eq!(errors[0].field, "messageUrns[0]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(deny_unknown_fields)
)]
pub struct FieldError {
    /// The field's path.
    pub field: String,
    /// The rule that failed.
    pub code: FieldErrorCode,
    /// For people.
    pub message: String,
}

impl FieldError {
    /// A field error from its parts.
    ///
    /// ```
    /// use connectsafely_wasm::error::{FieldError, FieldErrorCode};
    ///
    /// let e = FieldError::new("groupId", FieldErrorCode::Format, "groupId must be digits");
    /// assert_eq!((e.field.as_str(), e.code.as_str()), ("groupId", "format"));
    /// ```
    pub fn new(field: impl Into<String>, code: FieldErrorCode, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

/// What a validation error's message begins with, before its field errors' messages
/// (joined by "; ").
pub const VALIDATION_HEAD: &str = "Invalid request, nothing was sent: ";

/// The `error` of a failed send.
///
/// ```
/// use connectsafely_wasm::error::{ErrorKind, SendError};
///
/// fn advice(e: &SendError) -> &'static str {
///     if e.delivery_unknown {
///         "it may have arrived: check before resending"
///     } else if e.kind == ErrorKind::RateLimited {
///         "wait retry_after_ms"
///     } else {
///         "not sent"
///     }
/// }
/// assert_eq!(advice(&SendError::timeout(30000.0)), "it may have arrived: check before resending");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "camelCase", deny_unknown_fields)
)]
pub struct SendError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// For people; never contains the API key.
    pub message: String,
    /// Field errors (validation; bad_request when the server lists issues).
    pub field_errors: Vec<FieldError>,
    /// rate_limited: milliseconds until a send can succeed.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::rate_limit::js_number")
    )]
    pub retry_after_ms: Option<f64>,
    /// The message may have been delivered: check before resending.
    pub delivery_unknown: bool,
}

impl SendError {
    /// An error with no field errors and no wait.
    ///
    /// ```
    /// use connectsafely_wasm::error::{ErrorKind, SendError};
    ///
    /// let e = SendError::new(ErrorKind::Forbidden, "not a member of the group", false);
    /// assert!(e.field_errors.is_empty() && e.retry_after_ms.is_none());
    /// ```
    pub fn new(kind: ErrorKind, message: impl Into<String>, delivery_unknown: bool) -> Self {
        SendError {
            kind,
            message: message.into(),
            field_errors: Vec::new(),
            retry_after_ms: None,
            delivery_unknown,
        }
    }

    /// A local `validation` failure from its field errors.
    ///
    /// ```
    /// use connectsafely_wasm::error::{FieldError, FieldErrorCode, SendError};
    ///
    /// let e = SendError::validation(vec![FieldError::new("message", FieldErrorCode::Required, "message is required")]);
    /// assert_eq!(e.kind.as_str(), "validation");
    /// assert_eq!(e.message, "Invalid request, nothing was sent: message is required");
    /// ```
    pub fn validation(field_errors: Vec<FieldError>) -> Self {
        // Allocated once, with room for all of it (grown piece by piece, it was copied
        // each time).
        let len = field_errors
            .iter()
            .map(|e| e.message.len() + 2)
            .sum::<usize>();
        let mut message = String::with_capacity(VALIDATION_HEAD.len() + len);
        message.push_str(VALIDATION_HEAD);
        for (i, e) in field_errors.iter().enumerate() {
            if i > 0 {
                message.push_str("; ");
            }
            message.push_str(&e.message);
        }
        SendError {
            field_errors,
            ..SendError::new(ErrorKind::Validation, message, false)
        }
    }

    /// The caller's signal fired; `sent` tells whether the message may have been delivered
    /// (a request had left and was not answered; after a 429, nothing was delivered).
    ///
    /// ```
    /// use connectsafely_wasm::error::SendError;
    ///
    /// assert!(!SendError::aborted(false).delivery_unknown); // nothing delivered
    /// assert!(SendError::aborted(true).delivery_unknown);
    /// ```
    pub fn aborted(sent: bool) -> Self {
        let message = if sent {
            "The send was aborted by the caller's signal after the request left; the message may have been delivered"
        } else {
            "The send was aborted by the caller's signal before the message was delivered"
        };
        SendError::new(ErrorKind::Aborted, message, sent)
    }

    /// `timeout_ms` elapsed before the response was read.
    ///
    /// ```
    /// use connectsafely_wasm::error::SendError;
    ///
    /// let e = SendError::timeout(30000.0);
    /// assert!(e.delivery_unknown);
    /// assert!(e.message.starts_with("No complete response within 30000 ms"));
    /// ```
    pub fn timeout(timeout_ms: f64) -> Self {
        let message = crate::cat!(
            "No complete response within ",
            crate::text::whole(timeout_ms),
            " ms; the message may have been delivered"
        );
        SendError::new(ErrorKind::Timeout, message, true)
    }

    /// The shared store could not be used before the request: nothing was sent.
    ///
    /// ```
    /// use connectsafely_wasm::error::SendError;
    ///
    /// let e = SendError::store_unavailable("ECONNREFUSED");
    /// assert!(!e.delivery_unknown); // fail closed: nothing was sent
    /// assert!(e.message.ends_with(": ECONNREFUSED"));
    /// ```
    pub fn store_unavailable(detail: &str) -> Self {
        let mut message = String::from(
            "Nothing was sent: the shared store (quota and journal) could not be used",
        );
        if !detail.is_empty() {
            message.push_str(": ");
            message.push_str(crate::text::clip(detail, 300));
        }
        SendError::new(ErrorKind::StoreUnavailable, message, false)
    }

    /// `fetch` failed; `detail` is what the runtime said.
    ///
    /// ```
    /// use connectsafely_wasm::error::SendError;
    ///
    /// assert!(SendError::network("connection reset", true).delivery_unknown);
    /// assert!(!SendError::network("DNS lookup failed", false).delivery_unknown);
    /// ```
    pub fn network(detail: &str, sent: bool) -> Self {
        let mut message = String::from("The request failed before a response arrived");
        if !detail.is_empty() {
            message.push_str(": ");
            message.push_str(crate::text::clip(detail, 300));
        }
        if sent {
            message.push_str("; the message may have been delivered");
        }
        SendError::new(ErrorKind::Network, message, sent)
    }
}

impl core::fmt::Display for SendError {
    /// `kind: message`, e.g. `rate_limited: Rate limit exceeded for MESSAGE: 150/150 used`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.kind.as_str())?;
        f.write_str(": ")?;
        f.write_str(&self.message)
    }
}

impl core::error::Error for SendError {}

/// Why a run stopped early.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use connectsafely_wasm::result::StopReason;
///
/// assert_eq!(StopReason::Unauthorized.as_str(), "unauthorized");
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum StopReason {
    /// A 429 or the guard stopped an account.
    RateLimited,
    /// A 401 stopped everything.
    Unauthorized,
    /// The caller's signal stopped everything.
    Aborted,
    /// The shared store failed: nothing more is sent without it.
    StoreUnavailable,
}

impl StopReason {
    /// Every reason, in the contract's order.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// use connectsafely_wasm::result::StopReason;
    ///
    /// assert_eq!(StopReason::ALL.len(), 4);
    /// # }
    /// ```
    pub const ALL: [StopReason; 4] = [
        StopReason::RateLimited,
        StopReason::Unauthorized,
        StopReason::Aborted,
        StopReason::StoreUnavailable,
    ];

    /// The contract's name: `"rate_limited"`, `"unauthorized"`, `"aborted"`.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// use connectsafely_wasm::result::StopReason;
    ///
    /// assert_eq!(StopReason::StoreUnavailable.as_str(), "store_unavailable");
    /// # }
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::RateLimited => "rate_limited",
            StopReason::Unauthorized => "unauthorized",
            StopReason::Aborted => "aborted",
            StopReason::StoreUnavailable => "store_unavailable",
        }
    }
}
