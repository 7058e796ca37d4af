//! The thin wasm layer of the npm package: synchronous exports only. `Core` holds
//! one client's settled options, its account registry and the sends and runs in
//! progress; the package's JavaScript driver (`pkg-template/src/client.js`)
//! performs fetch, timers and abort, and asks `Core` at every step. Every decision
//! is the core's (`send.rs`, `bulk.rs`); this layer reads JS values and builds
//! result objects.

#[allow(unused_imports)]
use crate::prelude::*;

mod bulk;
mod options;
mod read;
mod result;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::accounts::{AccountId, Accounts};
use crate::bulk::BulkStep as CoreBulkStep;
use crate::classify::{BodyFacts, JsonView, BODY_KEYS};
use crate::error::{FieldError, SendError};
use crate::js;
use crate::log::Level;
use crate::outcome::{Exchange, Interrupt, Outcome};
use crate::rate_limit::{RateLimitHeaders, RateLimitInfo};
use crate::request::SendGroupWithAckRequest;
use crate::send::{Policy, SendMachine, SharedSend, Step as CoreStep};
use crate::store::SharedPolicy;
use crate::validate::{is_valid_unchanged, validate, DEFAULT_MAX_MESSAGE_LENGTH, KNOWN_FIELDS};
use crate::value::Value;
use bulk::Run;
use options::Config;

/// What the driver must do for a send now (the core's `Step`).
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Send `request(id)` to `setup`'s endpoint once, then report with `exchanged`.
    Fetch = 0,
    /// Wait `waitMs(id)`, then call `waited` (or `abort` if the signal fires).
    Wait = 1,
    /// Finished: `finish(id)` (or `bulkSettle`) gives the result.
    Done = 2,
    /// Perform `swap(id)` on the store, then `swapped` (or `storeFailed`).
    Swap = 3,
}

/// What happened to one request, as the driver saw it.
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exchanged {
    /// There is no fetch to call (no option, no global).
    NoFetch = 0,
    /// fetch threw before returning: nothing left.
    NotSent = 1,
    /// fetch rejected, or the timeout or the signal ended the wait for a response.
    NoResponse = 2,
    /// fetch resolved to something that is not a Response.
    NotAResponse = 3,
    /// A browser's opaque answer to a redirect (`redirect: "manual"`).
    Opaque = 4,
    /// The status and headers arrived; reading the body failed or was cut short.
    HeadOnly = 5,
    /// The whole response.
    Complete = 6,
}

/// Who cut a request short.
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Nobody.
    None = 0,
    /// The call's timeout.
    Timeout = 1,
    /// The caller's signal.
    Aborted = 2,
}

/// What a worker of a bulk run must do now (the core's `Next`).
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkStep {
    /// `bulkSend(run)` gives the id of the item's send, already started.
    Start = 0,
    /// Wait `bulkWaitMs(run)` (pacing), then ask again.
    Wait = 1,
    /// Nothing more for this worker.
    Done = 2,
}

/// The response headers the core reads, lower-case, in the order `exchanged` takes them.
#[wasm_bindgen(js_name = rateLimitHeaderNames)]
pub fn rate_limit_header_names() -> Vec<String> {
    RateLimitHeaders::NAMES
        .iter()
        .map(|n| (*n).to_owned())
        .collect()
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

/// The request's field names, in the order of the validation table.
#[wasm_bindgen(js_name = knownFields)]
pub fn known_fields() -> Vec<String> {
    KNOWN_FIELDS.iter().map(|n| (*n).to_owned()).collect()
}

/// The validation fast path: whether a body of exactly these string fields (account
/// `""` = absent; no `messageUrns`, no other key) is valid as it is, under the default
/// limit. False means "ask `validateSendGroupWithAck`", not "invalid". No allocation:
/// the strings are borrowed from wasm-bindgen's copies.
#[wasm_bindgen(js_name = validUnchanged)]
pub fn valid_unchanged(account: &str, urn: &str, group: &str, message: &str) -> bool {
    let account = (!account.is_empty()).then_some(account);
    is_valid_unchanged(account, urn, group, message, DEFAULT_MAX_MESSAGE_LENGTH)
}

// What the driver reads in one call, as arrays: each with its TypeScript tuple type,
// written beside the code that builds it, so the driver's destructuring is type-checked
// against the core's order (scripts/check-driver.mjs) instead of reading `any[]`.
#[wasm_bindgen]
extern "C" {
    /// `Core.setup`.
    #[wasm_bindgen(
        typescript_type = "[apiKey: string, endpoint: string, fetch: Function | undefined, store: any, storeTimeoutMs: number, logLevel: number, logger: any, hooks: any, headerPairs: string[]]"
    )]
    pub type Setup;
    /// `Core.request`.
    #[wasm_bindgen(
        typescript_type = "[body: string, signal: AbortSignal | undefined, timeoutMs: number, headerPairs: string[] | undefined]"
    )]
    pub type SendRequest;
    /// `Core.swap`.
    #[wasm_bindgen(
        typescript_type = "[key: string, expected: number | undefined, value: string | undefined]"
    )]
    pub type StoreSwap;
    /// `Core.bulkChecks`.
    #[wasm_bindgen(
        typescript_type = "[key: string, expected: number | undefined, value: string | undefined][]"
    )]
    pub type StoreChecks;
    /// `bodyRules()`.
    #[wasm_bindgen(typescript_type = "[maxBody: number, keptBody: number, redacted: string]")]
    pub type BodyRules;
    /// `Core.attemptSeen`.
    #[wasm_bindgen(
        typescript_type = "[status: number | undefined, rateLimit: object | null, kind: string | undefined, deliveryUnknown: boolean]"
    )]
    pub type AttemptSeen;
    /// `Core.logOutcome`.
    #[wasm_bindgen(typescript_type = "[level: number, line: string]")]
    pub type LogLine;
}

