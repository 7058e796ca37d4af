//! The rate-limit guard (contract 3.4): remembers, per account, that the
//! daily quota is spent, and refuses locally until it resets.

use crate::error::{ErrorKind, SendError};
use crate::rate_limit::RateLimitInfo;

#[derive(Debug, Clone, Default)]
struct Account {
    key: String,
    blocked_until: Option<f64>,
    last: Option<RateLimitInfo>,
}

/// Per-account rate-limit state. Accounts are keyed by `accountId` ("" = default).
#[derive(Debug, Clone, Default)]
pub struct RateLimitGuard {
    accounts: Vec<Account>,
}

/// A local refusal: the error to report and the last known rate-limit info.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// A `rate_limited` error with `retryAfterMs` until the reset.
    pub error: SendError,
    /// The last rate-limit info seen for the account.
    pub rate_limit: Option<RateLimitInfo>,
}

impl RateLimitGuard {
    /// A guard that knows nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn account(&self, key: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.key == key)
    }

    /// Whether a send for `account` must be refused at `now_ms`, and how.
    pub fn check(&self, account: &str, now_ms: f64) -> Option<Refusal> {
        let a = self.account(account)?;
        let until = a.blocked_until.filter(|u| *u > now_ms)?;
        let wait = until - now_ms;
        let who = if account.is_empty() {
            String::from("the default account")
        } else {
            format!("account {account}")
        };
        let used = match a.last.as_ref().and_then(|r| r.used.zip(r.limit)) {
            Some((used, limit)) => format!(
                " ({}/{} used)",
                crate::text::whole(used),
                crate::text::whole(limit)
            ),
            None => String::new(),
        };
        let message = format!(
            "Refused locally, nothing was sent: the rate limit for {who} is reached{used}; it resets in {}",
            human_duration(wait)
        );
        let mut error = SendError::new(ErrorKind::RateLimited, message, false);
        error.retry_after_ms = Some(wait.ceil());
        Some(Refusal {
            error,
            rate_limit: a.last.clone(),
        })
    }

    /// The last rate-limit info seen for `account`.
    pub fn last(&self, account: &str) -> Option<&RateLimitInfo> {
        self.account(account)?.last.as_ref()
    }

    /// Records what a response showed: `status`, its rate-limit info, and for a
    /// 429 its `retry_after_ms`.
    pub fn observe(
        &mut self,
        account: &str,
        status: u16,
        rate_limit: Option<&RateLimitInfo>,
        retry_after_ms: Option<f64>,
        now_ms: f64,
    ) {
        let idx = match self.accounts.iter().position(|a| a.key == account) {
            Some(i) => i,
            None => {
                self.accounts.push(Account {
                    key: account.to_owned(),
                    ..Account::default()
                });
                self.accounts.len() - 1
            }
        };
        let Some(a) = self.accounts.get_mut(idx) else {
            return;
        };
        if let Some(info) = rate_limit {
            a.last = Some(info.clone());
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
            Some(u) => a.blocked_until = Some(a.blocked_until.map_or(u, |b| b.max(u))),
            // A success proves the quota is not spent, whatever an older response said.
            None if (200..300).contains(&status) && !spent => a.blocked_until = None,
            None => {}
        }
    }
}

/// "3 h 12 min", "45 s": integer arithmetic only.
pub fn human_duration(ms: f64) -> String {
    let secs = if ms.is_finite() && ms > 0.0 {
        (ms / 1000.0).ceil() as u64
    } else {
        0
    };
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h} h {m} min")
    } else if m > 0 {
        format!("{m} min {s} s")
    } else {
        format!("{s} s")
    }
}
