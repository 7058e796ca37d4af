//! The thin wasm layer: `ConnectSafelyClient` and `validateSendGroupWithAck`.
//! It reads JavaScript values, calls `fetch`, and builds result objects;
//! every decision is the core's.

mod bulk;
mod js;
mod options;
mod read;
mod result;
mod send;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::accounts::Accounts;
use crate::error::{FieldError, SendError};
use crate::send::{Outcome, Policy, SendMachine, Step};
use crate::validate::{validate, DEFAULT_MAX_MESSAGE_LENGTH};
use crate::value::Value;
use options::Config;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");

struct Inner {
    config: Config,
    accounts: RefCell<Accounts>,
}

/// A client of ConnectSafely's `POST /linkedin/messaging/send-group-with-ack`.
///
/// Validates every body before anything leaves the machine, never rejects,
/// never retries what may have been delivered, and keeps the API key out of
/// every result, error and log.
///
/// ```js
/// const client = new ConnectSafelyClient({ apiKey: process.env.CONNECTSAFELY_API_KEY });
/// const result = await client.sendGroupWithAck({ recipientProfileUrn, groupId: "12345678", message: "Thanks!" });
/// if (result.ok) console.log(result.data.message);
/// else if (result.error.deliveryUnknown) console.warn("may have been delivered: check before resending");
/// ```
#[wasm_bindgen]
pub struct ConnectSafelyClient {
    inner: Rc<Inner>,
}

#[wasm_bindgen]
impl ConnectSafelyClient {
    /// Creates a client. Throws a `TypeError` naming the option when an option is
    /// invalid, or when run in a browser page without `dangerouslyAllowBrowser: true`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: JsValue,
    ) -> Result<ConnectSafelyClient, JsValue> {
        let config = options::client(&options)?;
        Ok(ConnectSafelyClient {
            inner: Rc::new(Inner {
                config,
                accounts: RefCell::new(Accounts::new()),
            }),
        })
    }

    /// Validates `body`, then sends it once. Resolves to a `SendResult`; never rejects.
    /// An invalid body resolves to a `validation` failure and makes no request.
    #[wasm_bindgen(js_name = sendGroupWithAck, unchecked_return_type = "Promise<SendResult>")]
    pub fn send_group_with_ack(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SendGroupWithAckRequest")] body: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        let options = options.unwrap_or(JsValue::UNDEFINED);
        future_to_promise(async move {
            let (outcome, parsed) = send(&inner, &body, &options).await;
            Ok(result::send_result(&outcome, parsed, &inner.config.api_key))
        })
    }

    /// Sends many bodies, quota-aware: every body is validated first; `concurrency`
    /// (default 1) sends at a time, `minIntervalMs` apart per account; a 429 or the
    /// guard stops that account, a 401 or the signal stops everything. No body is sent
    /// twice. Resolves to a `BulkResult`; never rejects.
    #[wasm_bindgen(js_name = sendGroupWithAckMany, unchecked_return_type = "Promise<BulkResult>")]
    pub fn send_group_with_ack_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SendGroupWithAckRequest[]")] bodies: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "BulkOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        let options = options.unwrap_or(JsValue::UNDEFINED);
        future_to_promise(async move { Ok(bulk::send_many(inner, bodies, options).await) })
    }

    /// `"ConnectSafelyClient { baseUrl: ... }"`: the API key is never shown.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!(
            "ConnectSafelyClient {{ baseUrl: {}, apiKey: [redacted] }}",
            self.inner.config.base_url
        )
    }

    /// What `JSON.stringify(client)` shows: the settings, without the API key.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "{ baseUrl: string; apiKey: \"[redacted]\" }")]
    pub fn to_json(&self) -> JsValue {
        let o: JsValue = js_sys::Object::new().into();
        js::put(
            &o,
            "baseUrl",
            &JsValue::from_str(&self.inner.config.base_url),
        );
        js::put(&o, "apiKey", &JsValue::from_str("[redacted]"));
        o
    }

    /// The base URL requests go to.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.config.base_url.clone()
    }
}

impl std::fmt::Debug for ConnectSafelyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_string_js())
    }
}

async fn send(inner: &Inner, body: &JsValue, options: &JsValue) -> (Outcome, Option<JsValue>) {
    let config = &inner.config;
    let call = match options::call(options) {
        Ok(c) => c,
        Err(errors) => return (Outcome::local(SendError::validation(errors)), None),
    };
    let request = match validate(
        &read::body(body, config.max_message_length),
        config.max_message_length,
    ) {
        Ok(r) => r,
        Err(errors) => return (Outcome::local(SendError::validation(errors)), None),
    };
    let timeout = call.timeout_ms.unwrap_or(config.timeout_ms);
    let machine = SendMachine::new(&mut inner.accounts.borrow_mut(), request.account_key());
    deliver(inner, machine, &request, call.signal.as_ref(), timeout).await
}

/// Drives one send's machine: performs each request and wait it asks for.
async fn deliver(
    inner: &Inner,
    mut machine: SendMachine,
    request: &crate::request::SendGroupWithAckRequest,
    signal: Option<&web_sys::AbortSignal>,
    timeout: f64,
) -> (Outcome, Option<JsValue>) {
    let config = &inner.config;
    let policy = Policy {
        rate_limit_guard: config.rate_limit_guard,
        max_rate_limit_wait_ms: config.max_rate_limit_wait_ms,
    };
    let mut step = if signal.is_some_and(web_sys::AbortSignal::aborted) {
        machine.abort(&mut inner.accounts.borrow_mut())
    } else {
        machine.start(&policy, &mut inner.accounts.borrow_mut(), js::now())
    };
    let json = request.to_json();
    let mut parsed = None;
    loop {
        step = match step {
            Step::Fetch => {
                let attempt = send::attempt(config, &json, signal, timeout).await;
                parsed = attempt.parsed.clone();
                machine.exchanged(
                    attempt.exchange(),
                    &policy,
                    &mut inner.accounts.borrow_mut(),
                    js::now(),
                )
            }
            Step::Wait(ms) => {
                if send::sleep(ms, signal).await {
                    machine.waited(&mut inner.accounts.borrow_mut(), js::now())
                } else {
                    machine.abort(&mut inner.accounts.borrow_mut())
                }
            }
            Step::Done => break,
        };
    }
    let outcome = machine
        .into_outcome()
        .unwrap_or_else(|| Outcome::local(SendError::aborted(false)));
    if outcome.body.is_none() {
        parsed = None;
    }
    (outcome, parsed)
}

/// Validates a body as `sendGroupWithAck` would, without sending. Never throws.
/// `value` is the normalized body that would be sent.
#[wasm_bindgen(js_name = validateSendGroupWithAck, unchecked_return_type = "ValidationResult")]
pub fn validate_send_group_with_ack(
    #[wasm_bindgen(unchecked_param_type = "unknown")] body: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ maxMessageLength?: number }")]
    options: Option<JsValue>,
) -> JsValue {
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
    use crate::error::FieldErrorCode;
    if options.is_undefined() || options.is_null() {
        return Ok(DEFAULT_MAX_MESSAGE_LENGTH);
    }
    let bad = || {
        FieldError::new(
            "options.maxMessageLength",
            FieldErrorCode::Type,
            "options.maxMessageLength must be a finite number >= 0",
        )
    };
    let v = js::prop(options, "maxMessageLength").map_err(|_| bad())?;
    if v.is_undefined() {
        return Ok(DEFAULT_MAX_MESSAGE_LENGTH);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(n.min(u32::MAX as f64) as usize),
        _ => Err(bad()),
    }
}
