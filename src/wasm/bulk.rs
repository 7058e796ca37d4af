//! `sendGroupWithAckMany`: validates every body, then runs `concurrency` workers
//! that each ask the core's `BulkPlan` what to send next.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::AbortSignal;

use super::result;
use super::{deliver, js, read, Inner};
use crate::bulk::{BulkPlan, Next, Settled};
use crate::error::{ErrorKind, FieldError, FieldErrorCode, SendError};
use crate::request::SendGroupWithAckRequest;
use crate::send::{Outcome, SendMachine};
use crate::validate::validate;

#[wasm_bindgen(module = "/src/wasm/shapes.js")]
extern "C" {
    fn bulk(
        results: &Array,
        sent: f64,
        failed: f64,
        not_attempted: Array,
        stopped_by: JsValue,
    ) -> JsValue;
    fn notify(on_result: &Function, index: f64, result: &JsValue);
}

struct Options {
    signal: Option<AbortSignal>,
    timeout_ms: Option<f64>,
    concurrency: usize,
    min_interval_ms: f64,
    on_result: Option<Function>,
}

fn options(o: &JsValue) -> Result<Options, FieldError> {
    // signal and timeoutMs read as for one send; then what only a run has.
    let call = super::options::call(o).map_err(|e| {
        e.into_iter().next().unwrap_or_else(|| {
            FieldError::new("options", FieldErrorCode::Type, "options are invalid")
        })
    })?;
    let mut out = Options {
        signal: call.signal,
        timeout_ms: call.timeout_ms,
        concurrency: 1,
        min_interval_ms: 0.0,
        on_result: None,
    };
    if o.is_undefined() || o.is_null() {
        return Ok(out);
    }
    let bad = |field: &str, what: &str| {
        FieldError::new(
            format!("options.{field}"),
            FieldErrorCode::Type,
            format!("options.{field} must be {what}"),
        )
    };
    let get = |k: &str| js::prop(o, k).map_err(|_| bad(k, "readable"));
    let number = |k: &str, min: f64| -> Result<Option<f64>, FieldError> {
        let v = get(k)?;
        if v.is_undefined() {
            return Ok(None);
        }
        match v.as_f64() {
            Some(n) if n.is_finite() && n >= min => Ok(Some(n)),
            _ => Err(bad(
                k,
                if min > 0.0 {
                    "a finite number >= 1"
                } else {
                    "a finite number >= 0"
                },
            )),
        }
    };
    out.concurrency = number("concurrency", 1.0)?.map_or(1, |c| c.min(1000.0) as usize);
    out.min_interval_ms = number("minIntervalMs", 0.0)?.unwrap_or(0.0);
    let f = get("onResult")?;
    if !f.is_undefined() {
        out.on_result = Some(f.dyn_into().map_err(|_| bad("onResult", "a function"))?);
    }
    Ok(out)
}

struct Run {
    plan: BulkPlan,
    requests: Vec<Option<SendGroupWithAckRequest>>,
    results: Array,
}

fn settled(o: &Outcome) -> Settled {
    match &o.result {
        Ok(_) => Settled::Delivered,
        Err(e) => match e.kind {
            ErrorKind::RateLimited if o.status.is_some() => Settled::RateLimited,
            ErrorKind::RateLimited => Settled::Refused,
            ErrorKind::Unauthorized => Settled::Unauthorized,
            ErrorKind::Aborted if !e.delivery_unknown => Settled::NotSent,
            _ => Settled::Failed,
        },
    }
}

