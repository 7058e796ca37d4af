//! The schedule of sendGroupWithAckMany (contract section 6), natively.
#![cfg(not(target_arch = "wasm32"))]

use connectsafely_wasm::accounts::Accounts;
use connectsafely_wasm::bulk::{BulkPlan, BulkStep, Summary};
use connectsafely_wasm::error::StopReason;
use connectsafely_wasm::outcome::Settled;
use connectsafely_wasm::rate_limit::RateLimitInfo;

fn accounts(list: &[Option<&str>]) -> Vec<Option<String>> {
    list.iter().map(|a| a.map(str::to_owned)).collect()
}

/// A plan and the client's registry, with each started item's send counted in and
/// out of the registry as the send machine does.
struct Run {
    plan: BulkPlan,
    accounts: Accounts,
    out: Vec<usize>,
}

impl Run {
    fn new(keys: Vec<Option<String>>, min_interval_ms: f64) -> Self {
        let mut accounts = Accounts::new();
        let plan = BulkPlan::new(&mut accounts, keys, min_interval_ms);
        Run {
            plan,
            accounts,
            out: Vec::new(),
        }
    }

    fn next(&mut self, now: f64) -> BulkStep {
        let n = self.plan.next(&self.accounts, now);
        if let BulkStep::Start(i) = n {
            self.accounts.started(self.plan.account_of(i).unwrap(), now);
            self.out.push(i);
        }
        n
    }

    fn settle(&mut self, i: usize, how: Settled) {
        if let Some(k) = self.out.iter().position(|x| *x == i) {
            self.out.remove(k);
            self.accounts.finished(self.plan.account_of(i).unwrap());
        }
        self.plan.settle(i, how, &self.accounts, 0.0);
    }

    /// A response for item `i` said the account has `remaining` left.
    fn observe_remaining(&mut self, i: usize, remaining: f64) {
        let info = RateLimitInfo {
            action: None,
            limit: Some(150.0),
            used: None,
            remaining: Some(remaining),
            reset_at: None,
        };
        self.accounts.observe(
            self.plan.account_of(i).unwrap(),
            200,
            Some(&info),
            None,
            0.0,
        );
    }

    fn abort(&mut self) {
        self.plan.abort();
    }

    fn summary(&self) -> Summary {
        self.plan.summary()
    }
}

#[test]
fn items_start_in_input_order_and_invalid_ones_never_start() {
    let mut p = Run::new(accounts(&[Some(""), None, Some(""), Some("")]), 0.0);
    let mut started = Vec::new();
    while let BulkStep::Start(i) = p.next(0.0) {
        started.push(i);
        p.settle(i, Settled::Delivered);
    }
    assert_eq!(started, [0, 2, 3]);
    assert_eq!(
        p.summary(),
        Summary {
            sent: 3,
            failed: 1,
            not_attempted: vec![],
            stopped_by: None,
            resume_at: None,
        }
    );
}

#[test]
fn pacing_holds_starts_of_one_account_apart_and_lets_other_accounts_go() {
    let mut p = Run::new(accounts(&[Some("a"), Some("a"), Some("b")]), 1000.0);
    assert_eq!(p.next(0.0), BulkStep::Start(0));
    assert_eq!(
        p.next(10.0),
        BulkStep::Start(2),
        "another account is not held back"
    );
    assert_eq!(p.next(20.0), BulkStep::WaitUntil(1000.0));
    assert_eq!(p.next(1000.0), BulkStep::Start(1));
    assert_eq!(p.next(1000.0), BulkStep::Done);
}

#[test]
fn a_429_stops_only_that_account_and_its_item_counts_as_failed() {
    let mut p = Run::new(accounts(&[Some("a"), Some("b"), Some("a"), Some("b")]), 0.0);
    assert_eq!(p.next(0.0), BulkStep::Start(0));
    p.settle(0, Settled::RateLimited);
    assert_eq!(p.next(0.0), BulkStep::Start(1));
    p.settle(1, Settled::Delivered);
    assert_eq!(p.next(0.0), BulkStep::Start(3));
    p.settle(3, Settled::Delivered);
    assert_eq!(p.next(0.0), BulkStep::Done);
    assert_eq!(
        p.summary(),
        Summary {
            sent: 2,
            failed: 1,
            not_attempted: vec![2],
            stopped_by: Some(StopReason::RateLimited),
            resume_at: None,
        }
    );
}

