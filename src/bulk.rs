//! Sending to many (contract section 6): the schedule of a run. Which item
//! starts next, when pacing allows it, and what a 429, the guard, a 401 or an
//! abort stops. The wasm layer only sends what this says and reports back.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BinaryHeap;
use core::cmp::Reverse;
use core::fmt;

use crate::accounts::{Account, AccountId, Accounts};
use crate::error::StopReason;
use crate::outcome::Settled;
use crate::send::SendMachine;

/// What a worker should do now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BulkStep {
    /// Send item `i`.
    Start(usize),
    /// Nothing may start before this time (epoch ms): pacing.
    WaitUntil(f64),
    /// Nothing is left for this worker.
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemState {
    Invalid,
    Pending,
    InFlight,
    Delivered,
    Failed,
    NotAttempted,
    /// Its account was stopped by its quota: only looked up in the run's journal.
    LookingUp,
}

/// One account's part of a run: its items in input order, and what holds it back.
#[derive(Debug, Clone, Default)]
struct RunAccount {
    /// Its items, in input order; those before `head` have started or been dropped.
    queue: Vec<usize>,
    head: usize,
    in_flight: u32,
    stopped: bool,
    /// In `ready` or `pacing` now.
    scheduled: bool,
    /// Held back until one of its sends settles (its quota left is all in flight).
    parked: bool,
    /// Stopped by its quota in a journaled run: its items are looked up, not sent.
    lookup: bool,
}

impl RunAccount {
    fn front(&self) -> Option<usize> {
        self.queue.get(self.head).copied()
    }
}

/// A min-heap of (key, account): one type for both queues keeps the wasm small.
type Heap = BinaryHeap<Reverse<(u64, u32)>>;

/// A time as a heap key: for times >= 0 the bits order as the numbers do.
fn time_key(t: f64) -> u64 {
    t.max(0.0).to_bits()
}

/// The state of one run. Each account keeps its own queue, so choosing the next item
/// costs O(log accounts) whatever the number of items; rate-limit facts (quota left,
/// sends out, last start) come from the client's [`Accounts`] registry, shared with
/// the guard and with sends outside the run.
#[derive(Clone)]
pub struct BulkPlan {
    slots: Vec<ItemState>,
    item_account: Vec<AccountId>,
    /// Indexed by account id.
    runs: Vec<RunAccount>,
    /// Accounts that may start now, by the index of their next item (input order across accounts).
    ready: Heap,
    /// Accounts held back by pacing, by the time they may start.
    pacing: Heap,
    min_interval_ms: f64,
    stopped_by: Option<StopReason>,
    halted: bool,
    /// The earliest time an account stopped by its quota may send again (epoch ms).
    resume_at: Option<f64>,
    /// A journaled run: the items of an account stopped by its quota are still looked
    /// up in the journal, so those an earlier run sent report their recorded outcome.
    look_up_after_stop: bool,
}

impl fmt::Debug for BulkPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkPlan")
            .field("slots", &self.slots)
            .field("stopped_by", &self.stopped_by)
            .finish_non_exhaustive()
    }
}

/// The outcome of a run, for `BulkResult`.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Items delivered (`ok: true`).
    pub sent: usize,
    /// Items attempted and not delivered, invalid ones included.
    pub failed: usize,
    /// Indexes never sent, in order.
    pub not_attempted: Vec<usize>,
    /// Why the run stopped early, if it did.
    pub stopped_by: Option<StopReason>,
    /// When the same bodies (with the same journal) would send more: the earliest time an
    /// account stopped by its quota may send again (epoch ms); `None` when no account was
    /// stopped by its quota, or the server told neither its reset time nor Retry-After.
    pub resume_at: Option<f64>,
}

