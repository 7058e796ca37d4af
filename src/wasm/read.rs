//! Reads a JavaScript value into the core's `Value`, never throwing.
//!
//! Only what the schema needs is read: the body's own enumerable keys, the
//! known fields' values, and `messageUrns`' entries. Nothing is recursed into,
//! so cycles and deep nesting cost nothing; strings longer than any rule are
//! measured, not copied.
//!
//! (The validate-only build holds no JS value: `pkg-template/src/describe.js` reads a body
//! as this module does, into the fast path's buffer, and `value::decode` reads it back.)

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
    /// The known fields and the body keys, each list's names separated by commas, the
    /// lists by a semicolon (one text: the signature of wasm-bindgen's own `throw`; see
    /// super::result).
    #[wasm_bindgen(js_name = setNames)]
    fn set_names(names: &str);
    #[wasm_bindgen(js_name = typeOf)]
    fn type_of(v: &JsValue) -> u32;
    #[wasm_bindgen(js_name = wellFormed)]
    fn well_formed(s: &JsValue) -> bool;
    /// Whether `v` is a `Map` or a `Headers` (whose entries are no keys of the object).
    pub(super) fn entries(v: &JsValue) -> bool;
    /// Whether what fetch threw holds `key` (a string) anywhere a reader of a result's
    /// `error.cause` could reach it (or that cannot be told).
    pub(super) fn mentions(v: &JsValue, key: &JsValue) -> bool;
}

/// What a JavaScript value is: `typeOf` of fields.js, one call where wasm-bindgen's
/// tests are one call each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Type {
    Undefined,
    Null,
    String,
    False,
    True,
    Number,
    BigInt,
    Symbol,
    Function,
    Array,
    /// An object that is no array.
    Object,
    /// A revoked proxy (an object whose every read throws).
    Revoked,
    /// What none of the others is (`document.all`).
    Other,
}

impl Type {
    pub(super) fn of(v: &JsValue) -> Type {
        match type_of(v) {
            0 => Type::Undefined,
            1 => Type::Null,
            2 => Type::String,
            3 => Type::False,
            4 => Type::True,
            5 => Type::Number,
            6 => Type::BigInt,
            7 => Type::Symbol,
            8 => Type::Function,
            9 => Type::Array,
            10 => Type::Object,
            11 => Type::Revoked,
            _ => Type::Other,
        }
    }

    /// `typeof v === "object" && v !== null` (arrays, and proxies of objects, too).
    pub(super) fn is_object(self) -> bool {
        matches!(self, Type::Array | Type::Object | Type::Revoked)
    }

    /// `true` or `false`: a boolean's value.
    pub(super) fn boolean(self) -> Option<bool> {
        match self {
            Type::True => Some(true),
            Type::False => Some(false),
            _ => None,
        }
    }
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
        set_names(&crate::cat!(
            crate::text::comma_joined(&KNOWN_FIELDS),
            ";",
            crate::text::comma_joined(&crate::classify::BODY_KEYS)
        ));
        NAMES_SET.store(true, Relaxed);
    }
}
use crate::validate::{KNOWN_FIELDS, MAX_MESSAGE_URNS};
use crate::value::{Text, Value};

/// Reads a request body. `max_message_length` sets how long a string may be before it is
/// measured, not copied.
pub fn body(v: &JsValue, max_message_length: usize) -> Value {
    names_ready();
    let cap = crate::value::copy_cap(max_message_length);
    match Type::of(v) {
        Type::Object => {}
        Type::Array => return Value::Array(Vec::new()),
        t => return scalar(v, t, cap),
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
            None => match js::text_at_most(&key, crate::value::KEY_UNITS) {
                Some((n, true)) => n,
                Some((n, false)) => n + "\u{2026}",
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
    match Type::of(v) {
        Type::Array => Value::Array(Vec::new()),
        Type::Object => Value::Object(Vec::new()),
        t => scalar(v, t, cap),
    }
}

/// `messageUrns`: an array's entries, up to one past the limit.
fn list(v: &JsValue, cap: usize) -> Value {
    match Type::of(v) {
        Type::Array => {}
        Type::Object => return Value::Object(Vec::new()),
        t => return scalar(v, t, cap),
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

/// A value that is no object (`t`: what it is).
fn scalar(v: &JsValue, t: Type, cap: usize) -> Value {
    match t {
        Type::Undefined | Type::Null => Value::Absent,
        Type::String => string(v.unchecked_ref::<JsString>(), cap),
        Type::False => Value::Bool(false),
        Type::True => Value::Bool(true),
        Type::Number => Value::Number(v.as_f64().unwrap_or(f64::NAN)),
        Type::BigInt => Value::BigInt,
        Type::Symbol => Value::Symbol,
        Type::Function => Value::Function,
        Type::Array | Type::Object | Type::Revoked | Type::Other => Value::Unreadable,
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
    let well_formed = !crate::text::has_replacement_char(&text) || well_formed(s);
    Value::Str(Text { text, well_formed })
}

/// The most of a string option, or of a header's name or value, copied into wasm memory
/// (UTF-16 units): one more than the longest the core accepts (in bytes, each unit at
/// least one), so what is copied of a longer one is refused as the whole would be.
pub(super) const OPTION_UNITS: u32 = crate::headers::MAX_VALUE_LEN as u32 + 1;

/// `options[name]` as the core reads it: its type and value, or that its getter threw.
pub fn raw(options: &JsValue, name: &str) -> Raw {
    let Ok(v) = js::prop(options, name) else {
        return Raw::Unreadable;
    };
    match Type::of(&v) {
        Type::Undefined => Raw::Absent,
        Type::Null => Raw::Null,
        Type::Number => v.as_f64().map_or(Raw::Other, Raw::Number),
        // The start of a longer string, which each string option's rule refuses as it
        // would the whole (`headers::MAX_VALUE_LEN`).
        Type::String => {
            js::text_at_most(&v, OPTION_UNITS).map_or(Raw::Other, |(t, _)| Raw::Text(t))
        }
        t => t.boolean().map_or(Raw::Other, Raw::Bool),
    }
}
