//! Validation without a client: the fast path and `validateSendGroupWithAck`.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::read::{self, Originals};
use crate::error::{FieldError, SendError};
use crate::request::SendGroupWithAckRequest;
use crate::validate::{is_valid_unchanged, validate, DEFAULT_MAX_MESSAGE_LENGTH, KNOWN_FIELDS};
use crate::value::Value;

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
            return validation_result(
                Err(SendError::validation(vec![e])),
                &Value::Absent,
                &originals,
            )
        }
    };
    let value = read::body_keeping(&body, max, &mut originals);
    validation_result(
        validate(&value, max).map_err(SendError::validation),
        &value,
        &originals,
    )
}

fn max_message_length(options: &JsValue) -> Result<usize, FieldError> {
    if options.is_undefined() || options.is_null() {
        return Ok(DEFAULT_MAX_MESSAGE_LENGTH);
    }
    crate::validate::max_message_length(&read::raw(options, "maxMessageLength"))
}

/// The validator's result: `{ ok: true, value }` or `{ ok: false, error }`. Strings that
/// normalizing left unchanged are the caller's own, handed back without a copy.
fn validation_result(
    r: Result<SendGroupWithAckRequest, SendError>,
    read: &Value,
    originals: &Originals,
) -> JsValue {
    match r {
        Ok(v) => {
            let urns = v.message_urns.as_ref().map_or(JsValue::UNDEFINED, |u| {
                u.iter()
                    .map(|s| JsValue::from_str(s))
                    .collect::<Array>()
                    .into()
            });
            let account = v.account_id.as_deref().map_or(JsValue::UNDEFINED, |a| {
                originals.reuse(read, "accountId", a)
            });
            valid(
                account,
                originals.reuse(read, "recipientProfileUrn", &v.recipient_profile_urn),
                originals.reuse(read, "groupId", &v.group_id),
                originals.reuse(read, "message", &v.message),
                urns,
            )
        }
        Err(e) => invalid(super::error::error_js(&e)),
    }
}
