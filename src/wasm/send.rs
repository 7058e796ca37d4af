//! One call of the endpoint through `fetch`: timeout and caller signal merged
//! into one AbortController, redirects not followed, every outcome classified.

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use super::js;
use super::options::Config;
use super::result::Outcome;
use crate::classify::{classify, opaque_redirect};
use crate::error::SendError;
use crate::rate_limit::RateLimitHeaders;
use crate::request::ENDPOINT_PATH;

/// Bodies longer than this (UTF-16 units) are classified on their first `KEPT_UNITS` only.
const MAX_BODY_UNITS: u32 = 1 << 20;
const KEPT_UNITS: u32 = 64 * 1024;

/// Undoes what an attempt set up (timer, listeners) however it ends.
struct Cleanup {
    timer: Option<JsValue>,
    caller: Option<(AbortSignal, Function)>,
    aborted: Option<(AbortSignal, Function)>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(t) = self.timer.take() {
            let _ = js::clear_timeout(&t);
        }
        if let Some((signal, f)) = self.caller.take() {
            let _ = signal.remove_event_listener_with_callback("abort", &f);
        }
        // Settle the abort promise and unhook it: fetch implementations may keep the
        // signal alive after the call (Node 20's does), and with it every reaction
        // chained on a pending promise: a leak of about 2 KB a send.
        if let Some((signal, resolve)) = self.aborted.take() {
            let _ = signal.remove_event_listener_with_callback("abort", &resolve);
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

/// A promise that resolves when `signal` aborts, and its resolve function.
fn on_abort(signal: &AbortSignal) -> (Promise, Option<Function>) {
    let mut resolver = None;
    let promise = Promise::new(&mut |resolve, _reject| {
        let _ = signal.add_event_listener_with_callback("abort", &resolve);
        resolver = Some(resolve);
    });
    (promise, resolver)
}

/// Awaits `p`, or the abort of `signal`, whichever comes first.
async fn race(p: &JsValue, abort: Option<&Promise>) -> Result<JsValue, JsValue> {
    let p = js::resolve(p)?;
    let raced = match abort {
        Some(a) => js::race(&Array::of2(&p, a)),
        None => p,
    };
    JsFuture::from(raced).await
}

fn fetch_function(config: &Config) -> Option<Function> {
    config
        .fetch
        .clone()
        .or_else(|| js::global("fetch").dyn_into::<Function>().ok())
}

fn request_init(config: &Config, body: &str, signal: Option<&AbortSignal>) -> JsValue {
    let headers: JsValue = Object::new().into();
    js::put(
        &headers,
        "Authorization",
        &JsValue::from_str(&format!("Bearer {}", config.api_key)),
    );
    js::put(
        &headers,
        "Content-Type",
        &JsValue::from_str("application/json"),
    );
    js::put(&headers, "Accept", &JsValue::from_str("application/json"));
    let init: JsValue = Object::new().into();
    js::put(&init, "method", &JsValue::from_str("POST"));
    js::put(&init, "headers", &headers);
    js::put(&init, "body", &JsValue::from_str(body));
    // Never follow: a redirect would carry the Authorization header elsewhere.
    js::put(&init, "redirect", &JsValue::from_str("manual"));
    if let Some(s) = signal {
        js::put(&init, "signal", s);
    }
    init
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
    let controller = AbortController::new().ok();
    let signal = controller.as_ref().map(AbortController::signal);
    let abort_fn = controller.as_ref().and_then(|c| {
        js::prop(c, "abort")
            .ok()?
            .dyn_into::<Function>()
            .ok()
            .map(|f| f.bind0(c))
    });
    let mut cleanup = Cleanup {
        timer: None,
        caller: None,
        aborted: None,
    };
    let aborted = signal.as_ref().map(|s| {
        let (promise, resolve) = on_abort(s);
        cleanup.aborted = resolve.map(|r| (s.clone(), r));
        promise
    });
    if let (Some(sig), Some(f)) = (caller, &abort_fn) {
        if sig.add_event_listener_with_callback("abort", f).is_ok() {
            cleanup.caller = Some((sig.clone(), f.clone()));
        }
    }
    if timeout_ms > 0.0 {
        if let Some(f) = &abort_fn {
            cleanup.timer = js::set_timeout(f, timeout_ms.min(2_147_483_647.0)).ok();
        }
    }
    // Which signal ended the call, if one did: the caller's wins a tie.
    let interrupted = |sent: bool| -> Option<SendError> {
        if caller.is_some_and(AbortSignal::aborted) {
            Some(SendError::aborted(sent))
        } else if signal.as_ref().is_some_and(AbortSignal::aborted) {
            Some(SendError::timeout(timeout_ms))
        } else {
            None
        }
    };

    let url = format!("{}{}", config.base_url, ENDPOINT_PATH);
    let init = request_init(config, body, signal.as_ref());
    let called = js::apply(
        &fetch,
        &JsValue::UNDEFINED,
        &Array::of2(&JsValue::from_str(&url), &init),
    );
    let pending = match called {
        Ok(p) => p,
        Err(e) => return Outcome::local(SendError::network(&js::describe_error(&e), false)),
    };
    let response = match race(&pending, aborted.as_ref()).await {
        // The abort promise resolves with an Event, which has no status.
        Ok(r) if js::prop(&r, "status").is_ok_and(|s| s.as_f64().is_some()) => r,
        Ok(_) | Err(_) if interrupted(true).is_some() => {
            return Outcome::local(interrupted(true).unwrap_or_else(|| SendError::aborted(true)))
        }
        Ok(_) => {
            return Outcome::local(SendError::network(
                "fetch resolved to something that is not a Response",
                true,
            ))
        }
        Err(e) => return Outcome::local(SendError::network(&js::describe_error(&e), true)),
    };
    read_response(&response, aborted.as_ref(), interrupted).await
}

async fn read_response(
    response: &JsValue,
    aborted: Option<&Promise>,
    interrupted: impl Fn(bool) -> Option<SendError>,
) -> Outcome {
    let status = js::prop(response, "status").ok().and_then(|s| s.as_f64());
    let kind = js::prop(response, "type").ok().and_then(|t| t.as_string());
    let status = match status {
        Some(s) if s.fract() == 0.0 && (0.0..=999.0).contains(&s) => s as u16,
        _ => {
            return Outcome::local(SendError::network(
                "fetch resolved to something that is not a Response",
                true,
            ))
        }
    };
    if status == 0 || kind.as_deref() == Some("opaqueredirect") {
        return Outcome::local(opaque_redirect());
    }
    let headers = js::prop(response, "headers").unwrap_or(JsValue::UNDEFINED);
    let headers = RateLimitHeaders::from_lookup(|name| {
        js::call_method(&headers, "get", &[&JsValue::from_str(name)])
            .ok()
            .and_then(|v| v.as_string())
    });
    let text = match js::call_method(response, "text", &[]) {
        Ok(p) => race(&p, aborted).await,
        Err(e) => Err(e),
    };
    let delivered_maybe = !(400..500).contains(&status);
    let text = match text {
        Ok(t) if t.is_string() => {
            let t: js_sys::JsString = t.unchecked_into();
            // No answer of this API comes near 1 MiB: keep a huge body out of wasm memory,
            // which never shrinks, and classify it on its start.
            if t.length() > MAX_BODY_UNITS {
                String::from(t.slice(0, KEPT_UNITS))
            } else {
                String::from(&t)
            }
        }
        Ok(_) | Err(_) if interrupted(true).is_some() => {
            let mut e = interrupted(true).unwrap_or_else(|| SendError::aborted(true));
            e.delivery_unknown = e.delivery_unknown && delivered_maybe;
            return Outcome {
                status: Some(status),
                result: Err(e),
                rate_limit: headers.info(),
                body: None,
            };
        }
        Ok(_) => String::new(),
        Err(e) => {
            let detail = format!(
                "the body of the HTTP {status} response could not be read: {}",
                js::describe_error(&e)
            );
            return Outcome {
                status: Some(status),
                result: Err(SendError::network(&detail, delivered_maybe)),
                rate_limit: headers.info(),
                body: None,
            };
        }
    };
    let c = classify(status, &text, &headers, js::now());
    Outcome {
        status: Some(c.status),
        result: c.outcome,
        rate_limit: c.rate_limit,
        body: Some(text),
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
