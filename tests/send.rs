//! The send machine (sans-IO): the guard, the bounded 429 wait and
//! `deliveryUnknown`, decided natively with no transport at all.
#![cfg(not(target_arch = "wasm32"))]

use connectsafely_wasm::accounts::Accounts;
use connectsafely_wasm::error::ErrorKind;
use connectsafely_wasm::outcome::{Exchange, Interrupt, Outcome};
use connectsafely_wasm::rate_limit::RateLimitHeaders;
use connectsafely_wasm::send::{Policy, SendMachine, Step};
use proptest::prelude::*;

const NOW: f64 = 1_000_000.0;
const OK: &str = r#"{"success":true,"message":"Group context message sent successfully","acknowledgmentSent":true}"#;

fn headers(
    remaining: Option<&str>,
    reset: Option<&str>,
    retry_after: Option<&str>,
) -> RateLimitHeaders {
    RateLimitHeaders {
        action: Some("MESSAGE".into()),
        limit: Some("150".into()),
        used: None,
        remaining: remaining.map(str::to_owned),
        reset: reset.map(str::to_owned),
        retry_after: retry_after.map(str::to_owned),
    }
}

fn complete<'a>(status: u16, headers: RateLimitHeaders, body: &'a str) -> Exchange<'a> {
    Exchange::complete(status, headers, body)
}

fn finished(m: SendMachine) -> Outcome {
    m.into_outcome().expect("done")
}

fn kind(o: &Outcome) -> Option<ErrorKind> {
    o.result.as_ref().err().map(|e| e.kind)
}

fn waits(max: f64) -> Policy {
    Policy {
        rate_limit_guard: true,
        max_rate_limit_wait_ms: max,
        ..Policy::default()
    }
}

#[test]
fn a_success_is_one_fetch_and_its_rate_limit_is_remembered_for_the_account() {
    let mut accounts = Accounts::new();
    let mut m = SendMachine::new(&mut accounts, "a");
    assert_eq!(m.start(&Policy::default(), &mut accounts, NOW), Step::Fetch);
    assert_eq!(accounts.by_key("a").unwrap().in_flight, 1);
    let step = m.exchanged(
        complete(200, headers(Some("149"), None, None), OK),
        &Policy::default(),
        &mut accounts,
        NOW,
    );
    assert_eq!(step, Step::Done);
    let a = accounts.by_key("a").unwrap();
    assert_eq!(
        (a.in_flight, a.remaining(), a.last_start),
        (0, Some(149.0), Some(NOW))
    );
    let o = finished(m);
    assert_eq!(o.status, Some(200));
    assert_eq!(
        o.result.unwrap().message.as_deref(),
        Some("Group context message sent successfully")
    );
}

#[test]
fn once_a_response_shows_the_quota_spent_the_next_send_is_refused_without_a_fetch() {
    let mut accounts = Accounts::new();
    let policy = Policy::default();
    let reset = "2030-01-01T00:00:00Z";
    let mut m = SendMachine::new(&mut accounts, "");
    m.start(&policy, &mut accounts, NOW);
    m.exchanged(
        complete(200, headers(Some("0"), Some(reset), None), OK),
        &policy,
        &mut accounts,
        NOW,
    );
    let mut next = SendMachine::new(&mut accounts, "");
    assert_eq!(
        next.start(&policy, &mut accounts, NOW),
        Step::Done,
        "no Fetch"
    );
    let o = finished(next);
    assert_eq!((o.status, kind(&o)), (None, Some(ErrorKind::RateLimited)));
    assert!(
        o.rate_limit.is_some_and(|r| r.remaining == Some(0.0)),
        "the last known rate limit"
    );
    assert_eq!(accounts.by_key("").unwrap().in_flight, 0);

    let mut other = SendMachine::new(&mut accounts, "b");
    assert_eq!(
        other.start(&policy, &mut accounts, NOW),
        Step::Fetch,
        "other accounts go on"
    );
    let mut unguarded = SendMachine::new(&mut accounts, "");
    let off = Policy {
        rate_limit_guard: false,
        ..policy
    };
    assert_eq!(
        unguarded.start(&off, &mut accounts, NOW),
        Step::Fetch,
        "with the guard off it sends"
    );
}

