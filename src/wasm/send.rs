//! One send: begun (validated, the guard asked), stepped by the driver, and finished
//! into its `SendResult`; its logs and what hooks see.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::core::Core;
use super::fields::JsJson;
use super::result::{or_undefined, pairs};
use super::validate::with_fields;
use super::{options, read, result};
use crate::classify::BodyFacts;
use crate::error::SendError;
use crate::js;
use crate::log::Level;
use crate::outcome::{Exchange, Interrupt, Outcome};
use crate::rate_limit::RateLimitHeaders;
use crate::send::{SendMachine, Step as CoreStep};
use crate::validate::validate;
use crate::validate::ToRequest;

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
    /// The caller's signal had fired before the request: fetch was not called.
    Withheld = 7,
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

// What the driver reads in one call, as an array with its TypeScript tuple type, so its
// destructuring is type-checked against the core's order (scripts/check-driver.mjs).
#[wasm_bindgen]
extern "C" {
    /// `Core.request`.
    #[wasm_bindgen(
        typescript_type = "[body: string, signal: AbortSignal | undefined, timeoutMs: number, headerPairs: string[] | undefined]"
    )]
    pub type SendRequest;
    /// `Core.attemptSeen`.
    #[wasm_bindgen(
        typescript_type = "[status: number | undefined, rateLimit: object | null, kind: string | undefined, deliveryUnknown: boolean]"
    )]
    pub type AttemptSeen;
    /// `Core.logOutcome`.
    #[wasm_bindgen(typescript_type = "[level: number, line: string]")]
    pub type LogLine;
}

#[wasm_bindgen]
impl Core {
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
    #[wasm_bindgen(js_name = logAttempt, unchecked_return_type = "string")]
    pub fn log_attempt(&self, id: u32, attempt: u32, duration_ms: f64) -> JsValue {
        let (status, info) = self
            .sending(id)
            .and_then(|s| s.attempt.clone())
            .unwrap_or((None, None));
        JsValue::from_str(&crate::log::attempt(
            &self.endpoint(),
            attempt,
            status,
            duration_ms,
            info.as_ref(),
        ))
    }

    /// The debug line of send `id`'s wait on a 429.
    #[wasm_bindgen(js_name = logWait, unchecked_return_type = "string")]
    pub fn log_wait(&self, id: u32) -> JsValue {
        let why = self
            .sending(id)
            .and_then(|s| s.machine.waiting_for())
            .unwrap_or(crate::send::WaitFor::RetryAfter429);
        JsValue::from_str(&crate::log::waiting(self.wait_ms(id), why))
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
            request.to_json(),
            machine,
            call.signal,
            timeout,
            0.0,
            &call.settings.headers,
        )
    }

    /// `begin` for the first `len` bytes of the fast path's buffer (the one this wasm's
    /// validation and every client of it share), a body's fields as `fast.js` writes
    /// them (see `super::fast`), when the validation fast path accepts them; else nothing
    /// is begun (`undefined`: the driver then calls `begin` with the body).
    #[wasm_bindgen(js_name = beginFast)]
    pub fn begin_fast(
        &mut self,
        len: usize,
        account: bool,
        urns: i32,
        options: JsValue,
    ) -> Option<u32> {
        // Copied out of the scratch buffer before reading the options: their getters may
        // validate or begin another send, which writes that buffer.
        let max = self.config.settings.max_message_length;
        // The account as validated (trimmed): the guard's key.
        let (json, account) = with_fields(len, account, urns, |fields| {
            let valid = fields.fast_valid(max);
            valid.then(|| (fields.to_json(), fields.account_id.map(str::to_owned)))
        })?;
        let call = match options::call(&options) {
            Ok(c) => c,
            Err(errors) => {
                return Some(self.settled(Outcome::local(SendError::validation(errors))))
            }
        };
        let timeout = call
            .settings
            .timeout_ms
            .unwrap_or(self.config.settings.timeout_ms);
        let machine = SendMachine::new(&mut self.accounts, account.as_deref().unwrap_or_default());
        Some(self.launch(
            json,
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
        // (Scrubbed here, where it comes in: a journal records it.)
        let detail = if thrown.is_undefined() {
            String::new()
        } else {
            crate::policy::scrub(&js::describe_error(&thrown), &self.config.settings.api_key)
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
            (Exchanged::Withheld, _) => Exchange::Withheld,
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
                    .then(|| BodyFacts::read(&JsJson::top(&parsed, journals), status)),
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
}
