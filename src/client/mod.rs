//! `Client`: the Rust API, for Rust web apps compiled to wasm (Leptos, Yew, Dioxus,
//! plain wasm-bindgen) and Rust Workers. A second transport around the same core as
//! the npm package: the send machine (`send.rs`) and the bulk plan (`bulk.rs`) decide
//! everything, so both APIs make the same decisions; gloo-net performs the HTTP.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use connectsafely_wasm::{CallOptions, Client, ClientOptions};
//! use connectsafely_wasm::request::SendGroupWithAckRequest;
//!
//! let client = Client::new(ClientOptions::new("my-api-key"))?;
//! let request = SendGroupWithAckRequest {
//!     account_id: None,
//!     recipient_profile_urn: "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o".into(),
//!     group_id: "12345678".into(),
//!     message: "Thanks for your message in the group!".into(),
//!     message_urns: None,
//! };
//! match client.send_group_with_ack(&request, &CallOptions::default()).await.into_result() {
//!     Ok(sent) => log::info!("{:?}", sent.data.message),
//!     Err(failed) if failed.error.delivery_unknown => { /* check before resending */ }
//!     Err(failed) => return Err(failed.error.into()),
//! }
//! # Ok(()) }
//! ```

mod http;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use crate::accounts::Accounts;
use crate::bulk::{BulkPlan, BulkStep};
use crate::error::SendError;
use crate::outcome::Outcome;
use crate::request::SendGroupWithAckRequest;
use crate::result::{BulkResult, SendResult};
use crate::send::{SendMachine, Step};
use crate::settings::{
    CallInput, CallSettings, ClientInput, ClientSettings, Raw, RunInput, RunSettings,
};
use crate::validate::validate;
use crate::value::Value;

/// The options of a [`Client`], as contract section 3 names them (`camelCase` in JSON).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use connectsafely_wasm::{Client, ClientOptions};
///
/// // From code...
/// let options = ClientOptions::new("my-api-key").base_url("https://proxy.example.com/connectsafely").timeout_ms(10_000.0);
/// // ...or from configuration, with the JS API's option names.
/// let same: ClientOptions = serde_json::from_str(
///     r#"{ "apiKey": "my-api-key", "baseUrl": "https://proxy.example.com/connectsafely", "timeoutMs": 10000 }"#,
/// )?;
/// assert_eq!(options, same);
/// let client = Client::new(options)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientOptions {
    /// Your ConnectSafely API key (required, non-empty).
    pub api_key: String,
    /// Default `https://api.connectsafely.ai`; plain `http:` only for loopback hosts.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Default 30000: the whole HTTP call including the body; 0 = no timeout.
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    /// Default 8000 Unicode code points.
    #[serde(default)]
    pub max_message_length: Option<f64>,
    /// Default 0: never wait on a 429; else wait up to this long once, then send once more.
    #[serde(default)]
    pub max_rate_limit_wait_ms: Option<f64>,
    /// Default true: refuse locally while an account's quota is known to be spent.
    #[serde(default)]
    pub rate_limit_guard: Option<bool>,
    /// Default 4: sends in flight per account before a response tells its quota (then no
    /// more than what is left).
    #[serde(default)]
    pub max_in_flight_per_account: Option<f64>,
    /// Default false. In a browser page anyone can read the key: set only for a local
    /// sandbox or your own proxy.
    #[serde(default)]
    pub dangerously_allow_browser: Option<bool>,
    /// Headers every request carries, as `defaultHeaders` (not `Authorization` or
    /// `Content-Type`). Outside a browser the client also sends
    /// `User-Agent: connectsafely-wasm/<version>` unless one is set here.
    #[serde(default, with = "header_map")]
    pub default_headers: Vec<(String, String)>,
}

/// Headers as a JSON object (`{"X-Team": "growth"}`), in order, as the JS API takes them.
mod header_map {
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(v.len()))?;
        for (name, value) in v {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Vec<(String, String)>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of header names to string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = m.next_entry::<String, String>()? {
                    out.push(entry);
                }
                Ok(out)
            }
        }
        d.deserialize_map(Pairs)
    }
}

