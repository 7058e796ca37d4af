//! `ClientOptions` and per-call options, read from JavaScript.

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

use crate::base_url::{parse_base_url, DEFAULT_BASE_URL};
use crate::error::{FieldError, FieldErrorCode};
use crate::js;
use crate::validate::DEFAULT_MAX_MESSAGE_LENGTH;

/// The client's settled configuration.
pub struct Config {
    pub api_key: String,
    pub base_url: String,
    pub timeout_ms: f64,
    pub fetch: Option<Function>,
    pub max_message_length: usize,
    pub max_rate_limit_wait_ms: f64,
    pub rate_limit_guard: bool,
    /// A store shared with other processes was given (`options.store`).
    pub shared: bool,
    /// That store, for the driver.
    pub store: JsValue,
    /// How long one store swap may take (ms).
    pub store_timeout_ms: f64,
    /// Sends in flight per account across all processes while its quota is unknown.
    pub max_in_flight_per_account: u32,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("api_key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

fn type_error(message: String) -> JsValue {
    js_sys::TypeError::new(&crate::cat!("ConnectSafelyClient: ", message)).into()
}

/// Reads `options[name]`; a throwing getter is a `TypeError` naming the option.
fn read(options: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    js::prop(options, name).map_err(|_| {
        type_error(crate::cat!(
            "options.",
            name,
            " could not be read (its getter threw)"
        ))
    })
}

/// A non-negative finite number option, or its default when absent.
fn number(options: &JsValue, name: &str, default: f64) -> Result<f64, JsValue> {
    let v = read(options, name)?;
    if v.is_undefined() {
        return Ok(default);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(n),
        Some(_) => Err(type_error(crate::cat!(
            "options.",
            name,
            " must be a finite number >= 0"
        ))),
        None => Err(type_error(crate::cat!(
            "options.",
            name,
            " must be a number"
        ))),
    }
}

fn boolean(options: &JsValue, name: &str, default: bool) -> Result<bool, JsValue> {
    let v = read(options, name)?;
    if v.is_undefined() {
        return Ok(default);
    }
    v.as_bool()
        .ok_or_else(|| type_error(crate::cat!("options.", name, " must be a boolean")))
}

/// Reads and checks `ClientOptions`; the error is a `TypeError` naming the option and why.
pub fn client(options: &JsValue) -> Result<Config, JsValue> {
    if !options.is_object() {
        return Err(type_error(
            "options must be an object such as { apiKey: \"...\" }".into(),
        ));
    }
    let key = read(options, "apiKey")?;
    let api_key = match key.as_string() {
        Some(k) if !k.trim().is_empty() => k,
        Some(_) => return Err(type_error("options.apiKey must not be empty".into())),
        None if key.is_undefined() || key.is_null() => {
            return Err(type_error("options.apiKey is required".into()))
        }
        None => return Err(type_error("options.apiKey must be a string".into())),
    };
    if api_key.chars().any(|c| c.is_control() || (c as u32) > 0xff) {
        return Err(type_error(
            "options.apiKey holds characters an HTTP header cannot carry".into(),
        ));
    }
    let base = read(options, "baseUrl")?;
    let base_url = if base.is_undefined() {
        DEFAULT_BASE_URL.to_owned()
    } else {
        let s = base
            .as_string()
            .ok_or_else(|| type_error("options.baseUrl must be a string".into()))?;
        parse_base_url(&s).map_err(|why| type_error(crate::cat!("options.baseUrl ", why)))?
    };
    let f = read(options, "fetch")?;
    let fetch = if f.is_undefined() {
        None
    } else {
        Some(
            f.dyn_into::<Function>()
                .map_err(|_| type_error("options.fetch must be a function".into()))?,
        )
    };
    let timeout_ms = number(options, "timeoutMs", 30_000.0)?;
    let max_message_length = number(
        options,
        "maxMessageLength",
        DEFAULT_MAX_MESSAGE_LENGTH as f64,
    )?;
    let max_rate_limit_wait_ms = number(options, "maxRateLimitWaitMs", 0.0)?;
    let rate_limit_guard = boolean(options, "rateLimitGuard", true)?;
    let store = read(options, "store")?;
    let store_value = store.clone();
    let shared = if store.is_undefined() || store.is_null() {
        false
    } else {
        let swap = js::prop(&store, "swap").unwrap_or(JsValue::UNDEFINED);
        if !store.is_object() || !swap.is_function() {
            return Err(type_error(
                "options.store must be a store: an object with swap(key, expected, value) (see the redis, durable-object and indexeddb entries)".into(),
            ));
        }
        true
    };
    let store_timeout_ms = number(options, "storeTimeoutMs", 10_000.0)?;
    let max_in_flight = number(options, "maxInFlightPerAccount", 4.0)?;
    if max_in_flight < 1.0 {
        return Err(type_error(
            "options.maxInFlightPerAccount must be at least 1".into(),
        ));
    }
    let allow_browser = boolean(options, "dangerouslyAllowBrowser", false)?;
    let document = js::global("document");
    if !allow_browser && !document.is_undefined() && !document.is_null() {
        return Err(type_error(
            "refusing to run in a browser page, where anyone who opens it can read the API key; \
             call the API from a server or edge function, or pass dangerouslyAllowBrowser: true \
             (for a local sandbox or your own proxy)"
                .into(),
        ));
    }
    Ok(Config {
        api_key,
        base_url,
        timeout_ms,
        fetch,
        max_message_length: max_message_length.min(u32::MAX as f64) as usize,
        max_rate_limit_wait_ms,
        rate_limit_guard,
        shared,
        store_timeout_ms,
        store: if shared {
            store_value
        } else {
            JsValue::UNDEFINED
        },
        max_in_flight_per_account: max_in_flight.min(1000.0) as u32,
    })
}

/// Per-call options: `{ signal?, timeoutMs? }`.
#[derive(Debug, Default)]
pub struct CallOptions {
    pub signal: Option<AbortSignal>,
    pub timeout_ms: Option<f64>,
}

/// Reads per-call options; problems are field errors (a send never throws).
pub fn call(options: &JsValue) -> Result<CallOptions, Vec<FieldError>> {
    if options.is_undefined() || options.is_null() {
        return Ok(CallOptions::default());
    }
    let err = |field: &str, code, message: &str| vec![FieldError::new(field, code, message)];
    if !options.is_object() {
        return Err(err(
            "options",
            FieldErrorCode::Type,
            "options must be an object such as { signal, timeoutMs }",
        ));
    }
    let signal = match js::prop(options, "signal") {
        Ok(s) if s.is_undefined() || s.is_null() => None,
        Ok(s) => match s.dyn_into::<AbortSignal>() {
            Ok(s) => Some(s),
            Err(_) => {
                return Err(err(
                    "options.signal",
                    FieldErrorCode::Type,
                    "options.signal must be an AbortSignal",
                ))
            }
        },
        Err(_) => {
            return Err(err(
                "options.signal",
                FieldErrorCode::Type,
                "options.signal could not be read",
            ))
        }
    };
    let timeout_ms = match js::prop(options, "timeoutMs") {
        Ok(t) if t.is_undefined() => None,
        Ok(t) => match t.as_f64() {
            Some(n) if n.is_finite() && n >= 0.0 => Some(n),
            _ => {
                return Err(err(
                    "options.timeoutMs",
                    FieldErrorCode::Type,
                    "options.timeoutMs must be a finite number >= 0",
                ))
            }
        },
        Err(_) => {
            return Err(err(
                "options.timeoutMs",
                FieldErrorCode::Type,
                "options.timeoutMs could not be read",
            ))
        }
    };
    Ok(CallOptions { signal, timeout_ms })
}
