//! State shared across processes through a store (Redis, a Durable Object, IndexedDB):
//! an account's quota and pacing record, and a bulk run's journal. The store only keeps
//! text under keys, with a version for compare-and-swap; every decision is made here,
//! on the text a swap hands back, so every process and every transport decides alike.
//!
//! ```
//! use connectsafely_wasm::store::{Reservation, SharedAccount, SharedPolicy};
//!
//! let policy = SharedPolicy::default();
//! let fresh = SharedAccount::decode(None);
//! let Reservation::Granted(next) = fresh.reserve("", true, 7, 1_000.0, &policy) else { panic!() };
//! assert_eq!(next.leases.len(), 1);
//! // What a store keeps, and what another process reads back:
//! assert_eq!(SharedAccount::decode(Some(&next.encode())), next);
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

pub mod keys;

use crate::guard::{Guard, Refusal};
use crate::outcome::Outcome;
use crate::rate_limit::RateLimitInfo;
use crate::text::whole;

/// A compare-and-swap the transport must perform on the shared store: set `key` to
/// `value` if its version is still `expected` (0 = no value yet); `expected: None` only
/// reads. The store answers with whether it wrote, and the value and version it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swap {
    /// The store key (the adapter may prefix it).
    pub key: String,
    /// The version the value must still have; `None` to read only.
    pub expected: Option<u64>,
    /// The value to write.
    pub value: Option<String>,
}

/// How a shared store is used for an account's sends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharedPolicy {
    /// Least time between two send starts for the account, across all processes (ms).
    pub min_interval_ms: f64,
    /// Sends in flight for the account across all processes while its quota is unknown.
    pub max_unknown_in_flight: u32,
    /// How long a reservation holds when its process never releases it (a crash), ms.
    pub lease_ms: f64,
}

impl Default for SharedPolicy {
    fn default() -> Self {
        SharedPolicy {
            min_interval_ms: 0.0,
            max_unknown_in_flight: crate::policy::DEFAULT_MAX_IN_FLIGHT,
            lease_ms: crate::policy::hold_ms(crate::policy::DEFAULT_TIMEOUT_MS),
        }
    }
}

/// A send in flight somewhere: its reservation, until released or expired.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lease {
    /// Unique among all processes (a random runner id and a counter).
    pub id: u64,
    /// When it stops counting if never released (epoch ms).
    pub expires_at: f64,
}

/// One account's record in a shared store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SharedAccount {
    /// What the guard knows, from every process's responses.
    pub guard: Guard,
    /// When the last send started, in any process (epoch ms).
    pub last_start: Option<f64>,
    /// Sends in flight in every process.
    pub leases: Vec<Lease>,
}

/// What [`SharedAccount::reserve`] decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Reservation {
    /// The send may start: write this record (with its lease) back.
    Granted(SharedAccount),
    /// The guard refuses: nothing is sent.
    Refused(Refusal),
    /// Look again after this many ms (pacing, or the quota left all in flight).
    Wait(f64),
}

/// A whole number of ms as text, or "" for none.
fn num(n: Option<f64>) -> String {
    n.filter(|v| v.is_finite())
        .map(|v| whole(crate::num::ceil(v)))
        .unwrap_or_default()
}

/// Digits as a number; "" (or anything else) is none.
fn parse(s: &str) -> Option<f64> {
    crate::text::parse_digits(s).map(|n| n as f64)
}

/// A field of the record: the separators of the format cannot appear in it.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if matches!(c, '|' | ',' | ':') { '_' } else { c })
        .collect()
}

