//! `sendGroupWithAckMany`'s state in the wasm layer: the bodies validated up front,
//! the options read, the core's `BulkPlan`, and the results array handed back. The
//! driver's workers ask `Core::bulk_next` what to do; nothing here waits.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use super::options::{self, Config};
use super::read::Type;
use super::{read, result};
use crate::accounts::Accounts;
use crate::bulk::BulkPlan;
use crate::error::StopReason;
use crate::error::{FieldError, FieldErrorCode, SendError};
use crate::js;
use crate::outcome::Outcome;
use crate::request::SendGroupWithAckRequest;
use crate::send::{JournalItem, SendMachine};
use crate::store::keys::JournalCheck;
use crate::validate::validate;

#[wasm_bindgen(module = "/src/wasm/shapes.js")]
extern "C" {
    fn bulk(
        results: &Array,
        sent: f64,
        failed: f64,
        not_attempted: Array,
        stopped_by: JsValue,
        resume_at: JsValue,
    ) -> JsValue;
    #[wasm_bindgen(js_name = bulkSettings)]
    fn bulk_settings(
        signal: JsValue,
        on_result: JsValue,
        workers: f64,
        results: &Array,
        invalid: Array,
    ) -> JsValue;
}

/// A run's options: what a call takes, what only a run has (both settled by the core),
/// and its `onResult`.
struct Options {
    call: options::Call,
    run: crate::settings::RunSettings,
    on_result: Option<Function>,
}

fn read_options(o: &JsValue, shared: bool) -> Result<Options, FieldError> {
    // signal, timeoutMs and headers read as for one send; then what only a run has.
    let call = options::call(o).map_err(|e| {
        e.into_iter().next().unwrap_or_else(|| {
            FieldError::new("options", FieldErrorCode::Type, "options are invalid")
        })
    })?;
    let run = options::run(o, shared)?;
    let mut on_result = None;
    if !(o.is_undefined() || o.is_null()) {
        let f = js::prop(o, "onResult").map_err(|_| {
            FieldError::new(
                "options.onResult",
                FieldErrorCode::Type,
                "options.onResult must be readable",
            )
        })?;
        if !f.is_undefined() {
            on_result = Some(f.dyn_into().map_err(|_| {
                FieldError::new(
                    "options.onResult",
                    FieldErrorCode::Type,
                    "options.onResult must be a function",
                )
            })?);
        }
    }
    Ok(Options {
        call,
        run,
        on_result,
    })
}

/// One run to many.
pub struct Run {
    /// Its schedule.
    pub plan: BulkPlan,
    requests: Vec<Option<SendGroupWithAckRequest>>,
    results: Array,
    invalid: Vec<usize>,
    signal: Option<AbortSignal>,
    timeout_ms: f64,
    on_result: Option<Function>,
    workers: usize,
    /// The item `bulkNext` just chose, until `bulkSend` starts it.
    started: Option<usize>,
    /// Sends in flight: (send id, item).
    pub in_flight: Vec<(u32, usize)>,
    /// How long a worker waits for pacing, in ms.
    pub wait_ms: f64,
    failed_up_front: Option<usize>,
    /// Least time between two starts for one account (across processes with a store).
    pub min_interval_ms: f64,
    journal: Option<String>,
    /// Each item's entry in the journal (by its body), when the run has one.
    item_keys: Vec<Option<String>>,
    /// The journal's check before anything is sent, while it is not over.
    check: Option<JournalCheck>,
    resend_unknown: bool,
    /// Who claims this run's items in its journal.
    runner: Option<String>,
    /// The run's own headers (`options.headers`), for each of its sends.
    headers: Vec<(String, String)>,
}

