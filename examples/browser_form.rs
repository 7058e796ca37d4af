//! A Rust browser app (wasm-bindgen + web-sys) that sends from a form with the Rust
//! API. The page (served with `index.html` by the tests) has a form whose inputs are
//! named after the request's fields, a button and an `<output>`; the app validates and
//! sends what the form holds and shows the result as the JS API's JSON.
//!
//! Built by `scripts/build-examples.sh`; driven in Chromium by the matrix (tests/matrix).
use connectsafely_wasm::{CallOptions, Client, ClientOptions};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{FormData, HtmlFormElement, HtmlOutputElement};

#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let form: HtmlFormElement = document
        .query_selector("form")?
        .ok_or("no form")?
        .dyn_into()?;
    let output: HtmlOutputElement = document
        .query_selector("output")?
        .ok_or("no output")?
        .dyn_into()?;
    // The page is served by the local sandbox API, so it may hold the sandbox key: a real
    // key in a page is readable by anyone who opens it (hence dangerously_allow_browser).
    let origin = web_sys::window().ok_or("no window")?.location().origin()?;
    let client = Client::new(
        ClientOptions::new("sandbox-key")
            .base_url(origin)
            .dangerously_allow_browser(true),
    )
    .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let target = form.clone();
    let on_submit = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        event.prevent_default();
        let (client, form, output) = (client.clone(), form.clone(), output.clone());
        wasm_bindgen_futures::spawn_local(async move {
            output.set_value("");
            let body = match FormData::new_with_form(&form) {
                Ok(data) => form_json(&data),
                Err(_) => serde_json::Value::Null,
            };
            let result = client.send_json(&body, &CallOptions::default()).await;
            let text = serde_json::to_string(&result).unwrap_or_default();
            output.set_value(&text);
        });
    });
    target.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref())?;
    on_submit.forget();
    Ok(())
}

/// The form's text fields as a JSON object (field name -> text).
fn form_json(data: &FormData) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for name in ["accountId", "recipientProfileUrn", "groupId", "message"] {
        if let Some(v) = data.get(name).as_string() {
            map.insert(name.to_owned(), serde_json::Value::String(v));
        }
    }
    serde_json::Value::Object(map)
}