impl SharedAccount {
    /// The record a store holds (`None`: the account has none yet, or it is unreadable,
    /// which counts as knowing nothing).
    pub fn decode(text: Option<&str>) -> Self {
        let Some(text) = text else {
            return SharedAccount::default();
        };
        let f: Vec<&str> = text.split('|').collect();
        if f.len() != 9 || f.first() != Some(&"a1") {
            return SharedAccount::default();
        }
        let at = |i: usize| f.get(i).copied().unwrap_or("");
        let info = RateLimitInfo {
            action: Some(at(2)).filter(|s| !s.is_empty()).map(str::to_owned),
            limit: parse(at(3)),
            used: parse(at(4)),
            remaining: parse(at(5)),
            reset_at: parse(at(6)),
        };
        let known = info.action.is_some()
            || info.limit.is_some()
            || info.used.is_some()
            || info.remaining.is_some()
            || info.reset_at.is_some();
        let leases = at(8)
            .split(',')
            .filter_map(|l| {
                let (id, exp) = l.split_once(':')?;
                Some(Lease {
                    id: parse(id)? as u64,
                    expires_at: parse(exp)?,
                })
            })
            .collect();
        SharedAccount {
            guard: Guard {
                blocked_until: parse(at(1)),
                last: known.then_some(info),
            },
            last_start: parse(at(7)),
            leases,
        }
    }

    /// The record as a store keeps it.
    pub fn encode(&self) -> String {
        let last = self.guard.last.as_ref();
        let mut leases = String::new();
        for (i, l) in self.leases.iter().enumerate() {
            if i > 0 {
                leases.push(',');
            }
            leases.push_str(&whole(l.id as f64));
            leases.push(':');
            leases.push_str(&num(Some(l.expires_at)));
        }
        crate::cat!(
            "a1|",
            num(self.guard.blocked_until),
            "|",
            clean(last.and_then(|r| r.action.as_deref()).unwrap_or("")),
            "|",
            num(last.and_then(|r| r.limit)),
            "|",
            num(last.and_then(|r| r.used)),
            "|",
            num(last.and_then(|r| r.remaining)),
            "|",
            num(last.and_then(|r| r.reset_at)),
            "|",
            num(self.last_start),
            "|",
            leases
        )
    }

    /// The record without leases that expired by `now_ms` (their processes died).
    fn live(&self, now_ms: f64) -> SharedAccount {
        let mut next = self.clone();
        next.leases.retain(|l| l.expires_at > now_ms);
        next
    }

    /// Whether a send for the account `key` may start at `now_ms` under `lease`: the
    /// guard (when on), then the quota left against what is in flight everywhere (or a
    /// bound while the quota is unknown), then pacing.
    pub fn reserve(
        &self,
        key: &str,
        guard_on: bool,
        lease: u64,
        now_ms: f64,
        policy: &SharedPolicy,
    ) -> Reservation {
        let mut next = self.live(now_ms);
        if guard_on {
            if let Some(refusal) = next.guard.refusal(key, now_ms) {
                return Reservation::Refused(refusal);
            }
        }
        let out = u32::try_from(next.leases.len()).unwrap_or(u32::MAX);
        if crate::policy::in_flight_full(out, next.guard.remaining(), policy.max_unknown_in_flight)
        {
            let soonest = next
                .leases
                .iter()
                .map(|l| l.expires_at - now_ms)
                .fold(crate::policy::BUSY_WAIT_MS, f64::min);
            return Reservation::Wait(soonest.max(1.0));
        }
        if let Some(last) = next.last_start {
            let ready = last + policy.min_interval_ms;
            if policy.min_interval_ms > 0.0 && ready > now_ms {
                return Reservation::Wait(ready - now_ms);
            }
        }
        next.last_start = Some(now_ms);
        next.leases.push(Lease {
            id: lease,
            expires_at: now_ms + policy.lease_ms,
        });
        Reservation::Granted(next)
    }

    /// The record once `lease`'s send has ended: its reservation released and, when a
    /// response arrived, what it showed recorded (`status`, rate-limit info, a 429's wait).
    pub fn release(
        &self,
        lease: u64,
        response: Option<(u16, Option<&RateLimitInfo>, Option<f64>)>,
        now_ms: f64,
    ) -> SharedAccount {
        let mut next = self.live(now_ms);
        next.leases.retain(|l| l.id != lease);
        if let Some((status, info, retry)) = response {
            next.guard.observe(status, info, retry, now_ms);
        }
        next
    }
}