impl ClientOptions {
    /// Options with this API key and every default.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{Client, ClientOptions};
    ///
    /// let client = Client::new(ClientOptions::new("my-api-key"))?;
    /// assert_eq!(client.base_url(), "https://api.connectsafely.ai");
    /// # Ok(()) }
    /// ```
    pub fn new(api_key: impl Into<String>) -> Self {
        ClientOptions {
            api_key: api_key.into(),
            ..ClientOptions::default()
        }
    }

    /// The base URL requests go to (a path is kept).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{Client, ClientOptions};
    ///
    /// // A local sandbox: plain http is allowed only to loopback.
    /// let client = Client::new(ClientOptions::new("sandbox-key").base_url("http://127.0.0.1:8787"))?;
    /// # Ok(()) }
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The timeout of each call, in ms (0 = none).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{Client, ClientOptions};
    ///
    /// let client = Client::new(ClientOptions::new("my-api-key").timeout_ms(5_000.0))?;
    /// # Ok(()) }
    /// ```
    pub fn timeout_ms(mut self, ms: f64) -> Self {
        self.timeout_ms = Some(ms);
        self
    }

    /// How long a 429 may be waited on once, in ms.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{Client, ClientOptions};
    ///
    /// // On a 429 whose Retry-After is at most 2 s away, wait once and try again.
    /// let client = Client::new(ClientOptions::new("my-api-key").max_rate_limit_wait_ms(2_000.0))?;
    /// # Ok(()) }
    /// ```
    pub fn max_rate_limit_wait_ms(mut self, ms: f64) -> Self {
        self.max_rate_limit_wait_ms = Some(ms);
        self
    }

    /// Whether the guard refuses locally while a quota is known spent.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{Client, ClientOptions};
    ///
    /// // Always ask the server, even when the last response said the quota is spent.
    /// let client = Client::new(ClientOptions::new("my-api-key").rate_limit_guard(false))?;
    /// # Ok(()) }
    /// ```
    pub fn rate_limit_guard(mut self, on: bool) -> Self {
        self.rate_limit_guard = Some(on);
        self
    }

    /// Allows a browser page, where the key is readable by anyone who opens it.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{Client, ClientOptions};
    ///
    /// // A page talking to a local sandbox (never a production key in a page).
    /// let client = Client::new(ClientOptions::new("sandbox-key").base_url("http://127.0.0.1:8787").dangerously_allow_browser(true))?;
    /// # Ok(()) }
    /// ```
    pub fn dangerously_allow_browser(mut self, allow: bool) -> Self {
        self.dangerously_allow_browser = Some(allow);
        self
    }

    /// Adds a header every request carries.
    ///
    /// ```no_run
    /// use connectsafely_wasm::ClientOptions;
    /// let options = ClientOptions::new("key").header("X-Proxy-Auth", "p1");
    /// assert_eq!(options.default_headers, [("X-Proxy-Auth".to_string(), "p1".to_string())]);
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }
}

/// An option [`Client::new`] cannot take; the message names it and says why.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use connectsafely_wasm::{Client, ClientOptions};
///
/// let error = Client::new(ClientOptions::new("key").base_url("http://api.example.com")).unwrap_err();
/// assert!(error.to_string().contains("baseUrl"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsError(pub String);

impl std::fmt::Display for OptionsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OptionsError {}

/// Per-call options.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use connectsafely_wasm::{CallOptions, Client, ClientOptions};
/// use connectsafely_wasm::request::SendGroupWithAckRequest;
///
/// let client = Client::new(ClientOptions::new("my-api-key"))?;
/// let request = SendGroupWithAckRequest {
///     account_id: None,
///     recipient_profile_urn: "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o".into(),
///     group_id: "12345678".into(),
///     message: "Thanks for your message in the group!".into(),
///     message_urns: None,
/// };
/// let controller = web_sys::AbortController::new().map_err(|_| "no AbortController")?;
/// let options = CallOptions {
///     signal: Some(controller.signal()),
///     timeout_ms: Some(5_000.0),
///     headers: vec![("traceparent".into(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into())],
/// };
/// let result = client.send_group_with_ack(&request, &options).await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Aborting it ends the call with an `aborted` failure.
    pub signal: Option<AbortSignal>,
    /// Overrides the client's timeout for this call.
    pub timeout_ms: Option<f64>,
    /// This call's own headers, over the client's.
    pub headers: Vec<(String, String)>,
}

