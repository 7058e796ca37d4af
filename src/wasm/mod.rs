//! The npm build's wasm layer (feature `npm`): synchronous exports only, which the
//! package's JavaScript driver (`pkg-template/src/client.js`) calls. `Core` holds one
//! client's settings, its account registry and the sends and runs in progress; the driver
//! performs fetch, timers, abort and the store's swaps, and asks `Core` at every step.
//! Every decision is the core's; this layer reads JS values and builds result objects.
//! It is cut by capability: `setup` (a client), `send` (one send), `store` (a send's
//! swaps), `bulk` (a run to many), `validate`; `core` is the state they share.
//!
//! # The protocol between the driver and `Core`
//!
//! Every call is synchronous and never throws (but `new Core`, whose `TypeError` names a
//! bad option). In order:
//!
//! 1. **A client.** `new Core(options, runner)`, then `setup` once: the key, the endpoint,
//!    the `fetch`, `store`, logger and hooks, the headers. `knownFields()` (the full
//!    core's) is read when the package is built (each bundle holds the names), `bodyRules()` and
//!    `rateLimitHeaderNames()` at the first exchange (once per copy of the bundle).
//! 2. **A send.** `beginFast(len, ...)` (the fast path, over a body's fields as
//!    `fast.js` writes them into the wasm's one scratch buffer, at `fastAt(cap)`;
//!    `undefined` when it does not decide) or `begin(body, options)`
//!    gives the send's id; `request(id)` its body, signal, timeout and headers. Then,
//!    until `step(id)` is `Done`:
//!    - `Fetch`: perform the request, then `exchanged(id, ...)` with what happened;
//!      `logAttempt` and `attemptSeen` when someone listens;
//!    - `Swap`: `swap(id)` gives `[key, expected, value, lasting]`; perform it on the store, then
//!      `swapped(id, ok, value, version)`, or `storeFailed(id, thrown)`;
//!    - `Wait`: sleep `waitMs(id)` (`logWait` says why), then `waited(id)`, or
//!      `abort(id)` if the caller's signal fires.
//!
//!    Then `logOutcome(id)`, and `finish(id)`: the `SendResult`; the send is forgotten.
//! 3. **A run to many.** `bulkBegin(bodies, options)` gives the run's id. Until
//!    `bulkChecks(run)` is empty, perform its swaps and report them with `bulkChecked`.
//!    `bulkSettings(run)` gives the signal, `onResult`, the workers to start, the results
//!    array and the items invalid up front. Each worker, until `bulkNext(run)` is `Done`:
//!    `Start`: `bulkSend(run)` gives a send's id, driven as in 2 to `Done`, then
//!    `bulkSettle(run, id)` (the item's index when its result counts); `Wait`: sleep
//!    `bulkWaitMs(run)` (or `bulkAbort(run)` on the signal). When every worker is done:
//!    `bulkLog(run)`, then `bulkFinish(run)`: the `BulkResult`; the run is forgotten.
//! 4. **Validation** needs no client: `fastValidate(len, ...)`, the fast path over what
//!    `fast.js` wrote at `fastAt(cap)` (the buffer the clients share), and
//!    `validateSendGroupWithAck(body, options)`; in the validate-only build (no JS value
//!    in the wasm) `bodyCap(option, n)`, then `checkBody(len, option, n)` over the body
//!    `describe.js` wrote into the same buffer, whose result problems.js made of what the
//!    core handed it (`text`, `problem`).
//! 5. **The switch to the full core.** The `sender` build (the wasm of web.mjs and index.mjs) has no run to
//!    many, store or journal: no `bulk*`, `swap`, `swapped`, `storeFailed`, and a store
//!    never reaches a send. When its client first needs them, the driver makes the full
//!    build's `new Core` from the same options and runner, waits until no send is in
//!    flight on the first, and hands the account registry over: `handOverText()` and
//!    `handOverNumbers()` of the `sender` core, `takeOver(text, numbers)` of the full one.

#[allow(unused_imports)]
use crate::prelude::*;

#[cfg(not(any(feature = "validator", feature = "sender")))]
mod bulk;
#[cfg(not(feature = "validator"))]
mod core;
#[cfg(not(feature = "validator"))]
mod error;
mod fast;
#[cfg(not(feature = "validator"))]
mod fields;
#[cfg(not(feature = "validator"))]
mod options;
#[cfg(not(feature = "validator"))]
mod read;
#[cfg(not(feature = "validator"))]
mod result;
#[cfg(not(any(feature = "validator", feature = "sender")))]
mod run;
#[cfg(not(feature = "validator"))]
mod send;
#[cfg(not(feature = "validator"))]
mod setup;
#[cfg(not(any(feature = "validator", feature = "sender")))]
mod store;
mod validate;

#[cfg(not(any(feature = "validator", feature = "sender")))]
use crate::error::FieldError;
#[cfg(not(feature = "validator"))]
use {
    crate::{js, outcome::Outcome},
    wasm_bindgen::JsValue,
};

#[cfg(not(feature = "validator"))]
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

#[cfg(not(any(feature = "validator", feature = "sender")))]
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

#[cfg(not(feature = "validator"))]
/// The result object the npm build makes for `outcome` (see `crate::js_result_of`).
pub(crate) fn result_of(outcome: &Outcome) -> JsValue {
    let parsed = outcome
        .body
        .as_deref()
        .and_then(|t| js_sys::JSON::parse(t).ok());
    result::send_result(outcome, parsed, JsValue::UNDEFINED, "")
}

// The layer keeps state in a static (the fast path's buffer, `validate.rs`) and installs a
// single-threaded allocator: a build with threads would share both unsynchronized.
#[cfg(target_feature = "atomics")]
compile_error!("the npm build is single-threaded: build it without the `atomics` target feature");

// Segregated free lists (src/heap.rs): smaller than a general allocator (dlmalloc, talc) and,
// unlike a single free list, its cost per allocation does not grow with what is live (a
// run of 100,000 items keeps that many requests). Single-threaded (atomics refused above).
#[global_allocator]
static ALLOCATOR: crate::heap::Segregated<crate::heap::WasmMemory> =
    crate::heap::Segregated::new(crate::heap::WasmMemory);
