//! The send of one body as a state machine (sans-IO). It never performs I/O: a
//! transport (the JS driver of the npm package, the Rust `Client`) asks it what
//! to do next, does that, and feeds back what happened. The guard, the bounded
//! 429 wait and `deliveryUnknown` are decided here, so every transport makes the
//! same decisions.
//!
//! ```
//! use connectsafely_wasm::accounts::Accounts;
//! use connectsafely_wasm::rate_limit::RateLimitHeaders;
//! use connectsafely_wasm::outcome::Exchange;
//! use connectsafely_wasm::send::{Policy, SendMachine, Step};
//!
//! let mut accounts = Accounts::new();
//! let policy = Policy::default();
//! let mut send = SendMachine::new(&mut accounts, "");
//! assert_eq!(send.start(&policy, &mut accounts, 0.0), Step::Fetch);
//! let body = r#"{"success":true,"message":"Group context message sent successfully"}"#;
//! let exchange = Exchange::complete(200, RateLimitHeaders::default(), body);
//! assert_eq!(send.exchanged(exchange, &policy, &mut accounts, 1.0), Step::Done);
//! assert!(send.outcome().is_some_and(|o| o.result.is_ok()));
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use crate::accounts::{AccountId, Accounts};
use crate::error::SendError;
use crate::outcome::{Exchange, Origin, Outcome};
use crate::rate_limit::RateLimitInfo;
use crate::store::{
    decode_outcome, encode_outcome, plan_item, ItemPlan, JournalEntry, Reservation, SharedAccount,
    SharedPolicy, Swap,
};

/// What a client's options say about every send.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Refuse locally while an account's quota is known spent (`rateLimitGuard`).
    pub rate_limit_guard: bool,
    /// Wait at most this long on a 429 and send once more; 0 never waits (`maxRateLimitWaitMs`).
    pub max_rate_limit_wait_ms: f64,
    /// Sends in flight for an account before a response tells its quota
    /// (`maxInFlightPerAccount`), with a store or without one.
    pub max_in_flight_per_account: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            rate_limit_guard: true,
            max_rate_limit_wait_ms: 0.0,
            max_in_flight_per_account: crate::policy::DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

/// What a send waits for, at [`Step::Wait`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitFor {
    /// A 429's allowed wait: then it sends once more.
    RetryAfter429,
    /// Pacing, or room in the account's quota left, across the processes sharing a store:
    /// then it asks for a reservation again.
    Reservation,
    /// Room in the account's quota left among this client's own sends: then it looks again.
    Room,
}

/// What the transport must do now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Send the request once, then call [`SendMachine::exchanged`] with what happened.
    Fetch,
    /// Perform [`SendMachine::swap`] on the shared store, then call
    /// [`SendMachine::swapped`] (or [`SendMachine::store_failed`]).
    Swap,
    /// Wait this many milliseconds (a 429's allowed wait), then call
    /// [`SendMachine::waited`], or [`SendMachine::abort`] if the caller's signal fires.
    Wait(f64),
    /// Finished: [`SendMachine::outcome`] holds the result.
    Done,
}

/// How a send uses a store shared with other processes (see `store`).
#[derive(Debug, Clone, PartialEq)]
pub struct SharedSend {
    /// This send's reservation id, unique among all processes.
    pub lease: u64,
    /// Pacing, the bound while the quota is unknown, lease length.
    pub policy: SharedPolicy,
    /// The store key of the account's record, in the client's scope (`keys::Scope::account`).
    pub key: String,
    /// The single-send build (`sender`) has no shared store: none can be made, so the
    /// compiler drops every store path of the machine.
    #[cfg(feature = "sender")]
    pub never: core::convert::Infallible,
}

