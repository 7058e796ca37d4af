//! The wasm build in Node.js against the sandbox API (cases in `common/cases.rs`).
#![cfg(target_arch = "wasm32")]
mod common;
