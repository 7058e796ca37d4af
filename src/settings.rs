//! Options in, settings out: every rule and default of `ClientOptions`, the per-call
//! options and a run to many's options, in one place. Each transport reads what the caller
//! gave into [`Raw`] values (the npm layer from a JavaScript object, the Rust `Client`
//! from its typed options) and takes the settled settings, or the one message naming the
//! option that is wrong, from here: the same options settle the same way in both.
//!
//! ```
//! use connectsafely_wasm::settings::{client, ClientInput, Raw};
//!
//! let input = ClientInput {
//!     api_key: Raw::Text("my-api-key".into()),
//!     timeout_ms: Raw::Number(-1.0),
//!     ..ClientInput::default()
//! };
//! assert_eq!(client(input).unwrap_err(), "options.timeoutMs must be a finite number >= 0");
//! let settled = client(ClientInput { api_key: Raw::Text("my-api-key".into()), ..ClientInput::default() }).unwrap();
//! assert_eq!(settled.timeout_ms, 30_000.0);
//! assert_eq!(settled.base_url, "https://api.connectsafely.ai");
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use crate::base_url::{parse_base_url, DEFAULT_BASE_URL};
use crate::error::{FieldError, FieldErrorCode};
use crate::headers::MAX_VALUE_LEN;
use crate::log::Level;
use crate::policy::{
    DEFAULT_MAX_IN_FLIGHT, DEFAULT_STORE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, MAX_MS, MAX_NAME_CHARS,
    MAX_PARALLEL,
};
use crate::request::ENDPOINT_PATH;
use crate::send::Policy;
#[cfg(not(feature = "sender"))]
use crate::send::SharedSend;
use crate::store::keys::workspace_of_key;
#[cfg(not(feature = "sender"))]
use crate::store::keys::{origin, Scope};
#[cfg(not(feature = "sender"))]
use crate::store::SharedPolicy;
use crate::validate::{DEFAULT_MAX_MESSAGE_LENGTH, MOST_MAX_MESSAGE_LENGTH};

pub use crate::value::Raw;

/// What a caller gave as `ClientOptions`, and what the runtime says of itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientInput {
    /// `apiKey`.
    pub api_key: Raw,
    /// `baseUrl`.
    pub base_url: Raw,
    /// `timeoutMs`.
    pub timeout_ms: Raw,
    /// `maxMessageLength`.
    pub max_message_length: Raw,
    /// `maxRateLimitWaitMs`.
    pub max_rate_limit_wait_ms: Raw,
    /// `rateLimitGuard`.
    pub rate_limit_guard: Raw,
    /// `dangerouslyAllowBrowser`.
    pub dangerously_allow_browser: Raw,
    /// `maxInFlightPerAccount`.
    pub max_in_flight_per_account: Raw,
    /// `storeTimeoutMs`.
    pub store_timeout_ms: Raw,
    /// `workspace`.
    pub workspace: Raw,
    /// `logLevel`.
    pub log_level: Raw,
    /// `defaultHeaders`, as the transport read them (a wrong type is its message).
    pub default_headers: Result<Vec<(String, String)>, String>,
    /// Whether a `store` was given (its shape is the transport's to check).
    pub shared: bool,
    /// The runtime has a `document`: a browser page.
    pub in_browser: bool,
    /// `navigator.userAgent`, or "" where there is none.
    pub user_agent: String,
}

impl Default for ClientInput {
    /// Nothing given, outside a browser.
    fn default() -> Self {
        ClientInput {
            api_key: Raw::Absent,
            base_url: Raw::Absent,
            timeout_ms: Raw::Absent,
            max_message_length: Raw::Absent,
            max_rate_limit_wait_ms: Raw::Absent,
            rate_limit_guard: Raw::Absent,
            dangerously_allow_browser: Raw::Absent,
            max_in_flight_per_account: Raw::Absent,
            store_timeout_ms: Raw::Absent,
            workspace: Raw::Absent,
            log_level: Raw::Absent,
            default_headers: Ok(Vec::new()),
            shared: false,
            in_browser: false,
            user_agent: String::new(),
        }
    }
}