impl BulkPlan {
    /// A plan for items whose account keys are given (`None` for an invalid item, never
    /// sent); the accounts are added to the client's registry.
    pub fn new(accounts: &mut Accounts, keys: Vec<Option<String>>, min_interval_ms: f64) -> Self {
        let mut slots = Vec::with_capacity(keys.len());
        let mut item_account = Vec::with_capacity(keys.len());
        let mut runs: Vec<RunAccount> = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            match key {
                Some(k) => {
                    let id = accounts.id(k);
                    let at = id.0 as usize;
                    if runs.len() <= at {
                        runs.resize_with(at + 1, RunAccount::default);
                    }
                    if let Some(run) = runs.get_mut(at) {
                        run.queue.push(i);
                    }
                    slots.push(ItemState::Pending);
                    item_account.push(id);
                }
                None => {
                    slots.push(ItemState::Invalid);
                    item_account.push(AccountId(u32::MAX));
                }
            }
        }
        let mut ready = Heap::new();
        for (id, run) in runs.iter_mut().enumerate() {
            if let Some(front) = run.front() {
                ready.push(Reverse((front as u64, id as u32)));
                run.scheduled = true;
            }
        }
        BulkPlan {
            slots,
            item_account,
            runs,
            ready,
            pacing: Heap::new(),
            min_interval_ms: if min_interval_ms.is_finite() && min_interval_ms > 0.0 {
                min_interval_ms
            } else {
                0.0
            },
            stopped_by: None,
            halted: false,
            resume_at: None,
            look_up_after_stop: false,
        }
    }

    /// For a journaled run: an account stopped by its quota has its remaining items
    /// looked up in the journal ([`BulkPlan::is_lookup`]) instead of left unattempted.
    pub fn looking_up_after_stop(mut self) -> Self {
        self.look_up_after_stop = true;
        self
    }

    /// Whether item `i` was started only to be looked up in the journal (its account is
    /// stopped by its quota): its send must not fetch.
    pub fn is_lookup(&self, i: usize) -> bool {
        self.slots.get(i) == Some(&ItemState::LookingUp)
    }

    /// The account of item `i`, if it is valid.
    pub fn account_of(&self, i: usize) -> Option<AccountId> {
        self.item_account
            .get(i)
            .copied()
            .filter(|a| a.0 != u32::MAX)
    }

    /// When `id` may start its next item, by pacing.
    fn ready_at(&self, accounts: &Accounts, id: AccountId) -> f64 {
        match accounts.get(id).and_then(|a| a.last_start) {
            Some(t) if self.min_interval_ms > 0.0 => t + self.min_interval_ms,
            _ => f64::NEG_INFINITY,
        }
    }

    fn busy(run: &RunAccount, account: Option<&Account>) -> bool {
        let out = account.map_or(0, |a| a.in_flight).max(run.in_flight);
        run.in_flight > 0
            && account
                .and_then(Account::remaining)
                .is_some_and(|left| f64::from(out) >= left)
    }

    /// Puts `id` back where its next item can be found (ready, or held by pacing).
    fn schedule(&mut self, accounts: &Accounts, id: AccountId, now_ms: f64) {
        let paced = self.ready_at(accounts, id);
        let Some(run) = self.runs.get_mut(id.0 as usize) else {
            return;
        };
        // A look-up sends nothing: no pacing.
        let at = if run.lookup { f64::NEG_INFINITY } else { paced };
        if run.stopped || run.scheduled || run.parked {
            return;
        }
        let Some(front) = run.front() else {
            return;
        };
        run.scheduled = true;
        if at > now_ms {
            self.pacing.push(Reverse((time_key(at), id.0)));
        } else {
            self.ready.push(Reverse((front as u64, id.0)));
        }
    }

    /// The next thing to do at `now_ms`. `Start(i)` marks item `i` in flight (its send
    /// starts now, so the registry counts it from there). `Done` means nothing can start
    /// now for this worker: what is left waits on sends in flight, whose workers carry on.
    pub fn next(&mut self, accounts: &Accounts, now_ms: f64) -> BulkStep {
        if self.halted {
            return BulkStep::Done;
        }
        while let Some(Reverse((t, id))) = self.pacing.peek().copied() {
            if f64::from_bits(t) > now_ms {
                break;
            }
            self.pacing.pop();
            if let Some(run) = self.runs.get_mut(id as usize) {
                run.scheduled = false;
            }
            self.schedule(accounts, AccountId(id), now_ms);
        }
        while let Some(Reverse((front, raw))) = self.ready.pop() {
            let id = AccountId(raw);
            let at = self.ready_at(accounts, id);
            let Some(run) = self.runs.get_mut(raw as usize) else {
                continue;
            };
            run.scheduled = false;
            if run.stopped || run.front() != Some(front as usize) {
                continue;
            }
            if at > now_ms && !run.lookup {
                // Another send of this account started since it was scheduled.
                self.schedule(accounts, id, now_ms);
                continue;
            }
            if !run.lookup && Self::busy(run, accounts.get(id)) {
                run.parked = true;
                continue;
            }
            run.head += 1;
            run.in_flight += 1;
            let front = front as usize;
            if let Some(slot) = self.slots.get_mut(front) {
                *slot = if run.lookup {
                    ItemState::LookingUp
                } else {
                    ItemState::InFlight
                };
            }
            // Its send starts now: pacing counts from now.
            if self.min_interval_ms > 0.0 && !run.lookup {
                if run.front().is_some() {
                    run.scheduled = true;
                    self.pacing
                        .push(Reverse((time_key(now_ms + self.min_interval_ms), raw)));
                }
            } else {
                self.schedule(accounts, id, now_ms);
            }
            return BulkStep::Start(front);
        }
        match self.pacing.peek() {
            Some(Reverse((t, _))) => BulkStep::WaitUntil(f64::from_bits(*t)),
            None => BulkStep::Done,
        }
    }

    fn stop(&mut self, reason: StopReason) {
        self.stopped_by = Some(self.stopped_by.map_or(reason, |r| r.max(reason)));
    }

    /// Stops `id` on its quota: its remaining items are looked up in the journal (a
    /// journaled run) or left not attempted.
    fn stop_on_quota(&mut self, accounts: &Accounts, id: AccountId, now_ms: f64) {
        if !self.look_up_after_stop {
            self.stop_account(id);
            return;
        }
        if let Some(run) = self.runs.get_mut(id.0 as usize) {
            run.lookup = true;
            run.parked = false;
        }
        self.schedule(accounts, id, now_ms);
    }

    /// Marks every item still queued for `id` not attempted, and the account stopped.
    fn stop_account(&mut self, id: AccountId) {
        let Some(run) = self.runs.get_mut(id.0 as usize) else {
            return;
        };
        run.stopped = true;
        for i in run.queue.get(run.head..).unwrap_or_default() {
            if let Some(slot) = self.slots.get_mut(*i) {
                *slot = ItemState::NotAttempted;
            }
        }
        run.head = run.queue.len();
    }

    fn stop_all(&mut self) {
        self.halted = true;
        for id in 0..self.runs.len() {
            self.stop_account(AccountId(id as u32));
        }
        self.ready.clear();
        self.pacing.clear();
    }

    /// Records how item `i` ended from its send (its outcome, where that comes from, see
    /// [`Settled::of_run`]), stops what that stops, and when it stops an account by its
    /// quota, notes when that account may send again. Returns how it counted.
    pub fn settle_send(
        &mut self,
        i: usize,
        send: &SendMachine,
        accounts: &Accounts,
        now_ms: f64,
    ) -> Settled {
        let how = send
            .outcome()
            .map_or(Settled::NotSent, |o| Settled::of_run(o, send.origin()));
        if matches!(how, Settled::RateLimited | Settled::Refused) {
            if let Some(at) = send.resume_at().filter(|t| t.is_finite()) {
                self.resume_at = Some(self.resume_at.map_or(at, |r| r.min(at)));
            }
        }
        self.settle(i, how, accounts, now_ms);
        how
    }

    /// Records how item `i` ended, and stops what that outcome stops. `accounts` is the
    /// registry after the item's send (its quota left and sends out as they are now).
    pub fn settle(&mut self, i: usize, how: Settled, accounts: &Accounts, now_ms: f64) {
        let slot = match how {
            Settled::Delivered => ItemState::Delivered,
            Settled::Failed | Settled::RateLimited | Settled::Unauthorized => ItemState::Failed,
            Settled::Refused | Settled::NotSent | Settled::StoreDown => ItemState::NotAttempted,
        };
        let was_in_flight = match self.slots.get_mut(i) {
            Some(s) => {
                let was = matches!(*s, ItemState::InFlight | ItemState::LookingUp);
                *s = slot;
                was
            }
            None => false,
        };
        let Some(id) = self.account_of(i) else {
            return;
        };
        if was_in_flight {
            if let Some(run) = self.runs.get_mut(id.0 as usize) {
                run.in_flight = run.in_flight.saturating_sub(1);
            }
        }
        match how {
            Settled::RateLimited | Settled::Refused => {
                self.stop(StopReason::RateLimited);
                self.stop_on_quota(accounts, id, now_ms);
            }
            Settled::Unauthorized => {
                self.stop(StopReason::Unauthorized);
                self.stop_all();
            }
            Settled::StoreDown => {
                self.stop(StopReason::StoreUnavailable);
                self.stop_all();
            }
            _ => {
                let unpark = self
                    .runs
                    .get(id.0 as usize)
                    .is_some_and(|r| r.parked && !Self::busy(r, accounts.get(id)));
                if unpark {
                    if let Some(run) = self.runs.get_mut(id.0 as usize) {
                        run.parked = false;
                    }
                    self.schedule(accounts, id, now_ms);
                }
            }
        }
    }

    /// Nothing of the run may start (`reason`: the shared store failed before it began).
    pub fn halt(&mut self, reason: StopReason) {
        self.stop(reason);
        self.stop_all();
    }

    /// The caller's signal fired: nothing more starts.
    pub fn abort(&mut self) {
        if self.slots.iter().any(|s| {
            matches!(
                s,
                ItemState::Pending | ItemState::InFlight | ItemState::LookingUp
            )
        }) {
            self.stop(StopReason::Aborted);
        }
        self.stop_all();
    }

    /// Whether item `i` has no result (never sent).
    pub fn is_not_attempted(&self, i: usize) -> bool {
        matches!(
            self.slots.get(i),
            Some(ItemState::NotAttempted) | Some(ItemState::Pending)
        )
    }

    /// The run's counts, once every worker is done.
    pub fn summary(&self) -> Summary {
        let count = |want: &[ItemState]| self.slots.iter().filter(|s| want.contains(s)).count();
        Summary {
            sent: count(&[ItemState::Delivered]),
            failed: count(&[ItemState::Failed, ItemState::Invalid]),
            not_attempted: (0..self.slots.len())
                .filter(|i| self.is_not_attempted(*i))
                .collect(),
            stopped_by: self.stopped_by,
            resume_at: self.resume_at,
        }
    }
}