/// A bulk item's entry in a run's journal, a store shared by the run's runners and
/// by its restarts: the item is claimed before it is sent and its outcome recorded after.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalItem {
    /// The store key of the item: its body's entry in the journal (`keys::Scope::journal_items`).
    pub key: String,
    /// This runner's id.
    pub runner: String,
    /// How long a claim holds if its runner dies before recording an outcome (ms).
    pub claim_ms: f64,
    /// Send again an item whose runner died mid-send (it may have been delivered).
    pub resend_unknown: bool,
    /// Only look the item up (its account is stopped by its quota): report what the
    /// journal recorded for it, claim and send nothing.
    pub lookup: bool,
    /// The single-send build (`sender`) has no journal (see `SharedSend::never`).
    #[cfg(feature = "sender")]
    pub never: core::convert::Infallible,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    New,
    /// Claiming the item in the run's journal.
    Claiming,
    /// Recording the outcome (or giving the claim back) in the run's journal.
    Recording(Outcome),
    /// Reading the item's entry back after the store failed its claim: the claim may have
    /// landed though its answer was lost, and is then given back.
    Checking(Outcome),
    /// Asking the shared store for a reservation.
    Reserving,
    Fetching,
    /// Writing what the response showed (and the released reservation) to the shared store.
    Releasing(Outcome),
    /// Releasing the reservation of this runner's earlier life, whose claim it found dead.
    Freeing(Outcome, u64),
    /// Renewing this send's journal claim before its request, its reservation granted.
    Reclaiming,
    /// Holding this send's journal claim again (not sending) for a 429's wait of `ms`
    /// (nothing was delivered); the 429's outcome stands if the store fails. (No journal in
    /// the single-send build: not compiled there.)
    #[cfg(not(feature = "sender"))]
    Holding(f64, Outcome),
    /// A wait, for what `WaitFor` says; a 429's rate limit is the result's if the wait
    /// is aborted.
    Waiting(f64, Option<RateLimitInfo>, WaitFor),
    Done,
}

/// One send, from the guard to its outcome.
#[derive(Debug, Clone)]
pub struct SendMachine {
    account: AccountId,
    state: State,
    waited: bool,
    outcome: Option<Outcome>,
    shared: Option<SharedSend>,
    swap: Option<Swap>,
    tries: u32,
    /// The store's answers in a row that did not write ([`crate::policy::MAX_UNWRITTEN_SWAPS`]).
    unwritten: u32,
    journal: Option<JournalItem>,
    claim_version: u64,
    origin: Origin,
    /// When the account may send again, when this send was stopped by its quota.
    resume_at: Option<f64>,
    /// When the journal claim this send holds (or is asking for) was asked for (epoch
    /// ms): its expiry counts from then, not from the store's answer. Renewed before a
    /// fetch when it is only held or was asked for more than
    /// [`crate::policy::CLAIM_FRESH_MS`] before it.
    claimed_at: f64,
    /// Whether the claim this send last asked for marks its item sending (`c|`: its
    /// request may leave), not only held (`h|`). The first claim is held; the renewal
    /// before the first request marks it sending, so a runner that dies before any
    /// request left leaves an item a later run sends, not one that may have been delivered.
    claim_sending: bool,
    /// The reservation of this runner's earlier life that held the item this send takes
    /// over (its dead claim: only held, or resent on request), released by this send's own
    /// reservation (0: none). Left, it would hold the account's room until it expires.
    earlier_lease: u64,
    /// The journal entry this send's claim replaced ("" for none), which giving the claim
    /// back writes again: a dead runner's claim taken over on request (`resend_unknown`)
    /// stays that runner's, its item maybe delivered, when this send delivers nothing.
    #[cfg(not(feature = "sender"))]
    claim_over: String,
}

/// The account record `current` with the reservation `lease` of a dead send released.
fn freed(current: Option<&str>, lease: u64, now_ms: f64) -> String {
    SharedAccount::decode(current)
        .release(lease, None, now_ms)
        .encode()
}

impl SendMachine {
    /// A send for the account `key` ("" = the default account) of `accounts`.
    pub fn new(accounts: &mut Accounts, key: &str) -> Self {
        Self::for_account(accounts.id(key))
    }

    /// A send for an account already in the registry.
    pub fn for_account(account: AccountId) -> Self {
        SendMachine {
            account,
            state: State::New,
            waited: false,
            outcome: None,
            shared: None,
            swap: None,
            tries: 0,
            unwritten: 0,
            journal: None,
            claim_version: 0,
            origin: Origin::Sent,
            resume_at: None,
            claimed_at: 0.0,
            claim_sending: false,
            earlier_lease: 0,
            #[cfg(not(feature = "sender"))]
            claim_over: String::new(),
        }
    }

    /// The store side of this send, if any. In the single-send build (`sender`) none can
    /// exist, and saying so here (not only by the field's uninhabited type, which leaves
    /// `Option` a runtime check) lets the compiler drop every store path of the machine.
    fn shared(&self) -> Option<&SharedSend> {
        if cfg!(feature = "sender") {
            None
        } else {
            self.shared.as_ref()
        }
    }

    /// This send's journal entry, if any (none in the single-send build, as `shared`).
    fn journal(&self) -> Option<&JournalItem> {
        if cfg!(feature = "sender") {
            None
        } else {
            self.journal.as_ref()
        }
    }

