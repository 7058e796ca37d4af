//! Every status and body shape of contract 3.2, and rate-limit headers, natively.
#![cfg(not(target_arch = "wasm32"))]

use std::cell::RefCell;
use std::collections::BTreeSet;

use connectsafely_wasm::classify::{classify, BodyFacts, JsonView, BODY_KEYS};
use connectsafely_wasm::error::{ErrorKind, FieldErrorCode};
use connectsafely_wasm::json::Json;
use connectsafely_wasm::rate_limit::{
    parse_http_date, parse_reset, parse_retry_after, RateLimitHeaders,
};

const NOW: f64 = 1_764_374_400_000.0; // 2025-11-29T00:00:00Z

fn no_headers() -> RateLimitHeaders {
    RateLimitHeaders::default()
}

fn kind(status: u16, body: &str) -> ErrorKind {
    classify(status, body, &no_headers(), NOW)
        .outcome
        .expect_err("a failure")
        .kind
}

#[test]
fn a_2xx_with_success_true_is_a_success_with_typed_data() {
    let body = r#"{"success":true,"message":"Group context message sent successfully","recipientProfileUrn":"urn:li:fsd_profile:A","groupId":"12345678","acknowledgmentSent":true}"#;
    let c = classify(200, body, &no_headers(), NOW);
    let data = c.outcome.unwrap();
    assert_eq!(
        data.message.as_deref(),
        Some("Group context message sent successfully")
    );
    assert_eq!(
        data.recipient_profile_urn.as_deref(),
        Some("urn:li:fsd_profile:A")
    );
    assert_eq!(data.group_id.as_deref(), Some("12345678"));
    assert_eq!(data.acknowledgment_sent, Some(true));
    assert_eq!(c.rate_limit, None);
}

#[test]
fn success_fields_of_the_wrong_type_are_null() {
    let data = classify(
        201,
        r#"{"success":true,"message":5,"groupId":12,"acknowledgmentSent":"yes"}"#,
        &no_headers(),
        NOW,
    )
    .outcome
    .unwrap();
    assert_eq!(
        (data.message, data.group_id, data.acknowledgment_sent),
        (None, None, None)
    );
}

#[test]
fn a_2xx_that_is_not_a_success_object_is_invalid_response_with_delivery_unknown() {
    for body in [
        "",
        "not json",
        "[]",
        "\"ok\"",
        r#"{"success":"true"}"#,
        r#"{"success":false,"error":"x"}"#,
        "{}",
        "{\"success\":true",
    ] {
        let e = classify(200, body, &no_headers(), NOW)
            .outcome
            .expect_err(body);
        assert_eq!(e.kind, ErrorKind::InvalidResponse, "{body}");
        assert!(e.delivery_unknown, "{body}");
    }
}

#[test]
fn each_documented_status_maps_to_its_kind_and_message() {
    let cases = [
        (
            400,
            r#"{"success":false,"error":"recipientProfileUrn, groupId, and message are required"}"#,
            ErrorKind::BadRequest,
            "recipientProfileUrn, groupId, and message are required",
        ),
        (
            401,
            r#"{"error":"Unauthorized - Invalid credentials"}"#,
            ErrorKind::Unauthorized,
            "Unauthorized - Invalid credentials",
        ),
        (
            403,
            r#"{"success":false,"message":"Error sending group context message: Request failed with status code 403","recipientProfileUrn":"urn:li:fsd_profile:...","groupId":"12345678"}"#,
            ErrorKind::Forbidden,
            "Error sending group context message: Request failed with status code 403",
        ),
        (
            429,
            r#"{"error":"Rate limit exceeded for MESSAGE: 150/150 used","success":false}"#,
            ErrorKind::RateLimited,
            "Rate limit exceeded for MESSAGE: 150/150 used",
        ),
        (
            500,
            r#"{"error":"Failed to get LinkedIn authentication credentials","success":false}"#,
            ErrorKind::ServerError,
            "Failed to get LinkedIn authentication credentials",
        ),
    ];
    for (status, body, kind, message) in cases {
        let c = classify(status, body, &no_headers(), NOW);
        assert_eq!(c.status, status);
        let e = c.outcome.unwrap_err();
        assert_eq!(e.kind, kind, "{status}");
        assert!(e.message.starts_with(message), "{status}: {}", e.message);
        assert_eq!(
            e.delivery_unknown,
            kind == ErrorKind::ServerError,
            "{status}"
        );
    }
}

