//! Validation without a client: the fast path and `validateSendGroupWithAck`.

#[allow(unused_imports)]
use crate::prelude::*;

use wasm_bindgen::prelude::*;

use super::{options, read, result};
use crate::error::{FieldError, SendError};
use crate::validate::{is_valid_unchanged, validate, DEFAULT_MAX_MESSAGE_LENGTH, KNOWN_FIELDS};
use crate::value::Value;

/// The request's field names, in the order of the validation table.
#[wasm_bindgen(js_name = knownFields)]
pub fn known_fields() -> Vec<String> {
    KNOWN_FIELDS.iter().map(|n| (*n).to_owned()).collect()
}

/// The validation fast path: whether a body of exactly these string fields (account
/// `""` = absent; no `messageUrns`, no other key) is valid as it is, under the default
/// limit. False means "ask `validateSendGroupWithAck`", not "invalid". No allocation:
/// the strings are borrowed from wasm-bindgen's copies.
#[wasm_bindgen(js_name = validUnchanged)]
pub fn valid_unchanged(account: &str, urn: &str, group: &str, message: &str) -> bool {
    let account = (!account.is_empty()).then_some(account);
    is_valid_unchanged(account, urn, group, message, DEFAULT_MAX_MESSAGE_LENGTH)
}

/// Validates a body as `sendGroupWithAck` would, without sending. Never throws.
/// `value` is the normalized body that would be sent.
#[wasm_bindgen(js_name = validateSendGroupWithAck)]
pub fn validate_send_group_with_ack(body: JsValue, options: Option<JsValue>) -> JsValue {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let mut originals = read::Originals::default();
    let max = match max_message_length(&options) {
        Ok(m) => m,
        Err(e) => {
            return result::validation_result(
                Err(SendError::validation(vec![e])),
                &Value::Absent,
                &originals,
            )
        }
    };
    let value = read::body_keeping(&body, max, &mut originals);
    result::validation_result(
        validate(&value, max).map_err(SendError::validation),
        &value,
        &originals,
    )
}

fn max_message_length(options: &JsValue) -> Result<usize, FieldError> {
    if options.is_undefined() || options.is_null() {
        return crate::settings::max_message_length(&crate::settings::Raw::Absent);
    }
    crate::settings::max_message_length(&options::raw(options, "maxMessageLength"))
}