#[wasm_bindgen(module = "/src/wasm/fields.js")]
extern "C" {
    /// `o[k]` with no `catch`: only for `JSON.parse` results, whose plain data
    /// properties cannot throw.
    #[wasm_bindgen(js_name = dataProp)]
    fn data_prop(o: &JsValue, k: &JsValue) -> JsValue;
    /// `o[BODY_KEYS[i]]` when `o` is a JSON object (not an array), else `undefined`:
    /// one call per field read, and no key string made.
    #[wasm_bindgen(js_name = bodyField)]
    fn body_field(o: &JsValue, i: u32) -> JsValue;
}

/// `o[key]` (a key of `BODY_KEYS`) when `o` is a JSON object and that is a string: the
/// body's own JS string, handed to a result without a copy out of wasm.
pub(crate) fn body_string(o: &JsValue, key: &str) -> Option<JsValue> {
    let i = BODY_KEYS.iter().position(|k| *k == key)?;
    Some(body_field(o, i as u32)).filter(JsValue::is_string)
}

/// `JSON.parse`'s result, read where classification asks (the body is parsed once, in JS),
/// and whether a success's strings are copied into wasm (`text`): only when a journal
/// records them. Else the result hands back the body's own (`result::send_result`), and
/// each reads as `""` here.
struct JsJson(JsValue, bool);

impl JsonView for JsJson {
    fn field(&self, key: &str) -> Option<Self> {
        // By its index in BODY_KEYS, which holds every key classification reads.
        let i = BODY_KEYS.iter().position(|k| *k == key)?;
        let v = body_field(&self.0, i as u32);
        (!v.is_undefined()).then_some(JsJson(v, self.1))
    }
    fn string(&self) -> Option<String> {
        self.0.as_string()
    }
    fn text(&self) -> Option<String> {
        if self.1 {
            self.0.as_string()
        } else {
            self.0.is_string().then(String::new)
        }
    }
    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }
    fn is_object(&self) -> bool {
        self.0.is_object() && !js::is_array(&self.0).unwrap_or(true)
    }
    fn elements(&self, max: usize) -> Option<Vec<Self>> {
        if !js::is_array(&self.0).unwrap_or(false) {
            return None;
        }
        let len = js::prop(&self.0, "length").ok()?.as_f64()?;
        Some(
            (0..(len as usize).min(max))
                .map(|i| JsJson(data_prop(&self.0, &JsValue::from(i as u32)), self.1))
                .collect(),
        )
    }
    fn index(&self) -> Option<String> {
        let n = self.0.as_f64()?;
        (n >= 0.0 && crate::num::fract(n) == 0.0).then(|| crate::text::whole(n))
    }
}

/// A send in progress: its machine and what the driver needs of it.
struct Sending {
    machine: SendMachine,
    json: String,
    signal: Option<AbortSignal>,
    timeout_ms: f64,
    /// The last response's body as `JSON.parse` read it, and what fetch threw.
    parsed: JsValue,
    thrown: JsValue,
    /// The request's headers when the call set its own (else the client's).
    headers: Option<Vec<(String, String)>>,
    /// The last attempt's status and rate limit, kept for logs and hooks.
    attempt: Option<(Option<u16>, Option<RateLimitInfo>)>,
}

