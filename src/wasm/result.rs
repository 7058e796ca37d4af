//! Core outcomes to the JavaScript result objects of contract 3.2, each object
//! made in one call to `shapes.js` (no serializer in the wasm).

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::js;
use crate::outcome::Outcome;
use crate::rate_limit::RateLimitInfo;
use crate::text::clip_bytes;

// The builders take and answer JS values, and share a few signatures with the other
// imports (`withCause` and `shown` `dataProp`'s; super::error's `sendError` that of
// `valid` and `rateLimit`): Node.js 20 compiles a wrapper for each distinct signature
// among a wasm's imports, at every start (tests/js/imports.test.mjs says what it costs and
// counts each core's).
#[wasm_bindgen(module = "/src/wasm/shapes.js")]
extern "C" {
    fn success(
        status: u16,
        message: JsValue,
        urn: JsValue,
        group: JsValue,
        ack: JsValue,
        rate_limit: JsValue,
        body: JsValue,
    ) -> JsValue;
    fn failure(status: JsValue, error: JsValue, rate_limit: JsValue, body: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = rateLimit)]
    fn rate_limit(
        action: JsValue,
        limit: JsValue,
        used: JsValue,
        remaining: JsValue,
        reset_at: JsValue,
    ) -> JsValue;
    /// `error`, given `cause` (it answers `error`: see the note above).
    #[wasm_bindgen(js_name = withCause)]
    fn with_cause(error: &JsValue, cause: &JsValue) -> JsValue;
    /// `{ baseUrl, apiKey }`, what `JSON.stringify(client)` shows.
    pub(super) fn shown(base_url: &JsValue, api_key: &JsValue) -> JsValue;
    /// `[a, b, c, d]`, made in one call.
    pub(super) fn four(a: JsValue, b: JsValue, c: JsValue, d: JsValue) -> Array;
}

fn opt_str(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

fn opt_num(n: Option<f64>) -> JsValue {
    n.map_or(JsValue::NULL, JsValue::from_f64)
}

pub(super) fn rate_limit_js(r: Option<&RateLimitInfo>) -> JsValue {
    match r {
        None => JsValue::NULL,
        Some(r) => rate_limit(
            opt_str(r.action.as_deref()),
            opt_num(r.limit),
            opt_num(r.used),
            opt_num(r.remaining),
            opt_num(r.reset_at),
        ),
    }
}

/// The `body` of a result: parsed JSON, else the first text a result keeps, else `null`.
fn body(text: Option<&str>) -> JsValue {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return JsValue::NULL;
    };
    match js::json_parse(text) {
        Ok(v) => v,
        Err(_) => JsValue::from_str(clip_bytes(text, crate::policy::KEPT_BODY)),
    }
}

/// The `SendResult` object for an outcome, which `policy::scrubbed` already rid of the API
/// key (`secret`); `parsed` is its body as `JSON.parse` read it, when it did, and `thrown`
/// what fetch threw, kept as a network failure's `cause` (as openai-node and workers-rs
/// keep it) unless it mentions the API key.
pub fn send_result(o: &Outcome, parsed: Option<JsValue>, thrown: JsValue, secret: &str) -> JsValue {
    let rl = rate_limit_js(o.rate_limit.as_ref());
    let from_parsed = parsed.is_some();
    let b = match parsed {
        Some(json) => json,
        None => body(o.body.as_deref()),
    };
    // A success read from this body (`parsed` is the body its outcome was classified
    // from): each string of its data is the body's own, handed back instead of copied
    // out of wasm and decoded again (one send's own work 0.97x, bench/compare.mjs --plain,
    // both orders), and not copied in either unless a journal records it (`JsJson`).
    let text = |v: Option<&str>, key: &str| match v {
        Some(_) if from_parsed => super::fields::body_string(&b, key).unwrap_or_else(|| opt_str(v)),
        _ => opt_str(v),
    };
    match &o.result {
        Ok(d) => success(
            o.status.unwrap_or(200),
            text(d.message.as_deref(), "message"),
            text(d.recipient_profile_urn.as_deref(), "recipientProfileUrn"),
            text(d.group_id.as_deref(), "groupId"),
            d.acknowledgment_sent
                .map_or(JsValue::NULL, JsValue::from_bool),
            rl,
            b,
        ),
        Err(e) => {
            let error = super::error::error_js(e);
            let keeps_cause = e.kind == crate::error::ErrorKind::Network
                && !thrown.is_undefined()
                && (secret.is_empty()
                    || !super::read::mentions(&thrown, &JsValue::from_str(secret)));
            if keeps_cause {
                with_cause(&error, &thrown);
            }
            failure(
                o.status
                    .map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s))),
                error,
                rl,
                b,
            )
        }
    }
}

/// A JS object held by the core, or `undefined`.
pub(super) fn or_undefined<T: Clone + Into<JsValue>>(value: Option<&T>) -> JsValue {
    value.map_or(JsValue::UNDEFINED, |v| v.clone().into())
}

/// `[name, value, name, value, ...]`.
pub(super) fn pairs(headers: &[(String, String)]) -> Array {
    let out = Array::new();
    for (n, v) in headers {
        out.push(&JsValue::from_str(n));
        out.push(&JsValue::from_str(v));
    }
    out
}
