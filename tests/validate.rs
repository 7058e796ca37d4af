//! Contract section 4, rule by rule, natively.
#![cfg(not(target_arch = "wasm32"))]

use connectsafely_wasm::error::FieldErrorCode as Code;
use connectsafely_wasm::validate::{validate, DEFAULT_MAX_MESSAGE_LENGTH as MAX};
use connectsafely_wasm::value::{Text, Value};

const URN: &str = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";

fn valid_with(extra: Vec<(&str, Value)>) -> Value {
    let mut entries: Vec<(String, Value)> = vec![
        ("recipientProfileUrn".into(), Value::str(URN)),
        ("groupId".into(), Value::str("12345678")),
        (
            "message".into(),
            Value::str("Thanks for your message in the group!"),
        ),
    ];
    for (k, v) in extra {
        match entries.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = v,
            None => entries.push((k.into(), v)),
        }
    }
    Value::Object(entries)
}

fn errors(body: &Value) -> Vec<(String, Code)> {
    validate(body, MAX)
        .expect_err("should be invalid")
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

fn one(field: &str, v: Value) -> Code {
    let errs = errors(&valid_with(vec![(field, v)]));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, field);
    errs[0].1
}

#[test]
fn the_documented_example_is_valid_and_unchanged() {
    let r = validate(&valid_with(vec![]), MAX).unwrap();
    assert_eq!(r.recipient_profile_urn, URN);
    assert_eq!(r.group_id, "12345678");
    assert_eq!(r.account_id, None);
    assert_eq!(r.message_urns, None);
}

#[test]
fn a_body_that_is_not_a_plain_object_is_one_type_error_on_the_empty_field() {
    for body in [
        Value::Absent,
        Value::Array(vec![]),
        Value::LongArray { len: 200 },
        Value::str("{}"),
        Value::Number(1.0),
        Value::Unreadable,
        Value::BigInt,
        Value::Function,
    ] {
        assert_eq!(errors(&body), vec![(String::new(), Code::Type)], "{body:?}");
    }
}

#[test]
fn missing_required_fields_are_all_reported_in_table_order() {
    let errs = errors(&Value::Object(vec![]));
    assert_eq!(
        errs,
        vec![
            ("recipientProfileUrn".into(), Code::Required),
            ("groupId".into(), Code::Required),
            ("message".into(), Code::Required)
        ]
    );
}

#[test]
fn null_and_undefined_count_as_absent() {
    assert_eq!(one("groupId", Value::Absent), Code::Required);
    let r = validate(
        &valid_with(vec![
            ("accountId", Value::Absent),
            ("messageUrns", Value::Absent),
        ]),
        MAX,
    )
    .unwrap();
    assert_eq!((r.account_id, r.message_urns), (None, None));
}

#[test]
fn identifiers_are_trimmed_of_unicode_white_space_and_sent_trimmed() {
    let r = validate(
        &valid_with(vec![
            (
                "recipientProfileUrn",
                Value::str(format!("\u{3000} {URN}\n")),
            ),
            ("groupId", Value::str("\u{a0}123\t")),
            ("accountId", Value::str("  acc_1-x ")),
            (
                "messageUrns",
                Value::Array(vec![Value::str(
                    " urn:li:msg_message:(urn:li:fsd_profile:X,2-abc==) ",
                )]),
            ),
        ]),
        MAX,
    )
    .unwrap();
    assert_eq!(r.recipient_profile_urn, URN);
    assert_eq!(r.group_id, "123");
    assert_eq!(r.account_id.as_deref(), Some("acc_1-x"));
    assert_eq!(
        r.message_urns.unwrap(),
        vec!["urn:li:msg_message:(urn:li:fsd_profile:X,2-abc==)"]
    );
}

#[test]
fn an_identifier_that_trims_to_nothing_is_empty() {
    assert_eq!(one("groupId", Value::str(" \u{2003} ")), Code::Empty);
    assert_eq!(one("recipientProfileUrn", Value::str("")), Code::Empty);
    assert_eq!(one("accountId", Value::str("\t")), Code::Empty);
}

#[test]
fn account_id_must_be_1_to_128_id_characters() {
    assert!(validate(
        &valid_with(vec![("accountId", Value::str("a".repeat(128)))]),
        MAX
    )
    .is_ok());
    assert_eq!(one("accountId", Value::str("a".repeat(129))), Code::Format);
    assert_eq!(one("accountId", Value::str("a b")), Code::Format);
    assert_eq!(one("accountId", Value::str("é")), Code::Format);
    assert_eq!(one("accountId", Value::Number(5.0)), Code::Type);
}

#[test]
fn recipient_must_be_an_fsd_profile_urn() {
    for bad in [
        "urn:li:fsd_profile:",
        "urn:li:member:123",
        "https://www.linkedin.com/in/someone",
        "urn:li:fsd_profile:a b",
        "URN:LI:FSD_PROFILE:x",
    ] {
        assert_eq!(
            one("recipientProfileUrn", Value::str(bad)),
            Code::Format,
            "{bad}"
        );
    }
    assert_eq!(one("recipientProfileUrn", Value::Bool(true)), Code::Type);
}

