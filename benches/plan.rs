//! The bulk schedule at scale, natively (make bench): `BulkPlan::next()` must not
//! scan the items (issue 11 measured 192 ms per call at 10,000 pending items when an
//! account's sends in flight equal its quota left), and a whole run must stay
//! O(n log accounts).
use connectsafely_wasm::accounts::Accounts;
use connectsafely_wasm::bulk::{BulkPlan, BulkStep};
use connectsafely_wasm::outcome::Settled;
use connectsafely_wasm::rate_limit::RateLimitInfo;
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

fn keys(items: usize, accounts: usize) -> Vec<Option<String>> {
    (0..items)
        .map(|i| Some(format!("account-{}", i % accounts)))
        .collect()
}

/// One quota left for every account.
fn one_left(accounts: &mut Accounts, n: usize) {
    let info = RateLimitInfo {
        action: None,
        limit: Some(150.0),
        used: Some(149.0),
        remaining: Some(1.0),
        reset_at: None,
    };
    for a in 0..n {
        let id = accounts.id(&format!("account-{a}"));
        accounts.observe(id, 200, Some(&info), None, 0.0);
    }
}

fn all_busy(items: usize, accounts_n: usize) -> (BulkPlan, Accounts) {
    let mut accounts = Accounts::new();
    let mut plan = BulkPlan::new(&mut accounts, keys(items, accounts_n), 0.0);
    one_left(&mut accounts, accounts_n);
    // Start one item per account: each account's quota left is now in flight.
    for _ in 0..accounts_n {
        if let BulkStep::Start(i) = plan.next(&accounts, 0.0) {
            accounts.started(plan.account_of(i).unwrap(), 0.0);
        }
    }
    (plan, accounts)
}

/// The first `next()` after every one of 1,000 accounts has as many sends in flight
/// as its quota left: it sets each account aside once (O(accounts log accounts)),
/// whatever the number of items.
#[divan::bench(args = [10_000, 100_000])]
fn first_next_when_every_quota_left_is_in_flight(bencher: Bencher, items: usize) {
    bencher
        .with_inputs(|| all_busy(items, 1_000))
        .bench_local_refs(|(plan, accounts)| black_box(plan.next(accounts, 0.0)));
}

/// Every later `next()` in that state (a worker asking again): nothing to look at.
#[divan::bench(args = [10_000, 100_000])]
fn next_again_when_every_quota_left_is_in_flight(bencher: Bencher, items: usize) {
    let (mut plan, accounts) = all_busy(items, 1_000);
    let _ = plan.next(&accounts, 0.0);
    bencher.bench_local(|| black_box(plan.next(&accounts, 0.0)));
}

/// A whole run: every item started and settled, 100,000 items over 1,000 accounts.
#[divan::bench(args = [100_000])]
fn whole_run(bencher: Bencher, items: usize) {
    bencher
        .with_inputs(|| {
            let mut accounts = Accounts::new();
            let plan = BulkPlan::new(&mut accounts, keys(items, 1_000), 0.0);
            (plan, accounts)
        })
        .bench_local_values(|(mut plan, mut accounts)| {
            while let BulkStep::Start(i) = plan.next(&accounts, 0.0) {
                let a = plan.account_of(i).unwrap();
                accounts.started(a, 0.0);
                accounts.finished(a);
                plan.settle(i, Settled::Delivered, &accounts, 0.0);
            }
            black_box(plan.summary().sent)
        });
}
