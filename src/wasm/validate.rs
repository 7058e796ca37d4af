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

/// The validation fast path, for JS (`validation.js` keeps one): a [`fast::Scratch`] that
/// `fast.js` writes a body's fields into, and the call that decides them.
#[wasm_bindgen(js_name = Fast)]
#[derive(Debug, Default)]
pub struct Fast(fast::Scratch);

#[wasm_bindgen(js_class = Fast)]
impl Fast {
    /// An empty scratch buffer.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Fast {
        Fast::default()
    }

    /// The address of at least `cap` bytes of the buffer, for `fast.js` to write into.
    pub fn at(&mut self, cap: usize) -> usize {
        self.0.at(cap)
    }

    /// The validation fast path over the first `len` bytes of the buffer, a body's fields
    /// as `fast.js` writes them (see [`super::fast`]), under the default limit: 0 when it
    /// does not decide ("ask `validateSendGroupWithAck`", not "invalid"); 1 when the body
    /// is valid as it is; 2 when it is valid once its identifiers and URNs are trimmed,
    /// which JavaScript's `trim` does as the core did (the fast path trims only ASCII
    /// whitespace).
    pub fn validate(&self, len: usize, account: bool, urns: i32) -> u32 {
        let Some(buf) = self.0.bytes(len) else {
            return 0;
        };
        let Some(mut fields) = fast::read(buf, account, urns) else {
            return 0;
        };
        if !fields.fast_valid(DEFAULT_MAX_MESSAGE_LENGTH) {
            return 0;
        }
        1 + u32::from(fast::trimmed(buf, &fields))
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
