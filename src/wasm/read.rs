//! Reads a JavaScript value into the core's `Value`, never throwing.
//!
//! Only what the schema needs is read: the body's own enumerable keys, the
//! known fields' values, and `messageUrns`' entries. Nothing is recursed into,
//! so cycles and deep nesting cost nothing; strings longer than any rule are
//! measured, not copied.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::JsString;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::js;
use crate::value::Raw;

#[wasm_bindgen(module = "/src/wasm/fields.js")]
extern "C" {
    #[wasm_bindgen(js_name = fieldIndex)]
    fn field_index(key: &JsValue) -> i32;
    #[wasm_bindgen(js_name = setNames)]
    fn set_names(fields: &str, body_keys: &str);
}

/// Set once the snippet has the names (wasm32 here has one thread: a plain flag; a
/// `thread_local` would bring a panic path for access during teardown).
static NAMES_SET: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Hands the snippet, once, the names it compares and reads by index: the request's
/// known fields and the response-body keys classification reads (both defined only in
/// the core).
pub(super) fn names_ready() {
    use core::sync::atomic::Ordering::Relaxed;
    if !NAMES_SET.load(Relaxed) {
        // The validator build reads no response body.
        #[cfg(not(feature = "validator"))]
        let body_keys = crate::text::comma_joined(&crate::classify::BODY_KEYS);
        #[cfg(feature = "validator")]
        let body_keys = String::new();
        set_names(&crate::text::comma_joined(&KNOWN_FIELDS), &body_keys);
        NAMES_SET.store(true, Relaxed);
    }
}
use crate::validate::{KNOWN_FIELDS, MAX_MESSAGE_URNS};
use crate::value::{Text, Value};

/// Reads a request body. `max_message_length` sets how long a string may be before it is
/// measured, not copied.
pub fn body(v: &JsValue, max_message_length: usize) -> Value {
    names_ready();
    // Never below what the fast path looks at: a longer identifier takes the full path.
    let cap = max_message_length
        .saturating_mul(2)
        .max(connectsafely_scan::fields::FAST_MAX_BYTES);
    if !v.is_object() {
        return scalar(v, cap);
    }
    match js::is_array(v) {
        Ok(true) => return Value::Array(Vec::new()),
        Ok(false) => {}
        Err(_) => return Value::Unreadable,
    }
    let Ok(keys) = js::object_keys(v) else {
        return Value::Unreadable;
    };
    let mut entries = Vec::with_capacity(keys.length().min(16) as usize);
    for key in keys.iter() {
        let known = usize::try_from(field_index(&key))
            .ok()
            .and_then(|i| KNOWN_FIELDS.get(i));
        let name = match known {
            Some(k) => (*k).to_owned(),
            None => match key.as_string() {
                Some(n) => n,
                None => continue,
            },
        };
        let value = if known.is_some() {
            match js::get(v, &key) {
                Ok(field) if name == "messageUrns" => list(&field, cap),
                Ok(field) => shallow(&field, cap),
                Err(_) => Value::Unreadable,
            }
        } else {
            // Unknown keys only need their name.
            Value::Absent
        };
        entries.push((name, value));
    }
    Value::Object(entries)
}

/// A value whose insides the schema never needs.
fn shallow(v: &JsValue, cap: usize) -> Value {
    if !v.is_object() {
        return scalar(v, cap);
    }
    match js::is_array(v) {
        Ok(true) => Value::Array(Vec::new()),
        Ok(false) => Value::Object(Vec::new()),
        Err(_) => Value::Unreadable,
    }
}

/// `messageUrns`: an array's entries, up to one past the limit.
fn list(v: &JsValue, cap: usize) -> Value {
    if !v.is_object() {
        return scalar(v, cap);
    }
    match js::is_array(v) {
        Ok(true) => {}
        Ok(false) => return Value::Object(Vec::new()),
        Err(_) => return Value::Unreadable,
    }
    let len = match js::prop(v, "length").map(|l| l.as_f64()) {
        Ok(Some(n)) if n >= 0.0 => n as usize,
        _ => return Value::Unreadable,
    };
    if len > MAX_MESSAGE_URNS {
        return Value::LongArray { len };
    }
    let mut items = Vec::with_capacity(len);
    for i in 0..len {
        items.push(match js::get(v, &JsValue::from_f64(i as f64)) {
            Ok(item) => shallow(&item, cap),
            Err(_) => Value::Unreadable,
        });
    }
    Value::Array(items)
}

fn scalar(v: &JsValue, cap: usize) -> Value {
    if v.is_undefined() || v.is_null() {
        Value::Absent
    } else if v.is_string() {
        string(v.unchecked_ref::<JsString>(), cap)
    } else if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        Value::Number(n)
    } else if v.is_bigint() {
        Value::BigInt
    } else if v.is_symbol() {
        Value::Symbol
    } else if v.is_function() {
        Value::Function
    } else {
        Value::Unreadable
    }
}

fn string(s: &JsString, cap: usize) -> Value {
    let units = s.length() as usize;
    if units > cap {
        // At least one code point per two UTF-16 units.
        return Value::LongStr {
            min_code_points: units.div_ceil(2),
        };
    }
    let text = String::from(s);
    // Lone surrogates arrive as U+FFFD; only then is the slower exact check needed.
    let well_formed = !crate::text::has_replacement_char(&text) || s.is_valid_utf16();
    Value::Str(Text { text, well_formed })
}

/// `options[name]` as the core reads it: its type and value, or that its getter threw.
pub fn raw(options: &JsValue, name: &str) -> Raw {
    match js::prop(options, name) {
        Err(_) => Raw::Unreadable,
        Ok(v) if v.is_undefined() => Raw::Absent,
        Ok(v) if v.is_null() => Raw::Null,
        Ok(v) => match (v.as_bool(), v.as_f64(), v.as_string()) {
            (Some(b), _, _) => Raw::Bool(b),
            (_, Some(n), _) => Raw::Number(n),
            (_, _, Some(s)) => Raw::Text(s),
            _ => Raw::Other,
        },
    }
}