/// Entries reused by index; ids stay small and never dangle while in use.
struct Slab<T> {
    items: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Slab<T> {
    fn new() -> Self {
        Slab {
            items: Vec::new(),
            free: Vec::new(),
        }
    }

    fn insert(&mut self, item: T) -> u32 {
        match self.free.pop() {
            Some(id) => {
                if let Some(place) = self.items.get_mut(id as usize) {
                    *place = Some(item);
                }
                id
            }
            None => {
                self.items.push(Some(item));
                (self.items.len() - 1) as u32
            }
        }
    }

    fn get(&self, id: u32) -> Option<&T> {
        self.items.get(id as usize).and_then(Option::as_ref)
    }

    fn get_mut(&mut self, id: u32) -> Option<&mut T> {
        self.items.get_mut(id as usize).and_then(Option::as_mut)
    }

    fn remove(&mut self, id: u32) -> Option<T> {
        let item = self.items.get_mut(id as usize).and_then(Option::take);
        if item.is_some() {
            self.free.push(id);
        }
        item
    }
}

/// One client's state, for the package's JavaScript driver (not exported by the package).
#[wasm_bindgen]
pub struct Core {
    config: Config,
    policy: Policy,
    accounts: Accounts,
    sends: Slab<Sending>,
    runs: Slab<Run>,
    /// This client's id among the processes sharing a store, and its lease counter.
    runner: u32,
    leases: u32,
    /// Runs begun, naming each run's runner in a journal (unless given `runnerId`).
    runs_begun: u32,
}

impl core::fmt::Debug for Core {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_string_js())
    }
}

impl Core {
    fn sending(&self, id: u32) -> Option<&Sending> {
        self.sends.get(id)
    }

    /// `POST` goes here: the base URL and the endpoint's path.
    fn endpoint(&self) -> String {
        self.config.settings.endpoint.clone()
    }

    /// The shared-store part of a send (when a store was given): a fresh lease, and the
    /// pacing of `min_interval_ms` across processes.
    fn shared_send(
        &mut self,
        account: AccountId,
        min_interval_ms: f64,
        timeout_ms: f64,
    ) -> Option<SharedSend> {
        if !self.config.settings.shared {
            return None;
        }
        let name = self.accounts.get(account).map_or("", |a| a.key.as_str());
        let key = self.config.settings.scope.account(name);
        self.leases = self.leases.wrapping_add(1) & 0xF_FFFF;
        let lease = (u64::from(self.runner) << 20) | u64::from(self.leases);
        // A reservation outlives the send it covers, unless its process died.
        let lease_ms = crate::policy::hold_ms(timeout_ms);
        Some(SharedSend {
            lease,
            policy: SharedPolicy {
                min_interval_ms,
                max_unknown_in_flight: self.config.settings.policy.max_in_flight_per_account,
                lease_ms,
            },
            key,
        })
    }

    /// A send of a validated request, started (or refused, or aborted) now.
    #[allow(clippy::too_many_arguments)]
    fn launch(
        &mut self,
        request: &SendGroupWithAckRequest,
        machine: SendMachine,
        signal: Option<AbortSignal>,
        timeout_ms: f64,
        min_interval_ms: f64,
        headers: &[(String, String)],
    ) -> u32 {
        let mut machine = machine;
        if let Some(shared) = self.shared_send(machine.account(), min_interval_ms, timeout_ms) {
            machine = machine.with_shared(shared);
        }
        if signal.as_ref().is_some_and(AbortSignal::aborted) {
            machine.abort(&mut self.accounts);
        } else {
            machine.start(&self.policy, &mut self.accounts, js::now());
        }
        self.sends.insert(Sending {
            machine,
            json: request.to_json(),
            signal,
            timeout_ms,
            parsed: JsValue::UNDEFINED,
            thrown: JsValue::UNDEFINED,
            headers: (!headers.is_empty())
                .then(|| crate::headers::merge(&self.config.settings.headers, headers)),
            attempt: None,
        })
    }

    /// A send that is over before it began (its outcome decided at once).
    fn settled(&mut self, outcome: Outcome) -> u32 {
        self.sends.insert(Sending {
            machine: SendMachine::finished(outcome),
            json: String::new(),
            signal: None,
            timeout_ms: 0.0,
            parsed: JsValue::UNDEFINED,
            thrown: JsValue::UNDEFINED,
            headers: None,
            attempt: None,
        })
    }