/// An item of a bulk run's journal, as the store holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum JournalEntry {
    /// Nobody has taken the item.
    Open,
    /// A runner took it, and its claim lasts until `expires_at` (epoch ms).
    Claimed {
        /// The runner that took it.
        runner: String,
        /// When the claim stops holding if no outcome is recorded (its runner died).
        expires_at: f64,
        /// The reservation its send holds on the account's record (0: none), for the
        /// runner's next life to release when it finds the claim dead.
        lease: u64,
        /// Whether its request may have left (`c|`). A claim is first only held (`h|`),
        /// while its send waits for a reservation, pacing or room; the renewal just before
        /// the request marks it sending. A dead claim that was only held sent nothing: a
        /// later run sends its item; a dead sending one may have been delivered.
        sending: bool,
    },
    /// Its outcome is recorded: whether it was sent (`ok`), and the result as JSON.
    Done {
        /// `ok` of the result.
        ok: bool,
        /// The result, as the API returned it (JSON).
        result: String,
    },
}

impl JournalEntry {
    /// Reads what a store holds for an item (`None`: nothing yet; anything unreadable
    /// counts as a claim that never ends, so it is never sent twice).
    pub fn decode(text: Option<&str>) -> Self {
        let Some(text) = text.filter(|t| !t.is_empty()) else {
            return JournalEntry::Open;
        };
        if let Some(rest) = text.strip_prefix("d|") {
            let (ok, result) = rest.split_once('|').unwrap_or(("0", ""));
            return JournalEntry::Done {
                ok: ok == "1",
                result: result.to_owned(),
            };
        }
        let sending = text.starts_with("c|");
        if let Some(rest) = text.strip_prefix(if sending { "c|" } else { "h|" }) {
            let fields = crate::text::rsplit_once_byte(rest, b'|').and_then(|(head, lease)| {
                let (runner, exp) = crate::text::rsplit_once_byte(head, b'|')?;
                Some((runner, parse(exp)?, parse(lease)?))
            });
            if let Some((runner, expires_at, lease)) = fields {
                return JournalEntry::Claimed {
                    runner: runner.to_owned(),
                    expires_at,
                    lease: lease as u64,
                    sending,
                };
            }
        }
        JournalEntry::Claimed {
            runner: String::new(),
            expires_at: f64::INFINITY,
            lease: 0,
            sending: true,
        }
    }

    /// The entry as a store keeps it.
    pub fn encode(&self) -> String {
        match self {
            JournalEntry::Open => String::new(),
            JournalEntry::Claimed {
                runner,
                expires_at,
                lease,
                sending,
            } => crate::cat!(
                // The runner as it is (`decode` splits from the right: any text round-trips),
                // so two runners whose ids differ only by a `|`, `,` or `:` are not one.
                if *sending { "c|" } else { "h|" },
                runner,
                "|",
                num(Some(*expires_at)),
                "|",
                whole(*lease as f64)
            ),
            JournalEntry::Done { ok, result } => {
                crate::cat!("d|", if *ok { "1" } else { "0" }, "|", result)
            }
        }
    }
}

/// What a runner does with an item, given its journal entry at `now_ms`.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemPlan {
    /// Claim it and send it.
    Send,
    /// Already sent or failed earlier: report the recorded result, send nothing.
    Recorded {
        /// `ok` of the result.
        ok: bool,
        /// The result (JSON).
        result: String,
    },
    /// Another runner holds it now: leave it to them.
    Elsewhere,
    /// A runner took it, marked it sending and died before recording an outcome: it may
    /// have been delivered. Reported as `deliveryUnknown`; sent again only when asked.
    Unknown {
        /// The dead send's reservation, when the claim was this runner's own (from its
        /// earlier life): release it, so it stops holding the account's quota.
        lease: Option<u64>,
    },
}

/// The plan for an item from its journal entry, for the runner `me` (`resend_unknown`:
/// take over the items whose runner died without recording an outcome). A claim `me`
/// holds but meets while planning is from an earlier life of `me` (a runner plans an
/// item once): that life ended, so the claim is dead before it expires.
pub fn plan_item(entry: &JournalEntry, me: &str, now_ms: f64, resend_unknown: bool) -> ItemPlan {
    match entry {
        JournalEntry::Open => ItemPlan::Send,
        JournalEntry::Done { ok, result } => ItemPlan::Recorded {
            ok: *ok,
            result: result.clone(),
        },
        JournalEntry::Claimed {
            runner, expires_at, ..
        } if *expires_at > now_ms && runner != me => ItemPlan::Elsewhere,
        // Dead before its request could leave: nothing was sent.
        JournalEntry::Claimed { sending: false, .. } => ItemPlan::Send,
        JournalEntry::Claimed { .. } if resend_unknown => ItemPlan::Send,
        JournalEntry::Claimed { runner, lease, .. } => ItemPlan::Unknown {
            lease: (runner == me && *lease != 0).then_some(*lease),
        },
    }
}

