//! Log lines and header rules, natively: the levels each outcome is logged at, that a
//! line holds only what the client decided (never a server's text), and which headers
//! an option may set.
#![cfg(not(target_arch = "wasm32"))]

use connectsafely_wasm::error::{ErrorKind, FieldError, FieldErrorCode, SendError};
use connectsafely_wasm::headers::{check, merge, user_agent_for};
use connectsafely_wasm::log::{attempt, level_of, outcome, run, waiting, Level};
use connectsafely_wasm::outcome::Outcome;

fn failed(kind: ErrorKind, status: Option<u16>, unknown: bool) -> Outcome {
    Outcome {
        status,
        ..Outcome::local(SendError::new(
            kind,
            "server said: Top secret text",
            unknown,
        ))
    }
}

#[test]
fn each_outcome_is_logged_at_its_level_and_never_with_the_servers_text() {
    use ErrorKind::*;
    let cases = [
        (failed(Unauthorized, Some(401), false), Level::Error),
        (failed(StoreUnavailable, None, false), Level::Error),
        (failed(ServerError, Some(500), true), Level::Warn),
        (failed(Network, None, true), Level::Warn),
        (failed(Timeout, None, true), Level::Warn),
        (failed(Aborted, None, true), Level::Warn),
        (failed(Aborted, None, false), Level::Info),
        (failed(RateLimited, Some(429), false), Level::Warn),
        (failed(RateLimited, None, false), Level::Warn),
        (failed(Forbidden, Some(403), false), Level::Warn),
        (failed(BadRequest, Some(400), false), Level::Warn),
        (failed(HttpError, Some(404), false), Level::Warn),
        (failed(InvalidResponse, Some(200), true), Level::Warn),
        (failed(Validation, None, false), Level::Warn),
    ];
    for kind in ErrorKind::ALL {
        assert!(
            cases
                .iter()
                .any(|(o, _)| o.result.as_ref().err().map(|e| e.kind) == Some(kind)),
            "{kind:?} is covered"
        );
    }
    for (o, level) in &cases {
        let (got, line) = outcome(o, "acct-1");
        assert_eq!(got, *level, "{line}");
        // The level alone (what decides whether a line is built at all) agrees with the line's.
        assert_eq!(level_of(o), *level, "{line}");
        assert!(!line.contains("Top secret"), "{line}");
        assert!(line.starts_with("account acct-1: not sent ("), "{line}");
        let unknown = o.result.as_ref().err().is_some_and(|e| e.delivery_unknown);
        assert_eq!(line.contains("may have been delivered"), unknown, "{line}");
    }
}

#[test]
fn a_validation_line_names_the_fields_and_a_success_its_status() {
    let mut e = SendError::validation(vec![
        FieldError::new("groupId", FieldErrorCode::Format, "groupId must be digits"),
        FieldError::new("message", FieldErrorCode::TooLong, "too long"),
    ]);
    e.message = String::from("ignored");
    let (level, line) = outcome(&Outcome::local(e), "");
    assert_eq!(level, Level::Warn);
    assert_eq!(
        line,
        "default account: not sent (validation, no response); the body is invalid (groupId, message), nothing was sent"
    );
    assert_eq!(
        attempt("https://api.example/x", 2, Some(429), 12.4, None),
        "POST https://api.example/x (attempt 2): 429 in 12 ms"
    );
    use connectsafely_wasm::send::WaitFor;
    assert_eq!(
        waiting(1500.2, WaitFor::RetryAfter429),
        "429: waiting 1500 ms as the server asked, then one more attempt"
    );
    assert!(waiting(10.0, WaitFor::Room).starts_with("waiting 10 ms for room"));
    assert!(waiting(250.0, WaitFor::Reservation).contains("shared store"));
    let summary = connectsafely_wasm::bulk::Summary {
        sent: 3,
        failed: 1,
        not_attempted: vec![4, 5],
        stopped_by: None,
        resume_at: None,
    };
    assert_eq!(
        run(&summary),
        "run to many: 3 sent, 1 failed, 2 not attempted"
    );
    for name in ["off", "error", "warn", "info", "debug"] {
        assert_eq!(Level::parse(name).map(Level::as_str), Some(name));
    }
    assert_eq!(Level::parse("verbose"), None);
}

