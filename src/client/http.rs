//! One HTTP exchange of the Rust API, through gloo-net: the request built with its
//! `RequestBuilder` (headers, no redirects, the abort signal, the body), the answer
//! read as a gloo-net `Response`, the timeout and the caller's signal merged into one
//! `AbortController`. Never panics: where gloo-net would (see each call), the raw
//! web-sys value is used instead.

use gloo_net::http::{Request, Response};
use js_sys::{Array, Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestRedirect, ResponseType};

use crate::js;
use crate::outcome::{Exchange, Interrupt};
use crate::rate_limit::RateLimitHeaders;

#[wasm_bindgen]
extern "C" {
    // The global fetch, bound with `catch`: gloo-net's `Request::send` calls it
    // without, and turns a rejection that is not an Error into `unreachable!()`.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch_with_request(request: &web_sys::Request) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = setTimeout)]
    fn set_timeout(f: &Function, ms: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue) -> Result<(), JsValue>;
}

enum Kind {
    NotSent,
    Withheld,
    NoResponse,
    NotAResponse,
    Opaque,
    HeadOnly,
    Complete,
}

impl Attempt {
    /// For a log line: the status when a response arrived, and its rate limit.
    pub fn seen(&self) -> (Option<u16>, Option<crate::rate_limit::RateLimitInfo>) {
        let answered = matches!(self.kind, Kind::HeadOnly | Kind::Complete);
        (answered.then_some(self.status), self.headers.info())
    }
}

/// What one exchange reported, owned, for the core's [`Exchange`].
pub struct Attempt {
    kind: Kind,
    status: u16,
    headers: RateLimitHeaders,
    interrupt: Option<Interrupt>,
    detail: String,
    text: String,
}

impl Attempt {
    fn new(kind: Kind) -> Self {
        Attempt {
            kind,
            status: 0,
            headers: RateLimitHeaders::default(),
            interrupt: None,
            detail: String::new(),
            text: String::new(),
        }
    }

    /// The exchange, for the core.
    pub fn exchange(&self) -> Exchange<'_> {
        match self.kind {
            Kind::NotSent => Exchange::NotSent {
                detail: &self.detail,
            },
            Kind::Withheld => Exchange::Withheld,
            Kind::NoResponse => Exchange::NoResponse {
                interrupt: self.interrupt,
                detail: &self.detail,
            },
            Kind::NotAResponse => Exchange::NotAResponse,
            Kind::Opaque => Exchange::OpaqueRedirect,
            Kind::HeadOnly => Exchange::HeadOnly {
                status: self.status,
                headers: self.headers.clone(),
                interrupt: self.interrupt,
                detail: &self.detail,
            },
            Kind::Complete => Exchange::Complete {
                status: self.status,
                headers: self.headers.clone(),
                json: serde_json::from_str::<serde_json::Value>(&self.text)
                    .ok()
                    .map(|v| crate::classify::BodyFacts::read(&&v, self.status)),
                text: &self.text,
            },
        }
    }
}

/// The caller's signal and the timeout, merged: one controller, and a promise that
/// resolves (to `undefined`) when it aborts, to race each step with.
struct Stopper {
    controller: AbortController,
    caller: Option<AbortSignal>,
    on_caller: Option<Closure<dyn FnMut()>>,
    on_timer: Option<Closure<dyn FnMut()>>,
    timer: Option<JsValue>,
    stopped: Promise,
}

impl Stopper {
    fn new(caller: Option<&AbortSignal>, timeout_ms: f64) -> Option<Self> {
        let controller = AbortController::new().ok()?;
        let signal = controller.signal();
        let stopped = Promise::new(&mut |resolve, _| {
            if signal.aborted() {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            } else {
                // Resolves to `undefined` (not the event): no step of an exchange does.
                // Called once at the latest when the stopper is dropped (it aborts).
                let wake = Closure::once_into_js(move || resolve.call0(&JsValue::UNDEFINED));
                let _ = signal.add_event_listener_with_callback("abort", wake.unchecked_ref());
            }
        });
        let abort = {
            let c = controller.clone();
            move || c.abort()
        };
        let mut s = Stopper {
            controller,
            caller: caller.cloned(),
            on_caller: None,
            on_timer: None,
            timer: None,
            stopped,
        };
        if let Some(c) = caller {
            let f = Closure::<dyn FnMut()>::new(abort.clone());
            let _ = c.add_event_listener_with_callback("abort", f.as_ref().unchecked_ref());
            s.on_caller = Some(f);
        }
        if timeout_ms > 0.0 {
            let f = Closure::<dyn FnMut()>::new(abort);
            s.timer = set_timeout(f.as_ref().unchecked_ref(), timeout_ms.min(2_147_483_647.0)).ok();
            s.on_timer = Some(f);
        }
        Some(s)
    }

    fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Who cut the exchange short, if anyone.
    fn cut(&self) -> Option<Interrupt> {
        if self.caller.as_ref().is_some_and(AbortSignal::aborted) {
            Some(Interrupt::Aborted)
        } else if self.controller.signal().aborted() {
            Some(Interrupt::Timeout(0.0))
        } else {
            None
        }
    }