async fn worker(inner: Rc<Inner>, run: Rc<RefCell<Run>>, opts: Rc<Options>) {
    let signal = opts.signal.as_ref();
    let timeout = opts.timeout_ms.unwrap_or(inner.config.timeout_ms);
    loop {
        if signal.is_some_and(AbortSignal::aborted) {
            run.borrow_mut().plan.abort();
        }
        let next = {
            let mut r = run.borrow_mut();
            r.plan.next(&inner.accounts.borrow(), js::now())
        };
        match next {
            Next::Start(i) => {
                let (request, account) = {
                    let r = run.borrow();
                    (r.requests.get(i).cloned().flatten(), r.plan.account_of(i))
                };
                let (Some(request), Some(account)) = (request, account) else {
                    continue;
                };
                let machine = SendMachine::for_account(account);
                let (outcome, parsed) = deliver(&inner, machine, &request, signal, timeout).await;
                let how = settled(&outcome);
                let value = result::send_result(&outcome, parsed, &inner.config.api_key);
                let attempted = {
                    let mut r = run.borrow_mut();
                    r.plan.settle(i, how, &inner.accounts.borrow(), js::now());
                    let attempted = !r.plan.is_not_attempted(i);
                    if attempted {
                        r.results.set(i as u32, value.clone());
                    }
                    attempted
                };
                if let (true, Some(f)) = (attempted, opts.on_result.as_ref()) {
                    notify(f, i as f64, &value);
                }
            }
            Next::WaitUntil(t) => {
                if !super::send::sleep((t - js::now()).max(0.0), signal).await {
                    run.borrow_mut().plan.abort();
                }
            }
            Next::Done => break,
        }
    }
}

/// The whole run; never fails.
pub async fn send_many(inner: Rc<Inner>, bodies: JsValue, options_js: JsValue) -> JsValue {
    let max = inner.config.max_message_length;
    let results = Array::new();
    let items: Vec<JsValue> = match js::is_array(&bodies) {
        Ok(true) => {
            let len = js::prop(&bodies, "length")
                .ok()
                .and_then(|l| l.as_f64())
                .unwrap_or(0.0);
            (0..len as u32)
                .map(|i| js::get(&bodies, &JsValue::from(i)).unwrap_or(JsValue::UNDEFINED))
                .collect()
        }
        _ => {
            let e = SendError::validation(vec![FieldError::new(
                "bodies",
                FieldErrorCode::Type,
                "bodies must be an array of request bodies",
            )]);
            results.push(&result::send_result(&Outcome::local(e), None, ""));
            return bulk(&results, 0.0, 1.0, Array::new(), JsValue::NULL);
        }
    };
    let opts = options(&options_js);
    let mut requests = Vec::with_capacity(items.len());
    let mut accounts = Vec::with_capacity(items.len());
    let mut invalid = Vec::new();
    for (i, body) in items.iter().enumerate() {
        let checked = match &opts {
            Ok(_) => validate(&read::body(body, max), max).map_err(SendError::validation),
            Err(e) => Err(SendError::validation(vec![e.clone()])),
        };
        match checked {
            Ok(r) => {
                accounts.push(Some(r.account_key().to_owned()));
                requests.push(Some(r));
                results.push(&JsValue::NULL);
            }
            Err(e) => {
                accounts.push(None);
                requests.push(None);
                let value = result::send_result(&Outcome::local(e), None, &inner.config.api_key);
                results.push(&value);
                invalid.push((i, value));
            }
        }
    }
    let Ok(opts) = opts else {
        let failed = items.len() as f64;
        return bulk(&results, 0.0, failed, Array::new(), JsValue::NULL);
    };
    let opts = Rc::new(opts);
    if let Some(f) = opts.on_result.as_ref() {
        for (i, value) in &invalid {
            notify(f, *i as f64, value);
        }
    }
    let valid = requests.iter().filter(|r| r.is_some()).count();
    let run = Rc::new(RefCell::new(Run {
        plan: BulkPlan::new(&mut inner.accounts.borrow_mut(), accounts, opts.min_interval_ms),
        requests,
        results,
    }));
    let workers = Array::new();
    for _ in 0..opts.concurrency.min(valid).max(1) {
        let (inner, run, opts) = (Rc::clone(&inner), Rc::clone(&run), Rc::clone(&opts));
        workers.push(&future_to_promise(async move {
            worker(inner, run, opts).await;
            Ok(JsValue::UNDEFINED)
        }));
    }
    let _ = JsFuture::from(Promise::all(&workers)).await;
    let r = run.borrow();
    let s = r.plan.summary();
    let not_attempted: Array = s
        .not_attempted
        .iter()
        .map(|i| JsValue::from(*i as u32))
        .collect();
    let stopped = s
        .stopped_by
        .map_or(JsValue::NULL, |x| JsValue::from_str(x.as_str()));
    bulk(
        &r.results,
        s.sent as f64,
        s.failed as f64,
        not_attempted,
        stopped,
    )
}