#[test]
fn a_429_with_a_known_wait_within_the_bound_waits_once_then_sends_once_more() {
    let mut accounts = Accounts::new();
    let policy = waits(5_000.0);
    let mut m = SendMachine::new(&mut accounts, "");
    m.start(&policy, &mut accounts, NOW);
    let limited = complete(429, headers(Some("0"), None, Some("2")), "{}");
    assert_eq!(
        m.exchanged(limited.clone(), &policy, &mut accounts, NOW),
        Step::Wait(2000.0)
    );
    assert_eq!(
        accounts.by_key("").unwrap().in_flight,
        0,
        "nothing is out while waiting"
    );
    assert_eq!(m.waited(&policy, &mut accounts, NOW + 2000.0), Step::Fetch);
    assert_eq!(
        m.exchanged(limited, &policy, &mut accounts, NOW + 2000.0),
        Step::Done,
        "only one wait"
    );
    let o = finished(m);
    assert_eq!(
        (o.status, kind(&o)),
        (Some(429), Some(ErrorKind::RateLimited))
    );
    assert!(!o.result.unwrap_err().delivery_unknown);
}

#[test]
fn a_429_longer_than_the_bound_or_with_no_known_wait_is_returned_at_once() {
    for (policy, retry_after) in [
        (waits(1_000.0), Some("2")),
        (waits(5_000.0), None),
        (Policy::default(), Some("1")),
    ] {
        let mut accounts = Accounts::new();
        let mut m = SendMachine::new(&mut accounts, "");
        m.start(&policy, &mut accounts, NOW);
        let step = m.exchanged(
            complete(429, headers(None, None, retry_after), "{}"),
            &policy,
            &mut accounts,
            NOW,
        );
        assert_eq!(step, Step::Done, "{policy:?} {retry_after:?}");
    }
}

#[test]
fn an_abort_during_the_429_wait_sends_nothing_more_and_keeps_the_rate_limit() {
    let mut accounts = Accounts::new();
    let policy = waits(5_000.0);
    let mut m = SendMachine::new(&mut accounts, "");
    m.start(&policy, &mut accounts, NOW);
    m.exchanged(
        complete(429, headers(Some("0"), None, Some("2")), "{}"),
        &policy,
        &mut accounts,
        NOW,
    );
    assert_eq!(m.abort(&mut accounts), Step::Done);
    let o = finished(m);
    let e = o.result.as_ref().unwrap_err();
    assert_eq!(
        (e.kind, e.delivery_unknown, o.status),
        (ErrorKind::Aborted, false, None)
    );
    assert!(o.rate_limit.is_some());
    // A request did leave (and was refused): the message says what holds, not "nothing sent".
    assert!(
        e.message.ends_with("before the message was delivered"),
        "{}",
        e.message
    );
}

#[test]
fn an_abort_before_the_start_sends_nothing() {
    let mut accounts = Accounts::new();
    let mut m = SendMachine::new(&mut accounts, "");
    assert_eq!(m.abort(&mut accounts), Step::Done);
    assert_eq!(
        m.start(&Policy::default(), &mut accounts, NOW),
        Step::Done,
        "a done send stays done"
    );
    let e = finished(m).result.unwrap_err();
    assert_eq!((e.kind, e.delivery_unknown), (ErrorKind::Aborted, false));
}

