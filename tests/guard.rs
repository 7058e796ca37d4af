//! The rate-limit guard's state per account (contract 3.4), natively.
#![cfg(not(target_arch = "wasm32"))]

use connectsafely_wasm::accounts::Accounts;
use connectsafely_wasm::error::ErrorKind;
use connectsafely_wasm::guard::Refusal;
use connectsafely_wasm::rate_limit::RateLimitInfo;

/// The guard's rules over a registry, by account key.
struct RateLimitGuard(Accounts);

impl RateLimitGuard {
    fn new() -> Self {
        RateLimitGuard(Accounts::new())
    }
    fn check(&mut self, key: &str, now: f64) -> Option<Refusal> {
        let id = self.0.id(key);
        self.0.check(id, now)
    }
    fn observe(
        &mut self,
        key: &str,
        status: u16,
        info: Option<&RateLimitInfo>,
        retry: Option<f64>,
        now: f64,
    ) {
        let id = self.0.id(key);
        self.0.observe(id, status, info, retry, now);
    }
    fn last(&self, key: &str) -> Option<&RateLimitInfo> {
        self.0.by_key(key).and_then(|a| a.guard.last.as_ref())
    }
}

const NOW: f64 = 1_000_000.0;

fn info(remaining: f64, reset_at: Option<f64>) -> RateLimitInfo {
    RateLimitInfo {
        action: Some("MESSAGE".into()),
        limit: Some(150.0),
        used: Some(150.0 - remaining),
        remaining: Some(remaining),
        reset_at,
    }
}

#[test]
fn a_fresh_guard_refuses_nothing() {
    assert!(RateLimitGuard::new().check("", NOW).is_none());
}

#[test]
fn remaining_zero_with_a_future_reset_refuses_that_account_until_the_reset() {
    let mut g = RateLimitGuard::new();
    g.observe("", 200, Some(&info(0.0, Some(NOW + 5000.0))), None, NOW);
    let r = g.check("", NOW + 1000.0).expect("refused");
    assert_eq!(r.error.kind, ErrorKind::RateLimited);
    assert_eq!(r.error.retry_after_ms, Some(4000.0));
    assert!(!r.error.delivery_unknown);
    assert_eq!(r.rate_limit, Some(info(0.0, Some(NOW + 5000.0))));
    assert!(r.error.message.contains("150/150"), "{}", r.error.message);
    assert!(
        g.check("other", NOW + 1000.0).is_none(),
        "other accounts go on"
    );
    assert!(
        g.check("", NOW + 5000.0).is_none(),
        "after the reset it sends again"
    );
}

#[test]
fn remaining_zero_with_a_past_or_unknown_reset_refuses_nothing() {
    let mut g = RateLimitGuard::new();
    g.observe("", 200, Some(&info(0.0, Some(NOW - 1.0))), None, NOW);
    g.observe("a", 200, Some(&info(0.0, None)), None, NOW);
    assert!(g.check("", NOW).is_none());
    assert!(g.check("a", NOW).is_none());
}

#[test]
fn a_429_refuses_for_its_retry_after_or_else_until_the_reset() {
    let mut g = RateLimitGuard::new();
    g.observe(
        "a",
        429,
        Some(&info(0.0, Some(NOW + 9000.0))),
        Some(1000.0),
        NOW,
    );
    assert_eq!(
        g.check("a", NOW).unwrap().error.retry_after_ms,
        Some(1000.0)
    );
    g.observe("d", 429, Some(&info(0.0, Some(NOW + 9000.0))), None, NOW);
    assert_eq!(
        g.check("d", NOW).unwrap().error.retry_after_ms,
        Some(9000.0)
    );
    g.observe("b", 429, None, Some(2000.0), NOW);
    assert_eq!(
        g.check("b", NOW + 500.0).unwrap().error.retry_after_ms,
        Some(1500.0)
    );
    g.observe("c", 429, None, None, NOW);
    assert!(
        g.check("c", NOW).is_none(),
        "a 429 with no known reset cannot be timed"
    );
}

#[test]
fn a_later_success_with_quota_left_lifts_the_refusal() {
    let mut g = RateLimitGuard::new();
    g.observe("", 429, None, Some(60_000.0), NOW);
    assert!(g.check("", NOW).is_some());
    g.observe("", 200, Some(&info(3.0, Some(NOW + 9000.0))), None, NOW);
    assert!(g.check("", NOW).is_none());
}

#[test]
fn the_last_rate_limit_info_is_kept_per_account() {
    let mut g = RateLimitGuard::new();
    g.observe("a", 200, Some(&info(7.0, None)), None, NOW);
    g.observe("a", 500, None, None, NOW);
    assert_eq!(g.last("a"), Some(&info(7.0, None)));
    assert_eq!(g.last("b"), None);
}

#[test]
fn a_response_that_arrives_late_with_more_quota_left_changes_nothing() {
    let mut g = RateLimitGuard::new();
    let reset = Some(NOW + 9000.0);
    // Two sends overlapped: the server counted the first (1 left) before the second
    // (0 left), but the second's response is read first.
    g.observe("", 200, Some(&info(0.0, reset)), None, NOW);
    g.observe("", 200, Some(&info(1.0, reset)), None, NOW + 1.0);
    assert_eq!(g.last(""), Some(&info(0.0, reset)), "the newer info stays");
    assert!(
        g.check("", NOW + 2.0).is_some(),
        "the quota is still known spent"
    );
    // A later window is news, whatever it shows.
    g.observe(
        "",
        200,
        Some(&info(149.0, Some(NOW + 90_000.0))),
        None,
        NOW + 3.0,
    );
    assert!(g.check("", NOW + 4.0).is_none());
    assert_eq!(g.last(""), Some(&info(149.0, Some(NOW + 90_000.0))));
}