    /// This send is a bulk item of a journaled run: claimed before, recorded after.
    pub fn with_journal(mut self, item: JournalItem) -> Self {
        self.journal = Some(item);
        self
    }

    /// Whether a run's journal records this send's outcome (success data included).
    pub fn journals(&self) -> bool {
        self.journal().is_some()
    }

    /// Where the outcome comes from (this send, or the run's journal).
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// When the account may send again (epoch ms), when the guard refused this send or
    /// the server answered 429 with a known wait; else `None`.
    pub fn resume_at(&self) -> Option<f64> {
        self.resume_at
    }

    /// Done: refused by the guard.
    fn refused(&mut self, refusal: crate::guard::Refusal) -> Step {
        self.resume_at = Some(refusal.until);
        self.done(Outcome {
            rate_limit: refusal.rate_limit,
            ..Outcome::local(refusal.error)
        })
    }

    /// This send's reservations and what its responses show go through a store shared
    /// with other processes (quota and pacing across them), instead of this client's
    /// memory alone.
    pub fn with_shared(mut self, shared: SharedSend) -> Self {
        self.shared = Some(shared);
        self
    }

    /// A send that is already over: its outcome was decided before anything could
    /// start (an invalid body, invalid options).
    pub fn finished(outcome: Outcome) -> Self {
        SendMachine {
            state: State::Done,
            outcome: Some(outcome),
            ..Self::for_account(AccountId(u32::MAX))
        }
    }

    /// The account this send is for.
    pub fn account(&self) -> AccountId {
        self.account
    }

    /// What the transport must do now.
    pub fn step(&self) -> Step {
        match &self.state {
            State::New | State::Fetching => Step::Fetch,
            State::Reserving
            | State::Releasing(_)
            | State::Freeing(..)
            | State::Reclaiming
            | State::Claiming
            | State::Checking(_)
            | State::Recording(_) => Step::Swap,
            #[cfg(not(feature = "sender"))]
            State::Holding(..) => Step::Swap,
            State::Waiting(ms, ..) => Step::Wait(*ms),
            State::Done => Step::Done,
        }
    }

    /// The swap to perform, at [`Step::Swap`].
    pub fn swap(&self) -> Option<&Swap> {
        self.swap.as_ref()
    }

    /// Whether the swap to perform is on the item's journal entry, which a store keeps
    /// until it is deleted (an entry that expired would read as an item never sent), rather
    /// than on the account's record, which lives the store's TTL.
    pub fn swap_lasts(&self) -> bool {
        match (self.journal(), &self.swap) {
            (Some(item), Some(swap)) => swap.key == item.key,
            _ => false,
        }
    }

    /// The result, once [`Step::Done`].
    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    /// The result, taken, once [`Step::Done`].
    pub fn into_outcome(self) -> Option<Outcome> {
        self.outcome
    }

    fn done(&mut self, outcome: Outcome) -> Step {
        if let (Some(item), Origin::Sent, true) =
            (self.journal(), self.origin, self.claim_version > 0)
        {
            // Record what is decided for the item; one that delivered nothing for a reason
            // that is not its body's gives its claim back, so a later run sends it.
            let value = if !outcome.decides_item() {
                self.given_back()
            } else {
                JournalEntry::Done {
                    ok: outcome.result.is_ok(),
                    result: encode_outcome(&outcome),
                }
                .encode()
            };
            self.swap = Some(Swap {
                key: item.key.clone(),
                expected: Some(self.claim_version),
                value: Some(value),
            });
            self.claim_version = 0;
            self.state = State::Recording(outcome);
            return Step::Swap;
        }
        self.outcome = Some(outcome);
        self.state = State::Done;
        self.swap = None;
        Step::Done
    }

    /// What giving this send's claim back writes: the entry the claim replaced.
    #[cfg(not(feature = "sender"))]
    fn given_back(&self) -> String {
        self.claim_over.clone()
    }

    /// (The single-send build has no journal.)
    #[cfg(feature = "sender")]
    fn given_back(&self) -> String {
        String::new()
    }

    /// Remembers `entry` as what this send's first claim replaces (`given_back`).
    #[cfg(not(feature = "sender"))]
    fn claims_over(&mut self, entry: Option<&str>) {
        self.claim_over = entry.unwrap_or_default().into();
    }

    /// (The single-send build has no journal.)
    #[cfg(feature = "sender")]
    fn claims_over(&mut self, _entry: Option<&str>) {}

    /// Done with an outcome that comes from the journal, not from a send now.
    fn done_from(&mut self, origin: Origin, outcome: Outcome) -> Step {
        self.origin = origin;
        self.claim_version = 0;
        self.done(outcome)
    }

