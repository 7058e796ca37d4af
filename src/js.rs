//! Raw JavaScript bindings, in one place (for the npm build's layer and the Rust API). Everything that can throw is
//! imported with `catch`: a JS exception must never unwind through Rust.

#![cfg_attr(not(all(feature = "npm", feature = "client")), allow(dead_code))]

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::{Array, JsString, Object};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Object.keys(v)`: runs proxy traps.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    pub fn object_keys(v: &JsValue) -> Result<Array, JsValue>;

    /// `Reflect.get(target, key)`: runs getters and proxy traps.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    pub fn get(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;

    /// `JSON.parse(text)`.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    pub fn json_parse(text: &str) -> Result<JsValue, JsValue>;

    /// `Date.now()`.
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    pub fn now() -> f64;

    /// `String(v)`: throws for symbols in some positions and for objects whose toString throws.
    #[wasm_bindgen(catch, js_name = String)]
    pub fn to_js_string(v: &JsValue) -> Result<JsValue, JsValue>;

    /// The global object.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    pub static GLOBAL: Object;
}

/// `obj[key]`, or `undefined` when reading throws.
pub fn prop(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    get(obj, &JsValue::from_str(key))
}

/// A global by name (`fetch`, `document`, ...), or `undefined`.
pub fn global(name: &str) -> JsValue {
    GLOBAL.with(|g| prop(g, name).unwrap_or(JsValue::UNDEFINED))
}

/// The most of each text of a thrown value (its `message`, `name`, its cause's) that
/// [`describe_error`] copies, in UTF-16 units; a result's message keeps 300 characters.
const THROWN_TEXT: u32 = 1024;

/// `v`'s text when it is a string: all of it (`true`), or its first `max` UTF-16 units
/// (`false`) when it holds more. Bounds what a string copies into wasm memory: half a
/// billion characters are gigabytes of UTF-8, and an allocation that fails traps the
/// instance for every later call.
pub fn text_at_most(v: &JsValue, max: u32) -> Option<(String, bool)> {
    let s = v.dyn_ref::<JsString>()?;
    Some(if s.length() <= max {
        (String::from(s), true)
    } else {
        (String::from(s.slice(0, max)), false)
    })
}

/// What a thrown value says, for an error message: its `message`, else `String(e)` (each
/// text cut at [`THROWN_TEXT`] units).
pub fn describe_error(e: &JsValue) -> String {
    let text = |v: Result<JsValue, JsValue>| {
        v.ok()
            .and_then(|v| text_at_most(&v, THROWN_TEXT))
            .map(|(t, _)| t)
    };
    if let Some(m) = text(prop(e, "message")) {
        let name = text(prop(e, "name")).unwrap_or_default();
        let cause = prop(e, "cause")
            .ok()
            .filter(|c| !c.is_undefined() && !c.is_null())
            .and_then(|c| text(prop(&c, "message")).or_else(|| text(prop(&c, "code"))));
        let mut out = if name.is_empty() || m.starts_with(&name) {
            m
        } else {
            crate::cat!(name, ": ", m)
        };
        if let Some(c) = cause.filter(|c| !c.is_empty()) {
            out.push_str(" (");
            out.push_str(&c);
            out.push(')');
        }
        return out;
    }
    if e.is_symbol() {
        return String::from("a symbol was thrown");
    }
    text(to_js_string(e)).unwrap_or_default()
}
