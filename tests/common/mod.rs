//! Helpers and cases shared by the wasm test suites (Node and browsers alike): the
//! Rust API's `Client` against the sandbox API, its controls, and reading results as
//! the JS API's objects (`SendResult::to_js`), so the cases read as the JS tests do.
#![allow(dead_code)]

use connectsafely_wasm::{CallOptions, Client, ClientOptions};
use js_sys::{Array, Function, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The sandbox the suite runs against (`scripts/with-sandbox.sh` sets it at build time).
pub const SANDBOX: &str = match option_env!("CS_SANDBOX_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8787",
};

pub const URN: &str = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &Function, ms: f64) -> JsValue;
}

/// A JS value from JSON text.
pub fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or_else(|_| panic!("bad JSON in test: {json}"))
}

/// `v.a.b.c`
pub fn at(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |o, k| {
        Reflect::get(&o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    })
}

pub fn text(v: &JsValue, path: &str) -> String {
    at(v, path)
        .as_string()
        .unwrap_or_else(|| format!("<not a string: {:?}>", at(v, path)))
}

pub fn num(v: &JsValue, path: &str) -> Option<f64> {
    at(v, path).as_f64()
}

pub fn flag(v: &JsValue, path: &str) -> bool {
    at(v, path)
        .as_bool()
        .unwrap_or_else(|| panic!("{path} is not a boolean: {:?}", at(v, path)))
}

/// A body that passes validation, to a distinct recipient `n`.
pub fn body(n: usize) -> JsValue {
    js(&format!(
        r#"{{"recipientProfileUrn":"{URN}{n}","groupId":"12345678","message":"Hello {n}"}}"#
    ))
}

/// A client from JSON options (as the JS constructor takes them).
pub fn make(options: &str) -> Result<Client, connectsafely_wasm::client::OptionsError> {
    let options: ClientOptions = serde_json::from_str(options).expect("options JSON");
    Client::new(options)
}

/// A client of the sandbox; `extra` is more JSON fields of the options.
pub fn client(extra: &str) -> Client {
    let sep = if extra.is_empty() { "" } else { "," };
    make(&format!(
        r#"{{"apiKey":"sandbox-key","baseUrl":"{SANDBOX}","dangerouslyAllowBrowser":true{sep}{extra}}}"#
    ))
    .unwrap_or_else(|e| panic!("the client refused its options: {e}"))
}

/// Per-call options from a JS object `{ signal?, timeoutMs? }`; `Err` names what is wrong
/// (the JS API resolves that to a validation failure; the Rust types cannot hold it).
pub fn call_options(options: &JsValue) -> Result<CallOptions, &'static str> {
    if options.is_undefined() {
        return Ok(CallOptions::default());
    }
    let signal = at(options, "signal");
    let signal = if signal.is_undefined() {
        None
    } else {
        Some(
            signal
                .dyn_into::<web_sys::AbortSignal>()
                .map_err(|_| "options.signal")?,
        )
    };
    let timeout_ms = at(options, "timeoutMs").as_f64();
    let given = at(options, "headers");
    let mut headers = Vec::new();
    if !given.is_undefined() {
        for key in js_sys::Object::keys(given.unchecked_ref::<js_sys::Object>()).iter() {
            let name = key.as_string().ok_or("options.headers")?;
            let value = at(&given, &name).as_string().ok_or("options.headers")?;
            headers.push((name, value));
        }
    }
    Ok(CallOptions {
        signal,
        timeout_ms,
        headers,
    })
}

/// Sends a JS body (any shape: it is validated as untrusted JSON) and returns the result
/// as the JS API's object.
pub async fn send(c: &Client, body: &JsValue, options: &JsValue) -> JsValue {
    let body: serde_json::Value =
        serde_json::from_str(&String::from(JSON::stringify(body).unwrap())).unwrap();
    let options = call_options(options).expect("call options the Rust types can hold");
    c.send_json(&body, &options)
        .await
        .to_js()
        .expect("a result converts to JS")
}

/// A send started now, as a promise of its result (to abort it, or to run many at once).
pub fn spawn_send(c: &Client, body: JsValue, options: JsValue) -> Promise {
    let c = c.clone();
    wasm_bindgen_futures::future_to_promise(async move { Ok(send(&c, &body, &options).await) })
}

/// Calls a sandbox control and returns its JSON.
pub async fn control(method: &str, path: &str, body: Option<&str>) -> JsValue {
    let init = js(&format!(r#"{{"method":"{method}"}}"#));
    if let Some(b) = body {
        Reflect::set(&init, &"body".into(), &b.into()).unwrap();
    }
    let res = JsFuture::from(global_fetch(&format!("{SANDBOX}/__sandbox/{path}"), &init))
        .await
        .expect("sandbox reachable");
    let json: Function = Reflect::get(&res, &"json".into()).unwrap().into();
    JsFuture::from(Promise::from(json.call0(&res).unwrap()))
        .await
        .unwrap()
}

pub async fn reset() {
    control("POST", "reset", None).await;
}

/// Queues faults for the next requests (one JSON object or an array).
pub async fn fault(json: &str) {
    control("POST", "faults", Some(json)).await;
}

pub async fn config(json: &str) {
    control("POST", "config", Some(json)).await;
}

/// How many requests reached the endpoint since the last reset.
pub async fn requests() -> f64 {
    num(&control("GET", "state", None).await, "requests").unwrap()
}

/// The messages the sandbox accepted, as `message` texts.
pub async fn accepted() -> Vec<String> {
    let m = at(&control("GET", "messages", None).await, "messages");
    Array::from(&m)
        .iter()
        .map(|x| text(&x, "message"))
        .collect()
}

pub async fn sleep(ms: f64) {
    let p = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    JsFuture::from(p).await.unwrap();
}

/// Asserts a failure of `kind`, with `status` and `deliveryUnknown`.
pub fn assert_failure(r: &JsValue, kind: &str, status: Option<f64>, delivery_unknown: bool) {
    assert!(
        !flag(r, "ok"),
        "expected a failure: {}",
        JSON::stringify(r).unwrap()
    );
    assert_eq!(
        text(r, "error.kind"),
        kind,
        "{}",
        JSON::stringify(r).unwrap()
    );
    assert_eq!(
        num(r, "status"),
        status,
        "status of {}",
        JSON::stringify(r).unwrap()
    );
    if status.is_none() {
        assert!(
            at(r, "status").is_null(),
            "status must be null, not undefined"
        );
    }
    assert_eq!(
        flag(r, "error.deliveryUnknown"),
        delivery_unknown,
        "deliveryUnknown of {}",
        JSON::stringify(r).unwrap()
    );
}
pub mod cases;

/// True in a browser page (a `document` exists).
pub fn in_browser() -> bool {
    !at(&js_sys::global().into(), "document").is_undefined()
}
