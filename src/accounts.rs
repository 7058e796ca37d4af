//! The client's record of each LinkedIn account it sends for: what the rate-limit
//! guard knows (refused until when, the last rate-limit info) and what pacing and
//! quota-aware scheduling need (sends in flight, the last start). One registry per
//! client, shared by single sends and every bulk run of that client.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::guard::{Guard, Refusal};
use crate::rate_limit::RateLimitInfo;

/// An account's place in its registry (dense, from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(pub u32);

/// What is known of one account (`key` is its `accountId`, "" for the default account).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Account {
    /// The `accountId` ("" = the default account).
    pub key: String,
    /// What the rate-limit guard knows.
    pub guard: Guard,
    /// Requests out now.
    pub in_flight: u32,
    /// When the last request started (epoch ms).
    pub last_start: Option<f64>,
    /// The account's record in a shared store as this client last saw it, its version,
    /// and when (epoch ms): a reservation tries that version first (one round trip when
    /// nobody else wrote since), for [`crate::policy::SEEN_MS`]. Not in the single-send
    /// build (`sender`), which has no store.
    #[cfg(not(feature = "sender"))]
    pub store_seen: Option<(Option<String>, u64, f64)>,
}

impl Account {
    /// The account's record in the shared store as this client last saw it, and its
    /// version, when seen less than [`crate::policy::SEEN_MS`] before `now_ms`: older, it
    /// may name a version that a record made anew since has reached.
    #[cfg(not(feature = "sender"))]
    pub fn seen_record(&self, now_ms: f64) -> Option<(Option<String>, u64)> {
        self.store_seen
            .as_ref()
            .filter(|seen| now_ms - seen.2 < crate::policy::SEEN_MS)
            .map(|(value, version, _)| (value.clone(), *version))
    }

    /// (The single-send build keeps no memory of a store it never has.)
    #[cfg(feature = "sender")]
    pub fn seen_record(&self, _now_ms: f64) -> Option<(Option<String>, u64)> {
        None
    }

    /// Remembers the record the store answered (`value` at `version`) at `now_ms`.
    #[cfg(not(feature = "sender"))]
    pub fn saw_record(&mut self, value: Option<&str>, version: u64, now_ms: f64) {
        self.store_seen = Some((value.map(str::to_owned), version, now_ms));
    }

    /// (The single-send build keeps no memory of a store it never has.)
    #[cfg(feature = "sender")]
    pub fn saw_record(&mut self, _value: Option<&str>, _version: u64, _now_ms: f64) {}

    /// The quota left, as the last response said.
    pub fn remaining(&self) -> Option<f64> {
        self.guard.remaining()
    }

    /// Whether as many requests are out as the known quota left: starting another
    /// would only earn a 429. With nothing left and nothing out, one more may start,
    /// for the guard (or the server) to say so.
    pub fn quota_busy(&self) -> bool {
        self.in_flight > 0
            && self
                .remaining()
                .is_some_and(|left| f64::from(self.in_flight) >= left)
    }
}

/// Every account a client has sent for, by key and by id.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    /// Ids sorted by key, for binary search (a sorted Vec: far less code in the wasm than a map).
    by_key: Vec<AccountId>,
    list: Vec<Account>,
}

impl Accounts {
    /// A registry that knows no account yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn search(&self, key: &str) -> Result<usize, usize> {
        self.by_key.binary_search_by(|id| {
            self.list
                .get(id.0 as usize)
                .map_or("", |a| a.key.as_str())
                .cmp(key)
        })
    }

    /// The id of `key`, added with nothing known when new.
    pub fn id(&mut self, key: &str) -> AccountId {
        match self.search(key) {
            Ok(at) => self.by_key.get(at).copied().unwrap_or(AccountId(0)),
            Err(at) => {
                let id = AccountId(self.list.len() as u32);
                self.list.push(Account {
                    key: key.to_owned(),
                    ..Account::default()
                });
                self.by_key.insert(at, id);
                id
            }
        }
    }

    /// The id of `key`, if it was ever added.
    pub fn find(&self, key: &str) -> Option<AccountId> {
        self.search(key)
            .ok()
            .and_then(|at| self.by_key.get(at).copied())
    }

    /// The account `id`.
    pub fn get(&self, id: AccountId) -> Option<&Account> {
        self.list.get(id.0 as usize)
    }

    /// The account `id`, to change.
    pub fn get_mut(&mut self, id: AccountId) -> Option<&mut Account> {
        self.list.get_mut(id.0 as usize)
    }

    /// The account of `key`, if it was ever added.
    pub fn by_key(&self, key: &str) -> Option<&Account> {
        self.find(key).and_then(|id| self.get(id))
    }

    /// How many accounts are known.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether no account is known.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// A request for `id` started at `now_ms`.
    pub fn started(&mut self, id: AccountId, now_ms: f64) {
        if let Some(a) = self.get_mut(id) {
            a.in_flight = a.in_flight.saturating_add(1);
            a.last_start = Some(now_ms);
        }
    }

    /// A request for `id` ended (answered, failed or abandoned).
    pub fn finished(&mut self, id: AccountId) {
        if let Some(a) = self.get_mut(id) {
            a.in_flight = a.in_flight.saturating_sub(1);
        }
    }
}

/// Numbers per account in [`Accounts::handed`]: the UTF-8 lengths of its key and its rate
/// limit's action in the text, whether a rate limit is known, whether it has an action,
/// then `blocked_until`, `last_start`, `limit`, `used`, `remaining` and `reset_at`, NaN
/// for `None`.
const HANDED: usize = 10;

