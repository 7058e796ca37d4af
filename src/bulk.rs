//! Sending to many (contract section 6): the schedule of a run. Which item
//! starts next, when pacing allows it, and what a 429, the guard, a 401 or an
//! abort stops. The wasm layer only sends what this says and reports back.

use std::fmt;

/// Why a run stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StopReason {
    /// A 429 or the guard stopped an account.
    RateLimited,
    /// A 401 stopped everything.
    Unauthorized,
    /// The caller's signal stopped everything.
    Aborted,
}

impl StopReason {
    /// The contract's name: `"rate_limited"`, `"unauthorized"`, `"aborted"`.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::RateLimited => "rate_limited",
            StopReason::Unauthorized => "unauthorized",
            StopReason::Aborted => "aborted",
        }
    }
}

/// What a worker should do now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Next {
    /// Send item `i`.
    Start(usize),
    /// Nothing may start before this time (epoch ms): pacing.
    WaitUntil(f64),
    /// Nothing is left for this worker.
    Done,
}

/// How an item ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// `ok: true`.
    Delivered,
    /// Attempted and failed; nothing to stop.
    Failed,
    /// A 429 from the server (attempted): stops the account.
    RateLimited,
    /// Refused by the guard before any request: not attempted; stops the account.
    Refused,
    /// A 401: stops everything.
    Unauthorized,
    /// Nothing left the machine (aborted before the request): not attempted.
    NotSent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Invalid,
    Pending,
    InFlight,
    Delivered,
    Failed,
    NotAttempted,
}

/// The state of one run.
#[derive(Clone)]
pub struct BulkPlan {
    accounts: Vec<String>,
    slots: Vec<Slot>,
    min_interval_ms: f64,
    last_start: Vec<(String, f64)>,
    /// The quota left per account, as the latest response said.
    remaining: Vec<(String, f64)>,
    stopped_accounts: Vec<String>,
    stopped_by: Option<StopReason>,
    halted: bool,
}

impl fmt::Debug for BulkPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkPlan")
            .field("slots", &self.slots)
            .field("stopped_by", &self.stopped_by)
            .finish()
    }
}

/// The outcome of a run, for `BulkResult`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Items delivered (`ok: true`).
    pub sent: usize,
    /// Items attempted and not delivered, invalid ones included.
    pub failed: usize,
    /// Indexes never sent, in order.
    pub not_attempted: Vec<usize>,
    /// Why the run stopped early, if it did.
    pub stopped_by: Option<StopReason>,
}

impl BulkPlan {
    /// A plan for items whose account keys are given (`None` for an invalid item, never sent).
    pub fn new(accounts: Vec<Option<String>>, min_interval_ms: f64) -> Self {
        let slots = accounts
            .iter()
            .map(|a| {
                if a.is_some() {
                    Slot::Pending
                } else {
                    Slot::Invalid
                }
            })
            .collect();
        BulkPlan {
            accounts: accounts
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
            slots,
            min_interval_ms: if min_interval_ms.is_finite() && min_interval_ms > 0.0 {
                min_interval_ms
            } else {
                0.0
            },
            last_start: Vec::new(),
            remaining: Vec::new(),
            stopped_accounts: Vec::new(),
            stopped_by: None,
            halted: false,
        }
    }

    fn account_ready_at(&self, account: &str) -> f64 {
        self.last_start
            .iter()
            .find(|(a, _)| a == account)
            .map_or(f64::NEG_INFINITY, |(_, t)| t + self.min_interval_ms)
    }

    /// Whether `account` already has as many sends in flight as its known quota left:
    /// starting another would only earn a 429. With nothing left and nothing in flight,
    /// one more may start, for the guard (or the server) to say so.
    fn quota_busy(&self, account: &str) -> bool {
        let Some(left) = self
            .remaining
            .iter()
            .find(|(a, _)| a == account)
            .map(|(_, r)| *r)
        else {
            return false;
        };
        let in_flight = self
            .slots
            .iter()
            .zip(&self.accounts)
            .filter(|(s, a)| **s == Slot::InFlight && *a == account)
            .count() as f64;
        in_flight > 0.0 && in_flight >= left
    }