    fn key_of(&self) -> String {
        self.shared().map_or_else(String::new, |s| s.key.clone())
    }

    /// Asks for the swap that claims this send's journal item for its runner over the
    /// version `expected`, until `now_ms` and the claim's length, held or marked `sending`;
    /// the claim's age counts from now (`claimed_at`), not from the store's answer.
    fn claim(&mut self, expected: u64, now_ms: f64, sending: bool) {
        self.claimed_at = now_ms;
        self.claim_sending = sending;
        let Some(item) = self.journal() else {
            return;
        };
        let swap = Swap {
            key: item.key.clone(),
            expected: Some(expected),
            value: Some(self.claim_entry(item)),
        };
        self.swap = Some(swap);
    }

    /// The journal entry of the claim this send last asked for (at `claimed_at`).
    fn claim_entry(&self, item: &JournalItem) -> String {
        JournalEntry::Claimed {
            runner: item.runner.clone(),
            expires_at: self.claimed_at + item.claim_ms,
            lease: self.lease(),
            sending: self.claim_sending,
        }
        .encode()
    }

    /// Whether `value`, what the store answered, is the entry of the claim this send last
    /// asked for (its runner, its lease, its expiry to the millisecond): how it knows its
    /// own claim when the store's answer to it was lost.
    fn own_claim(&self, value: Option<&str>) -> bool {
        self.journal()
            .is_some_and(|item| value == Some(self.claim_entry(item).as_str()))
    }

    /// This send's reservation id (0 without a shared store).
    fn lease(&self) -> u64 {
        self.shared().map_or(0, |s| s.lease)
    }

    /// A swap of the account's record: `next` of the record as this client last saw it,
    /// over that version (one round trip when nobody else wrote since); a read when this
    /// client has not seen it, or `next` decides on nothing but what the store holds now.
    fn account_swap(
        &self,
        accounts: &Accounts,
        now_ms: f64,
        next: impl FnOnce(Option<&str>) -> Option<String>,
    ) -> Swap {
        let key = self.key_of();
        let seen = accounts
            .get(self.account)
            .and_then(|a| a.seen_record(now_ms));
        match seen.and_then(|(value, version)| Some((next(value.as_deref())?, version))) {
            Some((value, version)) => Swap {
                key,
                expected: Some(version),
                value: Some(value),
            },
            None => Swap {
                key,
                expected: None,
                value: None,
            },
        }
    }

    /// Starts the send at `now_ms`: refused by the guard (done), or [`Step::Fetch`] (or,
    /// with a shared store, [`Step::Swap`] for a reservation first).
    pub fn start(&mut self, policy: &Policy, accounts: &mut Accounts, now_ms: f64) -> Step {
        if !matches!(self.state, State::New) {
            return self.step();
        }
        if let Some(item) = self.journal() {
            if item.lookup {
                self.swap = Some(Swap {
                    key: item.key.clone(),
                    expected: None,
                    value: None,
                });
                self.state = State::Claiming;
                return Step::Swap;
            }
            self.claims_over(None);
            self.claim(0, now_ms, false);
            self.state = State::Claiming;
            return Step::Swap;
        }
        self.begin(policy, accounts, now_ms)
    }

    /// After the claim (if any): the guard or the shared reservation, then the fetch.
    fn begin(&mut self, policy: &Policy, accounts: &mut Accounts, now_ms: f64) -> Step {
        if self.shared().is_some() {
            return self.reserve(policy, accounts, now_ms);
        }
        if policy.rate_limit_guard {
            if let Some(refusal) = accounts.check(self.account, now_ms) {
                return self.refused(refusal);
            }
        }
        // Before a response tells the quota, at most the policy's number in flight; after,
        // no more than what is left: as a store holds the processes sharing it.
        let full = accounts.get(self.account).is_some_and(|a| {
            crate::policy::in_flight_full(
                a.in_flight,
                a.remaining(),
                policy.max_in_flight_per_account,
            )
        });
        if full {
            let ms = crate::policy::ROOM_WAIT_MS;
            self.state = State::Waiting(ms, None, WaitFor::Room);
            return Step::Wait(ms);
        }
        self.fetch(accounts, now_ms)
    }

