//! A run to many: begun (every body validated, the journal checked), its workers told
//! what to do next, each item's send settled, and its `BulkResult`.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::core::Core;
use super::run::Run;
use crate::bulk::BulkStep as CoreBulkStep;
use crate::error::SendError;
use crate::js;
use crate::log::Level;
use crate::outcome::Outcome;
use crate::send::SendMachine;

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

// What the driver reads in one call, as an array with its TypeScript tuple type, so its
// destructuring is type-checked against the core's order (scripts/check-driver.mjs).
#[wasm_bindgen]
extern "C" {
    /// `Core.bulkChecks`.
    #[wasm_bindgen(
        typescript_type = "[key: string, expected: number | undefined, value: string | undefined, lasting: boolean][]"
    )]
    pub type StoreChecks;
}

#[wasm_bindgen]
impl Core {
    /// Begins a run to many: validates every body and the options. Returns the run's id.
    #[wasm_bindgen(js_name = bulkBegin)]
    pub fn bulk_begin(&mut self, bodies: JsValue, options: JsValue) -> u32 {
        let mut run = Run::new(&mut self.accounts, &self.config, &bodies, &options);
        run.refuse_runner_twice(self.runs.iter(), &self.config.settings.api_key);
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
            (
                r.min_interval_ms,
                r.journal_item(i, timeout, self.config.settings.store_timeout_ms),
            )
        });
        if let Some(item) = journal {
            machine = machine.with_journal(item);
        }
        let id = self.launch(
            request.to_json(),
            machine,
            signal,
            timeout,
            min_interval,
            &headers,
        );
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
    /// `[key, expected, value, lasting]` (as `swap`): with a journal, its head record written
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

    /// The info line of run `run`'s end, when the client logs at info.
    #[wasm_bindgen(js_name = bulkLog, unchecked_return_type = "string | undefined")]
    pub fn bulk_log(&self, run: u32) -> JsValue {
        if self.config.settings.log_level < Level::Info {
            return JsValue::UNDEFINED;
        }
        self.runs
            .get(run)
            .map_or(JsValue::UNDEFINED, |r| JsValue::from_str(&r.log_line()))
    }
}
