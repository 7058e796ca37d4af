//! A response body's fields as classification reads them: `JSON.parse`'s result, read
//! by index of `BODY_KEYS` in one call each (`fields.js`).

#[allow(unused_imports)]
use crate::prelude::*;

use wasm_bindgen::prelude::*;

use crate::classify::{JsonView, BODY_KEYS};
use crate::js;

#[wasm_bindgen(module = "/src/wasm/fields.js")]
extern "C" {
    /// `o[k]` with no `catch`: only for `JSON.parse` results, whose plain data
    /// properties cannot throw.
    #[wasm_bindgen(js_name = dataProp)]
    fn data_prop(o: &JsValue, k: &JsValue) -> JsValue;
    /// `o[BODY_KEYS[i]]` when `o` is a JSON object (not an array), else `undefined`:
    /// one call per field read, and no key string made.
    #[wasm_bindgen(js_name = bodyField)]
    fn body_field(o: &JsValue, i: u32) -> JsValue;
}

/// `o[key]` (a key of `BODY_KEYS`) when `o` is a JSON object and that is a string: the
/// body's own JS string, handed to a result without a copy out of wasm.
pub(crate) fn body_string(o: &JsValue, key: &str) -> Option<JsValue> {
    let i = BODY_KEYS.iter().position(|k| *k == key)?;
    Some(body_field(o, i as u32)).filter(JsValue::is_string)
}

/// `JSON.parse`'s result, read where classification asks (the body is parsed once, in JS),
/// and whether a success's strings are copied into wasm (`text`): only when a journal
/// records them. Else the result hands back the body's own (`result::send_result`), and
/// each reads as `""` here.
pub(super) struct JsJson(pub(super) JsValue, pub(super) bool);

impl JsonView for JsJson {
    fn field(&self, key: &str) -> Option<Self> {
        // By its index in BODY_KEYS, which holds every key classification reads.
        let i = BODY_KEYS.iter().position(|k| *k == key)?;
        let v = body_field(&self.0, i as u32);
        (!v.is_undefined()).then_some(JsJson(v, self.1))
    }
    fn string(&self) -> Option<String> {
        self.0.as_string()
    }
    fn text(&self) -> Option<String> {
        if self.1 {
            self.0.as_string()
        } else {
            self.0.is_string().then(String::new)
        }
    }
    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }
    fn is_object(&self) -> bool {
        self.0.is_object() && !js::is_array(&self.0).unwrap_or(true)
    }
    fn elements(&self, max: usize) -> Option<Vec<Self>> {
        if !js::is_array(&self.0).unwrap_or(false) {
            return None;
        }
        let len = js::prop(&self.0, "length").ok()?.as_f64()?;
        Some(
            (0..(len as usize).min(max))
                .map(|i| JsJson(data_prop(&self.0, &JsValue::from(i as u32)), self.1))
                .collect(),
        )
    }
    fn index(&self) -> Option<String> {
        let n = self.0.as_f64()?;
        (n >= 0.0 && crate::num::fract(n) == 0.0).then(|| crate::text::whole(n))
    }
}