    /// The request, once the send may make it: first, for a journaled item, the renewal
    /// that marks its claim sending (and makes it outlast the request and the recording of
    /// its outcome), unless the claim already says so and was asked for a moment ago.
    /// Expired while the request is out, another runner would take the item and send it
    /// again; only held when its runner died, a later run sends it, though it may have left.
    fn fetch(&mut self, accounts: &mut Accounts, now_ms: f64) -> Step {
        if self.journal().is_some()
            && self.claim_version > 0
            && (!self.claim_sending || now_ms - self.claimed_at > crate::policy::CLAIM_FRESH_MS)
        {
            self.claim(self.claim_version, now_ms, true);
            self.state = State::Reclaiming;
            return Step::Swap;
        }
        accounts.started(self.account, now_ms);
        self.state = State::Fetching;
        Step::Fetch
    }

    /// The reservation (with a shared store) given back with what `outcome` showed, then
    /// [`SendMachine::after_release`]: the 429's wait, or done.
    fn release(
        &mut self,
        outcome: Outcome,
        policy: &Policy,
        accounts: &Accounts,
        now_ms: f64,
    ) -> Step {
        if self.shared().is_none() {
            return self.after_release(outcome, policy, Some(now_ms));
        }
        let swap = self.account_swap(accounts, now_ms, |current| {
            Some(self.decide_release(current, &outcome, now_ms))
        });
        self.swap = Some(swap);
        self.state = State::Releasing(outcome);
        Step::Swap
    }

    /// Asks for a reservation: decided on the last record this client saw (one round
    /// trip when nobody else wrote since), else on a fresh read.
    fn reserve(&mut self, policy: &Policy, accounts: &mut Accounts, now_ms: f64) -> Step {
        self.state = State::Reserving;
        let swap = self.account_swap(accounts, now_ms, |current| {
            match self.decide_reserve(policy, accounts, current, now_ms) {
                Reservation::Granted(next) => Some(next.encode()),
                // Refuse or wait only on what the store holds now, not on a memory of it.
                _ => None,
            }
        });
        self.swap = Some(swap);
        Step::Swap
    }

    /// What the shared record `current` says of a reservation for this send now.
    fn decide_reserve(
        &self,
        policy: &Policy,
        accounts: &Accounts,
        current: Option<&str>,
        now_ms: f64,
    ) -> Reservation {
        let Some(shared) = self.shared() else {
            return Reservation::Wait(0.0);
        };
        let name = accounts.get(self.account).map_or("", |a| a.key.as_str());
        let record = SharedAccount::decode(current);
        let record = match self.earlier_lease {
            0 => record,
            dead => record.release(dead, None, now_ms),
        };
        record.reserve(
            name,
            policy.rate_limit_guard,
            shared.lease,
            now_ms,
            &shared.policy,
        )
    }

    /// The record to write once the send is over (its reservation released, what the
    /// response showed recorded).
    fn decide_release(&self, current: Option<&str>, outcome: &Outcome, now_ms: f64) -> String {
        let lease = self.lease();
        let response = outcome
            .status
            .map(|s| (s, outcome.rate_limit.as_ref(), outcome.retry_after_ms()));
        SharedAccount::decode(current)
            .release(lease, response, now_ms)
            .encode()
    }