fn or_nan(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

fn some(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

/// The registry handed from one core to another of the same build: the npm package's
/// single-send core (web.mjs, index.mjs) to its full core (many.mjs), when the client first needs a
/// run to many or a store. Not persisted; sends in flight are not handed over (the driver
/// hands over when none is).
impl Accounts {
    /// Every account as plain values: one text (each key, then its rate limit's action or
    /// nothing), and [`HANDED`] numbers per account.
    pub fn handed(&self) -> (String, Vec<f64>) {
        let mut text = String::new();
        let mut numbers = Vec::with_capacity(self.list.len() * HANDED);
        for a in &self.list {
            let last = a.guard.last.as_ref();
            let action = last.and_then(|r| r.action.as_deref());
            text.push_str(&a.key);
            text.push_str(action.unwrap_or(""));
            numbers.extend_from_slice(&[
                a.key.len() as f64,
                action.map_or(0, str::len) as f64,
                f64::from(u8::from(last.is_some())),
                f64::from(u8::from(action.is_some())),
                or_nan(a.guard.blocked_until),
                or_nan(a.last_start),
                or_nan(last.and_then(|r| r.limit)),
                or_nan(last.and_then(|r| r.used)),
                or_nan(last.and_then(|r| r.remaining)),
                or_nan(last.and_then(|r| r.reset_at)),
            ]);
        }
        (text, numbers)
    }

    /// Takes over what [`Accounts::handed`] gave: each account's guard and last start
    /// replace what this registry knew of it. Values of another shape change nothing.
    pub fn take_over(&mut self, text: &str, numbers: &[f64]) {
        let mut taken = Vec::new();
        let mut at = 0usize;
        for n in numbers.chunks(HANDED) {
            let &[key_len, action_len, has_last, has_action, blocked, started, limit, used, remaining, reset_at] =
                n
            else {
                return;
            };
            let key_end = at.saturating_add(key_len as usize);
            let action_end = key_end.saturating_add(action_len as usize);
            let (Some(key), Some(action)) = (text.get(at..key_end), text.get(key_end..action_end))
            else {
                return;
            };
            at = action_end;
            let last = (has_last == 1.0).then(|| RateLimitInfo {
                action: (has_action == 1.0).then(|| action.to_owned()),
                limit: some(limit),
                used: some(used),
                remaining: some(remaining),
                reset_at: some(reset_at),
            });
            taken.push((key, some(blocked), some(started), last));
        }
        if at != text.len() {
            return;
        }
        for (key, blocked_until, last_start, last) in taken {
            let id = self.id(key);
            if let Some(a) = self.get_mut(id) {
                a.guard.blocked_until = blocked_until;
                a.last_start = last_start;
                a.guard.last = last;
            }
        }
    }
}

/// The guard's rules, over the registry: each account's record and what refuses it.
impl Accounts {
    /// Whether a send for `id` must be refused at `now_ms`, and how.
    pub fn check(&self, id: AccountId, now_ms: f64) -> Option<Refusal> {
        let a = self.get(id)?;
        a.guard.refusal(&a.key, now_ms)
    }

    /// Records what a response for `id` showed (see [`Guard::observe`]).
    pub fn observe(
        &mut self,
        id: AccountId,
        status: u16,
        rate_limit: Option<&RateLimitInfo>,
        retry_after_ms: Option<f64>,
        now_ms: f64,
    ) {
        if let Some(a) = self.get_mut(id) {
            a.guard.observe(status, rate_limit, retry_after_ms, now_ms);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(action: Option<&str>, remaining: Option<f64>) -> RateLimitInfo {
        RateLimitInfo {
            action: action.map(str::to_owned),
            limit: Some(150.0),
            used: remaining.map(|r| 150.0 - r),
            remaining,
            reset_at: Some(1.7e12),
        }
    }

    #[test]
    fn a_registry_taken_over_knows_every_account_as_the_one_handed_over() {
        let mut from = Accounts::new();
        let default = from.id("");
        let spent = from.id("acct-spent");
        let no_action = from.id("acct-\u{1F600}");
        let _unknown = from.id("acct-never-answered");
        from.started(default, 1_000.0);
        from.finished(default);
        from.observe(
            default,
            200,
            Some(&info(Some("MESSAGE"), Some(12.0))),
            None,
            1_000.0,
        );
        from.observe(
            spent,
            429,
            Some(&info(Some(""), Some(0.0))),
            Some(60_000.0),
            2_000.0,
        );
        from.observe(no_action, 200, Some(&info(None, None)), None, 3_000.0);
        let (strings, numbers) = from.handed();

        let mut to = Accounts::new();
        to.take_over(&strings, &numbers);
        assert_eq!(to.len(), from.len());
        for i in 0..from.len() as u32 {
            let a = from.get(AccountId(i)).unwrap();
            assert_eq!(to.by_key(&a.key), Some(a), "account {:?}", a.key);
        }
        assert!(to.check(to.find("acct-spent").unwrap(), 2_001.0).is_some());
        assert!(to.check(to.find("").unwrap(), 2_001.0).is_none());
    }

    #[test]
    fn values_of_another_shape_change_nothing() {
        let mut to = Accounts::new();
        to.id("kept");
        let before = to.clone();
        let (text, numbers) = {
            let mut from = Accounts::new();
            from.id("abc");
            from.handed()
        };
        to.take_over(&text, &numbers[..HANDED - 1]);
        to.take_over(&text[..2], &numbers);
        to.take_over(&(text.clone() + "d"), &numbers);
        to.take_over(
            "\u{e9}",
            &[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        );
        assert_eq!(to.len(), before.len());
        assert_eq!(to.by_key("kept"), before.by_key("kept"));
    }
}