/// A client's settled settings.
#[derive(Clone, PartialEq)]
pub struct ClientSettings {
    /// The API key.
    pub api_key: String,
    /// The base URL, without trailing slashes.
    pub base_url: String,
    /// Where `POST` goes: the base URL and the endpoint's path.
    pub endpoint: String,
    /// Each call's timeout (0 = none), ms.
    pub timeout_ms: f64,
    /// The longest message, in code points.
    pub max_message_length: usize,
    /// What every send's machine is told.
    pub policy: Policy,
    /// A store shared with other processes was given.
    pub shared: bool,
    /// How long one store operation may take, ms.
    pub store_timeout_ms: f64,
    /// The workspace whose state the store keeps.
    pub workspace: String,
    /// The prefix of every store key: the workspace on the base URL's origin (none in the
    /// single-send build: it has no store).
    #[cfg(not(feature = "sender"))]
    pub scope: Scope,
    /// The headers every request carries besides Authorization and Content-Type: Accept,
    /// a User-Agent outside a browser, then `defaultHeaders`.
    pub headers: Vec<(String, String)>,
    /// How much to log.
    pub log_level: Level,
}

impl core::fmt::Debug for ClientSettings {
    /// The settings, the API key left out.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientSettings")
            .field("base_url", &self.base_url)
            .field("timeout_ms", &self.timeout_ms)
            .field("max_message_length", &self.max_message_length)
            .field("policy", &self.policy)
            .field("shared", &self.shared)
            .field("store_timeout_ms", &self.store_timeout_ms)
            .field("workspace", &self.workspace)
            .field("headers", &self.headers)
            .field("log_level", &self.log_level)
            .finish_non_exhaustive()
    }
}

#[cfg(not(feature = "sender"))]
impl ClientSettings {
    /// The store side of this client's next send for `account`: a lease id unique among the
    /// processes sharing the store (this client's random `runner` id, then its counter of
    /// `leases`), the account record's key in this client's scope, and how long a
    /// reservation holds (`policy::hold_ms`).
    pub fn shared_send(
        &self,
        account: &str,
        runner: u32,
        leases: &mut u32,
        min_interval_ms: f64,
        timeout_ms: f64,
    ) -> SharedSend {
        *leases = leases.wrapping_add(1) & 0xF_FFFF;
        SharedSend {
            lease: (u64::from(runner) << 20) | u64::from(*leases),
            policy: SharedPolicy {
                min_interval_ms,
                max_unknown_in_flight: self.policy.max_in_flight_per_account,
                lease_ms: crate::policy::hold_ms(timeout_ms),
            },
            key: self.scope.account(account),
        }
    }
}

fn named(name: &str, why: &str) -> String {
    crate::cat!("options.", name, " ", why)
}

/// A number option: finite and at least `min`, else absent for `default`.
fn number(raw: &Raw, name: &str, default: f64, min: f64) -> Result<f64, String> {
    match raw {
        Raw::Absent => Ok(default),
        Raw::Number(n) if n.is_finite() && *n >= min => Ok(*n),
        Raw::Number(_) if min >= 1.0 => Err(named(name, "must be at least 1")),
        Raw::Number(_) => Err(named(name, "must be a finite number >= 0")),
        Raw::Unreadable => Err(named(name, "could not be read (its getter threw)")),
        _ => Err(named(name, "must be a number")),
    }
}

/// A time option (ms): a number option of at most [`MAX_MS`].
fn duration(raw: &Raw, name: &str, default: f64) -> Result<f64, String> {
    match number(raw, name, default, 0.0)? {
        ms if ms > MAX_MS => Err(named(name, "must be at most 2147483647 (24.8 days)")),
        ms => Ok(ms),
    }
}

fn boolean(raw: &Raw, name: &str, default: bool) -> Result<bool, String> {
    match raw {
        Raw::Absent => Ok(default),
        Raw::Bool(b) => Ok(*b),
        Raw::Unreadable => Err(named(name, "could not be read (its getter threw)")),
        _ => Err(named(name, "must be a boolean")),
    }
}

/// A name (a workspace, a journal id, a runner id): 1 to 200 characters, none U+FFFD (what
/// the npm layer reads an unpaired surrogate as: names that differ only in theirs would
/// name one workspace, journal or runner).
fn name_ok(s: &str) -> bool {
    !s.is_empty()
        && crate::text::char_count(s) <= MAX_NAME_CHARS
        && !crate::text::has_replacement_char(s)
}

