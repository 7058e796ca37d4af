//! `value::decode`: the body as the validate-only build's JavaScript writes it into the
//! wasm's memory (pkg-template/src/describe.js), read back as a `Value`. Every body reads
//! back as written; any other bytes read as `Unreadable`, never a panic.
#![cfg(not(target_arch = "wasm32"))]

use connectsafely_wasm::validate::KNOWN_FIELDS;
use connectsafely_wasm::value::{decode, Value};
use proptest::collection::vec;
use proptest::prelude::*;

mod strategies;

/// `v` as describe.js writes it (value.rs's table, written out again here as its spec).
fn encode(v: &Value, out: &mut Vec<u8>) {
    let u32 = |n: usize, out: &mut Vec<u8>| {
        out.extend_from_slice(&u32::try_from(n).unwrap().to_le_bytes())
    };
    let text = |s: &str, out: &mut Vec<u8>| {
        u32(s.len(), out);
        out.extend_from_slice(s.as_bytes());
    };
    match v {
        Value::Absent => out.push(0),
        Value::Bool(b) => out.push(1 + u8::from(*b)),
        Value::Number(n) => {
            out.push(3);
            out.extend_from_slice(&n.to_le_bytes());
        }
        Value::BigInt => out.push(4),
        Value::Symbol => out.push(5),
        Value::Function => out.push(6),
        Value::Unreadable => out.push(7),
        Value::Str(t) => {
            out.push(if t.well_formed { 8 } else { 9 });
            text(&t.text, out);
        }
        Value::LongStr { min_code_points } => {
            out.push(10);
            u32(*min_code_points, out);
        }
        Value::Array(items) => {
            out.push(11);
            u32(items.len(), out);
            items.iter().for_each(|i| encode(i, out));
        }
        Value::LongArray { len } => {
            out.push(12);
            u32(*len, out);
        }
        Value::Object(entries) => {
            out.push(13);
            u32(entries.len(), out);
            for (k, v) in entries {
                match KNOWN_FIELDS.iter().position(|f| f == k) {
                    Some(i) => out.push(16 + i as u8),
                    None => {
                        out.push(14);
                        text(k, out);
                    }
                }
                encode(v, out);
            }
        }
    }
}

fn encoded(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode(v, &mut out);
    out
}

/// `v` as JavaScript can hand it over: three levels of arrays and objects at most (a body,
/// messageUrns, an entry's empty array or object), lengths within 32 bits.
fn as_js_gives(v: Value, level: u8) -> Value {
    let small = |n: usize| n.min(u32::MAX as usize);
    match v {
        Value::Array(_) | Value::Object(_) if level == 3 => Value::Unreadable,
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|i| as_js_gives(i, level + 1))
                .collect(),
        ),
        Value::Object(entries) => Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k, as_js_gives(v, level + 1)))
                .collect(),
        ),
        Value::LongStr { min_code_points } => Value::LongStr {
            min_code_points: small(min_code_points),
        },
        Value::LongArray { len } => Value::LongArray { len: small(len) },
        v => v,
    }
}

/// Equal, NaN included.
fn same(a: &Value, b: &Value) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn every_body_reads_back_as_written(v in strategies::value().prop_map(|v| as_js_gives(v, 0))) {
        let bytes = encoded(&v);
        let back = decode(&bytes);
        prop_assert!(same(&back, &v), "{v:?} read back as {back:?}");
    }

    #[test]
    fn a_body_cut_short_or_followed_by_more_reads_as_unreadable(
        v in strategies::value().prop_map(|v| as_js_gives(v, 0)),
        cut in any::<prop::sample::Index>(),
        extra in any::<u8>(),
    ) {
        let bytes = encoded(&v);
        let at = cut.index(bytes.len());
        prop_assert_eq!(decode(&bytes[..at]), Value::Unreadable);
        let mut more = bytes.clone();
        more.push(extra);
        prop_assert_eq!(decode(&more), Value::Unreadable);
    }

    #[test]
    fn any_bytes_read_as_some_value_never_a_panic(bytes in vec(any::<u8>(), 0..96)) {
        let _ = decode(&bytes);
    }

    #[test]
    fn any_bytes_after_a_body_s_opening_read_as_some_value_never_a_panic(
        bytes in vec(prop_oneof![0u8..20, any::<u8>()], 0..96),
    ) {
        // An object or array of up to 3 entries, then anything: the nested paths.
        let mut input = vec![13, 3, 0, 0, 0];
        input.extend_from_slice(&bytes);
        let _ = decode(&input);
        input[0] = 11;
        let _ = decode(&input);
    }
}

#[test]
fn nesting_past_a_body_s_levels_reads_as_unreadable() {
    // Three levels are what JavaScript writes at most: a body, messageUrns, and an
    // entry's empty array.
    let three = Value::object([("messageUrns", Value::Array(vec![Value::Array(vec![])]))]);
    assert_eq!(decode(&encoded(&three)), three);
    let four = [
        11, 1, 0, 0, 0, 11, 1, 0, 0, 0, 11, 1, 0, 0, 0, 11, 0, 0, 0, 0,
    ];
    assert_eq!(decode(&four), Value::Unreadable);
    // Nested a million deep: no stack to overflow.
    let deep: Vec<u8> = std::iter::repeat_n([11u8, 1, 0, 0, 0], 1_000_000)
        .flatten()
        .collect();
    assert_eq!(decode(&deep), Value::Unreadable);
}

#[test]
fn a_count_or_text_past_the_bytes_or_an_unknown_key_tag_reads_as_unreadable() {
    assert_eq!(decode(&[11, 255, 255, 255, 255]), Value::Unreadable);
    assert_eq!(decode(&[13, 255, 255, 255, 127, 16, 0]), Value::Unreadable);
    // A text longer than the bytes, or not UTF-8.
    assert_eq!(decode(&[8, 9, 0, 0, 0, b'a']), Value::Unreadable);
    assert_eq!(decode(&[8, 2, 0, 0, 0, 0xC3, 0x28]), Value::Unreadable);
    // A key that is no known field's index.
    assert_eq!(decode(&[13, 1, 0, 0, 0, 21, 0]), Value::Unreadable);
    assert_eq!(decode(&[13, 1, 0, 0, 0, 15, 0]), Value::Unreadable);
    assert_eq!(decode(&[]), Value::Unreadable);
}

#[test]
fn known_fields_are_read_by_their_index() {
    for (i, name) in KNOWN_FIELDS.iter().enumerate() {
        let bytes = [13, 1, 0, 0, 0, 16 + i as u8, 2];
        assert_eq!(decode(&bytes), Value::object([(*name, Value::Bool(true))]));
    }
}