/// Called with an item's index and result as it settles.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use connectsafely_wasm::{BulkOptions, OnResult};
///
/// let progress: OnResult = &|i, result| log::info!("item {i}: {}", if result.ok() { "sent" } else { "not sent" });
/// let options = BulkOptions { on_result: Some(progress), ..BulkOptions::default() };
/// # Ok(()) }
/// ```
pub type OnResult<'a> = &'a dyn Fn(usize, &SendResult);

/// Options of [`Client::send_group_with_ack_many`].
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use connectsafely_wasm::{BulkOptions, Client, ClientOptions};
/// use connectsafely_wasm::request::SendGroupWithAckRequest;
///
/// let client = Client::new(ClientOptions::new("my-api-key"))?;
/// let requests: Vec<SendGroupWithAckRequest> = Vec::new(); // your list
/// let run = client
///     .send_group_with_ack_many(&requests, &BulkOptions { concurrency: 2, min_interval_ms: 1_000.0, ..BulkOptions::default() })
///     .await;
/// let tomorrow: Vec<&SendGroupWithAckRequest> = run.not_attempted.iter().map(|&i| &requests[i]).collect();
/// # Ok(()) }
/// ```
#[derive(Default)]
pub struct BulkOptions<'a> {
    /// Aborting it stops the run: sends in flight settle as `aborted`, the rest are not attempted.
    pub signal: Option<AbortSignal>,
    /// Per send.
    pub timeout_ms: Option<f64>,
    /// Sends in flight at once (default 1).
    pub concurrency: usize,
    /// Least time between two send starts for one account, in ms.
    pub min_interval_ms: f64,
    /// Called as each item settles.
    pub on_result: Option<OnResult<'a>>,
    /// Each send's own headers, over the client's.
    pub headers: Vec<(String, String)>,
}

impl std::fmt::Debug for BulkOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkOptions")
            .field("concurrency", &self.concurrency)
            .field("min_interval_ms", &self.min_interval_ms)
            .finish_non_exhaustive()
    }
}

struct Inner {
    /// The core's settings of the options.
    settings: ClientSettings,
    accounts: RefCell<Accounts>,
}

/// A client of `POST /linkedin/messaging/send-group-with-ack`, for Rust on wasm32.
/// Cheap to clone (the clones share the account registry, as one JS client does).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use connectsafely_wasm::{CallOptions, Client, ClientOptions};
/// use connectsafely_wasm::request::SendGroupWithAckRequest;
///
/// let client = Client::new(ClientOptions::new("my-api-key"))?;
/// let for_another_task = client.clone(); // shares the accounts' quota state
/// let request = SendGroupWithAckRequest {
///     account_id: None,
///     recipient_profile_urn: "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o".into(),
///     group_id: "12345678".into(),
///     message: "Thanks for your message in the group!".into(),
///     message_urns: None,
/// };
/// let result = for_another_task.send_group_with_ack(&request, &CallOptions::default()).await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for Client {
    /// The API key is never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.settings.base_url)
            .field("api_key", &"[redacted]")
            .finish()
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// A call's settled options (the core's rules), with the client's headers under its own.
fn call_settings(
    client: &ClientSettings,
    timeout_ms: Option<f64>,
    headers: &[(String, String)],
) -> Result<(f64, Vec<(String, String)>), SendError> {
    let settled = crate::settings::call(CallInput {
        timeout_ms: Raw::number(timeout_ms),
        headers: Some(Ok(headers.to_vec())),
    })
    .map_err(SendError::validation)?;
    Ok((
        settled.timeout_ms.unwrap_or(client.timeout_ms),
        crate::headers::merge(&client.headers, &settled.headers),
    ))
}

/// `navigator.userAgent`, or "" where there is none.
fn navigator_user_agent() -> String {
    let navigator = crate::js::global("navigator");
    crate::js::prop(&navigator, "userAgent")
        .ok()
        .and_then(|a| a.as_string())
        .unwrap_or_default()
}

