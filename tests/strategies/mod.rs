//! The generators of the core's property tests (tests/properties.rs), shared with
//! tests/validation_cases.rs, which writes their draws for the JS differential test of the
//! npm package's two entries.
#![allow(dead_code)]

use connectsafely_wasm::validate::KNOWN_FIELDS;
use connectsafely_wasm::value::{Text, Value};
use proptest::collection::vec;
use proptest::prelude::*;

pub fn text() -> impl Strategy<Value = Text> {
    prop_oneof![
        any::<String>().prop_map(Text::new),
        vec(any::<u16>(), 0..24).prop_map(|u| Text::from_utf16(&u)),
        "[ \t\u{a0}]{0,2}urn:li:fsd_profile:[A-Za-z0-9_-]{0,12}[ \n]{0,2}".prop_map(Text::new),
        "[ ]{0,1}[0-9]{0,22}[ ]{0,1}".prop_map(Text::new),
        "urn:li:[a-z_]{1,6}:(\\(.{0,8}\\)|[a-z=,]{0,8})".prop_map(Text::new),
        "[A-Za-z0-9_ -]{0,140}".prop_map(Text::new),
    ]
}

pub fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Absent),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(Value::Number),
        Just(Value::BigInt),
        text().prop_map(Value::Str),
        (0usize..1 << 40).prop_map(|min_code_points| Value::LongStr { min_code_points }),
        Just(Value::Symbol),
        Just(Value::Function),
        Just(Value::Unreadable),
        (0usize..1 << 40).prop_map(|len| Value::LongArray { len }),
    ]
}

pub fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(KNOWN_FIELDS.to_vec()).prop_map(str::to_owned),
        1 => proptest::sample::select(vec!["groupID", "mesage", "recipient", "__proto__", "", "accountid", "messageURNs"]).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

pub fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 96, 12, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..12).prop_map(Value::Array),
            vec((key(), inner), 0..10).prop_map(|entries| {
                // JS objects have unique keys.
                let mut seen = std::collections::HashSet::new();
                Value::Object(
                    entries
                        .into_iter()
                        .filter(|(k, _)| seen.insert(k.clone()))
                        .collect(),
                )
            }),
        ]
    })
}

/// Bodies that are often valid: identifiers with stray white space, any message, some URNs.
pub fn likely_valid_body() -> impl Strategy<Value = Value> {
    (
        proptest::option::of("[ \t]{0,2}[A-Za-z0-9_-]{1,8}[ ]{0,2}"),
        "[ \u{3000}]{0,2}urn:li:fsd_profile:[A-Za-z0-9_-]{1,16}[ \n]{0,2}",
        "[ ]{0,2}[0-9]{1,20}[ ]{0,2}",
        any::<String>(),
        proptest::option::of(vec(
            // (A parenthesized value holds no line terminator: JavaScript's `.`, which the
            // rule follows, matches none of \n, \r, U+2028 and U+2029.)
            "[ ]{0,1}urn:li:[a-z][a-z0-9_]{0,5}:(\\([^\n\r\u{2028}\u{2029}]{1,12}\\)|[a-zA-Z0-9=,-]{1,12})[ ]{0,1}",
            0..5,
        )),
    )
        .prop_map(|(account, urn, group, message, urns)| {
            let mut entries = vec![
                ("recipientProfileUrn".to_owned(), Value::str(urn)),
                ("groupId".to_owned(), Value::str(group)),
                ("message".to_owned(), Value::str(message)),
            ];
            if let Some(a) = account {
                entries.push(("accountId".into(), Value::str(a)));
            }
            if let Some(u) = urns {
                entries.push((
                    "messageUrns".into(),
                    Value::Array(u.into_iter().map(Value::str).collect()),
                ));
            }
            Value::Object(entries)
        })
}

pub fn fast_body(account: &Option<String>, urn: &str, group: &str, message: &str) -> Value {
    fast_body_with_urns(account, urn, group, message, &None)
}

/// A body of the fast path's shape: string fields, and `messageUrns` an array of strings.
pub fn fast_body_with_urns(
    account: &Option<String>,
    urn: &str,
    group: &str,
    message: &str,
    urns: &Option<Vec<String>>,
) -> Value {
    let mut entries = Vec::new();
    if let Some(a) = account {
        entries.push(("accountId".to_owned(), Value::str(a.as_str())));
    }
    entries.push(("recipientProfileUrn".to_owned(), Value::str(urn)));
    entries.push(("groupId".to_owned(), Value::str(group)));
    entries.push(("message".to_owned(), Value::str(message)));
    if let Some(u) = urns {
        entries.push((
            "messageUrns".to_owned(),
            Value::Array(u.iter().map(|s| Value::str(s.as_str())).collect()),
        ));
    }
    Value::Object(entries)
}

pub fn near_valid_string(valid: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::string::string_regex(valid).unwrap(),
        1 => any::<String>(),
        1 => proptest::string::string_regex(valid).unwrap().prop_map(|s| format!(" {s}\u{a0}")),
        1 => proptest::string::string_regex(valid).unwrap().prop_map(|s| format!("\t{s} \u{b}\n")),
    ]
}
