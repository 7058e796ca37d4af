//! Validation without a client: the fast path and `validateSendGroupWithAck`.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::fast;
use super::read;
use crate::error::{FieldError, SendError};
use crate::validate::{validate, DEFAULT_MAX_MESSAGE_LENGTH, KNOWN_FIELDS};

#[wasm_bindgen(module = "/src/wasm/shapes.js")]
extern "C" {
    fn valid(
        account: JsValue,
        urn: JsValue,
        group: JsValue,
        message: JsValue,
        urns: JsValue,
    ) -> JsValue;
    fn invalid(error: JsValue) -> JsValue;
}

/// The request's field names, in the order of the validation table, separated by commas
/// (one string: cheaper to hand over than a list).
#[wasm_bindgen(js_name = knownFields)]
pub fn known_fields() -> String {
    crate::text::comma_joined(&KNOWN_FIELDS)
}

/// The validation fast path over the first `len` bytes of `buf`, a body's fields as
/// `fast.js` writes them (see [`super::fast`]), under the default limit: `undefined` when
/// it does not decide ("ask `validateSendGroupWithAck`", not "invalid"); `true` when the
/// body is valid as it is; else the body is valid once trimmed, and the answer is its
/// fields so, joined the same way.
#[wasm_bindgen(js_name = fastValidate)]
pub fn fast_validate(buf: &[u8], len: usize, account: bool, urns: i32) -> JsValue {
    let Some(buf) = buf.get(..len) else {
        return JsValue::UNDEFINED;
    };
    let Some(mut fields) = fast::read(buf, account, urns) else {
        return JsValue::UNDEFINED;
    };
    if !fields.fast_valid(DEFAULT_MAX_MESSAGE_LENGTH) {
        return JsValue::UNDEFINED;
    }
    match fast::trimmed(buf, &fields) {
        t if t.is_empty() => JsValue::TRUE,
        t => JsValue::from_str(&t),
    }
}

/// Validates a body as `sendGroupWithAck` would, without sending. Never throws.
/// `value` is the normalized body that would be sent.
#[wasm_bindgen(js_name = validateSendGroupWithAck)]
pub fn validate_send_group_with_ack(body: JsValue, options: Option<JsValue>) -> JsValue {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let checked = max_message_length(&options)
        .map_err(|e| vec![e])
        .and_then(|max| validate(&read::body(&body, max), max));
    match checked {
        Ok(v) => {
            let text = |s: &str| JsValue::from_str(s);
            let urns = v.message_urns.as_ref().map_or(JsValue::UNDEFINED, |u| {
                u.iter().map(|s| text(s)).collect::<Array>().into()
            });
            let account = v.account_id.as_deref().map_or(JsValue::UNDEFINED, text);
            valid(
                account,
                text(&v.recipient_profile_urn),
                text(&v.group_id),
                text(&v.message),
                urns,
            )
        }
        Err(errors) => invalid(super::error::error_js(&SendError::validation(errors))),
    }
}

fn max_message_length(options: &JsValue) -> Result<usize, FieldError> {
    if options.is_undefined() || options.is_null() {
        return Ok(DEFAULT_MAX_MESSAGE_LENGTH);
    }
    crate::validate::max_message_length(&read::raw(options, "maxMessageLength"))
}
