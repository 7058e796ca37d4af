//! Shared state across processes (issue 13), natively, through the store protocol
//! (`store`): the account record a store keeps, reservations against it, the bulk journal,
//! and many processes sharing one record through compare-and-swap.
#![cfg(not(target_arch = "wasm32"))]

use connectsafely_wasm::rate_limit::RateLimitInfo;
use connectsafely_wasm::store::{
    plan_item, ItemPlan, JournalEntry, Lease, Reservation, SharedAccount, SharedPolicy,
};
use proptest::prelude::*;

mod claims;

const NOW: f64 = 1_800_000_000_000.0;

fn info(remaining: f64, reset_at: f64) -> RateLimitInfo {
    RateLimitInfo {
        action: Some("MESSAGE".into()),
        limit: Some(150.0),
        used: Some(150.0 - remaining),
        remaining: Some(remaining),
        reset_at: Some(reset_at),
    }
}

#[test]
fn a_record_reads_back_as_written_and_garbage_reads_as_nothing_known() {
    let mut a = SharedAccount::default();
    a.guard.blocked_until = Some(NOW + 5.0);
    a.guard.last = Some(info(3.0, NOW + 1000.0));
    a.last_start = Some(NOW);
    a.leases = vec![
        Lease {
            id: 1,
            expires_at: NOW + 9.0,
        },
        Lease {
            id: 99,
            expires_at: NOW + 10.0,
        },
    ];
    assert_eq!(SharedAccount::decode(Some(&a.encode())), a);
    assert_eq!(
        SharedAccount::decode(Some("nonsense")),
        SharedAccount::default()
    );
    assert_eq!(SharedAccount::decode(None), SharedAccount::default());
}