#[test]
fn a_profile_url_gets_a_message_that_says_it_is_a_url() {
    let errs = validate(
        &valid_with(vec![(
            "recipientProfileUrn",
            Value::str("https://www.linkedin.com/in/x"),
        )]),
        MAX,
    )
    .unwrap_err();
    assert!(
        errs[0].message.contains("not a profile URL"),
        "{}",
        errs[0].message
    );
}

#[test]
fn group_id_must_be_1_to_20_digits() {
    assert!(validate(
        &valid_with(vec![("groupId", Value::str("9".repeat(20)))]),
        MAX
    )
    .is_ok());
    for bad in [
        "9".repeat(21),
        "12a".into(),
        "-1".into(),
        "1.5".into(),
        "١٢٣".into(),
    ] {
        assert_eq!(
            one("groupId", Value::str(bad.clone())),
            Code::Format,
            "{bad}"
        );
    }
}

#[test]
fn a_numeric_group_id_is_a_type_error_suggesting_the_string_form() {
    let errs = validate(
        &valid_with(vec![("groupId", Value::Number(12345678.0))]),
        MAX,
    )
    .unwrap_err();
    assert_eq!(errs[0].code, Code::Type);
    assert!(
        errs[0].message.contains("\"12345678\""),
        "{}",
        errs[0].message
    );
}

#[test]
fn a_pasted_group_url_points_at_its_digits() {
    let errs = validate(
        &valid_with(vec![(
            "groupId",
            Value::str("https://www.linkedin.com/groups/9876/"),
        )]),
        MAX,
    )
    .unwrap_err();
    assert!(errs[0].message.contains("\"9876\""), "{}", errs[0].message);
}

#[test]
fn message_is_sent_exactly_as_given() {
    let m = "  Hi 👋\n\u{200b} ";
    let r = validate(&valid_with(vec![("message", Value::str(m))]), MAX).unwrap();
    assert_eq!(r.message, m);
}

#[test]
fn message_length_counts_code_points_not_utf16_units_or_bytes() {
    assert!(validate(
        &valid_with(vec![("message", Value::str("😀".repeat(MAX)))]),
        MAX
    )
    .is_ok());
    assert_eq!(
        one("message", Value::str("😀".repeat(MAX + 1))),
        Code::TooLong
    );
    assert_eq!(
        one("message", Value::str("a".repeat(MAX + 1))),
        Code::TooLong
    );
    assert!(validate(&valid_with(vec![("message", Value::str("abc"))]), 3).is_ok());
    assert!(validate(&valid_with(vec![("message", Value::str("abcd"))]), 3).is_err());
}

#[test]
fn an_unpaired_surrogate_is_not_well_formed_and_counts_as_one_code_point() {
    let units: Vec<u16> = "hi ".encode_utf16().chain([0xd83d]).collect();
    assert_eq!(
        one("message", Value::Str(Text::from_utf16(&units))),
        Code::NotWellFormed
    );
    // 4 units, 4 code points (the lone surrogate counts one): fits a limit of 4, not of 3.
    let body = valid_with(vec![("message", Value::Str(Text::from_utf16(&units)))]);
    assert_eq!(validate(&body, 3).unwrap_err()[0].code, Code::TooLong);
    assert_eq!(validate(&body, 4).unwrap_err()[0].code, Code::NotWellFormed);
}

#[test]
fn message_of_only_whitespace_is_empty() {
    assert_eq!(one("message", Value::str("")), Code::Empty);
    assert_eq!(one("message", Value::str(" \n\t\u{3000}")), Code::Empty);
}

#[test]
fn message_precedence_is_type_then_too_long_then_not_well_formed_then_empty() {
    assert_eq!(one("message", Value::Number(1.0)), Code::Type);
    let long_broken: Vec<u16> = std::iter::repeat_n(0xdc00, MAX + 1).collect();
    assert_eq!(
        one("message", Value::Str(Text::from_utf16(&long_broken))),
        Code::TooLong
    );
    let blank_broken: Vec<u16> = vec![0x20, 0xd800];
    assert_eq!(
        one("message", Value::Str(Text::from_utf16(&blank_broken))),
        Code::NotWellFormed
    );
    assert_eq!(
        one(
            "message",
            Value::LongStr {
                min_code_points: 1 << 24
            }
        ),
        Code::TooLong
    );
}

#[test]
fn message_urns_may_be_an_empty_array_and_is_sent_as_given() {
    let r = validate(
        &valid_with(vec![("messageUrns", Value::Array(vec![]))]),
        MAX,
    )
    .unwrap();
    assert_eq!(r.message_urns, Some(vec![]));
}

#[test]
fn message_urns_reports_its_own_error_when_not_an_array_or_too_long() {
    assert_eq!(one("messageUrns", Value::str("urn:li:x:1")), Code::Type);
    let many = Value::Array(
        (0..101)
            .map(|i| Value::str(format!("urn:li:x:{i}")))
            .collect(),
    );
    assert_eq!(one("messageUrns", many), Code::TooLong);
    assert_eq!(
        one("messageUrns", Value::LongArray { len: 1 << 30 }),
        Code::TooLong
    );
    let hundred = Value::Array(
        (0..100)
            .map(|i| Value::str(format!("urn:li:x:{i}")))
            .collect(),
    );
    assert!(validate(&valid_with(vec![("messageUrns", hundred)]), MAX).is_ok());
}

