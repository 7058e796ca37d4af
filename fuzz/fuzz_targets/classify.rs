//! The classifier: a result for every status, body and set of headers.
#![no_main]

use connectsafely_wasm::classify::{classify, kind_for_status};
use connectsafely_wasm::error::ErrorKind;
use connectsafely_wasm::rate_limit::RateLimitHeaders;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<2>() else { return };
    let status = 100 + u16::from_le_bytes(*head) % 500;
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.split('\u{0}');
    let body = parts.next().unwrap_or("").to_owned();
    let values: Vec<String> = parts.map(str::to_owned).collect();
    let headers = RateLimitHeaders::from_lookup(|name| {
        let i = RateLimitHeaders::NAMES.iter().position(|n| *n == name)?;
        values.get(i).cloned()
    });
    let c = classify(status, &body, &headers, 1.7e12);
    assert_eq!(c.status, status);
    match c.outcome {
        Ok(_) => assert!((200..300).contains(&status)),
        Err(e) => {
            let expected = if (200..300).contains(&status) { ErrorKind::InvalidResponse } else { kind_for_status(status) };
            assert_eq!(e.kind, expected);
            assert!(e.retry_after_ms.is_none_or(|w| w.is_finite() && w >= 0.0));
        }
    }
});