#[test]
fn the_guard_refuses_from_what_another_process_observed() {
    let seen = SharedAccount::default().release(
        0,
        Some((200, Some(&info(0.0, NOW + 60_000.0)), None)),
        NOW,
    );
    let text = seen.encode(); // another process reads this
    match SharedAccount::decode(Some(&text)).reserve(
        "acct",
        true,
        1,
        NOW + 1.0,
        &SharedPolicy::default(),
    ) {
        Reservation::Refused(r) => assert_eq!(r.error.retry_after_ms, Some(59_999.0)),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(
        matches!(
            SharedAccount::decode(Some(&text)).reserve(
                "acct",
                false,
                1,
                NOW,
                &SharedPolicy::default()
            ),
            Reservation::Granted(_)
        ),
        "with the guard off it sends"
    );
}

#[test]
fn no_more_start_than_the_quota_left_or_the_bound_while_it_is_unknown() {
    let policy = SharedPolicy {
        max_unknown_in_flight: 2,
        ..SharedPolicy::default()
    };
    let mut a = SharedAccount::default();
    for lease in 0..2 {
        let Reservation::Granted(next) = a.reserve("", true, lease, NOW, &policy) else {
            panic!("lease {lease}")
        };
        a = next;
    }
    assert!(
        matches!(a.reserve("", true, 9, NOW, &policy), Reservation::Wait(_)),
        "unknown quota: bound of 2"
    );
    // A response says one is left: with two out, nothing more starts.
    a = a.release(0, Some((200, Some(&info(1.0, NOW + 9e6)), None)), NOW);
    assert!(matches!(
        a.reserve("", true, 9, NOW, &policy),
        Reservation::Wait(_)
    ));
    a = a.release(1, Some((200, Some(&info(1.0, NOW + 9e6)), None)), NOW);
    assert!(matches!(
        a.reserve("", true, 9, NOW, &policy),
        Reservation::Granted(_)
    ));
}

#[test]
fn pacing_holds_across_processes_and_dead_leases_expire() {
    let policy = SharedPolicy {
        min_interval_ms: 1000.0,
        lease_ms: 5000.0,
        ..SharedPolicy::default()
    };
    let Reservation::Granted(a) = SharedAccount::default().reserve("", true, 1, NOW, &policy)
    else {
        panic!()
    };
    let a = a.release(1, None, NOW + 10.0);
    assert_eq!(
        a.reserve("", true, 2, NOW + 400.0, &policy),
        Reservation::Wait(600.0)
    );
    assert!(matches!(
        a.reserve("", true, 2, NOW + 1000.0, &policy),
        Reservation::Granted(_)
    ));
    // A lease whose process died stops counting once it expires.
    let one = SharedPolicy {
        max_unknown_in_flight: 1,
        lease_ms: 5000.0,
        ..SharedPolicy::default()
    };
    let Reservation::Granted(held) = SharedAccount::default().reserve("", true, 7, NOW, &one)
    else {
        panic!()
    };
    assert!(matches!(
        held.reserve("", true, 8, NOW + 4999.0, &one),
        Reservation::Wait(_)
    ));
    assert!(matches!(
        held.reserve("", true, 8, NOW + 5000.0, &one),
        Reservation::Granted(_)
    ));
}

#[test]
fn a_journal_item_is_sent_once_reported_from_the_record_left_alone_or_unknown() {
    let claim = JournalEntry::Claimed {
        runner: "r1".into(),
        expires_at: NOW + 1000.0,
        lease: 77,
        sending: true,
    };
    assert_eq!(JournalEntry::decode(Some(&claim.encode())), claim);
    let done = JournalEntry::Done {
        ok: true,
        result: r#"{"ok":true}"#.into(),
    };
    assert_eq!(JournalEntry::decode(Some(&done.encode())), done);
    assert_eq!(
        plan_item(&JournalEntry::decode(None), "r2", NOW, false),
        ItemPlan::Send
    );
    assert_eq!(
        plan_item(&done, "r2", NOW, true),
        ItemPlan::Recorded {
            ok: true,
            result: r#"{"ok":true}"#.into()
        }
    );
    assert_eq!(
        plan_item(&claim, "r2", NOW, false),
        ItemPlan::Elsewhere,
        "a live runner holds it"
    );
    assert_eq!(
        plan_item(&claim, "r2", NOW + 1000.0, false),
        ItemPlan::Unknown { lease: None },
        "its runner died mid-send (its reservation has expired with its claim)"
    );
    assert_eq!(
        plan_item(&claim, "r2", NOW + 1000.0, true),
        ItemPlan::Send,
        "resent only when asked"
    );
    assert_eq!(
        plan_item(&claim, "r1", NOW, false),
        ItemPlan::Unknown { lease: Some(77) },
        "its own runner, restarted, knows the claim died with its earlier life, and its reservation"
    );
    assert_eq!(plan_item(&claim, "r1", NOW, true), ItemPlan::Send);
    assert!(
        matches!(
            plan_item(&JournalEntry::decode(Some("??")), "r2", NOW + 1e12, false),
            ItemPlan::Elsewhere
        ),
        "unreadable: never sent twice"
    );
}

/// A store: one value and its version, swapped only when the version matches.
struct Store {
    value: Option<String>,
    version: u64,
}

impl Store {
    fn swap(&mut self, expected: u64, value: String) -> bool {
        if self.version != expected {
            return false;
        }
        self.value = Some(value);
        self.version += 1;
        true
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Several processes share one account record through compare-and-swap, against a
    /// server with a daily quota: the server never sees a send while the record knows
    /// the quota is spent, and each process earns at most one 429 (the ones in flight
    /// before anyone knew).
    #[test]
    fn processes_sharing_a_record_spend_the_quota_and_almost_no_429s(
        steps in proptest::collection::vec((0usize..4, any::<bool>()), 50..600),
        quota in 1u32..30,
    ) {
        let policy = SharedPolicy { max_unknown_in_flight: 1, ..SharedPolicy::default() };
        let mut store = Store { value: None, version: 0 };
        let mut in_flight: Vec<Vec<u64>> = vec![Vec::new(); 4];
        let mut next_lease = 1u64;
        let (mut used, mut rejected, mut accepted) = (0u32, 0u32, 0u32);
        let reset = NOW + 3_600_000.0;
        for (p, start) in steps {
            let now = NOW;
            if start || in_flight[p].is_empty() {
                // Reserve: read, decide, swap (retrying on a lost race).
                loop {
                    let (version, current) = (store.version, SharedAccount::decode(store.value.as_deref()));
                    match current.reserve("", true, next_lease, now, &policy) {
                        Reservation::Granted(rec) => {
                            if store.swap(version, rec.encode()) {
                                in_flight[p].push(next_lease);
                                next_lease += 1;
                                break;
                            }
                        }
                        _ => break,
                    }
                }
            } else {
                // The oldest send of process p is answered by the server.
                let lease = in_flight[p].remove(0);
                let (status, info) = if used < quota {
                    used += 1;
                    accepted += 1;
                    (200, info(f64::from(quota - used), reset))
                } else {
                    rejected += 1;
                    (429, info(0.0, reset))
                };
                loop {
                    let (version, current) = (store.version, SharedAccount::decode(store.value.as_deref()));
                    let next = current.release(lease, Some((status, Some(&info), None)), now);
                    if store.swap(version, next.encode()) {
                        break;
                    }
                }
            }
        }
        prop_assert!(accepted <= quota);
        prop_assert!(rejected <= 1, "429s: {rejected} (at most one: the unknown-quota bound is 1)");
    }
}

#[test]
fn a_journal_records_an_outcome_that_reads_back_the_same_without_its_body() {
    use connectsafely_wasm::outcome::{Exchange, Outcome};
    use connectsafely_wasm::rate_limit::RateLimitHeaders;
    use connectsafely_wasm::store::{decode_outcome, encode_outcome};
    let bodies = [
        r#"{"success":true,"message":"sent | ok \\ fine","recipientProfileUrn":"urn:li:fsd_profile:A","groupId":"1","acknowledgmentSent":false}"#,
        r#"{"success":false,"error":"a | pipe"}"#,
        "<html>",
    ];
    let headers = RateLimitHeaders {
        action: Some("MESSAGE".into()),
        remaining: Some("3".into()),
        retry_after: Some("7".into()),
        ..RateLimitHeaders::default()
    };
    for status in [200u16, 401, 429, 500] {
        for body in bodies {
            let o = Outcome::of(Exchange::complete(status, headers.clone(), body), NOW);
            let back = decode_outcome(&encode_outcome(&o)).expect("reads back");
            assert_eq!(back, Outcome { body: None, ..o });
        }
    }
    assert_eq!(decode_outcome("junk"), None);
}

mod machines {
    //! Send machines of several processes (each its own registry) over one store.
    use super::claims::Claims;
    use super::NOW;
    use connectsafely_wasm::accounts::Accounts;
    use connectsafely_wasm::error::ErrorKind;
    use connectsafely_wasm::outcome::{Exchange, Origin, Outcome};
    use connectsafely_wasm::rate_limit::RateLimitHeaders;
    use connectsafely_wasm::send::{JournalItem, Policy, SendMachine, SharedSend, Step};
    use connectsafely_wasm::store::{JournalEntry, SharedPolicy};
    use std::collections::HashMap;

    /// A store of versioned values; `down` makes every swap fail.
    #[derive(Default)]
    pub struct Store {
        pub map: HashMap<String, (String, u64)>,
        pub down: bool,
        pub swaps: u32,
    }

    impl Store {
        /// Performs the swap `m` asks for, atomically: whether it wrote, and the value
        /// and version the key holds now.
        pub fn apply(&mut self, m: &SendMachine) -> (bool, Option<String>, u64) {
            let s = m.swap().expect("a swap to perform").clone();
            let version = self.map.get(&s.key).map_or(0, |c| c.1);
            let wrote = s.expected == Some(version) && s.value.is_some();
            if let (true, Some(v)) = (wrote, s.value.clone()) {
                self.map.insert(s.key.clone(), (v, version + 1));
            }
            let (value, version) = self
                .map
                .get(&s.key)
                .cloned()
                .map_or((None, 0), |(v, n)| (Some(v), n));
            (wrote, value, version)
        }
    }

    /// A server with a quota: counts what it accepts.
    pub struct Server {
        pub quota: u32,
        pub accepted: u32,
        pub fetches: u32,
    }

    const OK: &str = r#"{"success":true}"#;

    /// Runs one send to its end; `crash_after_fetch` stops the runner right after the
    /// request left (a kill -9): the outcome is never fed back.
    pub fn drive(
        m: &mut SendMachine,
        accounts: &mut Accounts,
        store: &mut Store,
        server: &mut Server,
        crash_after_fetch: bool,
    ) -> Option<Outcome> {
        let policy = Policy::default();
        let mut step = m.start(&policy, accounts, NOW);
        let mut now = NOW;
        let mut claims = Claims::default();
        let mut item = None;
        for _ in 0..200 {
            step = match step {
                Step::Swap => {
                    store.swaps += 1;
                    if m.swap_lasts() {
                        item = m.swap().map(|s| s.key.clone());
                    }
                    if store.down {
                        claims.failed(m);
                        m.store_failed("connection refused", &policy)
                    } else {
                        let (wrote, value, version) = store.apply(m);
                        claims.answered(m, wrote, value.as_deref());
                        m.swapped(wrote, value.as_deref(), version, &policy, accounts, now)
                    }
                }
                Step::Fetch => {
                    claims.at_fetch(m);
                    // And the store holds it so now (no other process replaced it).
                    if m.journals() {
                        let entry = item.as_ref().and_then(|k| store.map.get(k));
                        assert!(
                            matches!(
                                JournalEntry::decode(entry.map(|(v, _)| v.as_str())),
                                JournalEntry::Claimed { sending: true, .. }
                            ),
                            "a request on {entry:?}"
                        );
                    }
                    server.fetches += 1;
                    if crash_after_fetch {
                        server.accepted += 1;
                        return None;
                    }
                    let (status, remaining) = if server.accepted < server.quota {
                        server.accepted += 1;
                        (200, server.quota - server.accepted)
                    } else {
                        (429, 0)
                    };
                    let headers = RateLimitHeaders {
                        remaining: Some(remaining.to_string()),
                        reset: Some("2099-01-01T00:00:00Z".into()),
                        ..RateLimitHeaders::default()
                    };
                    m.exchanged(
                        Exchange::complete(status, headers, OK),
                        &policy,
                        accounts,
                        now,
                    )
                }
                Step::Wait(ms) => {
                    now += ms;
                    m.waited(&policy, accounts, now)
                }
                Step::Done => return m.outcome().cloned(),
            };
        }
        panic!("the send did not end");
    }

    fn shared(lease: u64) -> SharedSend {
        SharedSend {
            lease,
            policy: SharedPolicy {
                max_unknown_in_flight: 1,
                ..SharedPolicy::default()
            },
            key: "s2:test:acct:a".into(),
        }
    }

    #[test]
    fn processes_with_their_own_registries_share_the_quota_and_the_guard_through_the_store() {
        let mut store = Store::default();
        let mut server = Server {
            quota: 3,
            accepted: 0,
            fetches: 0,
        };
        let mut registries: Vec<Accounts> = (0..3).map(|_| Accounts::new()).collect();
        let mut kinds = Vec::new();
        for i in 0..9u64 {
            let accounts = &mut registries[(i % 3) as usize];
            let mut m = SendMachine::new(accounts, "a").with_shared(shared(i + 1));
            let o = drive(&mut m, accounts, &mut store, &mut server, false).unwrap();
            kinds.push(o.result.as_ref().err().map(|e| e.kind));
        }
        assert_eq!(server.accepted, 3);
        assert_eq!(
            server.fetches, 3,
            "the others were refused from what the store knew: no 429 spent"
        );
        assert_eq!(kinds.iter().filter(|k| k.is_none()).count(), 3);
        assert!(kinds
            .iter()
            .skip(3)
            .all(|k| *k == Some(ErrorKind::RateLimited)));
    }

    #[test]
    fn when_the_store_is_down_nothing_is_sent_and_the_result_names_it() {
        let mut store = Store {
            down: true,
            ..Store::default()
        };
        let mut server = Server {
            quota: 10,
            accepted: 0,
            fetches: 0,
        };
        let mut accounts = Accounts::new();
        let mut m = SendMachine::new(&mut accounts, "").with_shared(shared(1));
        let o = drive(&mut m, &mut accounts, &mut store, &mut server, false).unwrap();
        let e = o.result.unwrap_err();
        assert_eq!(
            (e.kind, e.delivery_unknown, server.fetches),
            (ErrorKind::StoreUnavailable, false, 0)
        );
        store.down = false;
        let mut m = SendMachine::new(&mut accounts, "").with_shared(shared(2));
        assert!(
            drive(&mut m, &mut accounts, &mut store, &mut server, false)
                .unwrap()
                .result
                .is_ok(),
            "sending resumes when the store is back"
        );
    }

    fn item(i: usize, runner: &str, resend_unknown: bool) -> JournalItem {
        JournalItem {
            key: format!("s2:test:run:run1:item{i}"),
            runner: runner.into(),
            claim_ms: 60_000.0,
            resend_unknown,
            lookup: false,
        }
    }

    #[test]
    fn in_a_quiet_store_a_send_takes_two_round_trips_and_a_journaled_one_five() {
        for journaled in [false, true] {
            let mut store = Store::default();
            let mut server = Server {
                quota: 100,
                accepted: 0,
                fetches: 0,
            };
            let mut accounts = Accounts::new();
            let mut swaps = Vec::new();
            for i in 0..4 {
                let before = store.swaps;
                let mut m = SendMachine::new(&mut accounts, "").with_shared(shared(i as u64 + 1));
                if journaled {
                    m = m.with_journal(item(i, "r1", false));
                }
                let o = drive(&mut m, &mut accounts, &mut store, &mut server, false).unwrap();
                assert!(o.result.is_ok());
                swaps.push(store.swaps - before);
            }
            // The first reads the account's record; the rest swap on the record they saw
            // last (the journal's swaps, on the item's own key, do not replace it). A
            // journaled send: the claim (held), the reservation, the claim marked sending,
            // the release, the outcome.
            let (first, then) = if journaled { (6, 5) } else { (3, 2) };
            assert_eq!(swaps, [first, then, then, then], "journaled: {journaled}");
        }
    }

    #[test]
    fn a_journaled_run_resumed_after_a_crash_never_sends_an_item_twice() {
        let mut store = Store::default();
        let mut server = Server {
            quota: 100,
            accepted: 0,
            fetches: 0,
        };
        let mut accounts = Accounts::new();
        // First runner: items 0 and 1 sent, item 2 in flight when it is killed.
        for i in 0..2 {
            let mut m = SendMachine::new(&mut accounts, "")
                .with_shared(shared(i as u64 + 1))
                .with_journal(item(i, "r1", false));
            assert!(drive(&mut m, &mut accounts, &mut store, &mut server, false)
                .unwrap()
                .result
                .is_ok());
        }
        let mut m = SendMachine::new(&mut accounts, "")
            .with_shared(shared(3))
            .with_journal(item(2, "r1", false));
        assert!(drive(&mut m, &mut accounts, &mut store, &mut server, true).is_none());
        assert_eq!(server.accepted, 3);
        // A second runner (a restart) goes over all four, after the dead claim expired.
        let mut restarted = Accounts::new();
        let mut origins = Vec::new();
        for i in 0..4 {
            let mut m = SendMachine::new(&mut restarted, "")
                .with_shared(shared(10 + i as u64))
                .with_journal(item(i, "r2", false));
            // Claims expire after 60 s: the restart comes 61 s later.
            let mut late = Store {
                map: std::mem::take(&mut store.map),
                ..Store::default()
            };
            let o = drive_at(
                &mut m,
                &mut restarted,
                &mut late,
                &mut server,
                NOW + 61_000.0,
            );
            store.map = late.map;
            origins.push((
                m.origin(),
                o.result
                    .as_ref()
                    .map(|_| ())
                    .map_err(|e| (e.kind, e.delivery_unknown)),
            ));
        }
        assert_eq!(origins[0], (Origin::Recorded, Ok(())));
        assert_eq!(origins[1], (Origin::Recorded, Ok(())));
        assert_eq!(
            origins[2],
            (Origin::Unknown, Err((ErrorKind::Network, true))),
            "in flight at the crash: may have been delivered"
        );
        assert_eq!(origins[3], (Origin::Sent, Ok(())));
        assert_eq!(server.accepted, 4, "nothing sent twice");
    }

    fn drive_at(
        m: &mut SendMachine,
        accounts: &mut Accounts,
        store: &mut Store,
        server: &mut Server,
        at: f64,
    ) -> Outcome {
        let policy = Policy::default();
        let mut step = m.start(&policy, accounts, at);
        loop {
            step = match step {
                Step::Swap => {
                    let (wrote, value, version) = store.apply(m);
                    m.swapped(wrote, value.as_deref(), version, &policy, accounts, at)
                }
                Step::Fetch => {
                    server.fetches += 1;
                    server.accepted += 1;
                    m.exchanged(
                        Exchange::complete(200, RateLimitHeaders::default(), OK),
                        &policy,
                        accounts,
                        at,
                    )
                }
                Step::Wait(_) => m.waited(&policy, accounts, at),
                Step::Done => return m.outcome().cloned().unwrap(),
            };
        }
    }

    #[test]
    fn runners_sharing_a_journal_split_the_items_and_a_live_claim_is_left_alone() {
        let mut store = Store::default();
        let mut server = Server {
            quota: 100,
            accepted: 0,
            fetches: 0,
        };
        let mut a = Accounts::new();
        // Runner A holds item 0 (claimed, not finished: a live claim).
        let mut held = SendMachine::new(&mut a, "").with_journal(item(0, "A", false));
        assert_eq!(held.start(&Policy::default(), &mut a, NOW), Step::Swap);
        let s = held.swap().unwrap().clone();
        store
            .map
            .insert(s.key.clone(), (s.value.clone().unwrap(), 1));
        // Runner B reaches item 0: another runner holds it.
        let mut b = Accounts::new();
        let mut m = SendMachine::new(&mut b, "").with_journal(item(0, "B", false));
        let o = drive(&mut m, &mut b, &mut store, &mut server, false).unwrap();
        assert_eq!(m.origin(), Origin::Elsewhere);
        assert!(o.result.is_err());
        assert_eq!(server.fetches, 0);
    }
}

mod restarted {
    //! A runner restarted under its `runnerId` releases the reservation its earlier life
    //! died holding, so the account's last units of quota are not held until it expires.
    use super::machines::{drive, Server, Store};
    use super::NOW;
    use connectsafely_wasm::accounts::Accounts;
    use connectsafely_wasm::outcome::Origin;
    use connectsafely_wasm::send::{JournalItem, Policy, SendMachine, SharedSend, Step};
    use connectsafely_wasm::store::{Reservation, SharedAccount, SharedPolicy};

    fn shared(lease: u64) -> SharedSend {
        SharedSend {
            lease,
            policy: SharedPolicy::default(),
            key: "s2:test:acct:a".into(),
        }
    }

    fn item(i: usize, runner: &str) -> JournalItem {
        JournalItem {
            key: format!("s2:test:run:r:item{i}"),
            runner: runner.into(),
            claim_ms: 35_000.0,
            resend_unknown: false,
            lookup: false,
        }
    }

    /// Starts `m` at `at` and performs its swaps on `store` while `more` says so: the step
    /// it stopped at.
    fn swaps_from_start(
        m: &mut SendMachine,
        accounts: &mut Accounts,
        store: &mut Store,
        at: f64,
        more: impl Fn(&SendMachine) -> bool,
    ) -> Step {
        let policy = Policy::default();
        let mut step = m.start(&policy, accounts, at);
        while step == Step::Swap && more(m) {
            let (wrote, value, version) = store.apply(m);
            step = m.swapped(wrote, value.as_deref(), version, &policy, accounts, at);
        }
        step
    }

    /// A journaled send of item 0 for account "a", by `runner`, its reservation `lease`.
    fn send_of(accounts: &mut Accounts, lease: u64, runner: &str) -> SendMachine {
        SendMachine::new(accounts, "a")
            .with_shared(shared(lease))
            .with_journal(item(0, runner))
    }

    /// An API that accepts 100 messages.
    fn server() -> Server {
        Server {
            quota: 100,
            accepted: 0,
            fetches: 0,
        }
    }

    fn leases(store: &Store) -> usize {
        let record = store.map.get("s2:test:acct:a").map(|(v, _)| v.as_str());
        SharedAccount::decode(record).leases.len()
    }

    #[test]
    fn a_runner_restarted_under_its_id_releases_the_reservation_its_dead_send_held() {
        let mut store = Store::default();
        let mut server = server();
        let mut accounts = Accounts::new();
        let mut m = send_of(&mut accounts, 7, "pod-1");
        assert!(drive(&mut m, &mut accounts, &mut store, &mut server, true).is_none());
        assert_eq!(leases(&store), 1, "killed mid-send: its reservation holds");
        // Another runner meeting the claim later leaves the reservation to expire.
        let mut other = Accounts::new();
        let mut m = send_of(&mut other, 8, "pod-2");
        let step = swaps_from_start(&mut m, &mut other, &mut store, NOW + 36_000.0, |_| true);
        assert_eq!((step, m.origin()), (Step::Done, Origin::Unknown));
        assert_eq!(
            leases(&store),
            1,
            "another runner leaves the dead reservation to expire"
        );
        // The same runner, restarted at once: reported deliveryUnknown, reservation released.
        let mut store2 = Store {
            map: store.map.clone(),
            ..Store::default()
        };
        let mut restarted = Accounts::new();
        let mut m = send_of(&mut restarted, 9, "pod-1");
        let o = drive(&mut m, &mut restarted, &mut store2, &mut server, false).unwrap();
        assert_eq!(m.origin(), Origin::Unknown);
        assert!(o.result.unwrap_err().delivery_unknown);
        assert_eq!(leases(&store2), 0, "the dead reservation is gone");
        assert_eq!(server.accepted, 1, "nothing sent again");
        // With one unit of quota left, a send may start at once instead of waiting 35 s.
        let record = store2.map.get("s2:test:acct:a").map(|(v, _)| v.clone());
        let mut a = SharedAccount::decode(record.as_deref());
        a.guard.last = Some(connectsafely_wasm::rate_limit::RateLimitInfo {
            action: None,
            limit: Some(150.0),
            used: Some(149.0),
            remaining: Some(1.0),
            reset_at: None,
        });
        assert!(matches!(
            a.reserve("a", true, 10, NOW, &SharedPolicy::default()),
            Reservation::Granted(_)
        ));
        let mut held = a.clone();
        held.leases.push(connectsafely_wasm::store::Lease {
            id: 7,
            expires_at: NOW + 35_000.0,
        });
        assert!(
            matches!(
                held.reserve("a", true, 10, NOW, &SharedPolicy::default()),
                Reservation::Wait(_)
            ),
            "held, it would have waited"
        );
    }

    #[test]
    fn a_runner_restarted_under_its_id_sends_the_item_its_dead_send_only_held_and_releases_that_reservation(
    ) {
        let mut store = Store::default();
        let mut server = server();
        let mut accounts = Accounts::new();
        // Killed with its claim held and its reservation granted, before the claim was marked
        // sending: nothing of it left.
        let mut m = send_of(&mut accounts, 7, "pod-1");
        let marking = |m: &SendMachine| {
            m.swap()
                .and_then(|s| s.value.as_deref())
                .is_some_and(|v| v.starts_with("c|"))
        };
        let step = swaps_from_start(&mut m, &mut accounts, &mut store, NOW, |m| !marking(m));
        assert_eq!(step, Step::Swap, "at the claim's marking");
        assert_eq!(leases(&store), 1, "its reservation holds");
        // Restarted at once: the item is sent, and the dead reservation released with it.
        let mut restarted = Accounts::new();
        let mut m = send_of(&mut restarted, 9, "pod-1");
        let o = drive(&mut m, &mut restarted, &mut store, &mut server, false).unwrap();
        assert!(o.result.is_ok());
        assert_eq!(m.origin(), Origin::Sent);
        assert_eq!(server.accepted, 1, "sent once");
        assert_eq!(
            leases(&store),
            0,
            "the dead reservation is gone with the send's own"
        );
    }
}

#[test]
fn runners_whose_ids_differ_only_by_a_separator_are_two_runners() {
    // "pod:1" and "pod_1" were one runner once written (the separators made "_"): each took
    // the other's live claims for its own dead ones, released their reservations, and with
    // resendUnknown sent their items again.
    for me in ["pod:1", "pod|1", "pod,1", "a|1|2"] {
        let claim = JournalEntry::Claimed {
            runner: me.into(),
            expires_at: NOW + 1000.0,
            lease: 77,
            sending: true,
        };
        let read = JournalEntry::decode(Some(&claim.encode()));
        assert_eq!(read, claim, "{me} round-trips");
        assert_eq!(
            plan_item(&read, "pod_1", NOW, true),
            ItemPlan::Elsewhere,
            "{me}'s live claim is not pod_1's"
        );
        assert_eq!(
            plan_item(&read, me, NOW, false),
            ItemPlan::Unknown { lease: Some(77) },
            "{me} knows its own"
        );
    }
}

#[test]
fn a_claim_the_earlier_encoding_wrote_for_a_runner_id_with_a_separator_is_never_taken_for_open() {
    // Before claims kept the runner's id as given, "pod:1" was written "pod_1". Such an
    // entry still reads as a claim: live, another runner's (left alone); dead, maybe
    // delivered (not sent without resendUnknown). Never as an open item.
    let old = "c|pod_1|1800000001000|77";
    let read = JournalEntry::decode(Some(old));
    assert_eq!(
        read,
        JournalEntry::Claimed {
            runner: "pod_1".into(),
            expires_at: NOW + 1000.0,
            lease: 77,
            sending: true,
        }
    );
    assert_eq!(plan_item(&read, "pod:1", NOW, false), ItemPlan::Elsewhere);
    assert_eq!(
        plan_item(&read, "pod:1", NOW + 1000.0, false),
        ItemPlan::Unknown { lease: None }
    );
}

#[test]
fn a_dead_claim_that_was_only_held_is_sent_again_and_a_sending_one_may_have_been_delivered() {
    for sending in [false, true] {
        let claim = JournalEntry::Claimed {
            runner: "r1".into(),
            expires_at: NOW + 1000.0,
            lease: 77,
            sending,
        };
        let read = JournalEntry::decode(Some(&claim.encode()));
        assert_eq!(read, claim, "round-trips");
        assert_eq!(
            claim.encode().get(..2),
            Some(if sending { "c|" } else { "h|" })
        );
        // Live and another runner's: left alone, either way.
        assert_eq!(plan_item(&read, "r2", NOW, true), ItemPlan::Elsewhere);
        // Dead (expired, or met by its own runner's next life).
        for (me, at) in [("r2", NOW + 1000.0), ("r1", NOW)] {
            let lease = (me == "r1").then_some(77);
            assert_eq!(
                plan_item(&read, me, at, false),
                if sending {
                    ItemPlan::Unknown { lease }
                } else {
                    ItemPlan::Send
                },
                "sending {sending}, {me}"
            );
            assert_eq!(plan_item(&read, me, at, true), ItemPlan::Send);
        }
    }
    // What this version cannot read is a claim that never ends and may have been sent.
    for text in ["h|", "h|r1|soon|77", "x|r1|1|2"] {
        let read = JournalEntry::decode(Some(text));
        assert!(
            matches!(read, JournalEntry::Claimed { sending: true, expires_at, .. } if expires_at == f64::INFINITY),
            "{text}: {read:?}"
        );
    }
}