    /// `step`, or `undefined` if the exchange is stopped first.
    async fn race(&self, step: &Promise) -> Result<JsValue, JsValue> {
        JsFuture::from(Promise::race(&Array::of2(step, &self.stopped))).await
    }
}

impl Drop for Stopper {
    fn drop(&mut self) {
        if let Some(t) = &self.timer {
            let _ = clear_timeout(t);
        }
        if let (Some(c), Some(f)) = (&self.caller, &self.on_caller) {
            let _ = c.remove_event_listener_with_callback("abort", f.as_ref().unchecked_ref());
        }
        // Settle `stopped` so nothing waits on it after the exchange.
        self.controller.abort();
    }
}

/// Sends `body` once to `endpoint` and reports how far it got.
pub async fn exchange(
    endpoint: &str,
    api_key: &str,
    headers: &[(String, String)],
    body: &str,
    caller: Option<&AbortSignal>,
    timeout_ms: f64,
) -> Attempt {
    // Never a request under a signal that already fired: fetch is not called, so nothing
    // can have left (the npm driver's rule too).
    if caller.is_some_and(AbortSignal::aborted) {
        return Attempt::new(Kind::Withheld);
    }
    if !js::global("fetch").is_function() {
        let mut a = Attempt::new(Kind::NotSent);
        a.detail = "this runtime has no global fetch".into();
        return a;
    }
    let Some(stop) = Stopper::new(caller, timeout_ms) else {
        let mut a = Attempt::new(Kind::NotSent);
        a.detail = "this runtime has no AbortController".into();
        return a;
    };
    let with_timeout = |i: Option<Interrupt>| match i {
        Some(Interrupt::Timeout(_)) => Some(Interrupt::Timeout(timeout_ms)),
        other => other,
    };
    let mut authorization = String::from("Bearer ");
    authorization.push_str(api_key);
    let mut request = Request::post(endpoint)
        .header("Authorization", &authorization)
        .header("Content-Type", "application/json");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let request = request
        .redirect(RequestRedirect::Manual)
        .abort_signal(Some(&stop.signal()))
        .body(body);
    let request: web_sys::Request = match request {
        Ok(r) => r.into(),
        Err(e) => {
            let mut a = Attempt::new(Kind::NotSent);
            a.detail = e.to_string();
            return a;
        }
    };
    let pending = match fetch_with_request(&request) {
        Ok(p) => p,
        Err(e) => {
            let mut a = Attempt::new(Kind::NotSent);
            a.detail = js::describe_error(&e);
            return a;
        }
    };
    let raw = match stop.race(&pending).await {
        Ok(v) if v.is_undefined() => {
            let mut a = Attempt::new(Kind::NoResponse);
            a.interrupt = with_timeout(stop.cut());
            return a;
        }
        Ok(v) => v,
        Err(e) => {
            let mut a = Attempt::new(Kind::NoResponse);
            a.interrupt = with_timeout(stop.cut());
            a.detail = js::describe_error(&e);
            return a;
        }
    };
    // Checked here: gloo-net's `send` panics when fetch resolves to a non-Response.
    let Ok(raw) = raw.dyn_into::<web_sys::Response>() else {
        return Attempt::new(Kind::NotAResponse);
    };
    // Clone the handle (`Clone`), not the body (web-sys's inherent `Response::clone`).
    let response = Response::from(<web_sys::Response as Clone>::clone(&raw));
    let status = response.status();
    if response.type_() == ResponseType::Opaqueredirect || status == 0 {
        return Attempt::new(Kind::Opaque);
    }
    // The raw headers: a lookup that throws is an absent header, not a panic.
    let headers = raw.headers();
    let headers = RateLimitHeaders::from_lookup(|name| headers.get(name).ok().flatten());
    let mut a = Attempt::new(Kind::HeadOnly);
    a.status = status;
    a.headers = headers;
    // The raw `text()`: gloo-net's `Response::text` unwraps its promise, which throws
    // for a body already used.
    let text = match raw.text() {
        Ok(p) => stop.race(&p).await,
        Err(e) => Err(e),
    };
    match text {
        Ok(t) if t.is_undefined() => {
            a.interrupt = with_timeout(stop.cut());
            a
        }
        Ok(t) => {
            let mut text = t.as_string().unwrap_or_default();
            if text.len() > crate::policy::MAX_BODY {
                text = crate::text::clip_bytes(&text, crate::policy::KEPT_BODY).to_owned();
            }
            // The key never reaches a result, even when a server echoes it.
            a.text = crate::policy::scrub(&text, api_key);
            a.kind = Kind::Complete;
            a
        }
        Err(e) => {
            a.interrupt = with_timeout(stop.cut());
            a.detail = js::describe_error(&e);
            a
        }
    }
}

/// Waits `ms`, unless `signal` aborts first; true when the whole wait passed.
pub async fn sleep(ms: f64, signal: Option<&AbortSignal>) -> bool {
    if signal.is_some_and(AbortSignal::aborted) {
        return false;
    }
    let mut timer = None;
    let mut wake = None;
    let p = Promise::new(&mut |resolve, _| {
        timer = set_timeout(&resolve, ms.min(2_147_483_647.0)).ok();
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
        let _ = clear_timeout(&t);
    }
    !signal.is_some_and(AbortSignal::aborted)
}
