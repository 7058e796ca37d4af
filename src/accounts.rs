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
    /// The account's record in a shared store as this client last saw it, and its
    /// version: a reservation tries that version first (one round trip when nobody
    /// else wrote since).
    pub store_seen: Option<(Option<String>, u64)>,
}

impl Account {
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