    /// Removes send `id` and builds its `SendResult`.
    fn take_result(&mut self, id: u32) -> JsValue {
        let Some(sending) = self.sends.remove(id) else {
            return result::send_result(
                &Outcome::local(SendError::aborted(false)),
                None,
                JsValue::UNDEFINED,
                &self.config.settings.api_key,
            );
        };
        let outcome = sending
            .machine
            .into_outcome()
            .unwrap_or_else(|| Outcome::local(SendError::aborted(false)));
        let outcome = crate::policy::scrubbed(outcome, &self.config.settings.api_key);
        let parsed =
            (outcome.body.is_some() && !sending.parsed.is_undefined()).then_some(sending.parsed);
        result::send_result(
            &outcome,
            parsed,
            sending.thrown,
            &self.config.settings.api_key,
        )
    }
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
            runs: Slab::new(),
            runner,
            leases: 0,
            runs_begun: 0,
        })
    }

    /// The base URL requests go to.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.config.settings.base_url.clone()
    }

    /// The workspace whose state a shared store keeps: the `workspace` option, else a
    /// digest of the API key (which does not reveal it).
    #[wasm_bindgen(getter)]
    pub fn workspace(&self) -> String {
        self.config.settings.workspace.clone()
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

    /// What send `id` sends, the same for each of its attempts: `[body, signal,
    /// timeoutMs, headerPairs]`: its JSON body, the caller's signal (`undefined` when
    /// none), its timeout in ms (0 = none), and its headers as `setup`'s `headerPairs`
    /// when its call set its own (`undefined` when it uses the client's).
    pub fn request(&self, id: u32) -> SendRequest {
        let Some(s) = self.sending(id) else {
            return Array::new().unchecked_into();
        };
        let signal = or_undefined(s.signal.as_ref());
        let headers = s
            .headers
            .as_deref()
            .map_or(JsValue::UNDEFINED, |h| pairs(h).into());
        result::four(
            JsValue::from_str(&s.json),
            signal,
            JsValue::from_f64(s.timeout_ms),
            headers,
        )
        .unchecked_into()
    }

    /// The debug line of send `id`'s last attempt, which took `duration_ms`.
    #[wasm_bindgen(js_name = logAttempt)]
    pub fn log_attempt(&self, id: u32, attempt: u32, duration_ms: f64) -> String {
        let (status, info) = self
            .sending(id)
            .and_then(|s| s.attempt.clone())
            .unwrap_or((None, None));
        crate::log::attempt(
            &self.endpoint(),
            attempt,
            status,
            duration_ms,
            info.as_ref(),
        )
    }

    /// The debug line of send `id`'s wait on a 429.
    #[wasm_bindgen(js_name = logWait)]
    pub fn log_wait(&self, id: u32) -> String {
        let why = self
            .sending(id)
            .and_then(|s| s.machine.waiting_for())
            .unwrap_or(crate::send::WaitFor::RetryAfter429);
        crate::log::waiting(self.wait_ms(id), why)
    }

    /// `[level, line]` of send `id`'s outcome when the client logs at that level, else
    /// `undefined` (levels as `logLevel`).
    #[wasm_bindgen(js_name = logOutcome)]
    pub fn log_outcome(&self, id: u32) -> Option<LogLine> {
        let sending = self.sending(id)?;
        let outcome = sending.machine.outcome()?;
        // The line is built only when it is logged: a send at the default level formats none.
        if crate::log::level_of(outcome) > self.config.settings.log_level {
            return None;
        }
        let key = self
            .accounts
            .get(sending.machine.account())
            .map_or("", |a| a.key.as_str());
        let (level, line) = crate::log::outcome(outcome, key);
        (level != Level::Off).then(|| {
            let out = Array::new();
            out.push(&JsValue::from(level as u8));
            out.push(&JsValue::from_str(&line));
            out.unchecked_into()
        })
    }

    /// The info line of run `run`'s end, when the client logs at info.
    #[wasm_bindgen(js_name = bulkLog)]
    pub fn bulk_log(&self, run: u32) -> Option<String> {
        if self.config.settings.log_level < Level::Info {
            return None;
        }
        self.runs.get(run).map(Run::log_line)
    }

    /// For a hook, what send `id`'s last attempt showed: `[status, rateLimit, kind,
    /// deliveryUnknown]`; `status` is `undefined` when no response arrived, `rateLimit`
    /// `null` when none was shown, and `kind` `undefined` unless the send failed.
    #[wasm_bindgen(js_name = attemptSeen)]
    pub fn attempt_seen(&self, id: u32) -> AttemptSeen {
        let sending = self.sending(id);
        let seen = sending.and_then(|s| s.attempt.as_ref());
        let failed = sending
            .and_then(|s| s.machine.outcome())
            .and_then(|o| o.result.as_ref().err());
        result::four(
            seen.and_then(|a| a.0)
                .map_or(JsValue::UNDEFINED, JsValue::from),
            seen.and_then(|a| a.1.as_ref())
                .map_or(JsValue::NULL, |r| result::rate_limit_js(Some(r))),
            failed.map_or(JsValue::UNDEFINED, |e| JsValue::from_str(e.kind.as_str())),
            JsValue::from_bool(failed.is_none_or(|e| e.delivery_unknown)),
        )
        .unchecked_into()
    }

    /// `"ConnectSafelyClient { baseUrl: ... }"`: the API key is never shown.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        let mut s = String::from("ConnectSafelyClient { baseUrl: ");
        s.push_str(&self.config.settings.base_url);
        s.push_str(", apiKey: [redacted] }");
        s
    }

    /// What `JSON.stringify(client)` shows: the settings, without the API key.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let o: JsValue = js_sys::Object::new().into();
        js::put(
            &o,
            "baseUrl",
            &JsValue::from_str(&self.config.settings.base_url),
        );
        js::put(&o, "apiKey", &JsValue::from_str("[redacted]"));
        o
    }

    /// Begins a send: reads the call options and the body, validates, and asks the
    /// guard. Returns the send's id; never throws.
    pub fn begin(&mut self, body: JsValue, options: JsValue) -> u32 {
        let max = self.config.settings.max_message_length;
        let call = match options::call(&options) {
            Ok(c) => c,
            Err(errors) => return self.settled(Outcome::local(SendError::validation(errors))),
        };
        let request = match validate(&read::body(&body, max), max) {
            Ok(r) => r,
            Err(errors) => return self.settled(Outcome::local(SendError::validation(errors))),
        };
        let timeout = call
            .settings
            .timeout_ms
            .unwrap_or(self.config.settings.timeout_ms);
        let machine = SendMachine::new(&mut self.accounts, request.account_key());
        self.launch(
            &request,
            machine,
            call.signal,
            timeout,
            0.0,
            &call.settings.headers,
        )
    }

    /// `begin` for a body of exactly these string fields (account `""` = absent), when
    /// the validation fast path accepts it as it is; else nothing is begun (`undefined`:
    /// the driver then calls `begin` with the body).
    #[wasm_bindgen(js_name = beginUnchanged)]
    pub fn begin_unchanged(
        &mut self,
        account: &str,
        urn: &str,
        group: &str,
        message: &str,
        options: JsValue,
    ) -> Option<u32> {
        let max = self.config.settings.max_message_length;
        let account = (!account.is_empty()).then_some(account);
        if !is_valid_unchanged(account, urn, group, message, max) {
            return None;
        }
        let call = match options::call(&options) {
            Ok(c) => c,
            Err(errors) => {
                return Some(self.settled(Outcome::local(SendError::validation(errors))))
            }
        };
        let request = SendGroupWithAckRequest {
            account_id: account.map(str::to_owned),
            recipient_profile_urn: urn.to_owned(),
            group_id: group.to_owned(),
            message: message.to_owned(),
            message_urns: None,
        };
        let timeout = call
            .settings
            .timeout_ms
            .unwrap_or(self.config.settings.timeout_ms);
        let machine = SendMachine::new(&mut self.accounts, request.account_key());
        Some(self.launch(
            &request,
            machine,
            call.signal,
            timeout,
            0.0,
            &call.settings.headers,
        ))
    }

    /// What the driver must do for send `id` now.
    pub fn step(&self, id: u32) -> Step {
        match self.sending(id).map(|s| s.machine.step()) {
            Some(CoreStep::Fetch) => Step::Fetch,
            Some(CoreStep::Wait(_)) => Step::Wait,
            Some(CoreStep::Swap) => Step::Swap,
            Some(CoreStep::Done) | None => Step::Done,
        }
    }

    /// How long send `id` must wait now (a 429's allowed wait), in ms.
    #[wasm_bindgen(js_name = waitMs)]
    pub fn wait_ms(&self, id: u32) -> f64 {
        match self.sending(id).map(|s| s.machine.step()) {
            Some(CoreStep::Wait(ms)) => ms,
            _ => 0.0,
        }
    }

    /// What happened to send `id`'s request: `status` and the values of the response
    /// headers named by `rateLimitHeaderNames()` when a response arrived (in that order,
    /// one per line, `"\0"` for one absent: `RateLimitHeaders::from_lines`), `JSON.parse` of its
    /// body when it parsed (else the body's text), and what fetch threw when it did.
    #[allow(clippy::too_many_arguments)]
    pub fn exchanged(
        &mut self,
        id: u32,
        what: Exchanged,
        cut: Cut,
        status: f64,
        headers: Option<String>,
        text: Option<String>,
        parsed: JsValue,
        thrown: JsValue,
    ) {
        let timeout = self.sending(id).map_or(0.0, |s| s.timeout_ms);
        let journals = self.sending(id).is_some_and(|s| s.machine.journals());
        let interrupt = match cut {
            Cut::None => None,
            Cut::Timeout => Some(Interrupt::Timeout(timeout)),
            Cut::Aborted => Some(Interrupt::Aborted),
        };
        let detail = if thrown.is_undefined() {
            String::new()
        } else {
            js::describe_error(&thrown)
        };
        let headers = RateLimitHeaders::from_lines(headers.as_deref().unwrap_or_default());
        let status = if crate::num::fract(status) == 0.0 && (0.0..=999.0).contains(&status) {
            Some(status as u16)
        } else {
            None
        };
        // Kept for a log line or a hook only when someone listens.
        let watched =
            self.config.settings.log_level >= Level::Debug || !self.config.hooks.is_undefined();
        let attempt = watched.then(|| {
            let answered = matches!(what, Exchanged::Complete | Exchanged::HeadOnly);
            (status.filter(|_| answered), headers.info())
        });
        let text = text.unwrap_or_default();
        let exchange = match (what, status) {
            (Exchanged::NoFetch, _) => Exchange::NotSent {
                detail: "this runtime has no global fetch (Node.js 18 or later has one); pass options.fetch",
            },
            (Exchanged::NotSent, _) => Exchange::NotSent { detail: &detail },
            (Exchanged::NoResponse, _) => Exchange::NoResponse {
                interrupt,
                detail: &detail,
            },
            (Exchanged::Opaque, _) => Exchange::OpaqueRedirect,
            (Exchanged::HeadOnly, Some(status)) => Exchange::HeadOnly {
                status,
                headers,
                interrupt,
                detail: &detail,
            },
            (Exchanged::Complete, Some(status)) => Exchange::Complete {
                status,
                headers,
                json: (!parsed.is_undefined())
                    .then(|| BodyFacts::read(&JsJson(parsed.clone(), journals), status)),
                text: &text,
            },
            (Exchanged::NotAResponse | Exchanged::HeadOnly | Exchanged::Complete, _) => {
                Exchange::NotAResponse
            }
        };
        let now = js::now();
        let Some(sending) = self.sends.get_mut(id) else {
            return;
        };
        sending
            .machine
            .exchanged(exchange, &self.policy, &mut self.accounts, now);
        sending.parsed = parsed;
        sending.thrown = thrown;
        sending.attempt = attempt;
    }

    /// Send `id`'s swap: `[key, expected, value]`: the store key, the version the value
    /// must still have (0: none yet; `undefined` to read only), and the value to write
    /// (`undefined` to read only), with the API key scrubbed out of it (a journal records
    /// the server's messages, which may echo it), as written and as the record's format
    /// escapes it.
    pub fn swap(&self, id: u32) -> StoreSwap {
        let Some(swap) = self.sending(id).and_then(|s| s.machine.swap()) else {
            return Array::new().unchecked_into();
        };
        let expected = swap
            .expected
            .map_or(JsValue::UNDEFINED, |v| JsValue::from_f64(v as f64));
        let value = swap.value.as_deref().map_or(JsValue::UNDEFINED, |value| {
            JsValue::from_str(&crate::policy::scrub(value, &self.config.settings.api_key))
        });
        result::four(
            JsValue::from_str(&swap.key),
            expected,
            value,
            JsValue::UNDEFINED,
        )
        .unchecked_into()
    }

    /// What the store answered to send `id`'s swap: whether it wrote, and the value and
    /// version it holds now.
    pub fn swapped(&mut self, id: u32, wrote: bool, value: Option<String>, version: f64) {
        let now = js::now();
        let version = if version.is_finite() && version >= 0.0 {
            version as u64
        } else {
            0
        };
        if let Some(sending) = self.sends.get_mut(id) {
            sending.machine.swapped(
                wrote,
                value.as_deref(),
                version,
                &self.policy,
                &mut self.accounts,
                now,
            );
        }
    }

    /// The store failed for send `id`'s swap (`thrown`: what it threw or answered).
    #[wasm_bindgen(js_name = storeFailed)]
    pub fn store_failed(&mut self, id: u32, thrown: JsValue) {
        let detail = js::describe_error(&thrown);
        let detail = crate::policy::scrub(&detail, &self.config.settings.api_key);
        if let Some(sending) = self.sends.get_mut(id) {
            sending.machine.store_failed(&detail, &self.policy);
        }
    }

    /// Send `id`'s wait passed: it sends once more.
    pub fn waited(&mut self, id: u32) {
        let now = js::now();
        if let Some(sending) = self.sends.get_mut(id) {
            sending
                .machine
                .waited(&self.policy, &mut self.accounts, now);
        }
    }

    /// The caller's signal fired while send `id` had nothing out.
    pub fn abort(&mut self, id: u32) {
        if let Some(sending) = self.sends.get_mut(id) {
            sending.machine.abort(&mut self.accounts);
        }
    }

    /// The `SendResult` of finished send `id`; the send is forgotten.
    pub fn finish(&mut self, id: u32) -> JsValue {
        self.take_result(id)
    }

    /// Begins a run to many: validates every body and the options. Returns the run's id.
    #[wasm_bindgen(js_name = bulkBegin)]
    pub fn bulk_begin(&mut self, bodies: JsValue, options: JsValue) -> u32 {
        let mut run = Run::new(&mut self.accounts, &self.config, &bodies, &options);
        self.runs_begun = self.runs_begun.wrapping_add(1);
        let (runner, begun) = (self.runner, self.runs_begun);
        run.name_runner(|| {
            crate::cat!(
                crate::text::whole(f64::from(runner)),
                ".",
                crate::text::whole(f64::from(begun))
            )
        });
        self.runs.insert(run)
    }

    /// What the driver needs of run `run`: `{ signal, onResult, workers, results, invalid }`.
    #[wasm_bindgen(js_name = bulkSettings)]
    pub fn bulk_settings(&self, run: u32) -> JsValue {
        self.runs.get(run).map_or(JsValue::NULL, Run::settings)
    }

    /// What a worker of run `run` must do now.
    #[wasm_bindgen(js_name = bulkNext)]
    pub fn bulk_next(&mut self, run: u32) -> BulkStep {
        let now = js::now();
        let Some(r) = self.runs.get_mut(run) else {
            return BulkStep::Done;
        };
        match r.plan.next(&self.accounts, now) {
            CoreBulkStep::Start(i) => {
                r.start(i, now);
                BulkStep::Start
            }
            CoreBulkStep::WaitUntil(t) => {
                r.wait_ms = (t - now).max(0.0);
                BulkStep::Wait
            }
            CoreBulkStep::Done => BulkStep::Done,
        }
    }

    /// The id of the send `bulkNext` just said to start (already started).
    #[wasm_bindgen(js_name = bulkSend)]
    pub fn bulk_send(&mut self, run: u32) -> u32 {
        let Some((i, request, signal, timeout, headers)) =
            self.runs.get_mut(run).and_then(Run::take_started)
        else {
            return self.settled(Outcome::local(SendError::aborted(false)));
        };
        let account = self.runs.get(run).and_then(|r| r.plan.account_of(i));
        let mut machine = match account {
            Some(a) => SendMachine::for_account(a),
            None => SendMachine::new(&mut self.accounts, request.account_key()),
        };
        let (min_interval, journal) = self.runs.get(run).map_or((0.0, None), |r| {
            (r.min_interval_ms, r.journal_item(i, timeout))
        });
        if let Some(item) = journal {
            machine = machine.with_journal(item);
        }
        let id = self.launch(&request, machine, signal, timeout, min_interval, &headers);
        if let Some(r) = self.runs.get_mut(run) {
            r.in_flight.push((id, i));
        }
        id
    }

    /// How long the worker must wait before asking again, in ms.
    #[wasm_bindgen(js_name = bulkWaitMs)]
    pub fn bulk_wait_ms(&self, run: u32) -> f64 {
        self.runs.get(run).map_or(0.0, |r| r.wait_ms)
    }

    /// The run's signal fired: nothing more starts.
    #[wasm_bindgen(js_name = bulkAbort)]
    pub fn bulk_abort(&mut self, run: u32) {
        if let Some(r) = self.runs.get_mut(run) {
            r.plan.abort();
        }
    }

    /// Send `id` of run `run` finished: its result is recorded. Returns the item's index
    /// when it counts as attempted (its result is in `results`), else -1.
    #[wasm_bindgen(js_name = bulkSettle)]
    pub fn bulk_settle(&mut self, run: u32, id: u32) -> i32 {
        let now = js::now();
        let (Some(r), Some(s)) = (self.runs.get_mut(run), self.sends.get(id)) else {
            return -1;
        };
        let i = r.settle(id, &s.machine, &self.accounts, now);
        let value = self.take_result(id);
        if let (Some(r), true) = (self.runs.get_mut(run), i >= 0) {
            r.set_result(i as u32, &value);
        }
        i
    }

    /// The store operations run `run` needs now, before any of its items is sent, as
    /// `[key, expected, value]` (as `swap`): with a journal, its head record written
    /// where there is none, then (for a journal new in this layout) the positions an
    /// earlier build's journal would hold, read. Perform them all, report with
    /// `bulkChecked`, and ask again until this is empty.
    #[wasm_bindgen(js_name = bulkChecks)]
    pub fn bulk_checks(&self, run: u32) -> StoreChecks {
        self.runs
            .get(run)
            .map_or_else(Array::new, Run::checks)
            .unchecked_into()
    }

    /// What the store answered to `bulkChecks`, in order: whether each wrote (`wrote`) and
    /// the value it holds now (`values`); or what it threw (`thrown`, when any failed). The
    /// run goes on, is refused (each item's result says why), or stops as
    /// `store_unavailable` before anything is sent.
    #[wasm_bindgen(js_name = bulkChecked)]
    pub fn bulk_checked(&mut self, run: u32, wrote: JsValue, values: JsValue, thrown: JsValue) {
        let api_key = self.config.settings.api_key.clone();
        if let Some(r) = self.runs.get_mut(run) {
            r.checked(&wrote, &values, &thrown, &api_key);
        }
    }

    /// The `BulkResult` of run `run`, once every worker is done; the run is forgotten.
    #[wasm_bindgen(js_name = bulkFinish)]
    pub fn bulk_finish(&mut self, run: u32) -> JsValue {
        self.runs.remove(run).map_or(JsValue::NULL, Run::finish)
    }
}