    /// Records the quota an account has left, from a response's rate-limit headers.
    pub fn observe_remaining(&mut self, i: usize, remaining: f64) {
        let account = self.accounts.get(i).cloned().unwrap_or_default();
        match self.remaining.iter_mut().find(|(a, _)| *a == account) {
            Some(entry) => entry.1 = remaining,
            None => self.remaining.push((account, remaining)),
        }
    }

    /// The next thing to do at `now_ms`. `Start(i)` marks item `i` in flight. `Done`
    /// means nothing can start now for this worker: what is left waits on sends in
    /// flight, whose workers carry on.
    pub fn next(&mut self, now_ms: f64) -> Next {
        if self.halted {
            return Next::Done;
        }
        let mut earliest: Option<f64> = None;
        let mut chosen = None;
        for (i, slot) in self.slots.iter().enumerate() {
            if *slot != Slot::Pending {
                continue;
            }
            let account = self.accounts.get(i).map_or("", String::as_str);
            if self.quota_busy(account) {
                continue;
            }
            let ready_at = self.account_ready_at(account);
            if ready_at <= now_ms {
                chosen = Some(i);
                break;
            }
            earliest = Some(earliest.map_or(ready_at, |e: f64| e.min(ready_at)));
        }
        match (chosen, earliest) {
            (Some(i), _) => {
                if let Some(slot) = self.slots.get_mut(i) {
                    *slot = Slot::InFlight;
                }
                let account = self.accounts.get(i).cloned().unwrap_or_default();
                match self.last_start.iter_mut().find(|(a, _)| *a == account) {
                    Some(entry) => entry.1 = now_ms,
                    None => self.last_start.push((account, now_ms)),
                }
                Next::Start(i)
            }
            (None, Some(t)) => Next::WaitUntil(t),
            (None, None) => Next::Done,
        }
    }

    fn stop(&mut self, reason: StopReason) {
        self.stopped_by = Some(self.stopped_by.map_or(reason, |r| r.max(reason)));
    }

    fn drop_pending(&mut self, account: Option<&str>) {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            let same = account.is_none_or(|a| self.accounts.get(i).is_some_and(|x| x == a));
            if *slot == Slot::Pending && same {
                *slot = Slot::NotAttempted;
            }
        }
    }

    /// Records how item `i` ended, and stops what that outcome stops.
    pub fn settle(&mut self, i: usize, how: Settled) {
        let account = self.accounts.get(i).cloned().unwrap_or_default();
        let slot = match how {
            Settled::Delivered => Slot::Delivered,
            Settled::Failed | Settled::RateLimited | Settled::Unauthorized => Slot::Failed,
            Settled::Refused | Settled::NotSent => Slot::NotAttempted,
        };
        if let Some(s) = self.slots.get_mut(i) {
            *s = slot;
        }
        match how {
            Settled::RateLimited | Settled::Refused => {
                self.stop(StopReason::RateLimited);
                if !self.stopped_accounts.contains(&account) {
                    self.stopped_accounts.push(account.clone());
                }
                self.drop_pending(Some(&account));
            }
            Settled::Unauthorized => {
                self.stop(StopReason::Unauthorized);
                self.halted = true;
                self.drop_pending(None);
            }
            _ => {}
        }
    }

    /// The caller's signal fired: nothing more starts.
    pub fn abort(&mut self) {
        if self
            .slots
            .iter()
            .any(|s| matches!(s, Slot::Pending | Slot::InFlight))
        {
            self.stop(StopReason::Aborted);
        }
        self.halted = true;
        self.drop_pending(None);
    }

    /// Whether item `i` has no result (never sent).
    pub fn is_not_attempted(&self, i: usize) -> bool {
        matches!(
            self.slots.get(i),
            Some(Slot::NotAttempted) | Some(Slot::Pending)
        )
    }

    /// The run's counts, once every worker is done.
    pub fn summary(&self) -> Summary {
        let count = |want: &[Slot]| self.slots.iter().filter(|s| want.contains(s)).count();
        Summary {
            sent: count(&[Slot::Delivered]),
            failed: count(&[Slot::Failed, Slot::Invalid]),
            not_attempted: (0..self.slots.len())
                .filter(|i| self.is_not_attempted(*i))
                .collect(),
            stopped_by: self.stopped_by,
        }
    }
}
