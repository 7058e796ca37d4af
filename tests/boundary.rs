//! What crosses the boundary is defined once, in Rust: the public TypeScript types
//! (pkg-template/src/index.d.ts) name exactly the error kinds, field error codes and
//! stop reasons of the core's enums. (Header, field and response-body key names are handed to
//! the JS side by the core at run time; the driver's calls are type-checked against the
//! generated declarations by scripts/check-driver.mjs.)
#![cfg(not(target_arch = "wasm32"))]

use connectsafely_wasm::classify::BODY_KEYS;
use connectsafely_wasm::error::StopReason;
use connectsafely_wasm::error::{ErrorKind, FieldErrorCode};

fn types() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/pkg-template/src/index.d.ts"
    ))
    .expect("pkg-template/src/index.d.ts")
}

/// The string literals of the union that follows `start` in the declarations, up to `;`.
fn union_after(types: &str, start: &str) -> Vec<String> {
    let at = types
        .find(start)
        .unwrap_or_else(|| panic!("{start} is declared"));
    let rest = &types[at + start.len()..];
    let end = rest.find(';').expect("the union ends");
    rest[..end]
        .split('|')
        .map(|s| s.trim().trim_matches('"').to_owned())
        .filter(|s| !s.is_empty() && s != "null")
        .collect()
}

#[test]
fn the_error_kind_union_is_the_cores_eleven_kinds_in_order() {
    let declared = union_after(&types(), "export type ErrorKind =");
    let core: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(declared, core);
}

#[test]
fn the_field_error_codes_are_the_cores() {
    let declared = union_after(&types(), "  code:");
    let core: Vec<&str> = FieldErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(declared, core);
}

#[test]
fn the_stop_reasons_are_the_cores() {
    let declared = union_after(&types(), "stoppedBy:");
    let core: Vec<&str> = StopReason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(declared, core);
}

#[test]
fn body_shape_reads_each_of_the_cores_body_keys_at_its_own_bits() {
    let js = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/wasm/fields.js"))
        .expect("src/wasm/fields.js");
    // One variable per key, K0 to K(n-1), assigned from the core's list in its order...
    let vars: Vec<String> = (0..BODY_KEYS.len()).map(|i| format!("K{i}")).collect();
    let list = vars.join(", ");
    assert!(
        js.contains(&format!("let {list};")),
        "fields.js declares {list}"
    );
    assert!(
        js.contains(&format!("[{list}] = BODY_KEYS;")),
        "fields.js assigns {list} from BODY_KEYS"
    );
    let more = format!("K{}", BODY_KEYS.len());
    assert!(
        !js.contains(&more),
        "fields.js names no {more}: the core has {} keys",
        BODY_KEYS.len()
    );
    // ...and bodyShape reads key i into bits 1 + 3i (what JsJson decodes).
    for i in 0..BODY_KEYS.len() {
        let read = format!("(kind(o[K{i}]) << {})", 1 + 3 * i);
        assert!(js.contains(&read), "bodyShape reads {read}");
    }
}

/// The number a JavaScript file of the package declares as `const NAME = <digits>;` (`_`
/// separators allowed).
fn js_constant(file: &str, name: &str) -> Option<u64> {
    let path = format!("{}/pkg-template/src/{file}", env!("CARGO_MANIFEST_DIR"));
    let js = std::fs::read_to_string(&path).expect(&path);
    let (_, after) = js.split_once(&format!("const {name} = "))?;
    let digits: String = after
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '_')
        .filter(|c| *c != '_')
        .collect();
    digits.parse().ok()
}

#[test]
fn the_validate_entry_cuts_unknown_keys_where_the_main_entrys_reader_does() {
    assert_eq!(
        js_constant("describe.js", "KEY_UNITS"),
        Some(u64::from(connectsafely_wasm::value::KEY_UNITS))
    );
}

#[test]
fn the_driver_copies_no_list_longer_than_a_run_takes() {
    assert_eq!(
        js_constant("client.js", "MAX_RUN_BODIES"),
        Some(u64::from(connectsafely_wasm::policy::MAX_RUN_BODIES))
    );
}