/// Settles `ClientOptions`; the error names the option and why (the npm layer throws it
/// as a `TypeError`, the Rust `Client` returns it as an `OptionsError`).
pub fn client(input: ClientInput) -> Result<ClientSettings, String> {
    let api_key = match input.api_key {
        Raw::Text(k) if !crate::text::trim(&k).is_empty() => k,
        Raw::Text(_) => return Err("options.apiKey must not be empty".into()),
        Raw::Absent | Raw::Null => return Err("options.apiKey is required".into()),
        Raw::Unreadable => {
            return Err(named("apiKey", "could not be read (its getter threw)"));
        }
        _ => return Err("options.apiKey must be a string".into()),
    };
    // (Checked first: what JavaScript hands over of a longer string is its start, which
    // this refuses as it would the whole.)
    if api_key.len() > MAX_VALUE_LEN {
        return Err("options.apiKey is longer than 8192 bytes".into());
    }
    if api_key.chars().any(|c| c.is_control() || (c as u32) > 0xff) {
        return Err("options.apiKey holds characters an HTTP header cannot carry".into());
    }
    let base_url = match &input.base_url {
        Raw::Absent => DEFAULT_BASE_URL.to_owned(),
        Raw::Text(s) if s.len() > MAX_VALUE_LEN => {
            return Err("options.baseUrl is longer than 8192 bytes".into())
        }
        Raw::Text(s) => parse_base_url(s).map_err(|why| named("baseUrl", &why))?,
        Raw::Unreadable => return Err(named("baseUrl", "could not be read (its getter threw)")),
        _ => return Err("options.baseUrl must be a string".into()),
    };
    let timeout_ms = duration(&input.timeout_ms, "timeoutMs", DEFAULT_TIMEOUT_MS)?;
    let max_message_length = number(
        &input.max_message_length,
        "maxMessageLength",
        DEFAULT_MAX_MESSAGE_LENGTH as f64,
        0.0,
    )?;
    if max_message_length > MOST_MAX_MESSAGE_LENGTH as f64 {
        return Err(named("maxMessageLength", "must be at most 1000000"));
    }
    let max_rate_limit_wait_ms = number(
        &input.max_rate_limit_wait_ms,
        "maxRateLimitWaitMs",
        0.0,
        0.0,
    )?;
    let rate_limit_guard = boolean(&input.rate_limit_guard, "rateLimitGuard", true)?;
    let store_timeout_ms = duration(
        &input.store_timeout_ms,
        "storeTimeoutMs",
        DEFAULT_STORE_TIMEOUT_MS,
    )?;
    let max_in_flight = number(
        &input.max_in_flight_per_account,
        "maxInFlightPerAccount",
        f64::from(DEFAULT_MAX_IN_FLIGHT),
        1.0,
    )?;
    let workspace = match input.workspace {
        Raw::Absent => workspace_of_key(&api_key),
        // Surrounding spaces would name another workspace than the one meant.
        Raw::Text(w) if name_ok(&w) && crate::text::trim(&w) == w => w,
        _ => {
            return Err(
                "options.workspace must be a workspace's name: a string of 1 to 200 characters, without surrounding spaces or U+FFFD (an unpaired surrogate)"
                    .into(),
            )
        }
    };
    let defaults = input.default_headers?;
    for (name, value) in &defaults {
        crate::headers::check(name, value).map_err(|why| {
            crate::cat!(
                "options.defaultHeaders.",
                crate::text::clip(name, 100),
                " ",
                why
            )
        })?;
    }
    let mut own = vec![(String::from("Accept"), String::from("application/json"))];
    if let Some(ua) = crate::headers::user_agent_for(&input.user_agent) {
        own.push((String::from("User-Agent"), ua));
    }
    let headers = crate::headers::merge(&own, &defaults);
    let log_level = match &input.log_level {
        Raw::Absent => Level::Warn,
        Raw::Text(s) => Level::parse(s).ok_or_else(level_error)?,
        _ => return Err(level_error()),
    };
    if input.in_browser
        && !boolean(
            &input.dangerously_allow_browser,
            "dangerouslyAllowBrowser",
            false,
        )?
    {
        return Err(
            "refusing to run in a browser page, where anyone who opens it can read the API key; \
             call the API from a server or edge function, or pass dangerouslyAllowBrowser: true \
             (for a local sandbox or your own proxy)"
                .into(),
        );
    }
    boolean(
        &input.dangerously_allow_browser,
        "dangerouslyAllowBrowser",
        false,
    )?;
    #[cfg(not(feature = "sender"))]
    let scope = Scope::new(&workspace, &origin(&base_url));
    let endpoint = crate::cat!(base_url, ENDPOINT_PATH);
    Ok(ClientSettings {
        api_key,
        base_url,
        endpoint,
        timeout_ms,
        max_message_length: max_message_length as usize,
        policy: Policy {
            rate_limit_guard,
            max_rate_limit_wait_ms,
            max_in_flight_per_account: max_in_flight.min(f64::from(MAX_PARALLEL)) as u32,
        },
        shared: input.shared,
        store_timeout_ms,
        workspace,
        #[cfg(not(feature = "sender"))]
        scope,
        headers,
        log_level,
    })
}

fn level_error() -> String {
    "options.logLevel must be one of \"off\", \"error\", \"warn\", \"info\", \"debug\"".into()
}

