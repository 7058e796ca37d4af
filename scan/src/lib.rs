//! The validation fast path of `connectsafely-wasm`: byte scanners over UTF-8 text
//! ([`text`]) and the checks that decide a body whose fields are all strings
//! ([`fields`]), with no JavaScript types and no allocation but a list of `messageUrns`.
//!
//! A crate of its own for one reason: `connectsafely-wasm` builds its npm wasm at
//! `opt-level = "z"`, and its workspace compiles this crate at `opt-level = 2`
//! (`[profile.release.package.connectsafely-scan]`), where the fast path inlines into
//! one function instead of ~15 calls (figures: the repository's
//! `docs/performance-history.md`). `connectsafely-wasm` re-exports what it documents
//! (`connectsafely_wasm::text::split_nul`, `connectsafely_wasm::validate::Fields`, ...).
//!
//! ```
//! use connectsafely_scan::fields::validate_joined;
//!
//! let body = "\0urn:li:fsd_profile:ACoAAFpq\0 12345678\0Thanks!";
//! assert_eq!(validate_joined(body.as_bytes(), false, -1, 8000), 2); // valid once trimmed
//! assert_eq!(validate_joined(b"\0nope\012345678\0Thanks!", false, -1, 8000), 0); // ask the full validator
//! ```
#![no_std]
#![deny(missing_docs, missing_debug_implementations)]
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

pub mod fields;
pub mod text;