/// A JS object held by the core, or `undefined`.
pub(crate) fn or_undefined<T: Clone + Into<JsValue>>(value: Option<&T>) -> JsValue {
    value.map_or(JsValue::UNDEFINED, |v| v.clone().into())
}

/// `[name, value, name, value, ...]`.
fn pairs(headers: &[(String, String)]) -> Array {
    let out = Array::new();
    for (n, v) in headers {
        out.push(&JsValue::from_str(n));
        out.push(&JsValue::from_str(v));
    }
    out
}

/// `crate::npm_client_settings`.
pub(crate) fn client_settings(
    options: &JsValue,
) -> Result<crate::settings::ClientSettings, String> {
    options::client(options).map(|c| c.settings).map_err(|e| {
        js::prop(&e, "message")
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default()
    })
}

/// `crate::npm_run_settings`.
pub(crate) fn run_settings(
    options: &JsValue,
) -> Result<(crate::settings::RunSettings, crate::settings::CallSettings), FieldError> {
    let call = options::call(options).map_err(|e| {
        e.into_iter().next().unwrap_or_else(|| {
            FieldError::new(
                "options",
                crate::error::FieldErrorCode::Type,
                "options are invalid",
            )
        })
    })?;
    Ok((options::run(options, false)?, call.settings))
}