    /// What the shared store answered to [`SendMachine::swap`]: whether it wrote, and the
    /// value and version it holds now.
    pub fn swapped(
        &mut self,
        wrote: bool,
        value: Option<&str>,
        version: u64,
        policy: &Policy,
        accounts: &mut Accounts,
        now_ms: f64,
    ) -> Step {
        // An answer lost and the swap asked again (ioredis resends what a dropped connection
        // left unanswered): the store holds exactly what this swap writes, at the version it
        // answers, and says it did not write. That is this swap's write (or one the same,
        // which leaves the store as this one would): taken as written. Taken as refused, a
        // claim of this runner's stayed, and its item read as maybe delivered, never sent.
        // And a read wrote nothing, whatever the store says: a reservation read taken for
        // written let the request leave with no reservation in the record.
        let asked = self.swap.as_ref().and_then(|s| s.value.as_deref());
        let wrote = asked.is_some() && (wrote || value == asked);
        if wrote && version == 0 {
            // Version 0 is a key's before any write: such a store cannot say which write is
            // whose, and a journal's claim taken at its word could be left only held (the
            // renewal that marks it sending asked over version 0) under a request.
            return self.store_failed(
                "it answered a write with version 0 (a written key's version is 1 or more)",
                policy,
            );
        }
        if wrote {
            self.unwritten = 0;
        } else {
            self.unwritten += 1;
            if self.unwritten > crate::policy::MAX_UNWRITTEN_SWAPS {
                self.unwritten = 0;
                return self.store_failed(
                    "it answered 1,000 compare-and-swaps in a row without writing (is the version it answers the one it compares?)",
                    policy,
                );
            }
        }
        // The account's record, as last seen, saves a read on the next swap; the journal's
        // swaps are on the item's own key.
        let on_account = matches!(
            self.state,
            State::Reserving | State::Releasing(_) | State::Freeing(..)
        );
        if let (true, Some(a)) = (on_account, accounts.get_mut(self.account)) {
            a.saw_record(value, version, now_ms);
        }
        let key = self.key_of();
        match core::mem::replace(&mut self.state, State::Done) {
            // (A look-up only reads: never taken for a write, above.)
            State::Claiming if wrote => {
                self.swap = None;
                self.claim_version = version;
                self.begin(policy, accounts, now_ms)
            }
            State::Claiming => {
                let Some(item) = self.journal().cloned() else {
                    return self.done(Outcome::local(SendError::aborted(false)));
                };
                let entry = JournalEntry::decode(value);
                match plan_item(&entry, &item.runner, now_ms, item.resend_unknown) {
                    // To be sent (open, or a dead claim to send again), but its account may
                    // not send now: nothing happens to it in this run.
                    ItemPlan::Send if item.lookup => {
                        self.done_from(Origin::Sent, Outcome::local(SendError::aborted(false)))
                    }
                    ItemPlan::Send => {
                        // Open, or a dead claim: only held, or taken over on request.
                        self.earlier_lease = 0;
                        if let JournalEntry::Claimed { runner, lease, .. } = &entry {
                            if *runner == item.runner && *lease != self.lease() {
                                self.earlier_lease = *lease;
                            }
                        }
                        self.claims_over(value);
                        self.claim(version, now_ms, false);
                        self.state = State::Claiming;
                        Step::Swap
                    }
                    ItemPlan::Recorded { result, .. } => {
                        let outcome = decode_outcome(&result).unwrap_or_else(|| {
                            Outcome::local(SendError::network(
                                "the journal holds an outcome this version cannot read",
                                true,
                            ))
                        });
                        self.done_from(Origin::Recorded, outcome)
                    }
                    ItemPlan::Elsewhere => {
                        self.done_from(Origin::Elsewhere, Outcome::local(SendError::aborted(false)))
                    }
                    ItemPlan::Unknown { lease } => {
                        let outcome = Outcome::local(SendError::network(
                            "this item was in flight when the runner sending it stopped, before its outcome was recorded",
                            true,
                        ));
                        match lease.filter(|_| self.shared().is_some()) {
                            // Its reservation still holds the account's quota: release it first.
                            Some(dead) => {
                                self.origin = Origin::Unknown;
                                self.claim_version = 0;
                                self.swap = Some(self.account_swap(accounts, now_ms, |current| {
                                    Some(freed(current, dead, now_ms))
                                }));
                                self.state = State::Freeing(outcome, dead);
                                Step::Swap
                            }
                            None => self.done_from(Origin::Unknown, outcome),
                        }
                    }
                }
            }
            // Not written over the version asked, and the entry is this send's own later
            // claim (a renewal that landed though the store's answer was lost): again, over it.
            State::Recording(outcome) if !wrote && self.own_claim(value) => {
                if let Some(swap) = &mut self.swap {
                    swap.expected = Some(version);
                }
                self.state = State::Recording(outcome);
                Step::Swap
            }
            State::Checking(outcome) => {
                self.swap = None;
                if self.own_claim(value) {
                    self.claim_version = version;
                }
                self.done(outcome)
            }
            State::Recording(outcome) => {
                // Written, or the claim changed hands (our claim had expired): either way
                // this send's outcome stands.
                self.swap = None;
                self.outcome = Some(outcome);
                self.state = State::Done;
                Step::Done
            }
            State::Reserving if wrote => {
                self.swap = None;
                self.tries = 0;
                self.fetch(accounts, now_ms)
            }
            State::Reclaiming if wrote => {
                self.swap = None;
                self.claim_version = version;
                if now_ms - self.claimed_at > crate::policy::CLAIM_FRESH_MS {
                    // The store renewed the claim so late that the request might outlast
                    // it: nothing is sent; the reservation and then the claim are given back.
                    let outcome = Outcome::local(SendError::store_unavailable(
                        "it renewed this item's journal claim too late to send it",
                    ));
                    return self.release(outcome, policy, accounts, now_ms);
                }
                self.fetch(accounts, now_ms)
            }
            State::Reclaiming => {
                // Another runner took the item meanwhile: it is theirs. Give the
                // reservation back; nothing is sent or recorded.
                self.origin = Origin::Elsewhere;
                self.claim_version = 0;
                let outcome = Outcome::local(SendError::aborted(false));
                self.release(outcome, policy, accounts, now_ms)
            }
            State::Reserving => {
                self.state = State::Reserving;
                match self.decide_reserve(policy, accounts, value, now_ms) {
                    Reservation::Granted(next) => {
                        self.tries += 1;
                        if self.tries > crate::policy::SWAP_TRIES {
                            // Many processes racing for one record: step back a moment.
                            self.tries = 0;
                            self.swap = None;
                            let ms = crate::policy::SWAP_BACKOFF_MS;
                            self.state = State::Waiting(ms, None, WaitFor::Reservation);
                            return Step::Wait(ms);
                        }
                        self.swap = Some(Swap {
                            key,
                            expected: Some(version),
                            value: Some(next.encode()),
                        });
                        Step::Swap
                    }
                    Reservation::Refused(refusal) => self.refused(refusal),
                    Reservation::Wait(ms) => {
                        self.swap = None;
                        self.state = State::Waiting(ms, None, WaitFor::Reservation);
                        Step::Wait(ms)
                    }
                }
            }
            State::Releasing(outcome) if wrote => {
                self.swap = None;
                self.after_release(outcome, policy, Some(now_ms))
            }
            #[cfg(not(feature = "sender"))]
            State::Holding(ms, outcome) if wrote => {
                self.swap = None;
                self.claim_version = version;
                self.state = State::Waiting(ms, outcome.rate_limit, WaitFor::RetryAfter429);
                Step::Wait(ms)
            }
            #[cfg(not(feature = "sender"))]
            State::Holding(_, outcome) => {
                // Another runner took the item meanwhile (this claim had expired): it is
                // theirs. Nothing was delivered; nothing is sent or recorded.
                self.swap = None;
                self.origin = Origin::Elsewhere;
                self.claim_version = 0;
                self.done(Outcome {
                    rate_limit: outcome.rate_limit,
                    ..Outcome::local(SendError::aborted(false))
                })
            }
            State::Freeing(outcome, _) if wrote => {
                self.swap = None;
                self.done(outcome)
            }
            State::Freeing(outcome, dead) => {
                self.swap = Some(Swap {
                    key,
                    expected: Some(version),
                    value: Some(freed(value, dead, now_ms)),
                });
                self.state = State::Freeing(outcome, dead);
                Step::Swap
            }
            State::Releasing(outcome) => {
                let next = self.decide_release(value, &outcome, now_ms);
                self.swap = Some(Swap {
                    key,
                    expected: Some(version),
                    value: Some(next),
                });
                self.state = State::Releasing(outcome);
                Step::Swap
            }
            other => {
                self.state = other;
                self.step()
            }
        }
    }

