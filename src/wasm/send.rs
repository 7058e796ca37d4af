//! One call of the endpoint through `fetch`: timeout and caller signal merged
//! into one AbortController, redirects not followed, every outcome classified.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use super::js;
use super::options::Config;
use super::result::Outcome;
use crate::classify::{classify, opaque_redirect};
use crate::error::SendError;
use crate::rate_limit::RateLimitHeaders;
use crate::request::ENDPOINT_PATH;

#[wasm_bindgen(module = "/src/wasm/exchange.js")]
extern "C" {
    /// One HTTP exchange; resolves to `{ stage, status, opaque, headers, text, error, timedOut, callerAborted }`.
    fn exchange(
        fetch: &Function,
        url: &str,
        api_key: &str,
        body: &str,
        caller: Option<AbortSignal>,
        timeout_ms: f64,
    ) -> Promise;
}

fn fetch_function(config: &Config) -> Option<Function> {
    config
        .fetch
        .clone()
        .or_else(|| js::global("fetch").dyn_into::<Function>().ok())
}

/// Sends `body` once and classifies what happens.
pub async fn attempt(
    config: &Config,
    body: &str,
    caller: Option<&AbortSignal>,
    timeout_ms: f64,
) -> Outcome {
    let Some(fetch) = fetch_function(config) else {
        return Outcome::local(SendError::network(
            "this runtime has no global fetch (Node.js 18 or later has one); pass options.fetch",
            false,
        ));
    };
    let url = format!("{}{}", config.base_url, ENDPOINT_PATH);
    let promise = exchange(
        &fetch,
        &url,
        &config.api_key,
        body,
        caller.cloned(),
        timeout_ms,
    );
    let out = JsFuture::from(promise).await.unwrap_or(JsValue::UNDEFINED);
    let field = |k: &str| js::prop(&out, k).unwrap_or(JsValue::UNDEFINED);
    let stage = field("stage").as_string().unwrap_or_default();
    let flag = |k: &str| field(k).as_bool().unwrap_or(false);
    let error = field("error");
    let interrupted = |sent: bool| -> Option<SendError> {
        if flag("callerAborted") {
            Some(SendError::aborted(sent))
        } else if flag("timedOut") {
            Some(SendError::timeout(timeout_ms))
        } else {
            None
        }
    };
    if stage == "not-sent" {
        return Outcome::local(SendError::network(&js::describe_error(&error), false));
    }
    if stage == "sent" {
        return Outcome::local(
            interrupted(true)
                .unwrap_or_else(|| SendError::network(&js::describe_error(&error), true)),
        );
    }
    let status = match field("status").as_f64() {
        Some(s) if s.fract() == 0.0 && (0.0..=999.0).contains(&s) => s as u16,
        _ => {
            return Outcome::local(SendError::network(
                "fetch resolved to something that is not a Response",
                true,
            ))
        }
    };
    if flag("opaque") {
        return Outcome::local(opaque_redirect());
    }
    let values = js_sys::Array::from(&field("headers"));
    let mut i = 0;
    let headers = RateLimitHeaders::from_lookup(|_| {
        let v = values.get(i).as_string();
        i += 1;
        v
    });
    if stage != "body" {
        let delivered_maybe = !(400..500).contains(&status);
        let result = match interrupted(true) {
            Some(mut e) => {
                e.delivery_unknown = e.delivery_unknown && delivered_maybe;
                e
            }
            None => SendError::network(
                &format!(
                    "the body of the HTTP {status} response could not be read: {}",
                    js::describe_error(&error)
                ),
                delivered_maybe,
            ),
        };
        return Outcome {
            status: Some(status),
            rate_limit: headers.info(),
            ..Outcome::local(result)
        };
    }
    let text = field("text").as_string().unwrap_or_default();
    let json = field("json");
    let c = classify(status, &text, &headers, js::now());
    Outcome {
        status: Some(c.status),
        result: c.outcome,
        rate_limit: c.rate_limit,
        body: Some(text),
        parsed: (!json.is_undefined()).then_some(json),
    }
}

/// Waits `ms`, unless `signal` aborts first; true when the whole wait passed.
pub async fn sleep(ms: f64, signal: Option<&AbortSignal>) -> bool {
    if signal.is_some_and(AbortSignal::aborted) {
        return false;
    }
    let mut timer = None;
    let mut wake = None;
    let p = Promise::new(&mut |resolve, _reject| {
        timer = js::set_timeout(&resolve, ms.min(2_147_483_647.0)).ok();
        if let Some(s) = signal {
            let _ = s.add_event_listener_with_callback("abort", &resolve);
        }
        wake = Some(resolve);
    });
    let _ = JsFuture::from(p).await;
    if let (Some(s), Some(f)) = (signal, &wake) {
        let _ = s.remove_event_listener_with_callback("abort", f);
    }
    if let Some(t) = timer {
        let _ = js::clear_timeout(&t);
    }
    !signal.is_some_and(AbortSignal::aborted)
}
