//! `ClientOptions`, per-call and run options, read from JavaScript into the core's
//! `settings` inputs. Every rule and default is the core's; this reads JS values (`Raw`)
//! and checks only what is JavaScript's own: the `fetch`, `store`, `logger` and `hooks`
//! objects and the `signal`.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

use super::read::{entries, raw, Type, OPTION_UNITS};
use crate::error::{FieldError, FieldErrorCode};
use crate::js;
use crate::settings::{self, CallInput, CallSettings, ClientInput, ClientSettings};
#[cfg(not(feature = "sender"))]
use crate::settings::{RunInput, RunSettings};

/// The client's settled configuration: the core's settings, and the JavaScript objects
/// the driver calls.
pub struct Config {
    /// Every setting the core settled.
    pub settings: ClientSettings,
    /// `options.fetch`, when given.
    pub fetch: Option<Function>,
    /// That store, for the driver (`undefined` without one).
    pub store: JsValue,
    /// What to log to (`console` by default).
    pub logger: JsValue,
    /// `{ onRequest?, onResponse?, onError? }`, or undefined.
    pub hooks: JsValue,
}

impl core::fmt::Debug for Config {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.settings.fmt(f)
    }
}

fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(&crate::cat!("ConnectSafelyClient: ", message)).into()
}

/// Reads `options[name]`; a throwing getter is a `TypeError` naming the option.
fn read(options: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    js::prop(options, name).map_err(|_| {
        type_error(&crate::cat!(
            "options.",
            name,
            " could not be read (its getter threw)"
        ))
    })
}

/// Reads and checks `ClientOptions`; the error is a `TypeError` naming the option and why.
pub fn client(options: &JsValue) -> Result<Config, JsValue> {
    if !Type::of(options).is_object() {
        return Err(type_error(
            "options must be an object such as { apiKey: \"...\" }",
        ));
    }
    let f = read(options, "fetch")?;
    let fetch = if f.is_undefined() {
        None
    } else {
        Some(
            f.dyn_into::<Function>()
                .map_err(|_| type_error("options.fetch must be a function"))?,
        )
    };
    let store = read(options, "store")?;
    let given = Type::of(&store);
    let shared = !matches!(given, Type::Undefined | Type::Null);
    if shared {
        let swap = js::prop(&store, "swap").unwrap_or(JsValue::UNDEFINED);
        if !given.is_object() || Type::of(&swap) != Type::Function {
            return Err(type_error(
                "options.store must be a store: an object with swap(key, expected, value, options) (see the redis, durable-object and indexeddb entries)",
            ));
        }
    }
    let given = read(options, "logger")?;
    let logger = if given.is_undefined() {
        js::global("console")
    } else {
        let methods = ["error", "warn", "info", "debug"];
        let ok = Type::of(&given).is_object()
            && methods
                .iter()
                .all(|m| js::prop(&given, m).is_ok_and(|f| Type::of(&f) == Type::Function));
        if !ok {
            return Err(type_error(
                "options.logger must be an object with error, warn, info and debug methods (console, pino, winston...)",
            ));
        }
        given
    };
    let hooks = read(options, "hooks")?;
    if !hooks.is_undefined() {
        let names = ["onRequest", "onResponse", "onError"];
        let ok = Type::of(&hooks).is_object()
            && names.iter().all(|n| {
                js::prop(&hooks, n)
                    .is_ok_and(|f| matches!(Type::of(&f), Type::Undefined | Type::Function))
            });
        if !ok {
            return Err(type_error(
                "options.hooks must be an object of functions: { onRequest?, onResponse?, onError? }",
            ));
        }
    }
    let document = js::global("document");
    let navigator = js::global("navigator");
    let input = ClientInput {
        api_key: raw(options, "apiKey"),
        base_url: raw(options, "baseUrl"),
        timeout_ms: raw(options, "timeoutMs"),
        max_message_length: raw(options, "maxMessageLength"),
        max_rate_limit_wait_ms: raw(options, "maxRateLimitWaitMs"),
        rate_limit_guard: raw(options, "rateLimitGuard"),
        dangerously_allow_browser: raw(options, "dangerouslyAllowBrowser"),
        max_in_flight_per_account: raw(options, "maxInFlightPerAccount"),
        store_timeout_ms: raw(options, "storeTimeoutMs"),
        workspace: raw(options, "workspace"),
        log_level: raw(options, "logLevel"),
        default_headers: match js::prop(options, "defaultHeaders") {
            Err(_) => Err("options.defaultHeaders could not be read (its getter threw)".into()),
            Ok(h) => header_list(&h, "options.defaultHeaders").map_err(|e| e.message),
        },
        shared,
        in_browser: !document.is_undefined() && !document.is_null(),
        user_agent: js::prop(&navigator, "userAgent")
            .ok()
            .and_then(|a| js::text_at_most(&a, OPTION_UNITS))
            .map_or_else(String::new, |(a, _)| a),
    };
    let settings = settings::client(input).map_err(|e| type_error(&e))?;
    Ok(Config {
        settings,
        fetch,
        store: if shared { store } else { JsValue::UNDEFINED },
        logger,
        hooks,
    })
}