/// The result object the npm build makes for `outcome` (see `crate::js_result_of`).
pub(crate) fn result_of(outcome: &Outcome) -> JsValue {
    let parsed = outcome
        .body
        .as_deref()
        .and_then(|t| js_sys::JSON::parse(t).ok());
    result::send_result(outcome, parsed, JsValue::UNDEFINED, "")
}

/// Validates a body as `sendGroupWithAck` would, without sending. Never throws.
/// `value` is the normalized body that would be sent.
#[wasm_bindgen(js_name = validateSendGroupWithAck)]
pub fn validate_send_group_with_ack(body: JsValue, options: Option<JsValue>) -> JsValue {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let mut originals = read::Originals::default();
    let max = match max_message_length(&options) {
        Ok(m) => m,
        Err(e) => {
            return result::validation_result(
                Err(SendError::validation(vec![e])),
                &Value::Absent,
                &originals,
            )
        }
    };
    let value = read::body_keeping(&body, max, &mut originals);
    result::validation_result(
        validate(&value, max).map_err(SendError::validation),
        &value,
        &originals,
    )
}

fn max_message_length(options: &JsValue) -> Result<usize, FieldError> {
    if options.is_undefined() || options.is_null() {
        return crate::settings::max_message_length(&crate::settings::Raw::Absent);
    }
    crate::settings::max_message_length(&options::raw(options, "maxMessageLength"))
}

// Talc: smaller than the default (dlmalloc) and, unlike a free-list allocator, its cost
// per allocation does not grow with what is live (a run of 100,000 items keeps that many
// requests). Single-threaded: wasm32 without atomics.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