#[test]
fn every_5xx_is_server_error_with_delivery_unknown() {
    for status in 500..600 {
        let e = classify(status, "<html>oops</html>", &no_headers(), NOW)
            .outcome
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::ServerError);
        assert!(e.delivery_unknown);
        assert!(
            e.message.starts_with(&format!("HTTP {status}")),
            "{}",
            e.message
        );
    }
}

#[test]
fn other_statuses_are_http_error_without_delivery_unknown() {
    for status in [100, 199, 301, 302, 304, 404, 405, 409, 418, 422, 499] {
        let e = classify(status, "", &no_headers(), NOW)
            .outcome
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::HttpError, "{status}");
        assert!(!e.delivery_unknown);
    }
    assert!(kind(302, "").eq(&ErrorKind::HttpError));
    let e = classify(302, "", &no_headers(), NOW).outcome.unwrap_err();
    assert!(e.message.contains("never followed"), "{}", e.message);
}

#[test]
fn a_303_see_other_says_the_message_may_have_been_delivered() {
    // See Other is a server's answer to a request it handled: a run's journal records it
    // as maybe delivered, so no later run sends the message again.
    let e = classify(303, "", &no_headers(), NOW).outcome.unwrap_err();
    assert_eq!(e.kind, ErrorKind::HttpError);
    assert!(e.delivery_unknown);
    assert!(
        e.message.contains("never followed") && e.message.contains("may have been delivered"),
        "{}",
        e.message
    );
}

