//! The validator on any JSON: never panics; a normalized body validates to itself.
#![no_main]

use connectsafely_wasm::json::Json;
use connectsafely_wasm::validate::validate;
use connectsafely_wasm::value::Value;
use libfuzzer_sys::fuzz_target;

fn to_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::Absent,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Number(n.parse().unwrap_or(0.0)),
        Json::Str(s) => Value::str(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        Json::Object(entries) => {
            let mut seen = std::collections::HashSet::new();
            Value::Object(entries.iter().rev().filter(|(k, _)| seen.insert(k.clone())).map(|(k, v)| (k.clone(), to_value(v))).collect())
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&max, rest)) = data.split_first() else { return };
    let max = usize::from(max) * 40;
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let Some(json) = Json::parse(text) else { return };
    if let Ok(request) = validate(&to_value(&json), max) {
        let again = Json::parse(&request.to_json()).expect("to_json writes JSON");
        assert_eq!(validate(&to_value(&again), max), Ok(request));
    }
});
