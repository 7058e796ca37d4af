//! The error object of contract 3.2, made in one call to `shapes.js`: a send result's, and
//! validation's in the builds that send (the validate-only build has problems.js write
//! its own: `super::validate`).

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::error::SendError;

// `sendError` takes JS values, the signature of the other result builders of five (see
// super::result). `fieldError` keeps its three texts: made JS values one by one, they cost
// an invalid body of four field errors 1.10x its instructions.
#[wasm_bindgen(module = "/src/wasm/shapes.js")]
extern "C" {
    #[wasm_bindgen(js_name = sendError)]
    fn send_error(
        kind: JsValue,
        message: JsValue,
        field_errors: Array,
        retry_after_ms: JsValue,
        delivery_unknown: JsValue,
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
        JsValue::from_str(e.kind.as_str()),
        JsValue::from_str(&e.message),
        list,
        e.retry_after_ms.map_or(JsValue::NULL, JsValue::from_f64),
        JsValue::from_bool(e.delivery_unknown),
    )
}
