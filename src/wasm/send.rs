//! One call of the endpoint through `fetch`: timeout and caller signal merged
//! into one AbortController, redirects not followed, every outcome classified.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use super::js;
use super::options::Config;
use crate::rate_limit::RateLimitHeaders;
use crate::request::ENDPOINT_PATH;
use crate::send::{Exchange, Interrupt};

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

/// What one HTTP exchange reported, owned, for the core's [`Exchange`].
pub struct Attempt {
    exchange: Kind,
    status: u16,
    headers: RateLimitHeaders,
    interrupt: Option<Interrupt>,
    detail: String,
    text: String,
    /// The body as `JSON.parse` read it, when it parsed.
    pub parsed: Option<JsValue>,
}

enum Kind {
    NotSent,
    NoResponse,
    NotAResponse,
    Opaque,
    HeadOnly,
    Complete,
}

impl Attempt {
    fn local(exchange: Kind, detail: String) -> Self {
        Attempt {
            exchange,
            status: 0,
            headers: RateLimitHeaders::default(),
            interrupt: None,
            detail,
            text: String::new(),
            parsed: None,
        }
    }

    /// The exchange, for the core.
    pub fn exchange(&self) -> Exchange<'_> {
        match self.exchange {
            Kind::NotSent => Exchange::NotSent {
                detail: &self.detail,
            },
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
                body: &self.text,
            },
        }
    }
}

/// Sends `body` once and reports what happened.
pub async fn attempt(
    config: &Config,
    body: &str,
    caller: Option<&AbortSignal>,
    timeout_ms: f64,
) -> Attempt {
    let Some(fetch) = fetch_function(config) else {
        return Attempt::local(
            Kind::NotSent,
            "this runtime has no global fetch (Node.js 18 or later has one); pass options.fetch".into(),
        );
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
    let detail = js::describe_error(&field("error"));
    let interrupt = if flag("callerAborted") {
        Some(Interrupt::Aborted)
    } else if flag("timedOut") {
        Some(Interrupt::Timeout(timeout_ms))
    } else {
        None
    };
    if stage == "not-sent" {
        return Attempt::local(Kind::NotSent, detail);
    }
    if stage == "sent" {
        return Attempt {
            interrupt,
            ..Attempt::local(Kind::NoResponse, detail)
        };
    }
    let status = match field("status").as_f64() {
        Some(s) if s.fract() == 0.0 && (0.0..=999.0).contains(&s) => s as u16,
        _ => return Attempt::local(Kind::NotAResponse, String::new()),
    };
    if flag("opaque") {
        return Attempt::local(Kind::Opaque, String::new());
    }
    let values = js_sys::Array::from(&field("headers"));
    let mut i = 0;
    let headers = RateLimitHeaders::from_lookup(|_| {
        let v = values.get(i).as_string();
        i += 1;
        v
    });
    if stage != "body" {
        return Attempt {
            status,
            headers,
            interrupt,
            ..Attempt::local(Kind::HeadOnly, detail)
        };
    }
    let json = field("json");
    Attempt {
        status,
        headers,
        text: field("text").as_string().unwrap_or_default(),
        parsed: (!json.is_undefined()).then_some(json),
        ..Attempt::local(Kind::Complete, String::new())
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