    /// The shared store failed (unreachable, or an error). Fail closed: before the
    /// request, nothing is sent and the result says so; after it, the outcome stands and
    /// the reservation expires by itself.
    pub fn store_failed(&mut self, detail: &str, policy: &Policy) -> Step {
        match core::mem::replace(&mut self.state, State::Done) {
            State::Claiming => {
                self.claim_version = 0;
                let outcome = Outcome::local(SendError::store_unavailable(detail));
                match self.swap.take() {
                    // The claim may have landed though its answer was lost: read the entry
                    // back, and give the claim back if it is there. Left, its item read as
                    // maybe delivered, never sent.
                    Some(Swap {
                        key,
                        value: Some(_),
                        ..
                    }) => {
                        self.swap = Some(Swap {
                            key,
                            expected: None,
                            value: None,
                        });
                        self.state = State::Checking(outcome);
                        Step::Swap
                    }
                    _ => self.done(outcome),
                }
            }
            State::Recording(outcome) => {
                // Not recorded: a restart reports the item as unknown, never sends it twice.
                self.swap = None;
                self.outcome = Some(outcome);
                self.state = State::Done;
                Step::Done
            }
            State::Reserving | State::Reclaiming => {
                self.done(Outcome::local(SendError::store_unavailable(detail)))
            }
            State::Releasing(outcome) => {
                self.swap = None;
                self.after_release(outcome, policy, None)
            }
            // The 429 stands, with no retry; nothing was delivered: the claim is given back
            // (over the hold, if it landed), and a later run sends the item.
            #[cfg(not(feature = "sender"))]
            State::Holding(_, outcome) => self.done(outcome),
            // The dead reservation expires by itself; a claim whose read back failed is left.
            State::Freeing(outcome, _) | State::Checking(outcome) => {
                self.swap = None;
                self.done(outcome)
            }
            other => {
                self.state = other;
                self.step()
            }
        }
    }

