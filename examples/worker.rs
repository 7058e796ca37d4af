//! A Cloudflare Worker in Rust that sends with the Rust API: a wasm-bindgen module
//! whose `fetch` handler takes the request's JSON body, sends it with `Client`, and
//! answers with the result as JSON (502 when it is not a success). `worker.mjs` (beside
//! the built module, written by `scripts/build-examples.sh`) is the Worker's entry.
//!
//! Run in workerd through Miniflare by the matrix (tests/matrix).
use connectsafely_wasm::{CallOptions, Client, ClientOptions};
use wasm_bindgen::prelude::*;
use web_sys::{Request, Response, ResponseInit};

/// Reads `env[name]` as a string (a Worker's binding).
fn var(env: &JsValue, name: &str) -> Option<String> {
    js_sys::Reflect::get(env, &JsValue::from_str(name))
        .ok()?
        .as_string()
}

#[wasm_bindgen]
pub async fn fetch(request: Request, env: JsValue) -> Result<Response, JsValue> {
    let mut options = ClientOptions::new(var(&env, "CONNECTSAFELY_API_KEY").unwrap_or_default());
    if let Some(base) = var(&env, "CONNECTSAFELY_BASE_URL") {
        options = options.base_url(base);
    }
    let client = Client::new(options).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let text = wasm_bindgen_futures::JsFuture::from(request.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    let result = client.send_json(&body, &CallOptions::default()).await;
    let init = ResponseInit::new();
    init.set_status(if result.ok() { 200 } else { 502 });
    let json = serde_json::to_string(&result).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let headers = web_sys::Headers::new()?;
    headers.set("Content-Type", "application/json")?;
    init.set_headers(&headers);
    Response::new_with_opt_str_and_init(Some(&json), &init)
}