#[test]
fn message_urns_reports_one_error_per_failing_entry_with_its_index() {
    let urns = Value::Array(vec![
        Value::str("urn:li:msg_message:abc"),
        Value::Number(3.0),
        Value::str(format!("urn:li:x:{}", "a".repeat(600))),
        Value::str("  "),
        Value::str("urn:li:msg:(a b"),
        Value::Absent,
    ]);
    let errs = errors(&valid_with(vec![("messageUrns", urns)]));
    assert_eq!(
        errs,
        vec![
            ("messageUrns[1]".into(), Code::Type),
            ("messageUrns[2]".into(), Code::TooLong),
            ("messageUrns[3]".into(), Code::Empty),
            ("messageUrns[4]".into(), Code::Format),
            ("messageUrns[5]".into(), Code::Type),
        ]
    );
}

#[test]
fn message_urn_pattern_matches_the_contract_regex() {
    use connectsafely_wasm::validate::is_message_urn;
    for ok in [
        "urn:li:msg_message:(urn:li:fsd_profile:X,2-abc==)",
        "urn:li:a:b",
        "urn:li:A1_b:x=y",
        "urn:li:x:(()",
        "urn:li:x:( )",
    ] {
        assert!(is_message_urn(ok), "{ok}");
    }
    for bad in [
        "urn:li:1a:b",
        "urn:li::b",
        "urn:li:a:",
        "urn:li:a:b c",
        "urn:li:a:()",
        "urn:li:a:(x\n)",
        "urn:li:a:b)",
        "urn:li:a-b:c",
        "urn:x:a:b",
    ] {
        assert!(!is_message_urn(bad), "{bad}");
    }
    // 512 code points after trimming fit; 513 are too long.
    let fit = format!("urn:li:x:{}", "é".repeat(512 - 9));
    assert!(validate(
        &valid_with(vec![(
            "messageUrns",
            Value::Array(vec![Value::str(fit.clone())])
        )]),
        MAX
    )
    .is_ok());
    let errs = errors(&valid_with(vec![(
        "messageUrns",
        Value::Array(vec![Value::str(fit + "é")]),
    )]));
    assert_eq!(errs, vec![("messageUrns[0]".into(), Code::TooLong)]);
}

#[test]
fn unknown_keys_come_last_in_key_order_with_a_suggestion_when_close() {
    let body = Value::object([
        ("groupID", Value::str("1")),
        ("message", Value::str("hi")),
        ("zzz", Value::Bool(true)),
        ("recipientProfileUrn", Value::str(URN)),
        ("mesage", Value::str("x")),
    ]);
    let errs = validate(&body, MAX).unwrap_err();
    let got: Vec<(&str, Code)> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(
        got,
        vec![
            ("groupId", Code::Required),
            ("groupID", Code::UnknownField),
            ("zzz", Code::UnknownField),
            ("mesage", Code::UnknownField)
        ]
    );
    assert!(
        errs[1].message.contains("did you mean groupId?"),
        "{}",
        errs[1].message
    );
    assert!(
        errs[3].message.contains("did you mean message?"),
        "{}",
        errs[3].message
    );
    assert!(
        !errs[2].message.contains("did you mean"),
        "{}",
        errs[2].message
    );
}

#[test]
fn errors_follow_the_table_order_whatever_the_key_order() {
    let body = Value::object([
        ("messageUrns", Value::Number(1.0)),
        ("message", Value::Absent),
        ("groupId", Value::Number(1.0)),
        ("accountId", Value::str("bad id")),
    ]);
    let fields: Vec<String> = errors(&body).into_iter().map(|e| e.0).collect();
    assert_eq!(
        fields,
        [
            "accountId",
            "recipientProfileUrn",
            "groupId",
            "message",
            "messageUrns"
        ]
    );
}

#[test]
fn a_field_whose_getter_threw_is_a_type_error() {
    assert_eq!(one("message", Value::Unreadable), Code::Type);
}

#[test]
fn oversized_strings_never_copied_are_too_long_or_bad_format() {
    assert_eq!(
        one(
            "groupId",
            Value::LongStr {
                min_code_points: 1 << 20
            }
        ),
        Code::Format
    );
    let errs = errors(&valid_with(vec![(
        "messageUrns",
        Value::Array(vec![Value::LongStr {
            min_code_points: 1 << 20,
        }]),
    )]));
    assert_eq!(errs, vec![("messageUrns[0]".into(), Code::TooLong)]);
}

#[test]
fn the_normalized_body_holds_only_known_fields() {
    let r = validate(&valid_with(vec![("accountId", Value::str("a"))]), MAX).unwrap();
    assert_eq!(
        r.to_json(),
        format!(
            r#"{{"accountId":"a","recipientProfileUrn":"{URN}","groupId":"12345678","message":"Thanks for your message in the group!"}}"#
        )
    );
}