/// The pairs of an object such as `{ traceparent: "00-..." }`, each value a string (the
/// core checks names and values); the error names the header (`field`: where the object
/// came from).
pub fn header_list(value: &JsValue, field: &str) -> Result<Vec<(String, String)>, FieldError> {
    let bad = |message: String| FieldError::new(field, FieldErrorCode::Type, message);
    match Type::of(value) {
        Type::Undefined | Type::Null => return Ok(Vec::new()),
        Type::Object => {}
        _ => {
            return Err(bad(crate::cat!(
                field,
                " must be an object of header names to string values"
            )))
        }
    }
    // Their entries are no keys of the object: read as one, either would be no headers at
    // all, silently.
    if entries(value) {
        return Err(bad(crate::cat!(
            field,
            " must be a plain object, not a Headers or Map (Object.fromEntries() makes one)"
        )));
    }
    let keys = js::object_keys(value).map_err(|_| bad(crate::cat!(field, " could not be read")))?;
    let mut out = Vec::new();
    for key in keys.iter() {
        // (At most `OPTION_UNITS` of a name or value: the core refuses a longer one.)
        let name = js::text_at_most(&key, OPTION_UNITS).map_or_else(String::new, |(n, _)| n);
        let at = crate::cat!(field, ".", crate::text::clip(&name, 100));
        let v = js::get(value, &key).map_err(|_| bad(crate::cat!(at, " could not be read")))?;
        if v.is_undefined() {
            continue;
        }
        let (v, _) = js::text_at_most(&v, OPTION_UNITS)
            .ok_or_else(|| bad(crate::cat!(at, " must be a string")))?;
        out.push((name, v));
    }
    Ok(out)
}

/// A call's options as the core takes them, and its signal.
#[derive(Debug, Default)]
pub struct Call {
    /// The caller's signal.
    pub signal: Option<AbortSignal>,
    /// What the core settled.
    pub settings: CallSettings,
}

/// Reads per-call options `{ signal?, timeoutMs?, headers? }`; problems are field errors
/// (a send never throws).
pub fn call(options: &JsValue) -> Result<Call, Vec<FieldError>> {
    let given = Type::of(options);
    if matches!(given, Type::Undefined | Type::Null) {
        return Ok(Call::default());
    }
    let err =
        |field: &str, message: &str| vec![FieldError::new(field, FieldErrorCode::Type, message)];
    if !given.is_object() {
        return Err(err(
            "options",
            "options must be an object such as { signal, timeoutMs }",
        ));
    }
    let signal = match js::prop(options, "signal") {
        Ok(s) if s.is_undefined() || s.is_null() => None,
        // One that `instanceof` takes but whose `aborted` cannot be read
        // (`Object.create(AbortSignal.prototype)`) is none: it would fail every later read.
        Ok(s)
            if s.is_instance_of::<AbortSignal>()
                && js::prop(&s, "aborted").is_ok_and(|a| a.as_bool().is_some()) =>
        {
            Some(s.unchecked_into::<AbortSignal>())
        }
        Ok(_) => {
            return Err(err(
                "options.signal",
                "options.signal must be an AbortSignal",
            ))
        }
        Err(_) => return Err(err("options.signal", "options.signal could not be read")),
    };
    let headers = match js::prop(options, "headers") {
        Ok(h) => header_list(&h, "options.headers"),
        Err(_) => Err(FieldError::new(
            "options.headers",
            FieldErrorCode::Type,
            "options.headers could not be read",
        )),
    };
    let settings = settings::call(CallInput {
        timeout_ms: raw(options, "timeoutMs"),
        headers: Some(headers),
    })?;
    Ok(Call { signal, settings })
}

/// Reads a run's own options (those of a call aside).
#[cfg(not(feature = "sender"))]
pub fn run(options: &JsValue, shared: bool) -> Result<RunSettings, FieldError> {
    if options.is_undefined() || options.is_null() {
        return settings::run(RunInput {
            shared,
            ..RunInput::default()
        });
    }
    settings::run(RunInput {
        concurrency: raw(options, "concurrency"),
        min_interval_ms: raw(options, "minIntervalMs"),
        journal: raw(options, "journal"),
        resend_unknown: raw(options, "resendUnknown"),
        runner_id: raw(options, "runnerId"),
        shared,
    })
}