/// The `log` facade's level for one of the core's, when the facade takes it now.
fn enabled(level: crate::log::Level) -> Option<::log::Level> {
    use crate::log::Level as L;
    let level = match level {
        L::Off => return None,
        L::Error => ::log::Level::Error,
        L::Warn => ::log::Level::Warn,
        L::Info => ::log::Level::Info,
        L::Debug => ::log::Level::Debug,
    };
    ::log::log_enabled!(target: "connectsafely_wasm", level).then_some(level)
}

/// Writes a line of the core's (`crate::log`) to the `log` facade.
fn emit(level: crate::log::Level, line: &str) {
    if let Some(level) = enabled(level) {
        ::log::log!(target: "connectsafely_wasm", level, "{line}");
    }
}

/// A send's outcome line, built only when the `log` facade takes its level.
fn outcome_line(outcome: &Outcome, key: &str) -> Option<(::log::Level, String)> {
    let level = enabled(crate::log::level_of(outcome))?;
    Some((level, crate::log::outcome(outcome, key).1))
}

/// Writes what `outcome_line` built.
fn emit_line(line: Option<(::log::Level, String)>) {
    if let Some((level, line)) = line {
        ::log::log!(target: "connectsafely_wasm", level, "{line}");
    }
}

impl Client {
    /// A client; the error names the option that is wrong, as the JS constructor's `TypeError`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{Client, ClientOptions};
    ///
    /// assert!(Client::new(ClientOptions::new("")).is_err()); // the API key is required
    /// let client = Client::new(ClientOptions::new("my-api-key"))?;
    /// # Ok(()) }
    /// ```
    pub fn new(options: ClientOptions) -> Result<Client, OptionsError> {
        let document = crate::js::global("document");
        let input = ClientInput {
            api_key: Raw::Text(options.api_key),
            base_url: options.base_url.map_or(Raw::Absent, Raw::Text),
            timeout_ms: Raw::number(options.timeout_ms),
            max_message_length: Raw::number(options.max_message_length),
            max_rate_limit_wait_ms: Raw::number(options.max_rate_limit_wait_ms),
            rate_limit_guard: Raw::boolean(options.rate_limit_guard),
            dangerously_allow_browser: Raw::boolean(options.dangerously_allow_browser),
            max_in_flight_per_account: Raw::number(options.max_in_flight_per_account),
            default_headers: Ok(options.default_headers),
            in_browser: !document.is_undefined() && !document.is_null(),
            user_agent: navigator_user_agent(),
            ..ClientInput::default()
        };
        let settings = crate::settings::client(input).map_err(OptionsError)?;
        Ok(Client {
            inner: Rc::new(Inner {
                settings,
                accounts: RefCell::new(Accounts::new()),
            }),
        })
    }

    /// The base URL requests go to.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{Client, ClientOptions};
    ///
    /// let client = Client::new(ClientOptions::new("key").base_url("https://proxy.example.com/cs/"))?;
    /// assert_eq!(client.base_url(), "https://proxy.example.com/cs");
    /// # Ok(()) }
    /// ```
    pub fn base_url(&self) -> &str {
        &self.inner.settings.base_url
    }