#[test]
fn a_guard_refusal_is_not_attempted_and_stops_the_account() {
    let mut p = Run::new(accounts(&[Some(""), Some(""), Some("")]), 0.0);
    assert_eq!(p.next(0.0), BulkStep::Start(0));
    p.settle(0, Settled::Delivered);
    assert_eq!(p.next(0.0), BulkStep::Start(1));
    p.settle(1, Settled::Refused);
    assert_eq!(p.next(0.0), BulkStep::Done);
    assert_eq!(
        p.summary(),
        Summary {
            sent: 1,
            failed: 0,
            not_attempted: vec![1, 2],
            stopped_by: Some(StopReason::RateLimited),
            resume_at: None,
        }
    );
}

#[test]
fn a_401_stops_everything_but_lets_in_flight_items_settle() {
    let mut p = Run::new(accounts(&[Some("a"), Some("b"), Some("c")]), 0.0);
    assert_eq!(p.next(0.0), BulkStep::Start(0));
    assert_eq!(p.next(0.0), BulkStep::Start(1));
    p.settle(0, Settled::Unauthorized);
    assert_eq!(p.next(0.0), BulkStep::Done);
    p.settle(1, Settled::Delivered);
    assert_eq!(
        p.summary(),
        Summary {
            sent: 1,
            failed: 1,
            not_attempted: vec![2],
            stopped_by: Some(StopReason::Unauthorized),
            resume_at: None,
        }
    );
}

#[test]
fn an_abort_stops_what_has_not_started_and_unsent_items_stay_not_attempted() {
    let mut p = Run::new(accounts(&[Some(""), Some(""), Some(""), Some("")]), 0.0);
    assert_eq!(p.next(0.0), BulkStep::Start(0));
    p.settle(0, Settled::Delivered);
    assert_eq!(p.next(0.0), BulkStep::Start(1));
    assert_eq!(p.next(0.0), BulkStep::Start(2));
    p.abort();
    p.settle(1, Settled::Failed); // aborted after the request left
    p.settle(2, Settled::NotSent); // aborted before it left
    assert_eq!(p.next(0.0), BulkStep::Done);
    assert_eq!(
        p.summary(),
        Summary {
            sent: 1,
            failed: 1,
            not_attempted: vec![2, 3],
            stopped_by: Some(StopReason::Aborted),
            resume_at: None,
        }
    );
}

#[test]
fn the_strongest_stop_reason_wins() {
    let mut p = Run::new(accounts(&[Some("a"), Some("b"), Some("c")]), 0.0);
    let _ = p.next(0.0);
    p.settle(0, Settled::RateLimited);
    let _ = p.next(0.0);
    p.settle(1, Settled::Unauthorized);
    assert_eq!(p.summary().stopped_by, Some(StopReason::Unauthorized));
}

#[test]
fn every_item_is_sent_failed_or_not_attempted_exactly_once() {
    // A deterministic mix of outcomes over 500 items on three accounts.
    let accts: Vec<Option<String>> = (0..500)
        .map(|i| {
            if i % 37 == 0 {
                None
            } else {
                Some(format!("acct{}", i % 3))
            }
        })
        .collect();
    let mut p = Run::new(accts, 0.0);
    let mut started = vec![0u32; 500];
    let mut k = 0u32;
    while let BulkStep::Start(i) = p.next(0.0) {
        started[i] += 1;
        k = k.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let how = match k % 50 {
            0 => Settled::RateLimited,
            1..=5 => Settled::Failed,
            _ => Settled::Delivered,
        };
        p.settle(i, how);
    }
    assert!(started.iter().all(|n| *n <= 1), "no item starts twice");
    let s = p.summary();
    assert_eq!(s.sent + s.failed + s.not_attempted.len(), 500);
    for i in &s.not_attempted {
        assert_eq!(started[*i], 0);
    }
}

#[test]
fn no_more_sends_start_for_an_account_than_its_known_quota_left() {
    let mut p = Run::new(accounts(&[Some("a"), Some("a"), Some("a"), Some("b")]), 0.0);
    assert_eq!(p.next(0.0), BulkStep::Start(0));
    p.observe_remaining(0, 1.0);
    p.settle(0, Settled::Delivered);
    assert_eq!(p.next(0.0), BulkStep::Start(1));
    assert_eq!(
        p.next(0.0),
        BulkStep::Start(3),
        "a has one send in flight and one left: only b may start"
    );
    p.observe_remaining(1, 0.0);
    p.settle(1, Settled::Delivered);
    assert_eq!(
        p.next(0.0),
        BulkStep::Start(2),
        "nothing in flight: one more starts, for the guard to refuse"
    );
    p.settle(2, Settled::Refused);
    p.settle(3, Settled::Delivered);
    assert_eq!(
        p.summary(),
        Summary {
            sent: 3,
            failed: 0,
            not_attempted: vec![2],
            stopped_by: Some(StopReason::RateLimited),
            resume_at: None,
        }
    );
}