/// Fields joined by `|`, each escaped (`\` and `|`), so any text round-trips.
fn join(fields: &[&str]) -> String {
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        for c in f.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '|' => out.push_str("\\p"),
                c => out.push(c),
            }
        }
    }
    out
}

/// The fields of [`join`].
fn split(text: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let field = match fields.last_mut() {
            Some(f) => f,
            None => break,
        };
        match c {
            '|' => fields.push(String::new()),
            '\\' => match chars.next() {
                Some('p') => field.push('|'),
                Some(other) => field.push(other),
                None => {}
            },
            c => field.push(c),
        }
    }
    fields
}

fn opt_text(s: Option<&str>) -> String {
    s.map_or_else(String::new, |s| crate::cat!("=", s))
}

fn read_text(s: &str) -> Option<String> {
    s.strip_prefix('=').map(str::to_owned)
}

/// An outcome as a journal records it: enough to report it again after a restart
/// (status, success data or error, rate limit; not the response body).
pub fn encode_outcome(o: &Outcome) -> String {
    let status = o.status.map(|s| whole(f64::from(s))).unwrap_or_default();
    let rl = o.rate_limit.as_ref();
    let rate = [
        opt_text(rl.and_then(|r| r.action.as_deref())),
        num(rl.and_then(|r| r.limit)),
        num(rl.and_then(|r| r.used)),
        num(rl.and_then(|r| r.remaining)),
        num(rl.and_then(|r| r.reset_at)),
    ];
    let head = match &o.result {
        Ok(d) => [
            String::from("ok"),
            opt_text(d.message.as_deref()),
            opt_text(d.recipient_profile_urn.as_deref()),
            opt_text(d.group_id.as_deref()),
            d.acknowledgment_sent
                .map_or_else(String::new, |a| String::from(if a { "1" } else { "0" })),
        ],
        Err(e) => [
            String::from(e.kind.as_str()),
            e.message.clone(),
            String::from(if e.delivery_unknown { "1" } else { "0" }),
            num(e.retry_after_ms),
            String::new(),
        ],
    };
    let mut fields: Vec<&str> = vec!["o1", &status];
    fields.extend(rate.iter().map(String::as_str));
    fields.extend(head.iter().map(String::as_str));
    join(&fields)
}

/// The outcome [`encode_outcome`] recorded, if it reads.
pub fn decode_outcome(text: &str) -> Option<Outcome> {
    use crate::error::{ErrorKind, SendError};
    use crate::response::SuccessData;
    let f = split(text);
    let at = |i: usize| f.get(i).map_or("", String::as_str);
    if at(0) != "o1" || f.len() != 12 {
        return None;
    }
    let status = parse(at(1)).map(|s| s as u16);
    let rate = RateLimitInfo {
        action: read_text(at(2)),
        limit: parse(at(3)),
        used: parse(at(4)),
        remaining: parse(at(5)),
        reset_at: parse(at(6)),
    };
    let has_rate = rate.action.is_some()
        || rate.limit.is_some()
        || rate.used.is_some()
        || rate.remaining.is_some()
        || rate.reset_at.is_some();
    let result = if at(7) == "ok" {
        Ok(SuccessData {
            success: true,
            message: read_text(at(8)),
            recipient_profile_urn: read_text(at(9)),
            group_id: read_text(at(10)),
            acknowledgment_sent: match at(11) {
                "1" => Some(true),
                "0" => Some(false),
                _ => None,
            },
        })
    } else {
        let kind = ErrorKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == at(7))?;
        let mut e = SendError::new(kind, at(8), at(9) == "1");
        e.retry_after_ms = parse(at(10));
        Err(e)
    };
    Some(Outcome {
        status,
        result,
        rate_limit: has_rate.then_some(rate),
        body: None,
    })
}