    /// After an outcome is recorded: the one 429 wait when allowed, else done. A journaled
    /// send's claim is first held again for the wait (at `now_ms`, when the store is up):
    /// nothing was delivered, so a runner dying in the wait leaves an item the next run
    /// sends; the retry marks it sending again.
    fn after_release(&mut self, outcome: Outcome, policy: &Policy, now_ms: Option<f64>) -> Step {
        // The one automatic retry: a 429 means nothing was delivered.
        let wait = match outcome.status {
            Some(429) if !self.waited => outcome.retry_after_ms().filter(|ms| {
                policy.max_rate_limit_wait_ms > 0.0 && *ms <= policy.max_rate_limit_wait_ms
            }),
            _ => None,
        };
        match wait {
            Some(ms) => {
                self.waited = true;
                #[cfg(not(feature = "sender"))]
                if let Some(now_ms) =
                    now_ms.filter(|_| self.journal().is_some() && self.claim_version > 0)
                {
                    self.claim(self.claim_version, now_ms, false);
                    self.state = State::Holding(ms, outcome);
                    return Step::Swap;
                }
                #[cfg(feature = "sender")]
                let _ = now_ms; // (no journal in the single-send build)
                self.state = State::Waiting(ms, outcome.rate_limit, WaitFor::RetryAfter429);
                Step::Wait(ms)
            }
            None => self.done(outcome),
        }
    }

    /// What happened to the request: classified, recorded for the account, and on a
    /// 429 whose wait is known and allowed (once), [`Step::Wait`]; else done. With a
    /// shared store, [`Step::Swap`] first, to record it there.
    pub fn exchanged(
        &mut self,
        exchange: Exchange<'_>,
        policy: &Policy,
        accounts: &mut Accounts,
        now_ms: f64,
    ) -> Step {
        if !matches!(self.state, State::Fetching) {
            return self.step();
        }
        accounts.finished(self.account);
        let outcome = Outcome::of(exchange, now_ms);
        if let Some(status) = outcome.status {
            let retry = outcome.retry_after_ms();
            accounts.observe(
                self.account,
                status,
                outcome.rate_limit.as_ref(),
                retry,
                now_ms,
            );
            if status == 429 {
                // When the guard lets the account send again, by its own rule.
                self.resume_at = accounts
                    .get(self.account)
                    .and_then(|a| a.guard.blocked_until);
            }
        }
        self.release(outcome, policy, accounts, now_ms)
    }

    /// What the send waits for, at [`Step::Wait`].
    pub fn waiting_for(&self) -> Option<WaitFor> {
        match self.state {
            State::Waiting(_, _, why) => Some(why),
            _ => None,
        }
    }

    /// The wait passed: send once more (a 429's wait), ask again for a reservation, or
    /// look again for room.
    pub fn waited(&mut self, policy: &Policy, accounts: &mut Accounts, now_ms: f64) -> Step {
        match self.state {
            State::Waiting(_, _, WaitFor::RetryAfter429) if self.shared().is_none() => {
                self.fetch(accounts, now_ms)
            }
            State::Waiting(_, _, WaitFor::Room) => self.begin(policy, accounts, now_ms),
            State::Waiting(..) => self.reserve(policy, accounts, now_ms),
            _ => self.step(),
        }
    }

    /// The caller's signal fired while nothing was out (before the start, or during
    /// a wait): done, `aborted` with nothing sent. While a request is out the
    /// transport reports [`Interrupt::Aborted`] through [`SendMachine::exchanged`].
    pub fn abort(&mut self, accounts: &mut Accounts) -> Step {
        let rate_limit = match core::mem::replace(&mut self.state, State::Done) {
            State::New | State::Reserving | State::Reclaiming | State::Claiming => None,
            // (Checking holds no claim: nothing to record.)
            State::Recording(outcome) | State::Checking(outcome) => {
                self.swap = None;
                self.outcome = Some(outcome);
                return Step::Done;
            }
            State::Waiting(_, rate_limit, _) => rate_limit,
            #[cfg(not(feature = "sender"))]
            State::Holding(_, outcome) => outcome.rate_limit,
            State::Fetching => {
                accounts.finished(self.account);
                return self.done(Outcome::local(SendError::aborted(true)));
            }
            State::Releasing(outcome) | State::Freeing(outcome, _) => return self.done(outcome),
            State::Done => {
                self.state = State::Done;
                return Step::Done;
            }
        };
        self.done(Outcome {
            rate_limit,
            ..Outcome::local(SendError::aborted(false))
        })
    }
}
