//! `ClientOptions` and per-call options, read from JavaScript.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

use crate::base_url::{parse_base_url, DEFAULT_BASE_URL};
use crate::error::{FieldError, FieldErrorCode};
use crate::js;
use crate::log::Level;
use crate::store::keys::{origin, workspace_of_key, Scope};
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
    /// The workspace whose state the store keeps (`workspace`, else a digest of the key).
    pub workspace: String,
    /// The prefix of every key this client writes to the store: the workspace on the
    /// base URL's origin.
    pub scope: Scope,
    /// Sends in flight per account across all processes while its quota is unknown.
    pub max_in_flight_per_account: u32,
    /// The headers every request carries besides Authorization and Content-Type:
    /// Accept, the User-Agent in a server runtime, then `defaultHeaders`.
    pub headers: Vec<(String, String)>,
    /// How much to log.
    pub log_level: Level,
    /// What to log to (`console` by default).
    pub logger: JsValue,
    /// `{ onRequest?, onResponse?, onError? }`, or undefined.
    pub hooks: JsValue,
}

impl core::fmt::Debug for Config {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
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
    let named = read(options, "workspace")?;
    let workspace = if named.is_undefined() {
        workspace_of_key(&api_key)
    } else {
        match named.as_string() {
            // Surrounding spaces would name another workspace than the one meant.
            Some(w) if !w.is_empty() && w.trim() == w && w.chars().count() <= 200 => w,
            _ => {
                return Err(type_error(
                    "options.workspace must be a workspace's name: a string of 1 to 200 characters, without surrounding spaces"
                        .into(),
                ))
            }
        }
    };
    let scope = Scope::new(&workspace, &origin(&base_url));
    let max_in_flight = number(options, "maxInFlightPerAccount", 4.0)?;
    if max_in_flight < 1.0 {
        return Err(type_error(
            "options.maxInFlightPerAccount must be at least 1".into(),
        ));
    }
    let mut headers = vec![(String::from("Accept"), String::from("application/json"))];
    let navigator = js::global("navigator");
    let agent = js::prop(&navigator, "userAgent")
        .ok()
        .and_then(|a| a.as_string())
        .unwrap_or_default();
    if let Some(ua) = crate::headers::user_agent_for(&agent) {
        headers.push((String::from("User-Agent"), ua));
    }
    let defaults = read(options, "defaultHeaders")?;
    let defaults =
        header_list(&defaults, "options.defaultHeaders").map_err(|e| type_error(e.message))?;
    let headers = crate::headers::merge(&headers, &defaults);
    let level = read(options, "logLevel")?;
    let log_level = if level.is_undefined() {
        Level::Warn
    } else {
        level
            .as_string()
            .as_deref()
            .and_then(Level::parse)
            .ok_or_else(|| {
                type_error(
                    "options.logLevel must be one of \"off\", \"error\", \"warn\", \"info\", \"debug\""
                        .into(),
                )
            })?
    };
    let given = read(options, "logger")?;
    let logger = if given.is_undefined() {
        js::global("console")
    } else {
        let methods = ["error", "warn", "info", "debug"];
        let ok = given.is_object()
            && methods
                .iter()
                .all(|m| js::prop(&given, m).is_ok_and(|f| f.is_function()));
        if !ok {
            return Err(type_error(
                "options.logger must be an object with error, warn, info and debug methods (console, pino, winston...)"
                    .into(),
            ));
        }
        given
    };
    let hooks = read(options, "hooks")?;
    if !hooks.is_undefined() {
        let names = ["onRequest", "onResponse", "onError"];
        let ok = hooks.is_object()
            && names
                .iter()
                .all(|n| js::prop(&hooks, n).is_ok_and(|f| f.is_undefined() || f.is_function()));
        if !ok {
            return Err(type_error(
                "options.hooks must be an object of functions: { onRequest?, onResponse?, onError? }"
                    .into(),
            ));
        }
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
        workspace,
        scope,
        store: if shared {
            store_value
        } else {
            JsValue::UNDEFINED
        },
        max_in_flight_per_account: max_in_flight.min(1000.0) as u32,
        headers,
        log_level,
        logger,
        hooks,
    })
}

/// The headers of an object such as `{ traceparent: "00-..." }`, each checked; the error
/// names the header (`field`: where the object came from).
pub fn header_list(value: &JsValue, field: &str) -> Result<Vec<(String, String)>, FieldError> {
    let bad = |message: String| FieldError::new(field, FieldErrorCode::Type, message);
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !value.is_object() || js::is_array(value).unwrap_or(true) {
        return Err(bad(crate::cat!(
            field,
            " must be an object of header names to string values"
        )));
    }
    let keys = js::object_keys(value).map_err(|_| bad(crate::cat!(field, " could not be read")))?;
    let mut out = Vec::new();
    for key in keys.iter() {
        let name = key.as_string().unwrap_or_default();
        let at = crate::cat!(field, ".", crate::text::clip(&name, 100));
        let v = js::prop(value, &name).map_err(|_| bad(crate::cat!(at, " could not be read")))?;
        if v.is_undefined() {
            continue;
        }
        let v = v
            .as_string()
            .ok_or_else(|| bad(crate::cat!(at, " must be a string")))?;
        crate::headers::check(&name, &v).map_err(|why| bad(crate::cat!(at, " ", why)))?;
        out.push((name, v));
    }
    Ok(out)
}

/// Per-call options: `{ signal?, timeoutMs?, headers? }`.
#[derive(Debug, Default)]
pub struct CallOptions {
    pub signal: Option<AbortSignal>,
    pub timeout_ms: Option<f64>,
    /// The call's own headers (over the client's).
    pub headers: Vec<(String, String)>,
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
    let headers = match js::prop(options, "headers") {
        Ok(h) => header_list(&h, "options.headers").map_err(|e| vec![e])?,
        Err(_) => {
            return Err(err(
                "options.headers",
                FieldErrorCode::Type,
                "options.headers could not be read",
            ))
        }
    };
    Ok(CallOptions {
        signal,
        timeout_ms,
        headers,
    })
}
