//! The wasm build in headless Chromium against the sandbox API (cases in `common/cases.rs`).
#![cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
mod common;