impl Run {
    /// Validates every body and the options; invalid items get their result now.
    pub fn new(
        accounts: &mut Accounts,
        config: &Config,
        bodies: &JsValue,
        options: &JsValue,
    ) -> Self {
        let max = config.settings.max_message_length;
        let results = Array::new();
        let mut run = Run {
            plan: BulkPlan::new(accounts, Vec::new(), 0.0),
            requests: Vec::new(),
            results,
            invalid: Vec::new(),
            signal: None,
            timeout_ms: config.settings.timeout_ms,
            on_result: None,
            workers: 0,
            started: None,
            in_flight: Vec::new(),
            wait_ms: 0.0,
            failed_up_front: None,
            min_interval_ms: 0.0,
            journal: None,
            item_keys: Vec::new(),
            check: None,
            resend_unknown: false,
            runner: None,
            headers: Vec::new(),
        };
        let len = match Type::of(bodies) {
            Type::Array => js::prop(bodies, "length")
                .ok()
                .and_then(|l| l.as_f64())
                .unwrap_or(0.0),
            _ => -1.0,
        };
        // Past MAX_RUN_BODIES (or not an array) the run fails whole, before anything is
        // read: a list of ten million held more than the wasm's memory can, and running
        // out of it there aborts the core every later run shares.
        let refused = if len < 0.0 {
            Some((
                FieldErrorCode::Type,
                "bodies must be an array of request bodies",
            ))
        } else if len > f64::from(crate::policy::MAX_RUN_BODIES) {
            Some((
                FieldErrorCode::TooLong,
                "bodies holds more than 1,000,000 request bodies, what a run takes: split the list",
            ))
        } else {
            None
        };
        if let Some((code, message)) = refused {
            return run.refused_whole(code, message);
        }
        let items: Vec<JsValue> = (0..len as u32)
            .map(|i| js::get(bodies, &JsValue::from(i)).unwrap_or(JsValue::UNDEFINED))
            .collect();
        let opts = read_options(options, config.settings.shared);
        let mut keys = Vec::with_capacity(items.len());
        // What the valid bodies' requests hold, which the run keeps until each is sent.
        let mut held = 0usize;
        for (i, body) in items.iter().enumerate() {
            let checked = match &opts {
                Ok(_) => validate(&read::body(body, max), max).map_err(SendError::validation),
                Err(e) => Err(SendError::validation(vec![e.clone()])),
            };
            match checked {
                Ok(r) => {
                    held = held.saturating_add(r.text_bytes());
                    if held > crate::policy::MAX_RUN_TEXT {
                        break;
                    }
                    keys.push(Some(r.account_key().to_owned()));
                    run.requests.push(Some(r));
                    run.results.push(&JsValue::NULL);
                }
                Err(e) => {
                    keys.push(None);
                    run.requests.push(None);
                    let value = result::send_result(
                        &crate::policy::scrubbed(Outcome::local(e), &config.settings.api_key),
                        None,
                        JsValue::UNDEFINED,
                        &config.settings.api_key,
                    );
                    run.results.push(&value);
                    run.invalid.push(i);
                }
            }
        }
        if held > crate::policy::MAX_RUN_TEXT {
            return run.refused_whole(
                FieldErrorCode::TooLong,
                "bodies hold more than 512 MiB of text, more than a run keeps: split the list",
            );
        }
        let Ok(opts) = opts else {
            run.failed_up_front = Some(items.len());
            return run;
        };
        let valid = run.requests.iter().filter(|r| r.is_some()).count();
        let Options {
            call,
            run: settled,
            on_result,
        } = opts;
        run.plan = BulkPlan::new(accounts, keys, settled.min_interval_ms);
        if settled.journal.is_some() {
            run.plan = run.plan.looking_up_after_stop();
        }
        run.signal = call.signal;
        run.timeout_ms = call
            .settings
            .timeout_ms
            .unwrap_or(config.settings.timeout_ms);
        run.workers = settled.concurrency.min(valid).max(1);
        run.on_result = on_result;
        run.min_interval_ms = settled.min_interval_ms;
        if let Some(journal) = &settled.journal {
            let bodies: Vec<Option<String>> = run
                .requests
                .iter()
                .map(|r| r.as_ref().map(SendGroupWithAckRequest::to_json))
                .collect();
            run.item_keys = config.settings.scope.journal_items(journal, &bodies);
            run.check = Some(JournalCheck::new(
                &config.settings.scope,
                journal,
                bodies.len(),
            ));
        }
        run.journal = settled.journal;
        run.resend_unknown = settled.resend_unknown;
        run.runner = settled.runner_id;
        run.headers = call.settings.headers;
        run
    }

