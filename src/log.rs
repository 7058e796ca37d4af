//! Log lines: what a send did, in words, at a level. Both transports (the npm package's
//! driver and the Rust `Client`) log these same lines. A line never holds the API key or
//! the message text: only what the client decided, statuses, kinds, accounts and numbers,
//! never text a server sent.
//!
//! ```
//! use connectsafely_wasm::error::{ErrorKind, SendError};
//! use connectsafely_wasm::log::{outcome, Level};
//! use connectsafely_wasm::outcome::Outcome;
//!
//! let (level, line) = outcome(&Outcome::local(SendError::new(ErrorKind::Network, "reset", true)), "acct-1");
//! assert_eq!(level, Level::Warn);
//! assert_eq!(line, "account acct-1: not sent (network, no response); it may have been delivered: check before resending");
//! assert_eq!(Level::parse("debug"), Some(Level::Debug));
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::ErrorKind;
use crate::outcome::Outcome;
use crate::rate_limit::RateLimitInfo;
use crate::text::whole;

/// How much to log; each level includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing.
    Off,
    /// What failed in a way the user must fix (the API key, the store).
    Error,
    /// What a user should know: a refused send, an invalid body, `deliveryUnknown`.
    Warn,
    /// Every send's outcome, and each run's summary.
    Info,
    /// Each attempt: method, URL, status, duration, the rate limit, each decision.
    Debug,
}

impl Level {
    /// The level named `s` (`"off"`, `"error"`, `"warn"`, `"info"`, `"debug"`).
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "off" => Level::Off,
            "error" => Level::Error,
            "warn" => Level::Warn,
            "info" => Level::Info,
            "debug" => Level::Debug,
            _ => return None,
        })
    }

    /// Its name, as `parse` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

fn account(key: &str) -> String {
    if key.is_empty() {
        String::from("default account")
    } else {
        crate::cat!("account ", key)
    }
}

fn rate(info: Option<&RateLimitInfo>) -> String {
    match info.and_then(|r| r.used.zip(r.limit)) {
        Some((used, limit)) => crate::cat!("; ", whole(used), "/", whole(limit), " used"),
        None => String::new(),
    }
}

/// Debug: one attempt ended (`status`: `None` when no response arrived).
pub fn attempt(
    url: &str,
    attempt: u32,
    status: Option<u16>,
    duration_ms: f64,
    info: Option<&RateLimitInfo>,
) -> String {
    let status = status.map_or_else(|| String::from("no response"), |s| whole(f64::from(s)));
    crate::cat!(
        "POST ",
        url,
        " (attempt ",
        whole(f64::from(attempt)),
        "): ",
        status,
        " in ",
        whole(crate::num::round(duration_ms.max(0.0))),
        " ms",
        rate(info)
    )
}

/// Debug: a send waits `ms`, for `why`.
pub fn waiting(ms: f64, why: crate::send::WaitFor) -> String {
    use crate::send::WaitFor;
    let ms = whole(crate::num::round(ms.max(0.0)));
    match why {
        WaitFor::RetryAfter429 => crate::cat!(
            "429: waiting ",
            ms,
            " ms as the server asked, then one more attempt"
        ),
        WaitFor::Reservation => crate::cat!(
            "waiting ",
            ms,
            " ms for the shared store's pacing or room in the account's quota"
        ),
        WaitFor::Room => crate::cat!(
            "waiting ",
            ms,
            " ms for room: the account's quota left (or, before a response told it, maxInFlightPerAccount) is in flight"
        ),
    }
}

/// The level a send's outcome is logged at: `Info` for a success or an abort before
/// anything was sent, `Error` for what the user must fix (the API key, the store), `Warn`
/// for the rest and for anything that may have been delivered.
pub fn level_of(o: &Outcome) -> Level {
    let Err(e) = &o.result else {
        return Level::Info;
    };
    let level = match e.kind {
        ErrorKind::Unauthorized | ErrorKind::StoreUnavailable => Level::Error,
        ErrorKind::Aborted if !e.delivery_unknown => Level::Info,
        _ => Level::Warn,
    };
    if e.delivery_unknown {
        level.min(Level::Warn)
    } else {
        level
    }
}

/// The level and line of a send's outcome for the account `key`.
pub fn outcome(o: &Outcome, key: &str) -> (Level, String) {
    let who = account(key);
    let level = level_of(o);
    let e = match &o.result {
        Ok(_) => {
            let status = o.status.map_or_else(String::new, |s| whole(f64::from(s)));
            return (
                level,
                crate::cat!(who, ": sent (", status, ")", rate(o.rate_limit.as_ref())),
            );
        }
        Err(e) => e,
    };
    let what = crate::cat!(
        e.kind.as_str(),
        ", ",
        o.status
            .map_or_else(|| String::from("no response"), |s| whole(f64::from(s)))
    );
    let retry = e.retry_after_ms.map_or_else(String::new, |ms| {
        crate::cat!("; retry in ", whole(crate::num::round(ms)), " ms")
    });
    let why = match e.kind {
        ErrorKind::Validation => {
            let mut fields = String::new();
            for (i, f) in e.field_errors.iter().enumerate() {
                if i > 0 {
                    fields.push_str(", ");
                }
                fields.push_str(&f.field);
            }
            crate::cat!("; the body is invalid (", fields, "), nothing was sent")
        }
        ErrorKind::RateLimited if o.status.is_none() => {
            crate::cat!("; refused locally, the quota is spent", retry)
        }
        ErrorKind::RateLimited => retry,
        ErrorKind::Unauthorized => String::from("; check the API key"),
        ErrorKind::StoreUnavailable => String::from("; the shared store failed, nothing was sent"),
        _ => String::new(),
    };
    let unknown = if e.delivery_unknown {
        "; it may have been delivered: check before resending"
    } else {
        ""
    };
    (
        level,
        crate::cat!(who, ": not sent (", what, ")", why, unknown),
    )
}

/// Info: how a run to many ended.
pub fn run(summary: &crate::bulk::Summary) -> String {
    let stopped = summary
        .stopped_by
        .map_or_else(String::new, |r| crate::cat!("; stopped by ", r.as_str()));
    crate::cat!(
        "run to many: ",
        whole(summary.sent as f64),
        " sent, ",
        whole(summary.failed as f64),
        " failed, ",
        whole(summary.not_attempted.len() as f64),
        " not attempted",
        stopped
    )
}
