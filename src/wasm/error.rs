//! The error object of contract 3.2, made in one call to `shapes.js`: a send result's, and
//! validation's in the builds that send (the validate-only build has problems.js write
//! its own: `super::validate`).

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::error::SendError;

#[wasm_bindgen(module = "/src/wasm/shapes.js")]
extern "C" {
    #[wasm_bindgen(js_name = sendError)]
    fn send_error(
        kind: &str,
        message: &str,
        field_errors: Array,
        retry_after_ms: JsValue,
        delivery_unknown: bool,
    ) -> JsValue;
    #[wasm_bindgen(js_name = fieldError)]
    fn field_error(list: &Array, field: &str, code: &str, message: &str);
}

/// The error object (of an outcome `policy::scrubbed` already rid of the API key).
pub(super) fn error_js(e: &SendError) -> JsValue {
    let list = Array::new();
    for f in &e.field_errors {
        field_error(&list, &f.field, f.code.as_str(), &f.message);
    }
    send_error(
        e.kind.as_str(),
        &e.message,
        list,
        e.retry_after_ms.map_or(JsValue::NULL, JsValue::from_f64),
        e.delivery_unknown,
    )
}