#[test]
fn what_may_have_been_delivered_says_so() {
    let cases: Vec<(Exchange<'static>, ErrorKind, bool)> = vec![
        (
            Exchange::NotSent {
                detail: "fetch is not a function",
            },
            ErrorKind::Network,
            false,
        ),
        (
            Exchange::NoResponse {
                interrupt: None,
                detail: "ECONNRESET",
            },
            ErrorKind::Network,
            true,
        ),
        (
            Exchange::NoResponse {
                interrupt: Some(Interrupt::Timeout(500.0)),
                detail: "",
            },
            ErrorKind::Timeout,
            true,
        ),
        (
            Exchange::NoResponse {
                interrupt: Some(Interrupt::Aborted),
                detail: "",
            },
            ErrorKind::Aborted,
            true,
        ),
        (Exchange::Withheld, ErrorKind::Aborted, false),
        (Exchange::NotAResponse, ErrorKind::Network, true),
        (Exchange::OpaqueRedirect, ErrorKind::HttpError, true),
        (
            Exchange::HeadOnly {
                status: 200,
                headers: RateLimitHeaders::default(),
                interrupt: None,
                detail: "terminated",
            },
            ErrorKind::Network,
            true,
        ),
        (
            Exchange::HeadOnly {
                status: 403,
                headers: RateLimitHeaders::default(),
                interrupt: None,
                detail: "terminated",
            },
            ErrorKind::Network,
            false,
        ),
        (
            Exchange::HeadOnly {
                status: 502,
                headers: RateLimitHeaders::default(),
                interrupt: Some(Interrupt::Timeout(9.0)),
                detail: "",
            },
            ErrorKind::Timeout,
            true,
        ),
        (
            Exchange::HeadOnly {
                status: 400,
                headers: RateLimitHeaders::default(),
                interrupt: Some(Interrupt::Aborted),
                detail: "",
            },
            ErrorKind::Aborted,
            false,
        ),
        (
            complete(
                500,
                RateLimitHeaders::default(),
                r#"{"success":false,"error":"boom"}"#,
            ),
            ErrorKind::ServerError,
            true,
        ),
        (
            complete(200, RateLimitHeaders::default(), "<html>"),
            ErrorKind::InvalidResponse,
            true,
        ),
        (
            complete(
                401,
                RateLimitHeaders::default(),
                r#"{"error":"Unauthorized"}"#,
            ),
            ErrorKind::Unauthorized,
            false,
        ),
    ];
    for (exchange, want, unknown) in cases {
        let mut accounts = Accounts::new();
        let mut m = SendMachine::new(&mut accounts, "");
        m.start(&Policy::default(), &mut accounts, NOW);
        let seen = format!("{exchange:?}");
        assert_eq!(
            m.exchanged(exchange, &Policy::default(), &mut accounts, NOW),
            Step::Done
        );
        let e = finished(m).result.unwrap_err();
        assert_eq!(
            (e.kind, e.delivery_unknown),
            (want, unknown),
            "{seen}: {}",
            e.message
        );
    }
}

#[test]
fn a_send_error_displays_its_kind_and_message() {
    let e = connectsafely_wasm::error::SendError::timeout(250.0);
    let shown = e.to_string();
    assert!(
        shown.starts_with("timeout: No complete response within 250 ms"),
        "{shown}"
    );
    let _: &dyn std::error::Error = &e;
}

/// What a transport may report, in any order.
#[derive(Debug, Clone)]
enum Happening {
    Status(u16, Option<u8>),
    NoResponse(Option<bool>),
    HeadOnly(u16, Option<bool>),
    NotSent,
    Opaque,
    Abort,
    Waited,
}

