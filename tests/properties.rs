//! Property tests of the core: no input panics, and the contract's invariants hold for all inputs.
#![cfg(not(target_arch = "wasm32"))]

use connectsafely_wasm::classify::{classify, kind_for_status};
use connectsafely_wasm::error::{ErrorKind, FieldErrorCode as Code};
use connectsafely_wasm::rate_limit::{
    parse_count, parse_reset, parse_retry_after, RateLimitHeaders,
};
use connectsafely_wasm::request::SendGroupWithAckRequest;
use connectsafely_wasm::validate::{validate, KNOWN_FIELDS};
use connectsafely_wasm::value::Value;
use proptest::collection::vec;
use proptest::prelude::*;

mod strategies;
use strategies::{key, leaf, likely_valid_body, near_valid_string, value};

fn as_value(r: &SendGroupWithAckRequest) -> Value {
    let mut entries = vec![
        (
            "recipientProfileUrn".to_owned(),
            Value::str(r.recipient_profile_urn.clone()),
        ),
        ("groupId".to_owned(), Value::str(r.group_id.clone())),
        ("message".to_owned(), Value::str(r.message.clone())),
    ];
    if let Some(a) = &r.account_id {
        entries.push(("accountId".into(), Value::str(a.clone())));
    }
    if let Some(u) = &r.message_urns {
        entries.push((
            "messageUrns".into(),
            Value::Array(u.iter().cloned().map(Value::str).collect()),
        ));
    }
    Value::Object(entries)
}