    /// Validates `request` as the server would (and stricter), then sends it once.
    /// Never fails: every outcome is a [`SendResult`].
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{CallOptions, Client, ClientOptions};
    /// use connectsafely_wasm::request::SendGroupWithAckRequest;
    ///
    /// let client = Client::new(ClientOptions::new("my-api-key"))?;
    /// let request = SendGroupWithAckRequest {
    ///     account_id: None,
    ///     recipient_profile_urn: "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o".into(),
    ///     group_id: "12345678".into(),
    ///     message: "Thanks for your message in the group!".into(),
    ///     message_urns: None,
    /// };
    /// match client.send_group_with_ack(&request, &CallOptions::default()).await.into_result() {
    ///     Ok(sent) => log::info!("{:?}, {:?} left today", sent.data.message, sent.rate_limit.and_then(|r| r.remaining)),
    ///     Err(failed) if failed.error.delivery_unknown => log::warn!("may have been delivered: check before resending"),
    ///     Err(failed) => log::error!("not sent: {}", failed.error.message),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send_group_with_ack(
        &self,
        request: &SendGroupWithAckRequest,
        options: &CallOptions,
    ) -> SendResult {
        self.send_value(&Value::from(request), options).await
    }

    /// Validates untrusted JSON (a form, a request body) as the JS API validates a JS
    /// value, then sends it once. Never fails.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{CallOptions, Client, ClientOptions};
    ///
    /// let client = Client::new(ClientOptions::new("my-api-key"))?;
    /// // A form's fields as they came: a number for groupId is a validation failure, and nothing is sent.
    /// let body = serde_json::json!({ "recipientProfileUrn": "urn:li:fsd_profile:A", "groupId": 12345678, "message": "Hi" });
    /// let result = client.send_json(&body, &CallOptions::default()).await;
    /// assert_eq!(result.error().map(|e| e.kind.as_str()), Some("validation"));
    /// # Ok(()) }
    /// ```
    pub async fn send_json(&self, body: &serde_json::Value, options: &CallOptions) -> SendResult {
        self.send_value(&Value::from(body), options).await
    }

    async fn send_value(&self, body: &Value, options: &CallOptions) -> SendResult {
        let inner = &self.inner;
        let settings = &inner.settings;
        let checked = call_settings(settings, options.timeout_ms, &options.headers).and_then(
            |(timeout, headers)| {
                validate(body, settings.max_message_length)
                    .map(|r| (r, timeout, headers))
                    .map_err(SendError::validation)
            },
        );
        let (outcome, key) = match checked {
            Ok((request, timeout, headers)) => {
                let machine =
                    SendMachine::new(&mut inner.accounts.borrow_mut(), request.account_key());
                let outcome = outcome_of(
                    self.drive(
                        machine,
                        &request.to_json(),
                        options.signal.as_ref(),
                        timeout,
                        &headers,
                    )
                    .await,
                );
                (outcome, request.account_key().to_owned())
            }
            Err(e) => (Outcome::local(e), String::new()),
        };
        emit_line(outcome_line(&outcome, &key));
        SendResult::from_outcome(outcome, &inner.settings.api_key)
    }

    /// Performs each request and wait the send machine asks for; returns it done.
    async fn drive(
        &self,
        mut machine: SendMachine,
        json: &str,
        signal: Option<&AbortSignal>,
        timeout: f64,
        headers: &[(String, String)],
    ) -> SendMachine {
        let inner = &self.inner;
        let mut attempt = 0;
        let mut step = if signal.is_some_and(AbortSignal::aborted) {
            machine.abort(&mut inner.accounts.borrow_mut())
        } else {
            machine.start(
                &inner.settings.policy,
                &mut inner.accounts.borrow_mut(),
                now(),
            )
        };
        loop {
            step = match step {
                Step::Fetch => {
                    attempt += 1;
                    let began = now();
                    let a = http::exchange(
                        &inner.settings.endpoint,
                        &inner.settings.api_key,
                        headers,
                        json,
                        signal,
                        timeout,
                    )
                    .await;
                    if ::log::log_enabled!(target: "connectsafely_wasm", ::log::Level::Debug) {
                        let (status, info) = a.seen();
                        let line = crate::log::attempt(
                            &inner.settings.endpoint,
                            attempt,
                            status,
                            now() - began,
                            info.as_ref(),
                        );
                        emit(crate::log::Level::Debug, &line);
                    }
                    machine.exchanged(
                        a.exchange(),
                        &inner.settings.policy,
                        &mut inner.accounts.borrow_mut(),
                        now(),
                    )
                }
                Step::Wait(ms) => {
                    let why = machine
                        .waiting_for()
                        .unwrap_or(crate::send::WaitFor::RetryAfter429);
                    emit(crate::log::Level::Debug, &crate::log::waiting(ms, why));
                    if http::sleep(ms, signal).await {
                        machine.waited(
                            &inner.settings.policy,
                            &mut inner.accounts.borrow_mut(),
                            now(),
                        )
                    } else {
                        machine.abort(&mut inner.accounts.borrow_mut())
                    }
                }
                // The Rust API keeps no shared store: its sends never ask for a swap.
                Step::Swap => {
                    machine.store_failed("the Rust API has no shared store", &inner.settings.policy)
                }
                Step::Done => break,
            };
        }
        machine
    }

    /// Sends many requests, quota-aware, as `sendGroupWithAckMany`: each is validated
    /// first; `concurrency` at a time, `min_interval_ms` apart per account; a 429 or the
    /// guard stops that account, a 401 or the signal stops everything; nothing is sent
    /// twice. Never fails.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{BulkOptions, Client, ClientOptions};
    /// use connectsafely_wasm::request::SendGroupWithAckRequest;
    ///
    /// let client = Client::new(ClientOptions::new("my-api-key"))?;
    /// let requests: Vec<SendGroupWithAckRequest> = Vec::new(); // your list
    /// let run = client.send_group_with_ack_many(&requests, &BulkOptions::default()).await;
    /// log::info!("{} sent, {} failed, stopped by {:?}", run.sent, run.failed, run.stopped_by);
    /// # Ok(()) }
    /// ```
    pub async fn send_group_with_ack_many(
        &self,
        requests: &[SendGroupWithAckRequest],
        options: &BulkOptions<'_>,
    ) -> BulkResult {
        let inner = &self.inner;
        let signal = options.signal.as_ref();
        let mut results: Vec<Option<SendResult>> = Vec::with_capacity(requests.len());
        let mut keys = Vec::with_capacity(requests.len());
        let mut valid = Vec::with_capacity(requests.len());
        let settings = &inner.settings;
        // The run's options, by the core's rules (as the npm build reads them): a problem
        // is every item's validation failure.
        let settled = Self::run_settings(options).map(|(run, call)| {
            (
                run,
                call.timeout_ms.unwrap_or(settings.timeout_ms),
                crate::headers::merge(&settings.headers, &call.headers),
            )
        });
        for (i, request) in requests.iter().enumerate() {
            let checked = settled.clone().and_then(|_| {
                validate(&Value::from(request), settings.max_message_length)
                    .map_err(SendError::validation)
            });
            match checked {
                Ok(r) => {
                    keys.push(Some(r.account_key().to_owned()));
                    valid.push(Some(r));
                    results.push(None);
                }
                Err(e) => {
                    keys.push(None);
                    valid.push(None);
                    let r = SendResult::from_outcome(Outcome::local(e), &settings.api_key);
                    if let Some(f) = options.on_result {
                        f(i, &r);
                    }
                    results.push(Some(r));
                }
            }
        }
        let (run_settings, timeout, headers) = match settled {
            Ok(s) => s,
            // Every item failed validation above: nothing to send.
            Err(_) => (RunSettings::default(), settings.timeout_ms, Vec::new()),
        };
        let plan = BulkPlan::new(
            &mut inner.accounts.borrow_mut(),
            keys,
            run_settings.min_interval_ms,
        );
        let run = RefCell::new((plan, results));
        let count = valid.iter().filter(|r| r.is_some()).count();
        let workers = run_settings.concurrency.min(count.max(1));
        let worker = || async {
            loop {
                if signal.is_some_and(AbortSignal::aborted) {
                    run.borrow_mut().0.abort();
                }
                let next = run.borrow_mut().0.next(&inner.accounts.borrow(), now());
                match next {
                    BulkStep::Start(i) => {
                        let (Some(Some(request)), Some(account)) =
                            (valid.get(i), run.borrow().0.account_of(i))
                        else {
                            continue;
                        };
                        let machine = SendMachine::for_account(account);
                        let sent = self
                            .drive(machine, &request.to_json(), signal, timeout, &headers)
                            .await;
                        let mut r = run.borrow_mut();
                        let (plan, results) = &mut *r;
                        plan.settle_send(i, &sent, &inner.accounts.borrow(), now());
                        let outcome = outcome_of(sent);
                        let line = outcome_line(&outcome, request.account_key());
                        let result = SendResult::from_outcome(outcome, &settings.api_key);
                        // An item left not attempted is the run's summary's to report.
                        if !plan.is_not_attempted(i) {
                            emit_line(line);
                            if let Some(f) = options.on_result {
                                f(i, &result);
                            }
                            if let Some(slot) = results.get_mut(i) {
                                *slot = Some(result);
                            }
                        }
                    }
                    BulkStep::WaitUntil(t) => {
                        if !http::sleep((t - now()).max(0.0), signal).await {
                            run.borrow_mut().0.abort();
                        }
                    }
                    BulkStep::Done => break,
                }
            }
        };
        join_all(
            (0..workers)
                .map(|_| Box::pin(worker()) as Pin<Box<dyn Future<Output = ()>>>)
                .collect(),
        )
        .await;
        let (plan, results) = run.into_inner();
        let summary = plan.summary();
        emit(crate::log::Level::Info, &crate::log::run(&summary));
        BulkResult::new(results, summary)
    }
}