#[test]
fn options_may_set_any_header_but_the_clients_own_and_a_call_overrides_a_default() {
    for ok in [
        ("traceparent", "00-a-b-01"),
        ("X-Proxy-Auth", "p1"),
        ("User-Agent", "app/1"),
        ("accept", "application/json"),
    ] {
        assert!(check(ok.0, ok.1).is_ok(), "{ok:?}");
    }
    for (name, value) in [
        ("Authorization", "Bearer x"),
        ("content-type", "text/plain"),
        ("", "v"),
        ("X A", "v"),
        ("X-A", "a\r\nInjected: yes"),
        ("X-A", "nul\0"),
        ("X-A", "é is fine but ☃ is not"),
    ] {
        assert!(check(name, value).is_err(), "{name:?}: {value:?}");
    }
    assert!(check("X-A", &"v".repeat(8193)).is_err());
    let pair = |n: &str, v: &str| (n.to_string(), v.to_string());
    assert_eq!(
        merge(
            &[pair("Accept", "application/json"), pair("X-Team", "a")],
            &[pair("x-team", "b")]
        ),
        [pair("Accept", "application/json"), pair("x-team", "b")]
    );
    assert_eq!(user_agent_for("Mozilla/5.0 (Macintosh)"), None);
    for server in [
        "",
        "Node.js/22",
        "Deno/2.9",
        "Bun/1.4",
        "Cloudflare-Workers",
    ] {
        assert_eq!(
            user_agent_for(server).as_deref(),
            Some(concat!("connectsafely-wasm/", env!("CARGO_PKG_VERSION")))
        );
    }
}

/// What the npm layer copies of a longer string (one unit over 8192) is refused, as the
/// whole string would be: each rule below holds at 8193 bytes.
#[test]
fn an_api_key_base_url_or_header_name_over_8192_bytes_a_message_limit_over_a_million_and_a_time_over_24_days_are_refused(
) {
    use connectsafely_wasm::settings::{client, ClientInput, Raw};
    use connectsafely_wasm::validate::max_message_length;
    let with = |f: fn(&mut ClientInput)| {
        let mut input = ClientInput {
            api_key: Raw::Text("k".repeat(8192)),
            base_url: Raw::Text(format!("https://a.example/{}", "p".repeat(8192 - 18))),
            max_message_length: Raw::Number(1_000_000.0),
            ..ClientInput::default()
        };
        f(&mut input);
        client(input)
    };
    assert!(
        with(|_| {}).is_ok(),
        "8192 bytes and a million code points are accepted"
    );
    assert_eq!(
        with(|i| i.api_key = Raw::Text("k".repeat(8193))).unwrap_err(),
        "options.apiKey is longer than 8192 bytes"
    );
    assert_eq!(
        with(|i| i.base_url = Raw::Text(format!("https://a.example/{}", "p".repeat(8192))))
            .unwrap_err(),
        "options.baseUrl is longer than 8192 bytes"
    );
    assert_eq!(
        with(|i| i.max_message_length = Raw::Number(1_000_001.0)).unwrap_err(),
        "options.maxMessageLength must be at most 1000000"
    );
    assert_eq!(
        check(&"X".repeat(8193), "v"),
        Err("has a name longer than 8192 bytes")
    );
    assert!(check(&"X".repeat(8192), "v").is_ok());
    assert_eq!(
        max_message_length(&Raw::Number(1_000_000.0)).ok(),
        Some(1_000_000)
    );
    assert!(max_message_length(&Raw::Number(1_000_001.0)).is_err());
    assert!(max_message_length(&Raw::Number(1e300)).is_err());
    // Time options: what a timer waits at most.
    let at_most = "must be at most 2147483647 (24.8 days)";
    let client_ms = with(|i| i.timeout_ms = Raw::Number(2_147_483_648.0));
    assert_eq!(
        client_ms.unwrap_err(),
        format!("options.timeoutMs {at_most}")
    );
    for (ms, ok) in [
        (2_147_483_647.0, true),
        (2_147_483_648.0, false),
        (1e300, false),
    ] {
        let store = client(ClientInput {
            api_key: Raw::Text("k".into()),
            store_timeout_ms: Raw::Number(ms),
            ..ClientInput::default()
        });
        assert_eq!(store.is_ok(), ok, "storeTimeoutMs {ms}");
        let call = connectsafely_wasm::settings::call(connectsafely_wasm::settings::CallInput {
            timeout_ms: Raw::Number(ms),
            headers: None,
        });
        assert_eq!(call.is_ok(), ok, "a call's timeoutMs {ms}");
        let run = connectsafely_wasm::settings::run(connectsafely_wasm::settings::RunInput {
            min_interval_ms: Raw::Number(ms),
            ..Default::default()
        });
        assert_eq!(run.is_ok(), ok, "minIntervalMs {ms}");
        if !ok {
            assert_eq!(
                run.unwrap_err().message,
                format!("options.minIntervalMs {at_most}")
            );
        }
    }
    let says = connectsafely_wasm::problem::template(
        connectsafely_wasm::problem::Message::MaxMessageLength,
    );
    assert!(
        says.contains(&connectsafely_wasm::validate::MOST_MAX_MESSAGE_LENGTH.to_string()),
        "{says}"
    );
}