fn happening() -> impl Strategy<Value = Happening> {
    let interrupt = proptest::option::of(any::<bool>());
    prop_oneof![
        (
            prop_oneof![
                Just(200u16),
                Just(429),
                Just(400),
                Just(401),
                Just(500),
                100u16..600
            ],
            proptest::option::of(0u8..10)
        )
            .prop_map(|(s, r)| Happening::Status(s, r)),
        interrupt.clone().prop_map(Happening::NoResponse),
        (100u16..600, interrupt).prop_map(|(s, i)| Happening::HeadOnly(s, i)),
        Just(Happening::NotSent),
        Just(Happening::Opaque),
        Just(Happening::Abort),
        Just(Happening::Waited),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_run_of_events_ends_in_one_outcome_with_at_most_two_fetches_and_nothing_left_in_flight(
        events in proptest::collection::vec(happening(), 0..8),
        guard in any::<bool>(),
        max_wait in prop_oneof![Just(0.0), Just(5_000.0), 0f64..20_000.0],
    ) {
        let policy = Policy { rate_limit_guard: guard, max_rate_limit_wait_ms: max_wait, ..Policy::default() };
        let mut accounts = Accounts::new();
        let mut m = SendMachine::new(&mut accounts, "x");
        let mut step = m.start(&policy, &mut accounts, NOW);
        let mut fetches = u32::from(step == Step::Fetch);
        let mut waits = 0;
        for e in &events {
            let retry: String;
            let before = step;
            step = match e {
                Happening::Status(s, r) => {
                    retry = r.map(|r| r.to_string()).unwrap_or_default();
                    let h = headers(Some("3"), None, r.map(|_| retry.as_str()));
                    m.exchanged(complete(*s, h, OK), &policy, &mut accounts, NOW)
                }
                Happening::NoResponse(i) => m.exchanged(Exchange::NoResponse { interrupt: i.map(|a| if a { Interrupt::Aborted } else { Interrupt::Timeout(10.0) }), detail: "x" }, &policy, &mut accounts, NOW),
                Happening::HeadOnly(s, i) => m.exchanged(Exchange::HeadOnly { status: *s, headers: RateLimitHeaders::default(), interrupt: i.map(|a| if a { Interrupt::Aborted } else { Interrupt::Timeout(10.0) }), detail: "x" }, &policy, &mut accounts, NOW),
                Happening::NotSent => m.exchanged(Exchange::NotSent { detail: "x" }, &policy, &mut accounts, NOW),
                Happening::Opaque => m.exchanged(Exchange::OpaqueRedirect, &policy, &mut accounts, NOW),
                Happening::Abort => m.abort(&mut accounts),
                Happening::Waited => m.waited(&policy, &mut accounts, NOW),
            };
            if matches!(step, Step::Wait(_)) && !matches!(before, Step::Wait(_)) {
                waits += 1;
                // Only a 429 within the bound waits.
                prop_assert!(matches!(e, Happening::Status(429, Some(_))));
                prop_assert!(max_wait > 0.0);
            }
            if step == Step::Fetch && before != Step::Fetch {
                fetches += 1;
            }
            if let Step::Wait(ms) = step {
                prop_assert!(ms >= 0.0 && ms <= max_wait);
            }
        }
        prop_assert!(fetches <= 2 && waits <= 1, "fetches {fetches}, waits {waits}");
        if step != Step::Done {
            step = m.abort(&mut accounts);
        }
        prop_assert_eq!(step, Step::Done);
        prop_assert_eq!(accounts.by_key("x").unwrap().in_flight, 0);
        let o = m.into_outcome().unwrap();
        if let Err(e) = &o.result {
            // Refusals (4xx and the guard) and nothing sent are never "may have been delivered".
            if matches!(e.kind, ErrorKind::RateLimited | ErrorKind::BadRequest | ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::Validation) {
                prop_assert!(!e.delivery_unknown);
            }
            // A 4xx status is a refusal: nothing was delivered, however the read ended.
            let refused = o.status.is_some_and(|s| (400..500).contains(&s));
            if refused {
                prop_assert!(!e.delivery_unknown);
            }
            if matches!(e.kind, ErrorKind::ServerError | ErrorKind::InvalidResponse) || (e.kind == ErrorKind::Timeout && !refused) {
                prop_assert!(e.delivery_unknown);
            }
        }
    }
}
