//! The rate-limit and Retry-After parsers: never panic, never NaN, never a negative wait.
#![no_main]

use connectsafely_wasm::rate_limit::{parse_count, parse_http_date, parse_reset, parse_retry_after};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    if let Some(c) = parse_count(&s) {
        assert!(c.is_finite() && c >= 0.0 && c.fract() == 0.0);
    }
    if let Some(r) = parse_reset(&s) {
        assert!(r.is_finite());
    }
    if let Some(d) = parse_http_date(&s) {
        assert!(d.is_finite());
    }
    for now in [0.0, 1.7e12, 4e12] {
        if let Some(w) = parse_retry_after(&s, now) {
            assert!(w.is_finite() && w >= 0.0);
        }
    }
});