    /// The run failed whole, before anything was sent: one result, `code` on `bodies`.
    fn refused_whole(mut self, code: FieldErrorCode, message: &str) -> Self {
        self.requests.clear();
        self.invalid.clear();
        self.results = Array::new();
        let e = SendError::validation(vec![FieldError::new("bodies", code, message)]);
        self.results.push(&result::send_result(
            &Outcome::local(e),
            None,
            JsValue::UNDEFINED,
            "",
        ));
        self.failed_up_front = Some(1);
        self
    }

    /// Names the runner of a run not given `runnerId`: `id`, unique to this run.
    pub fn name_runner(&mut self, id: impl FnOnce() -> String) {
        if self.runner.is_none() {
            self.runner = Some(id());
        }
    }

    /// `{ signal, onResult, workers, results, invalid }` for the driver.
    pub fn settings(&self) -> JsValue {
        let invalid: Array = self
            .invalid
            .iter()
            .map(|i| JsValue::from(*i as u32))
            .collect();
        let on_result = super::result::or_undefined(self.on_result.as_ref());
        let signal = super::result::or_undefined(self.signal.as_ref());
        let workers = if self.failed_up_front.is_some() {
            0
        } else {
            self.workers
        };
        bulk_settings(signal, on_result, workers as f64, &self.results, invalid)
    }

    /// Item `i`'s entry in the run's journal, when it has one.
    pub fn journal_item(
        &self,
        i: usize,
        timeout_ms: f64,
        store_timeout_ms: f64,
    ) -> Option<JournalItem> {
        let key = self.item_keys.get(i).cloned().flatten()?;
        Some(JournalItem {
            key,
            runner: self.runner.clone().unwrap_or_default(),
            // A claim outlives the send it covers, unless its runner died.
            claim_ms: crate::policy::claim_ms(timeout_ms, store_timeout_ms),
            resend_unknown: self.resend_unknown,
            lookup: self.plan.is_lookup(i),
        })
    }

    /// `bulkNext` chose item `i`.
    pub fn start(&mut self, i: usize, _now: f64) {
        self.started = Some(i);
    }

    /// The chosen item's request and how to send it.
    #[allow(clippy::type_complexity)]
    pub fn take_started(
        &mut self,
    ) -> Option<(
        usize,
        SendGroupWithAckRequest,
        Option<AbortSignal>,
        f64,
        Vec<(String, String)>,
    )> {
        let i = self.started.take()?;
        let request = self.requests.get(i).cloned().flatten()?;
        Some((
            i,
            request,
            self.signal.clone(),
            self.timeout_ms,
            self.headers.clone(),
        ))
    }

    /// The line a log gets when the run ends.
    pub fn log_line(&self) -> String {
        let summary = match self.failed_up_front {
            Some(failed) => crate::bulk::Summary {
                sent: 0,
                failed,
                not_attempted: Vec::new(),
                stopped_by: None,
                resume_at: None,
            },
            None => self.plan.summary(),
        };
        crate::log::run(&summary)
    }

    /// What the store must do now, before any item is sent (see `Core::bulkChecks`), as
    /// `[key, expected, value, lasting]` each.
    pub fn checks(&self) -> Array {
        let out = Array::new();
        if self.failed_up_front.is_some() {
            return out;
        }
        let Some(check) = &self.check else {
            return out;
        };
        for swap in check.swaps() {
            let expected = swap
                .expected
                .map_or(JsValue::UNDEFINED, |v| JsValue::from_f64(v as f64));
            let value = swap
                .value
                .as_deref()
                .map_or(JsValue::UNDEFINED, JsValue::from_str);
            // The journal's head, as its entries, is kept until it is deleted.
            let lasting = JsValue::from_bool(check.lasts(&swap));
            out.push(&result::four(
                JsValue::from_str(&swap.key),
                expected,
                value,
                lasting,
            ));
        }
        out
    }