impl Client {
    /// A run's options as the core settles them (`BulkOptions::concurrency` 0 is the
    /// default), or the validation failure every item of the run reports.
    #[doc(hidden)]
    pub fn run_settings(
        options: &BulkOptions<'_>,
    ) -> Result<(RunSettings, CallSettings), SendError> {
        // A call's options first, then a run's own, as the npm build reads them.
        let call = crate::settings::call(CallInput {
            timeout_ms: Raw::number(options.timeout_ms),
            headers: Some(Ok(options.headers.clone())),
        })
        .map_err(SendError::validation)?;
        let run = crate::settings::run(RunInput {
            concurrency: match options.concurrency {
                0 => Raw::Absent,
                c => Raw::Number(c as f64),
            },
            min_interval_ms: Raw::Number(options.min_interval_ms),
            ..RunInput::default()
        })
        .map_err(|e| SendError::validation(vec![e]))?;
        Ok((run, call))
    }

    /// The settings the core settled from this client's options.
    #[doc(hidden)]
    pub fn settings(&self) -> &ClientSettings {
        &self.inner.settings
    }
}

/// A finished send's outcome.
fn outcome_of(machine: SendMachine) -> Outcome {
    machine
        .into_outcome()
        .unwrap_or_else(|| Outcome::local(SendError::aborted(false)))
}