#[test]
fn message_prefers_error_string_then_message_then_error_message_then_http_status() {
    let m = |body: &str| {
        classify(409, body, &no_headers(), NOW)
            .outcome
            .unwrap_err()
            .message
    };
    assert_eq!(m(r#"{"error":"a","message":"b"}"#), "a");
    assert_eq!(m(r#"{"error":{"message":"c"},"message":"b"}"#), "b");
    assert_eq!(m(r#"{"error":{"message":"c"}}"#), "c");
    assert_eq!(m(r#"{"error":7}"#), "HTTP 409");
    assert_eq!(m("<h1>Conflict</h1>"), "HTTP 409");
}

#[test]
fn a_zod_400_lists_its_issues_as_field_errors() {
    let body = r#"{"success":false,"error":{"name":"ZodError","issues":[{"code":"invalid_type","path":["groupId"],"message":"Expected string, received number"},{"path":["messageUrns",2],"message":"Invalid"}]}}"#;
    let e = classify(400, body, &no_headers(), NOW).outcome.unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadRequest);
    let fields: Vec<(&str, FieldErrorCode)> = e
        .field_errors
        .iter()
        .map(|f| (f.field.as_str(), f.code))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("groupId", FieldErrorCode::Type),
            ("messageUrns[2]", FieldErrorCode::Format)
        ]
    );
    assert_eq!(
        e.field_errors[0].message,
        "Expected string, received number"
    );
}

fn headers(pairs: &[(&str, &str)]) -> RateLimitHeaders {
    RateLimitHeaders::from_lookup(|name| {
        pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_string())
    })
}

#[test]
fn the_five_headers_become_rate_limit_info_on_any_status() {
    let h = headers(&[
        ("X-RateLimit-Action", "MESSAGE"),
        ("X-RateLimit-Limit", "150"),
        ("X-RateLimit-Used", "12"),
        ("X-RateLimit-Remaining", "138"),
        ("X-RateLimit-Reset", "2025-11-29T12:00:00.000Z"),
    ]);
    for status in [200, 401, 500] {
        let info = classify(status, "{}", &h, NOW).rate_limit.unwrap();
        assert_eq!(info.action.as_deref(), Some("MESSAGE"));
        assert_eq!(
            (info.limit, info.used, info.remaining),
            (Some(150.0), Some(12.0), Some(138.0))
        );
        assert_eq!(info.reset_at, Some(NOW + 12.0 * 3_600_000.0));
    }
}

#[test]
fn rate_limit_info_is_null_only_when_all_five_headers_are_absent() {
    assert_eq!(
        classify(200, "{}", &headers(&[("Retry-After", "5")]), NOW).rate_limit,
        None
    );
    let info = classify(200, "{}", &headers(&[("X-RateLimit-Used", "x")]), NOW)
        .rate_limit
        .unwrap();
    assert_eq!(
        (
            info.action,
            info.limit,
            info.used,
            info.remaining,
            info.reset_at
        ),
        (None, None, None, None, None)
    );
}

#[test]
fn numbers_that_do_not_parse_are_none_never_nan() {
    let h = headers(&[
        ("X-RateLimit-Limit", "abc"),
        ("X-RateLimit-Used", "-1"),
        ("X-RateLimit-Remaining", "1e3"),
        ("X-RateLimit-Reset", "soon"),
    ]);
    let info = h.info().unwrap();
    assert_eq!(
        (info.limit, info.used, info.remaining, info.reset_at),
        (None, None, None, None)
    );
    let h = headers(&[
        ("X-RateLimit-Limit", " 150 "),
        ("X-RateLimit-Used", "NaN"),
        ("X-RateLimit-Remaining", "99999999999999999999"),
    ]);
    let info = h.info().unwrap();
    assert_eq!(
        (info.limit, info.used, info.remaining),
        (Some(150.0), None, None)
    );
}

#[test]
fn reset_parses_iso_8601_with_z_offsets_and_fractions() {
    let base = 1_764_417_600_000.0; // 2025-11-29T12:00:00Z
    assert_eq!(parse_reset("2025-11-29T12:00:00Z"), Some(base));
    assert_eq!(parse_reset("2025-11-29T12:00:00.250Z"), Some(base + 250.0));
    assert_eq!(parse_reset("2025-11-29T12:00:00.5Z"), Some(base + 500.0));
    assert_eq!(
        parse_reset("2025-11-29T12:00:00.123456789Z"),
        Some(base + 123.0)
    );
    assert_eq!(parse_reset("2025-11-29T14:00:00+02:00"), Some(base));
    assert_eq!(parse_reset("2025-11-29T07:30:00-0430"), Some(base));
    assert_eq!(parse_reset("2025-11-29T13:00:00+01"), Some(base));
    assert_eq!(parse_reset("2025-11-29 12:00:00Z"), Some(base));
    assert_eq!(parse_reset("2025-11-29T12:00Z"), Some(base));
    assert_eq!(
        parse_reset("2024-02-29T00:00:00Z"),
        Some(1_709_164_800_000.0)
    );
}

#[test]
fn reset_parses_unix_seconds_and_milliseconds() {
    assert_eq!(parse_reset("1764417600"), Some(1_764_417_600_000.0));
    assert_eq!(parse_reset("1764417600.5"), Some(1_764_417_600_500.0));
    assert_eq!(parse_reset("1764417600000"), Some(1_764_417_600_000.0));
    assert_eq!(parse_reset("999999999999"), Some(999_999_999_999_000.0));
    assert_eq!(parse_reset("1000000000000"), Some(1e12));
}

#[test]
fn reset_garbage_is_none() {
    for bad in [
        "",
        " ",
        "tomorrow",
        "2025-13-01T00:00:00Z",
        "2025-02-30T00:00:00Z",
        "2025-11-29",
        "2025-11-29T25:00:00Z",
        "2025-11-29T12:00:00",
        "2025-11-29T12:00:00+2",
        "-5",
        "1e12",
        "0x10",
        "12:00",
        "2025-11-29T12:00:00.Z",
        "99999999999999999999",
        "१२३",
    ] {
        assert_eq!(parse_reset(bad), None, "{bad}");
    }
}

#[test]
fn retry_after_is_seconds_or_an_http_date_and_never_negative() {
    assert_eq!(parse_retry_after("120", NOW), Some(120_000.0));
    assert_eq!(parse_retry_after(" 0 ", NOW), Some(0.0));
    assert_eq!(
        parse_retry_after("Sat, 29 Nov 2025 00:01:00 GMT", NOW),
        Some(60_000.0)
    );
    assert_eq!(
        parse_retry_after("Saturday, 29-Nov-25 00:00:30 GMT", NOW),
        Some(30_000.0)
    );
    assert_eq!(
        parse_retry_after("Sat Nov 29 00:00:10 2025", NOW),
        Some(10_000.0)
    );
    assert_eq!(
        parse_retry_after("Fri, 28 Nov 2025 00:00:00 GMT", NOW),
        Some(0.0)
    );
    for bad in ["-5", "1.5", "soon", "", "Sat, 29 Nov 2025 00:01:00 PST"] {
        assert_eq!(parse_retry_after(bad, NOW), None, "{bad}");
    }
    assert_eq!(
        parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(784_111_777_000.0)
    );
}

#[test]
fn a_429_waits_for_retry_after_first_then_the_reset_time() {
    let body = r#"{"error":"Rate limit exceeded for MESSAGE: 150/150 used","success":false}"#;
    let both = headers(&[
        ("Retry-After", "30"),
        ("X-RateLimit-Reset", "2025-11-29T01:00:00Z"),
    ]);
    assert_eq!(
        classify(429, body, &both, NOW).retry_after_ms(),
        Some(30_000.0)
    );
    let reset_only = headers(&[("X-RateLimit-Reset", "2025-11-29T01:00:00Z")]);
    assert_eq!(
        classify(429, body, &reset_only, NOW).retry_after_ms(),
        Some(3_600_000.0)
    );
    let past = headers(&[("X-RateLimit-Reset", "2025-11-28T01:00:00Z")]);
    assert_eq!(classify(429, body, &past, NOW).retry_after_ms(), Some(0.0));
    assert_eq!(
        classify(429, body, &no_headers(), NOW).retry_after_ms(),
        None
    );
    // Only a 429 carries a wait.
    assert_eq!(classify(503, body, &both, NOW).retry_after_ms(), None);
}

/// A JSON view that records every key classification asks for.
struct Recorded<'a>(&'a Json, &'a RefCell<BTreeSet<String>>);

impl JsonView for Recorded<'_> {
    fn field(&self, key: &str) -> Option<Self> {
        self.1.borrow_mut().insert(key.to_owned());
        (&self.0).field(key).map(|v| Recorded(v, self.1))
    }
    fn string(&self) -> Option<String> {
        (&self.0).string()
    }
    fn boolean(&self) -> Option<bool> {
        (&self.0).boolean()
    }
    fn is_object(&self) -> bool {
        (&self.0).is_object()
    }
    fn elements(&self, max: usize) -> Option<Vec<Self>> {
        (&self.0)
            .elements(max)
            .map(|v| v.into_iter().map(|e| Recorded(e, self.1)).collect())
    }
    fn index(&self) -> Option<String> {
        (&self.0).index()
    }
}

#[test]
fn classification_reads_exactly_the_body_keys_the_npm_build_names_by_index() {
    // Every shape BodyFacts::read walks: a success, the three places a failure's text
    // can be, and a ZodError's issues with a path and a code.
    let bodies = [
        (
            200,
            r#"{"success":true,"message":"sent","recipientProfileUrn":"urn:li:fsd_profile:A","groupId":"1","acknowledgmentSent":true}"#,
        ),
        (200, r#"{"success":false,"error":"no"}"#),
        (500, r#"{"message":"down"}"#),
        (502, r#"{"error":{"message":"bad gateway"}}"#),
        (
            400,
            r#"{"success":false,"error":{"name":"ZodError","issues":[{"path":["groupId",0],"message":"Expected string","code":"invalid_type"}]}}"#,
        ),
    ];
    let seen = RefCell::new(BTreeSet::new());
    for (status, text) in bodies {
        let json = Json::parse(text).expect("JSON");
        BodyFacts::read(&Recorded(&json, &seen), status);
    }
    let named: BTreeSet<String> = BODY_KEYS.iter().map(|k| (*k).to_owned()).collect();
    assert_eq!(seen.into_inner(), named);
}
