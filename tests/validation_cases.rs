//! The property tests' inputs, drawn with a fixed seed and written as JSON for the
//! differential test of the npm package's entries (tests/js/validate-entry.test.mjs):
//! `connectsafely-wasm/validate` must answer every one as the main entry does.
//!
//! `CS_VALIDATION_CASES=<file> cargo test --test validation_cases` writes them; without
//! the variable this only checks that every draw encodes. Each case is
//! `{ "body": <value>, "max": <maxMessageLength> }`; a value is encoded so JavaScript can
//! rebuild what the wasm layer would read as it (`rebuild` in validate-entry.test.mjs):
//! `{"u":0}` undefined, `{"b":true}`, `{"n":"1.5"}` (as text: NaN, the infinities and -0
//! survive), `{"s":[utf-16 units]}` (a text that was not well formed holds lone
//! surrogates where it read U+FFFD), `{"long":n}` a string of more than the limit,
//! `{"bigint":0}`, `{"symbol":0}`, `{"function":0}`, `{"throws":0}` a getter that throws,
//! `{"longArray":n}` an array of length n, `{"a":[...]}`, `{"o":[[key, value], ...]}`.
#![cfg(not(target_arch = "wasm32"))]

use connectsafely_wasm::value::Value;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::fmt::Write;

mod strategies;

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn encode(v: &Value, out: &mut String) {
    match v {
        Value::Absent => out.push_str(r#"{"u":0}"#),
        Value::Bool(b) => {
            let _ = write!(out, r#"{{"b":{b}}}"#);
        }
        Value::Number(n) => {
            let text = if n.is_nan() {
                "NaN".to_owned()
            } else if *n == 0.0 && n.is_sign_negative() {
                "-0".to_owned()
            } else if n.is_infinite() {
                (if *n > 0.0 { "Infinity" } else { "-Infinity" }).to_owned()
            } else {
                format!("{n:e}")
            };
            let _ = write!(out, r#"{{"n":"{text}"}}"#);
        }
        Value::Str(t) => {
            out.push_str(r#"{"s":["#);
            let mut first = true;
            for c in t.text.chars() {
                let mut units = [0u16; 2];
                let units: &[u16] = if c == '\u{fffd}' && !t.well_formed {
                    &[0xdc00]
                } else {
                    c.encode_utf16(&mut units)
                };
                for u in units {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    let _ = write!(out, "{u}");
                }
            }
            out.push_str("]}");
        }
        Value::LongStr { min_code_points } => {
            let _ = write!(out, r#"{{"long":{min_code_points}}}"#);
        }
        Value::BigInt => out.push_str(r#"{"bigint":0}"#),
        Value::Symbol => out.push_str(r#"{"symbol":0}"#),
        Value::Function => out.push_str(r#"{"function":0}"#),
        Value::Unreadable => out.push_str(r#"{"throws":0}"#),
        Value::LongArray { len } => {
            let _ = write!(out, r#"{{"longArray":{len}}}"#);
        }
        Value::Array(items) => {
            out.push_str(r#"{"a":["#);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                encode(item, out);
            }
            out.push_str("]}");
        }
        Value::Object(entries) => {
            out.push_str(r#"{"o":["#);
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('[');
                json_string(k, out);
                out.push(',');
                encode(item, out);
                out.push(']');
            }
            out.push_str("]}");
        }
    }
}

/// `count` draws of `strategy`, each with a limit from `max`, as JSON lines.
fn draw(
    runner: &mut TestRunner,
    strategy: impl Strategy<Value = Value>,
    max: impl Strategy<Value = usize>,
    count: usize,
    out: &mut Vec<String>,
) {
    let pair = (strategy, max);
    for _ in 0..count {
        let Ok(tree) = pair.new_tree(runner) else {
            panic!("a generator rejected its own draw");
        };
        let (body, max) = tree.current();
        let mut line = String::from(r#"{"body":"#);
        encode(&body, &mut line);
        let _ = write!(line, r#","max":{max}}}"#);
        out.push(line);
    }
}

#[test]
fn the_property_generators_draws_are_written_for_the_js_differential_test() {
    let mut runner = TestRunner::deterministic();
    let mut lines = Vec::new();
    let max = || prop_oneof![Just(8000usize), 0usize..64, 0usize..20_000];
    draw(&mut runner, strategies::value(), max(), 3000, &mut lines);
    draw(
        &mut runner,
        strategies::likely_valid_body(),
        max(),
        3000,
        &mut lines,
    );
    let fast = (
        proptest::option::of(strategies::near_valid_string("[A-Za-z0-9_-]{0,130}")),
        strategies::near_valid_string("urn:li:fsd_profile:[A-Za-z0-9_-]{0,12}"),
        strategies::near_valid_string("[0-9]{0,22}"),
        strategies::near_valid_string("[ \t]{0,2}[^\u{fffd}]{0,40}"),
    )
        .prop_map(|(a, u, g, m)| strategies::fast_body(&a, &u, &g, &m));
    draw(&mut runner, fast, Just(8000usize), 2000, &mut lines);
    assert_eq!(lines.len(), 8000);
    if let Some(path) = std::env::var_os("CS_VALIDATION_CASES") {
        std::fs::write(path, lines.join("\n") + "\n").expect("the cases file is writable");
    }
}