/// The expected code of `message` by the contract's precedence, computed independently.
fn expected_message_code(v: &Value, max: usize) -> Option<Code> {
    match v {
        Value::Absent => Some(Code::Required),
        Value::LongStr { .. } => Some(Code::TooLong),
        Value::Str(t) if t.text.chars().count() > max => Some(Code::TooLong),
        Value::Str(t) if !t.well_formed => Some(Code::NotWellFormed),
        Value::Str(t) if t.text.trim().is_empty() => Some(Code::Empty),
        Value::Str(_) => None,
        _ => Some(Code::Type),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_validator_never_panics_on_any_input(v in value(), max in 0usize..20_000) {
        let _ = validate(&v, max);
    }

    #[test]
    fn validating_a_normalized_body_returns_it_unchanged(v in value(), max in 0usize..20_000) {
        if let Ok(r) = validate(&v, max) {
            prop_assert_eq!(validate(&as_value(&r), max), Ok(r));
        }
    }

    #[test]
    fn likely_valid_bodies_are_valid_unless_the_message_is_blank_and_normalize_idempotently(v in likely_valid_body()) {
        match validate(&v, 8000) {
            Ok(r) => {
                prop_assert_eq!(r.group_id.trim(), r.group_id.as_str());
                prop_assert_eq!(validate(&as_value(&r), 8000), Ok(r));
            }
            Err(e) => prop_assert!(e.iter().all(|f| f.field == "message" && f.code == Code::Empty), "{:?}", e),
        }
    }

    #[test]
    fn errors_follow_table_order_then_unknown_keys_in_body_order(entries in vec((key(), value()), 0..10)) {
        let mut seen = std::collections::HashSet::new();
        let entries: Vec<(String, Value)> = entries.into_iter().filter(|(k, _)| seen.insert(k.clone())).collect();
        let unknown: Vec<String> = entries.iter().map(|(k, _)| k.clone()).filter(|k| !KNOWN_FIELDS.contains(&k.as_str())).collect();
        let Err(errors) = validate(&Value::Object(entries), 8000) else { return Ok(()) };
        let rank = |f: &str| KNOWN_FIELDS.iter().position(|k| *k == f.split('[').next().unwrap_or(f));
        let known: Vec<usize> = errors.iter().filter(|e| e.code != Code::UnknownField).filter_map(|e| rank(&e.field)).collect();
        prop_assert!(known.windows(2).all(|w| w[0] <= w[1]), "table order: {:?}", errors);
        let n_known = errors.iter().take_while(|e| e.code != Code::UnknownField).count();
        let tail: Vec<String> = errors[n_known..].iter().map(|e| e.field.clone()).collect();
        prop_assert_eq!(tail, unknown, "unknown keys last, in key order");
        for field in ["accountId", "recipientProfileUrn", "groupId", "message", "messageUrns"] {
            prop_assert!(errors.iter().filter(|e| e.field == field).count() <= 1, "one error per field");
        }
        let own = errors.iter().any(|e| e.field == "messageUrns");
        let entries_err = errors.iter().any(|e| e.field.starts_with("messageUrns["));
        prop_assert!(!(own && entries_err), "messageUrns reports its own error or its entries', not both");
    }

    #[test]
    fn message_errors_follow_the_precedence(m in leaf(), max in 0usize..64) {
        let body = Value::object([
            ("recipientProfileUrn", Value::str("urn:li:fsd_profile:A")),
            ("groupId", Value::str("1")),
            ("message", m.clone()),
        ]);
        let got = validate(&body, max).err().map(|e| e[0].code);
        prop_assert_eq!(got, expected_message_code(&m, max));
    }

    #[test]
    fn header_parsers_never_panic_and_never_yield_nan_or_a_negative_wait(s in any::<String>(), now in 0f64..4e12) {
        if let Some(c) = parse_count(&s) { prop_assert!(c.is_finite() && c >= 0.0 && c.fract() == 0.0); }
        if let Some(r) = parse_reset(&s) { prop_assert!(r.is_finite()); }
        if let Some(w) = parse_retry_after(&s, now) { prop_assert!(w.is_finite() && w >= 0.0); }
    }

    #[test]
    fn the_core_only_char_count_splits_and_trim_equal_std(s in any::<String>(), sep in 0u8..0x80) {
        prop_assert_eq!(connectsafely_wasm::text::char_count(&s), s.chars().count());
        prop_assert_eq!(connectsafely_wasm::text::rsplit_once_byte(&s, sep), s.rsplit_once(sep as char));
        let with_sep = format!("{s}{}{s}", sep as char);
        prop_assert_eq!(connectsafely_wasm::text::rsplit_once_byte(&with_sep, sep), with_sep.rsplit_once(sep as char));
        prop_assert_eq!(connectsafely_wasm::text::split_once_byte(&s, sep), s.split_once(sep as char));
        prop_assert_eq!(connectsafely_wasm::text::split_once_byte(&with_sep, sep), with_sep.split_once(sep as char));
        prop_assert_eq!(connectsafely_wasm::text::trim(&s), s.trim());
        prop_assert_eq!(connectsafely_wasm::text::trim_end_byte(&with_sep, sep), with_sep.trim_end_matches(sep as char));
        // NULs anywhere, and past the first eight bytes (where the split reads words).
        let nuls = format!("{s}\0{s}{}\0\0", sep as char);
        for t in [&s, &with_sep, &nuls] {
            prop_assert!(connectsafely_wasm::text::split_nul(t).eq(t.split('\0')), "{:?}", t);
        }
    }

    #[test]
    fn header_lines_give_back_every_value_and_every_absence(values in proptest::array::uniform6(proptest::option::of("[^\n\x00]*"))) {
        let lines: Vec<&str> = values.iter().map(|v| v.as_deref().unwrap_or("\0")).collect();
        let h = RateLimitHeaders::from_lines(&lines.join("\n"));
        let got = [h.action, h.limit, h.used, h.remaining, h.reset, h.retry_after];
        prop_assert_eq!(got, values);
    }

    #[test]
    fn header_lines_of_any_other_count_read_as_no_header(lines in proptest::collection::vec("[^\n\x00]*", 0..12)) {
        prop_assume!(lines.len() != 6);
        prop_assert_eq!(RateLimitHeaders::from_lines(&lines.join("\n")), RateLimitHeaders::default());
    }

    #[test]
    fn header_parsers_handle_near_valid_dates(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{0,12})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?", now in 0f64..4e12) {
        if let Some(r) = parse_reset(&s) { prop_assert!(r.is_finite()); }
        if let Some(w) = parse_retry_after(&s, now) { prop_assert!(w >= 0.0); }
    }

    #[test]
    fn the_classifier_gives_a_result_for_every_status_body_and_headers(
        status in 100u16..600,
        body in prop_oneof![any::<String>(), "\\{\"success\":(true|false|\"x\"|1)(,\"error\":(\"e\"|\\{\"message\":\"m\"\\}))?\\}"],
        headers in vec(proptest::option::of(any::<String>()), 6),
        now in 0f64..4e12,
    ) {
        let mut it = headers.into_iter();
        let h = RateLimitHeaders::from_lookup(|_| it.next().flatten());
        let c = classify(status, &body, &h, now);
        prop_assert_eq!(c.status, status);
        if let Some(info) = &c.rate_limit {
            for n in [info.limit, info.used, info.remaining, info.reset_at].into_iter().flatten() { prop_assert!(n.is_finite()); }
        }
        match &c.outcome {
            Ok(_) => prop_assert!((200..300).contains(&status)),
            Err(e) => {
                prop_assert!(!e.message.is_empty());
                if (200..300).contains(&status) {
                    prop_assert_eq!(e.kind, ErrorKind::InvalidResponse);
                } else {
                    prop_assert_eq!(e.kind, kind_for_status(status));
                }
                prop_assert_eq!(e.delivery_unknown, matches!(e.kind, ErrorKind::ServerError | ErrorKind::InvalidResponse) || status == 303);
                if let Some(w) = e.retry_after_ms {
                    prop_assert!(status == 429 && w.is_finite() && w >= 0.0);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn the_fast_path_accepts_only_what_the_full_validator_accepts_as_it_normalizes_it_and_all_of_that(
        account in proptest::option::of(near_valid_string("[A-Za-z0-9_-]{0,130}")),
        urn in near_valid_string("urn:li:fsd_profile:[A-Za-z0-9_-]{0,12}"),
        group in near_valid_string("[0-9]{0,22}"),
        message in prop_oneof![
            near_valid_string("[ \t]{0,2}[^\u{fffd}]{0,40}"),
            Just("\u{fffd} replacement".to_owned()),
            "[😀a]{0,12}".prop_map(|s| s),
        ],
        urns in proptest::option::of(vec(prop_oneof![
            near_valid_string("urn:li:[a-z][a-z_]{0,8}:[A-Za-z0-9=,-]{0,12}"),
            near_valid_string("urn:li:msg_message:\\([^\n]{1,12}\\)"),
            "[ \u{3000}\u{feff}]{0,2}urn:li:x:[(a) \n\u{2028}é\u{fffd}]{0,6}[ \u{a0}]{0,2}".prop_map(|s| s),
        ], 0..4)),
        max in prop_oneof![Just(8000usize), 0usize..24],
    ) {
        use connectsafely_wasm::validate::{Fields, ToRequest};
        let mut fields = Fields {
            account_id: account.as_deref(),
            recipient_profile_urn: &urn,
            group_id: &group,
            message: &message,
            message_urns: urns.as_ref().map(|u| u.iter().map(String::as_str).collect()),
        };
        let fast = fields.fast_valid(max);
        let full = validate(&strategies::fast_body_with_urns(&account, &urn, &group, &message, &urns), max);
        if fast {
            prop_assert_eq!(full.as_ref().ok(), Some(&fields.to_request()), "fast said valid");
            // What a send on the fast path sends: the full path's body, byte for byte.
            prop_assert_eq!(full.as_ref().ok().map(|r| r.to_json()), Some(fields.to_json()));
        }
        let replacement = message.contains('\u{fffd}') || urns.iter().flatten().any(|u| u.contains('\u{fffd}'));
        // The fast path trims only ASCII whitespace, and the JS driver trims the caller's
        // strings so: what it accepts, the full validator must have trimmed the same way.
        use connectsafely_wasm::validate::trim_ascii_space;
        if fast {
            let r = fields.to_request();
            prop_assert_eq!(r.account_id.as_deref(), account.as_deref().map(trim_ascii_space));
            prop_assert_eq!(&r.recipient_profile_urn, trim_ascii_space(&urn));
            prop_assert_eq!(&r.group_id, trim_ascii_space(&group));
            prop_assert_eq!(r.message_urns, urns.as_ref().map(|u| u.iter().map(|s| trim_ascii_space(s).to_owned()).collect::<Vec<_>>()));
        }
        let identifiers = [account.as_deref().unwrap_or_default(), &urn, &group];
        let other_padding = identifiers.into_iter().chain(urns.iter().flatten().map(String::as_str)).any(|s| trim_ascii_space(s) != s.trim());
        if full.is_ok() && !replacement && !other_padding {
            prop_assert!(fast, "the full validator accepts it; the fast path must too: {full:?}");
        }
    }
}

/// Strings heavy in what JSON must escape, and any other string.
#[cfg(feature = "serde")]
fn escapable_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => vec(prop_oneof![
            Just('"'), Just('\\'), Just('\n'), Just('\r'), Just('\t'), Just('\u{0}'), Just('\u{1f}'),
            Just('\u{7f}'), Just('\u{2028}'), Just('\u{2029}'), Just('\u{2027}'), Just('\u{e2}'),
            Just('é'), Just('✓'), Just('😀'), Just('a'),
        ], 0..40).prop_map(|cs| cs.into_iter().collect()),
        1 => any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    // Read back with serde_json, an independent JSON parser (feature serde, as make test runs it).
    #[cfg(feature = "serde")]
    #[test]
    fn the_body_sent_is_json_that_reads_back_as_exactly_the_request(
        account in proptest::option::of(escapable_string()),
        message in escapable_string(),
        urns in proptest::option::of(vec(escapable_string(), 0..3)),
    ) {
        let request = SendGroupWithAckRequest {
            account_id: account.clone(),
            recipient_profile_urn: message.clone(),
            group_id: String::from("12345678"),
            message: message.clone(),
            message_urns: urns.clone(),
        };
        let json = request.to_json();
        // Nothing a JSON (or older JavaScript) parser rejects or reads differently stays raw.
        prop_assert!(!json.chars().any(|c| (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}'), "{}", json);
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back["message"].as_str(), Some(message.as_str()));
        prop_assert_eq!(back["recipientProfileUrn"].as_str(), Some(message.as_str()));
        prop_assert_eq!(back.get("accountId").and_then(|a| a.as_str()), account.as_deref());
        let read_urns = back.get("messageUrns").map(|u| u.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect::<Vec<_>>());
        prop_assert_eq!(read_urns, urns);
    }
}

/// The contract's message URN pattern, `^urn:li:[A-Za-z][A-Za-z0-9_]*:(\(.+\)|[^\s()]+)$`,
/// read char by char as JavaScript reads it (`\s` whitespace and U+FEFF; `.` no line
/// terminator): the reference `is_message_urn`'s byte-wise ASCII branch must agree with.
fn message_urn_reference(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("urn:li:") else {
        return false;
    };
    let chars: Vec<char> = rest.chars().collect();
    if !chars.first().is_some_and(char::is_ascii_alphabetic) {
        return false;
    }
    let name = chars
        .iter()
        .skip(1)
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
        .count();
    if chars.get(1 + name) != Some(&':') {
        return false;
    }
    let value = chars.get(2 + name..).unwrap_or_default();
    let space = |c: char| c.is_whitespace() || c == '\u{feff}';
    let line = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    let parenthesized = value.len() >= 3
        && value.first() == Some(&'(')
        && value.last() == Some(&')')
        && !value.iter().any(|c| line(*c));
    let plain = !value.is_empty() && !value.iter().any(|c| space(*c) || *c == '(' || *c == ')');
    parenthesized || plain
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20000, ..ProptestConfig::default() })]

    #[test]
    fn a_message_urn_is_what_the_contracts_pattern_matches(
        s in "(urn:li:)?[aZ0_:()xé=, \\t\\u{b}\\u{c}\\n\\r\\u{85}\\u{a0}\\u{2028}\\u{3000}\\u{feff}]{0,8}(urn:li:msg_message:\\(urn:li:fsd_profile:A,2-MTc0OTk\\))?[aZ0_:()xé=, \\t\\u{b}\\u{c}\\n\\r\\u{85}\\u{a0}\\u{2028}\\u{3000}\\u{feff}]{0,24}",
    ) {
        use connectsafely_wasm::validate::is_message_urn;
        prop_assert_eq!(is_message_urn(&s), message_urn_reference(&s), "{:?}", s);
    }

    /// One char that matters inside long ASCII runs: where the check reads eight bytes
    /// at a time, each must still be found.
    #[test]
    fn a_message_urn_is_what_the_contracts_pattern_matches_whatever_word_holds_the_char(
        s in "urn:li:msg_message:\\(?[a0,=-]{0,12}[\\t\\n\\r\\u{b}\\u{c} ()é\\u{a0}\\u{2028}\\u{feff}]?[a0,=-]{0,12}\\)?",
    ) {
        use connectsafely_wasm::validate::is_message_urn;
        prop_assert_eq!(is_message_urn(&s), message_urn_reference(&s), "{:?}", s);
    }
}

/// "Did you mean": the known name nearest a key by Levenshtein distance over chars, ASCII
/// folded to lower case, within 3 and a third of the name's length, the first of equals;
/// none for a key over 64 chars. The reference `closest_known`'s fixed byte rows must
/// agree with.
fn closest_known_reference(key: &str) -> Option<&'static str> {
    let a: Vec<char> = key.chars().map(|c| c.to_ascii_lowercase()).collect();
    if a.len() > 64 {
        return None;
    }
    let distance = |b: &[char]| {
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    };
    KNOWN_FIELDS
        .iter()
        .map(|k| {
            (
                distance(&k.to_ascii_lowercase().chars().collect::<Vec<_>>()),
                *k,
            )
        })
        .filter(|(d, k)| *d <= 3.min(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20000, ..ProptestConfig::default() })]

    /// Near misses of every known name (case, a dropped, doubled or swapped letter, a
    /// separator, a non-ASCII letter) and long keys around the 64-char limit.
    #[test]
    fn did_you_mean_names_the_nearest_known_field_as_the_char_wise_reference_does(
        name in proptest::sample::select(KNOWN_FIELDS.to_vec()),
        edits in vec((0usize..24, "[a-zA-Z_\\-éÜ😀 ]?"), 0..4),
        pad in prop_oneof![Just(0usize), 40usize..70],
    ) {
        use connectsafely_wasm::validate::closest_known;
        let mut key: Vec<char> = name.chars().collect();
        for (at, with) in &edits {
            let at = (*at).min(key.len());
            match with.chars().next() {
                Some(c) => key.insert(at, c),
                None if at < key.len() => { key.remove(at); }
                None => {}
            }
        }
        key.extend(core::iter::repeat_n('x', pad.saturating_sub(key.len())));
        let key: String = key.into_iter().collect();
        prop_assert_eq!(closest_known(&key), closest_known_reference(&key), "{:?}", key);
    }

    #[test]
    fn did_you_mean_agrees_with_the_char_wise_reference_on_any_key(key in "\\PC{0,70}") {
        use connectsafely_wasm::validate::closest_known;
        prop_assert_eq!(closest_known(&key), closest_known_reference(&key), "{:?}", key);
    }
}