    /// What the store answered to [`Run::checks`], in order (whether each wrote, the value
    /// it holds now), or what it threw. A store that failed stops the run before anything
    /// is sent; a journal this version cannot read refuses every item, saying why.
    pub fn checked(&mut self, wrote: &JsValue, values: &JsValue, thrown: &JsValue, api_key: &str) {
        let Some(check) = self.check.as_mut() else {
            return;
        };
        let arrays = Type::of(wrote) == Type::Array && Type::of(values) == Type::Array;
        if !thrown.is_undefined() || !arrays {
            self.check = None;
            self.plan.halt(StopReason::StoreUnavailable);
            return;
        }
        let asked = check.swaps().len();
        let answers: Vec<(bool, Option<String>)> = (0..asked as u32)
            .map(|i| {
                let at = JsValue::from(i);
                let ok = js::get(wrote, &at).is_ok_and(|v| Type::of(&v) == Type::True);
                (ok, js::get(values, &at).ok().and_then(|v| v.as_string()))
            })
            .collect();
        let answers: Vec<(bool, Option<&str>)> =
            answers.iter().map(|(ok, v)| (*ok, v.as_deref())).collect();
        check.answered(&answers);
        if check.passed() {
            self.check = None;
            return;
        }
        let Some(why) = check.refusal().map(str::to_owned) else {
            return;
        };
        self.refuse("options.journal", why, api_key);
    }

    /// Refuses the whole run before anything is sent: each item's result the option's
    /// error `why`.
    fn refuse(&mut self, field: &str, why: String, api_key: &str) {
        self.check = None;
        let error =
            SendError::validation(vec![FieldError::new(field, FieldErrorCode::Format, why)]);
        let refused =
            result::send_result(&Outcome::local(error), None, JsValue::UNDEFINED, api_key);
        let count = self.requests.len();
        for i in 0..count {
            self.results.set(i as u32, refused.clone());
        }
        self.invalid = (0..count).collect();
        self.failed_up_front = Some(count);
    }

    /// The journal and the `runnerId` given for it, while the run may send.
    fn named_runner(&self) -> Option<(&str, &str)> {
        match (&self.journal, &self.runner, self.failed_up_front) {
            (Some(journal), Some(runner), None) => Some((journal, runner)),
            _ => None,
        }
    }

    /// Refuses this run when `live` holds a run of the same journal under the same
    /// `runnerId` (a button clicked twice): each would take the other's claims for its
    /// own dead ones, settle them as unknown and, with `resendUnknown`, send them again.
    pub fn refuse_runner_twice<'a>(
        &mut self,
        mut live: impl Iterator<Item = &'a Run>,
        api_key: &str,
    ) {
        let Some((journal, runner)) = self.named_runner() else {
            return;
        };
        if !live.any(|r| r.named_runner() == Some((journal, runner))) {
            return;
        }
        let why = crate::cat!(
            "runnerId \"",
            runner,
            "\" is already running the journal \"",
            journal,
            "\" in this client: two live runners must never share an id"
        );
        self.refuse("options.runnerId", why, api_key);
    }

    /// Send `id` (`send`) ended: the item's index if it counts as attempted (its result
    /// goes in `results`: `set_result`), else -1.
    pub fn settle(&mut self, id: u32, send: &SendMachine, accounts: &Accounts, now: f64) -> i32 {
        let Some(at) = self.in_flight.iter().position(|(s, _)| *s == id) else {
            return -1;
        };
        let (_, i) = self.in_flight.swap_remove(at);
        self.plan.settle_send(i, send, accounts, now);
        if self.plan.is_not_attempted(i) {
            return -1;
        }
        i as i32
    }

    /// Item `i`'s result.
    pub fn set_result(&self, i: u32, value: &JsValue) {
        self.results.set(i, value.clone());
    }

    /// The `BulkResult`.
    pub fn finish(self) -> JsValue {
        if let Some(failed) = self.failed_up_front {
            return bulk(
                &self.results,
                0.0,
                failed as f64,
                Array::new(),
                JsValue::NULL,
                JsValue::NULL,
            );
        }
        let s = self.plan.summary();
        let not_attempted: Array = s
            .not_attempted
            .iter()
            .map(|i| JsValue::from(*i as u32))
            .collect();
        let stopped = s
            .stopped_by
            .map_or(JsValue::NULL, |x| JsValue::from_str(x.as_str()));
        let resume_at = s.resume_at.map_or(JsValue::NULL, JsValue::from_f64);
        bulk(
            &self.results,
            s.sent as f64,
            s.failed as f64,
            not_attempted,
            stopped,
            resume_at,
        )
    }
}