/// Runs every future to completion, polling each in turn (one thread; no executor).
async fn join_all(mut futures: Vec<Pin<Box<dyn Future<Output = ()> + '_>>>) {
    std::future::poll_fn(move |cx: &mut Context<'_>| {
        futures.retain_mut(|f| f.as_mut().poll(cx).is_pending());
        if futures.is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await
}

impl SendResult {
    /// The result as the JS API's object (serde-wasm-bindgen), for Rust code that hands it
    /// to JavaScript. Optional fields absent in Rust are `null`, as in JS.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{CallOptions, Client, ClientOptions};
    /// use connectsafely_wasm::request::SendGroupWithAckRequest;
    ///
    /// let client = Client::new(ClientOptions::new("my-api-key"))?;
    /// let request = SendGroupWithAckRequest {
    ///     account_id: None,
    ///     recipient_profile_urn: "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o".into(),
    ///     group_id: "12345678".into(),
    ///     message: "Thanks for your message in the group!".into(),
    ///     message_urns: None,
    /// };
    /// let result = client.send_group_with_ack(&request, &CallOptions::default()).await;
    /// // For a #[wasm_bindgen] function that returns the JS API's result object.
    /// let object: wasm_bindgen::JsValue = result.to_js()?;
    /// # Ok(()) }
    /// ```
    pub fn to_js(&self) -> Result<JsValue, serde_wasm_bindgen::Error> {
        self.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
    }

    /// A result object of the JS API, read into Rust (its shape is checked: unknown
    /// fields are an error).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::result::SendResult;
    ///
    /// // A result object that JavaScript produced (the npm package's), handed to Rust.
    /// let from_js: wasm_bindgen::JsValue = wasm_bindgen::JsValue::NULL; // yours
    /// match SendResult::from_js(from_js) {
    ///     Ok(result) => log::info!("ok: {}", result.ok()),
    ///     Err(not_a_result) => log::warn!("{not_a_result}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn from_js(value: JsValue) -> Result<SendResult, serde_wasm_bindgen::Error> {
        serde_wasm_bindgen::from_value(value)
    }
}

impl BulkResult {
    /// The run's result as the JS API's object.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use connectsafely_wasm::{BulkOptions, Client, ClientOptions};
    ///
    /// let client = Client::new(ClientOptions::new("my-api-key"))?;
    /// let run = client.send_group_with_ack_many(&[], &BulkOptions::default()).await;
    /// let object: wasm_bindgen::JsValue = run.to_js()?;
    /// # Ok(()) }
    /// ```
    pub fn to_js(&self) -> Result<JsValue, serde_wasm_bindgen::Error> {
        self.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
    }
}
