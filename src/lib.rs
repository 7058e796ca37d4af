//! A safe client for ConnectSafely's `POST /linkedin/messaging/send-group-with-ack`.
//!
//! The core (every module but `wasm`, `client` and `js`) is pure Rust with no JavaScript
//! types, and decides everything: the request model and its validation, the
//! classification of an HTTP outcome, rate-limit header parsing, the per-account guard,
//! one send as a state machine, the schedule of a run to many, and the store protocol.
//! Two transports drive it and perform only what it asks:
//!
//! - the npm package: the `wasm` module (feature `npm`) converts JavaScript values and
//!   builds result objects, in synchronous exports only, and the package's JavaScript
//!   driver (`pkg-template/src/client.js`) calls `fetch`, sets timers and swaps on the
//!   store;
//! - the Rust API: `client` (feature `client`) performs the HTTP with gloo-net.
//!
//! ```
//! use connectsafely_wasm::{validate::validate, value::Value};
//!
//! let body = Value::object([
//!     ("recipientProfileUrn", Value::str("urn:li:fsd_profile:ACoAAFpq")),
//!     ("groupId", Value::str(" 12345678 ")),
//!     ("message", Value::str("Thanks for your message in the group!")),
//! ]);
//! let request = validate(&body, 8000).unwrap();
//! assert_eq!(request.group_id, "12345678");
//! ```
#![deny(missing_docs, missing_debug_implementations)]
// The npm build is no_std: std's panic handler alone brings `core::fmt` into the wasm.
#![cfg_attr(
    all(target_arch = "wasm32", feature = "npm", not(feature = "client")),
    no_std
)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

extern crate alloc;

#[doc(hidden)]
pub use alloc::string::String as __String;

mod prelude;

/// A panic in the npm build traps (the code has no panic path of its own: clippy denies
/// them); without std there is no message to format.
#[cfg(all(
    target_arch = "wasm32",
    feature = "npm",
    not(feature = "client"),
    not(test)
))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

mod num;

// The npm build's allocator; compiled natively for its tests.
#[cfg(any(test, all(target_arch = "wasm32", feature = "npm")))]
mod heap;

// `validator` builds the validate entry's wasm (scripts/build-pkg.sh) by leaving modules
// out; anything else built with it would miss them.
#[cfg(all(
    feature = "validator",
    any(feature = "serde", feature = "client", not(target_arch = "wasm32"))
))]
compile_error!("the `validator` feature is internal to the npm build (scripts/build-pkg.sh): wasm32 only, without `serde` or `client`");
// `sender` builds the wasm web.mjs and index.mjs start with (no run, store or journal compiled).
#[cfg(all(
    feature = "sender",
    any(
        feature = "serde",
        feature = "client",
        feature = "validator",
        not(target_arch = "wasm32")
    )
))]
compile_error!("the `sender` feature is internal to the npm build (scripts/build-pkg.sh): wasm32 only, without `serde`, `client` or `validator`");

// The API: the request and its validation, the results and errors, the rate limit.
#[cfg(not(feature = "validator"))]
pub mod base_url;
pub mod error;
pub mod problem;
#[cfg(not(feature = "validator"))]
pub mod rate_limit;
pub mod request;
#[cfg(not(feature = "validator"))]
pub mod response;
#[cfg(feature = "serde")]
pub mod result;
pub mod validate;
pub mod value;

// The sans-IO machinery both transports (the npm package's driver and `Client`) drive:
// public for this crate's tests, benches and wasm layer, not part of the API (no semver
// promise, no examples); each module documents what it decides.
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod accounts;
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod bulk;
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod classify;
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod digest;
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod guard;
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod headers;
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod json;
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod log;
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod outcome;
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod policy;
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod send;
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod settings;
#[cfg(not(feature = "validator"))]
#[doc(hidden)]
pub mod store;
#[doc(hidden)]
pub mod text;

#[cfg(all(target_arch = "wasm32", feature = "client"))]
pub mod client;
#[cfg(all(target_arch = "wasm32", feature = "client"))]
pub use client::{BulkOptions, CallOptions, Client, ClientOptions, OnResult, OptionsError};
#[cfg(all(target_arch = "wasm32", any(feature = "npm", feature = "client")))]
mod js;
#[cfg(all(target_arch = "wasm32", feature = "npm"))]
mod wasm;

/// For the test suites: the JS API's result object for an outcome, as the npm build
/// makes it (a JSON body parsed by `JSON.parse`, as its driver does).
#[cfg(all(target_arch = "wasm32", feature = "npm", not(feature = "validator")))]
#[doc(hidden)]
pub fn js_result_of(outcome: &outcome::Outcome) -> wasm_bindgen::JsValue {
    wasm::result_of(outcome)
}

/// For the test suites: the settings the npm build settles from `ClientOptions` (as a JS
/// object), or the `TypeError`'s message.
#[cfg(all(target_arch = "wasm32", feature = "npm", not(feature = "validator")))]
#[doc(hidden)]
pub fn npm_client_settings(
    options: &wasm_bindgen::JsValue,
) -> Result<settings::ClientSettings, alloc::string::String> {
    wasm::client_settings(options)
}

/// For the test suites: a run's options as the npm build settles them, or the field error
/// every item reports.
#[cfg(all(
    target_arch = "wasm32",
    feature = "npm",
    not(feature = "validator"),
    not(feature = "sender")
))]
#[doc(hidden)]
pub fn npm_run_settings(
    options: &wasm_bindgen::JsValue,
) -> Result<(settings::RunSettings, settings::CallSettings), error::FieldError> {
    wasm::run_settings(options)
}
