//! A client: its options settled (`new Core`), what the driver keeps of it, and what
//! the driver reads once per process.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::core::{Core, Slab};
use super::result::{or_undefined, pairs};
use super::{options, read, result};
use crate::accounts::Accounts;
use crate::rate_limit::RateLimitHeaders;

// What the driver reads in one call, as an array with its TypeScript tuple type, so its
// destructuring is type-checked against the core's order (scripts/check-driver.mjs).
#[wasm_bindgen]
extern "C" {
    /// `Core.setup`.
    #[wasm_bindgen(
        typescript_type = "[apiKey: string, endpoint: string, fetch: Function | undefined, store: any, storeTimeoutMs: number, logLevel: number, logger: any, hooks: any, headerPairs: string[]]"
    )]
    pub type Setup;
    /// `bodyRules()`.
    #[wasm_bindgen(typescript_type = "[maxBody: number, keptBody: number, redacted: string]")]
    pub type BodyRules;
}

/// The response headers the core reads, lower-case, in the order `exchanged` takes them,
/// separated by commas (one string: a list costs the wasm a conversion per entry).
#[wasm_bindgen(js_name = rateLimitHeaderNames, unchecked_return_type = "string")]
pub fn rate_limit_header_names() -> JsValue {
    JsValue::from_str(&crate::text::comma_joined(&RateLimitHeaders::NAMES))
}

/// How the driver reads a response body, by the core's policy: `[maxBody, keptBody,
/// redacted]`: a body longer than `maxBody` UTF-16 units is cut to its first `keptBody`,
/// and the API key is replaced by `redacted` wherever it echoes, before it is parsed.
#[wasm_bindgen(js_name = bodyRules)]
pub fn body_rules() -> BodyRules {
    result::four(
        JsValue::from_f64(crate::policy::MAX_BODY as f64),
        JsValue::from_f64(crate::policy::KEPT_BODY as f64),
        JsValue::from_str(crate::policy::REDACTED),
        JsValue::UNDEFINED,
    )
    .unchecked_into()
}

#[wasm_bindgen]
impl Core {
    /// Reads and checks `ClientOptions`; throws a `TypeError` naming the option.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, runner: u32) -> Result<Core, JsValue> {
        let config = options::client(&options)?;
        read::names_ready();
        Ok(Core {
            policy: config.settings.policy,
            config,
            accounts: Accounts::new(),
            sends: Slab::new(),
            #[cfg(not(feature = "sender"))]
            runs: Slab::new(),
            runner,
            leases: 0,
            #[cfg(not(feature = "sender"))]
            runs_begun: 0,
        })
    }

    /// The base URL requests go to.
    #[wasm_bindgen(getter, js_name = baseUrl, unchecked_return_type = "string")]
    pub fn base_url(&self) -> JsValue {
        JsValue::from_str(&self.config.settings.base_url)
    }

    /// The workspace whose state a shared store keeps: the `workspace` option, else a
    /// digest of the API key (which does not reveal it).
    #[wasm_bindgen(getter, unchecked_return_type = "string")]
    pub fn workspace(&self) -> JsValue {
        JsValue::from_str(&self.config.settings.workspace)
    }

    /// What the driver keeps of the client, read once, in one call: `[apiKey, endpoint,
    /// fetch, store, storeTimeoutMs, logLevel, logger, hooks, headerPairs]`: the API key
    /// (for `Authorization` and redaction), the URL `POST` goes to, the `fetch` and
    /// `store` options (`undefined` when not given), how long one store swap may take
    /// before a send fails closed (ms), the log level (0 off, 1 error, 2 warn, 3 info,
    /// 4 debug), the `logger` option or `console`, the `hooks` option or `undefined`,
    /// and the request headers besides Authorization and Content-Type as
    /// `[name, value, ...]` (Accept, the User-Agent in a server runtime, `defaultHeaders`).
    #[wasm_bindgen(getter)]
    pub fn setup(&self) -> Setup {
        let c = &self.config;
        let fetch = or_undefined(c.fetch.as_ref());
        [
            JsValue::from_str(&c.settings.api_key),
            JsValue::from_str(&self.endpoint()),
            fetch,
            c.store.clone(),
            JsValue::from_f64(c.settings.store_timeout_ms),
            JsValue::from(c.settings.log_level as u8),
            c.logger.clone(),
            c.hooks.clone(),
            pairs(&c.settings.headers).into(),
        ]
        .iter()
        .collect::<Array>()
        .unchecked_into()
    }

    /// The account registry's text, for a core of this same package build to take over
    /// (`Accounts::handed`): the driver switches from web.mjs's and index.mjs's single-send core to
    /// many.mjs's full one when none of its sends is in flight.
    #[cfg(feature = "sender")]
    #[wasm_bindgen(js_name = handOverText, unchecked_return_type = "string")]
    pub fn hand_over_text(&self) -> JsValue {
        JsValue::from_str(&self.accounts.handed().0)
    }

    /// The account registry's numbers (see `handOverText`).
    #[cfg(feature = "sender")]
    #[wasm_bindgen(js_name = handOverNumbers)]
    pub fn hand_over_numbers(&self) -> Vec<f64> {
        self.accounts.handed().1
    }

    /// Takes over the registry another core handed over (`handOverText`,
    /// `handOverNumbers`); values of another shape change nothing.
    #[cfg(not(feature = "sender"))]
    #[wasm_bindgen(js_name = takeOver)]
    pub fn take_over(&mut self, text: &str, numbers: &[f64]) {
        self.accounts.take_over(text, numbers);
    }

    /// `"ConnectSafelyClient { baseUrl: ... }"`: the API key is never shown.
    #[wasm_bindgen(js_name = toString, unchecked_return_type = "string")]
    pub fn to_string_js(&self) -> JsValue {
        JsValue::from_str(&self.described())
    }

    /// `"ConnectSafelyClient { baseUrl: ... }"`, for `toString` and `Debug`.
    pub(super) fn described(&self) -> String {
        let mut s = String::from("ConnectSafelyClient { baseUrl: ");
        s.push_str(&self.config.settings.base_url);
        s.push_str(", apiKey: [redacted] }");
        s
    }

    /// What `JSON.stringify(client)` shows: the settings, without the API key.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        result::shown(
            &JsValue::from_str(&self.config.settings.base_url),
            &JsValue::from_str(crate::policy::REDACTED),
        )
    }
}
