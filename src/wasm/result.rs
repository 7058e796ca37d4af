//! Core outcomes to the JavaScript result objects of contract 3.2.

use serde::Serialize;
use wasm_bindgen::JsValue;

use super::js;
use crate::classify::SuccessData;
use crate::error::SendError;
use crate::rate_limit::RateLimitInfo;
use crate::request::SendGroupWithAckRequest;
use crate::text::{clip_bytes, redact};

/// The most text of a non-JSON body a result keeps.
const BODY_TEXT_LIMIT: usize = 64 * 1024;

/// Everything a `SendResult` is made of.
#[derive(Debug)]
pub struct Outcome {
    /// The HTTP status; `None` when no response arrived.
    pub status: Option<u16>,
    /// Success data or the error.
    pub result: Result<SuccessData, SendError>,
    /// What the headers said.
    pub rate_limit: Option<RateLimitInfo>,
    /// The body text, when a body was read.
    pub body: Option<String>,
}

impl Outcome {
    /// A failure with no response.
    pub fn local(error: SendError) -> Self {
        Outcome { status: None, result: Err(error), rate_limit: None, body: None }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SuccessJs<'a> {
    ok: bool,
    status: u16,
    data: &'a SuccessData,
    rate_limit: Option<&'a RateLimitInfo>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FailureJs<'a> {
    ok: bool,
    status: Option<u16>,
    error: &'a SendError,
    rate_limit: Option<&'a RateLimitInfo>,
}

fn to_value<T: Serialize>(v: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
    v.serialize(&ser).unwrap_or_else(|_| {
        let o: JsValue = js_sys::Object::new().into();
        js::put(&o, "ok", &JsValue::FALSE);
        o
    })
}

/// Removes the API key from every text of an error.
fn scrub(mut e: SendError, secret: &str) -> SendError {
    e.message = redact(&e.message, secret);
    for f in &mut e.field_errors {
        f.message = redact(&f.message, secret);
        f.field = redact(&f.field, secret);
    }
    e
}

/// The `body` of a result: parsed JSON, else the first 64 KiB of text, else `null`.
fn body(text: Option<&str>, secret: &str) -> JsValue {
    let Some(text) = text.filter(|t| !t.is_empty()) else { return JsValue::NULL };
    let text = redact(text, secret);
    match js::json_parse(&text) {
        Ok(v) => v,
        Err(_) => JsValue::from_str(clip_bytes(&text, BODY_TEXT_LIMIT)),
    }
}

/// The `SendResult` object for an outcome; `secret` (the API key) never appears in it.
pub fn send_result(o: Outcome, secret: &str) -> JsValue {
    let obj = match o.result {
        Ok(data) => to_value(&SuccessJs { ok: true, status: o.status.unwrap_or(200), data: &data, rate_limit: o.rate_limit.as_ref() }),
        Err(e) => {
            let e = scrub(e, secret);
            to_value(&FailureJs { ok: false, status: o.status, error: &e, rate_limit: o.rate_limit.as_ref() })
        }
    };
    js::put(&obj, "body", &body(o.body.as_deref(), secret));
    obj
}

/// The validator's result: `{ ok: true, value }` or `{ ok: false, error }`.
pub fn validation_result(r: Result<SendGroupWithAckRequest, SendError>) -> JsValue {
    #[derive(Serialize)]
    struct Valid<'a> {
        ok: bool,
        value: &'a SendGroupWithAckRequest,
    }
    #[derive(Serialize)]
    struct Invalid<'a> {
        ok: bool,
        error: &'a SendError,
    }
    match &r {
        Ok(value) => to_value(&Valid { ok: true, value }),
        Err(error) => to_value(&Invalid { ok: false, error }),
    }
}
