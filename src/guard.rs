//! The rate-limit guard (contract 3.4): remembers, per account, that the
//! daily quota is spent, and refuses locally until it resets.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::{ErrorKind, SendError};
use crate::rate_limit::RateLimitInfo;

/// A local refusal: the error to report and the last known rate-limit info.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// A `rate_limited` error with `retryAfterMs` until the reset.
    pub error: SendError,
    /// The last rate-limit info seen for the account.
    pub rate_limit: Option<RateLimitInfo>,
    /// When the guard lets the account send again (epoch ms).
    pub until: f64,
}

/// What the guard knows of one account: refused until when, and the last rate-limit
/// info a response showed. Kept per account in the client's registry, or in a shared
/// store across processes (`store`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Guard {
    /// Sends refused locally until this time (epoch ms), when the quota is known spent.
    pub blocked_until: Option<f64>,
    /// The last rate-limit info a response showed.
    pub last: Option<RateLimitInfo>,
}

impl Guard {
    /// The quota left, as the last response said.
    pub fn remaining(&self) -> Option<f64> {
        self.last.as_ref().and_then(|r| r.remaining)
    }

    /// Whether a send for the account `key` must be refused at `now_ms`, and how.
    pub fn refusal(&self, key: &str, now_ms: f64) -> Option<Refusal> {
        let until = self.blocked_until.filter(|u| *u > now_ms)?;
        let wait = until - now_ms;
        let mut message = String::from("Refused locally, nothing was sent: the rate limit for ");
        if key.is_empty() {
            message.push_str("the default account");
        } else {
            message.push_str("account ");
            message.push_str(key);
        }
        message.push_str(" is reached");
        if let Some((used, limit)) = self.last.as_ref().and_then(|r| r.used.zip(r.limit)) {
            message.push_str(" (");
            message.push_str(&crate::text::whole(used));
            message.push('/');
            message.push_str(&crate::text::whole(limit));
            message.push_str(" used)");
        }
        message.push_str("; it resets in ");
        message.push_str(&human_duration(wait));
        let mut error = SendError::new(ErrorKind::RateLimited, message, false);
        error.retry_after_ms = Some(crate::num::ceil(wait));
        Some(Refusal {
            error,
            rate_limit: self.last.clone(),
            until,
        })
    }

    /// Records what a response showed: `status`, its rate-limit info, and for a 429
    /// its `retry_after_ms`.
    pub fn observe(
        &mut self,
        status: u16,
        rate_limit: Option<&RateLimitInfo>,
        retry_after_ms: Option<f64>,
        now_ms: f64,
    ) {
        // Responses can arrive out of order (sends overlap, across processes too): one
        // that shows more quota left than the last, in the same window, is older news.
        let stale = match (self.last.as_ref(), rate_limit) {
            (Some(old), Some(new)) => older(old, new),
            _ => false,
        };
        if stale {
            return;
        }
        if let Some(info) = rate_limit {
            self.last = Some(info.clone());
        }
        let reset = rate_limit.and_then(|r| r.reset_at).filter(|r| *r > now_ms);
        let spent = rate_limit.and_then(|r| r.remaining) == Some(0.0);
        let until = if status == 429 {
            // Retry-After (already preferred over the reset time in `retry_after_ms`) says when to try again.
            retry_after_ms
                .filter(|w| *w > 0.0)
                .map(|w| now_ms + w)
                .or(reset)
        } else if spent {
            reset
        } else {
            None
        };
        match until {
            Some(u) => self.blocked_until = Some(self.blocked_until.map_or(u, |b| b.max(u))),
            // A success proves the quota is not spent, whatever an older response said.
            None if (200..300).contains(&status) && !spent => self.blocked_until = None,
            None => {}
        }
    }
}

/// Whether `new` is older than `old`: the same window (its reset no later) with more of
/// the quota left or less of it used.
fn older(old: &RateLimitInfo, new: &RateLimitInfo) -> bool {
    let later_window = match (old.reset_at, new.reset_at) {
        (Some(o), Some(n)) => n > o,
        _ => false,
    };
    let more_left = matches!((old.remaining, new.remaining), (Some(o), Some(n)) if n > o);
    let less_used = matches!((old.used, new.used), (Some(o), Some(n)) if n < o);
    !later_window && (more_left || less_used)
}

/// "3 h 12 min", "45 s": integer arithmetic only.
pub fn human_duration(ms: f64) -> String {
    let secs = if ms.is_finite() && ms > 0.0 {
        crate::num::ceil(ms / 1000.0) as u64
    } else {
        0
    };
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let n = |v: u64| crate::text::whole(v as f64);
    if h > 0 {
        n(h) + " h " + &n(m) + " min"
    } else if m > 0 {
        n(m) + " min " + &n(s) + " s"
    } else {
        n(s) + " s"
    }
}