/// What a caller gave as a send's (or a run's) own options, `signal` aside.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallInput {
    /// `timeoutMs`.
    pub timeout_ms: Raw,
    /// `headers`, as the transport read them (a wrong type is its field error).
    pub headers: Option<Result<Vec<(String, String)>, FieldError>>,
}

/// A send's settled own options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallSettings {
    /// This call's timeout, over the client's.
    pub timeout_ms: Option<f64>,
    /// This call's own headers, over the client's.
    pub headers: Vec<(String, String)>,
}

fn field_error(field: &str, message: String) -> Vec<FieldError> {
    vec![FieldError::new(field, FieldErrorCode::Type, message)]
}

/// Settles a call's options; a problem is a field error (a send resolves to a `validation`
/// failure, it never throws).
pub fn call(input: CallInput) -> Result<CallSettings, Vec<FieldError>> {
    let timeout_ms = match &input.timeout_ms {
        Raw::Absent => None,
        raw => {
            Some(duration(raw, "timeoutMs", 0.0).map_err(|m| field_error("options.timeoutMs", m))?)
        }
    };
    let headers = input
        .headers
        .unwrap_or(Ok(Vec::new()))
        .map_err(|e| vec![e])?;
    for (name, value) in &headers {
        crate::headers::check(name, value).map_err(|why| {
            field_error(
                "options.headers",
                crate::cat!("options.headers.", crate::text::clip(name, 100), " ", why),
            )
        })?;
    }
    Ok(CallSettings {
        timeout_ms,
        headers,
    })
}

/// What a caller gave as a run to many's own options (besides a call's).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunInput {
    /// `concurrency`.
    pub concurrency: Raw,
    /// `minIntervalMs`.
    pub min_interval_ms: Raw,
    /// `journal`.
    pub journal: Raw,
    /// `resendUnknown`.
    pub resend_unknown: Raw,
    /// `runnerId`.
    pub runner_id: Raw,
    /// Whether the client has a store (a journal needs one).
    pub shared: bool,
}

/// A run's settled own options (by default: one at a time, no pacing, no journal).
#[derive(Debug, Clone, PartialEq)]
pub struct RunSettings {
    /// Sends in flight at once.
    pub concurrency: usize,
    /// Least time between two starts for one account, ms.
    pub min_interval_ms: f64,
    /// The run's journal, with a store.
    pub journal: Option<String>,
    /// Send again an item whose runner died mid-send.
    pub resend_unknown: bool,
    /// Who claims the run's items.
    pub runner_id: Option<String>,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            concurrency: 1,
            min_interval_ms: 0.0,
            journal: None,
            resend_unknown: false,
            runner_id: None,
        }
    }
}

/// Settles a run's own options; a problem is the field error every item reports.
pub fn run(input: RunInput) -> Result<RunSettings, FieldError> {
    fn bad(field: &str, what: &str) -> FieldError {
        let name = crate::cat!("options.", field);
        let message = crate::cat!(name, " must be ", what);
        FieldError::new(name, FieldErrorCode::Type, message)
    }
    let mut out = RunSettings::default();
    match input.concurrency {
        Raw::Absent => {}
        Raw::Number(n) if n.is_finite() && n >= 1.0 => {
            out.concurrency = n.min(f64::from(MAX_PARALLEL)) as usize;
        }
        _ => return Err(bad("concurrency", "a finite number >= 1")),
    }
    out.min_interval_ms = duration(&input.min_interval_ms, "minIntervalMs", 0.0)
        .map_err(|m| FieldError::new("options.minIntervalMs", FieldErrorCode::Type, m))?;
    match input.journal {
        Raw::Absent => {}
        Raw::Text(j) if name_ok(&j) && input.shared => out.journal = Some(j),
        Raw::Text(j) if name_ok(&j) => {
            return Err(bad(
                "journal",
                "used with a store (options.store of the client) that keeps it",
            ))
        }
        _ => {
            return Err(bad(
                "journal",
                "a run id: a non-empty string of at most 200 characters, without U+FFFD (an unpaired surrogate)",
            ))
        }
    }
    match input.resend_unknown {
        Raw::Absent => {}
        Raw::Bool(b) => out.resend_unknown = b,
        _ => return Err(bad("resendUnknown", "a boolean")),
    }
    match input.runner_id {
        Raw::Absent => {}
        Raw::Text(r) if name_ok(&r) && out.journal.is_some() => out.runner_id = Some(r),
        Raw::Text(r) if name_ok(&r) => return Err(bad("runnerId", "used with a journal")),
        _ => {
            return Err(bad(
                "runnerId",
                "a runner's id: a non-empty string of at most 200 characters, without U+FFFD (an unpaired surrogate)",
            ))
        }
    }
    Ok(out)
}
