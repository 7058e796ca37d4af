//! Every limit and rule a transport applies, in one place: the defaults of the options,
//! how much of a response body is read and kept, how the API key is kept out of what
//! leaves the core, how long a reservation or a claim holds, how long a send waits before
//! it looks again, and how many sends may be in flight for an account. Both transports
//! (the npm package's driver and the Rust `Client`) and the store protocol take them from
//! here, so they apply them alike, with a store or without one.
//!
//! ```
//! use connectsafely_wasm::policy::{hold_ms, in_flight_full, scrub};
//!
//! assert_eq!(hold_ms(30_000.0), 35_000.0); // the request's timeout, and 5 s more
//! assert_eq!(scrub("bad key sk-1|2", "sk-1|2"), "bad key [redacted]");
//! assert!(in_flight_full(4, None, 4)); // quota unknown: at most 4 out
//! assert!(!in_flight_full(4, Some(149.0), 4)); // 149 left: more may go
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use crate::outcome::Outcome;

/// `timeoutMs` when not given: the whole call, reading the body included.
pub const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;

/// The longest time an option may set (`timeoutMs`, `storeTimeoutMs`, `minIntervalMs`), in
/// ms: what a JavaScript timer waits at most (2^31 - 1, 24.8 days). A longer one fires at
/// once in every runtime (a store timeout then failed every store operation), and a
/// timeout of 1e300 held the reservation and journal claim of a process that died for good.
pub const MAX_MS: f64 = 2_147_483_647.0;

/// `storeTimeoutMs` when not given: one store operation slower than this fails closed.
pub const DEFAULT_STORE_TIMEOUT_MS: f64 = 10_000.0;

/// `maxInFlightPerAccount` when not given: sends in flight for an account (across the
/// processes sharing a store, or in this client without one) before a response tells its
/// quota.
pub const DEFAULT_MAX_IN_FLIGHT: u32 = 4;

/// The most `maxInFlightPerAccount`, and `concurrency` of a run, are taken as.
pub const MAX_PARALLEL: u32 = 1000;

/// The longest journal id, runner id and workspace name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// No answer of this API comes near this: a longer body (UTF-16 units in the JS driver,
/// bytes in the Rust `Client`) is cut to its first [`KEPT_BODY`] and classified on them.
pub const MAX_BODY: usize = 1 << 20;

/// What is kept of a body over [`MAX_BODY`], and the most text of a non-JSON body a
/// result keeps.
pub const KEPT_BODY: usize = 64 * 1024;

/// What stands for the API key wherever a server's text echoed it.
pub const REDACTED: &str = "[redacted]";

/// How long to wait before looking again when an account has no room for another send
/// (its quota left all in flight, here or in other processes), in ms.
pub const BUSY_WAIT_MS: f64 = 250.0;

/// How long this client trusts its memory of an account's record in a shared store, in ms:
/// older, a swap reads the record first. The adapters restart a key's version at 1 once it
/// expired (unread and unwritten for their `ttlSeconds`), so a memory older than that could
/// name the version of a record that other processes made anew since, and a swap over it
/// would overwrite theirs (their reservations, pacing and the quota they saw). Far below
/// any TTL a store should have; it costs one read to a send after ten quiet minutes.
pub const SEEN_MS: f64 = 600_000.0;

/// How long a send without a store waits before looking again for room, in ms: only this
/// client's own sends hold it, and the first answer frees most of it.
pub const ROOM_WAIT_MS: f64 = 10.0;

/// How many lost compare-and-swaps in a row before a send backs off...
pub const SWAP_TRIES: u32 = 16;

/// ...for this long, in ms (many processes racing for one record).
pub const SWAP_BACKOFF_MS: f64 = 25.0;

/// The most request bodies one `sendGroupWithAckMany` takes (a longer list fails whole,
/// `too_long` on `bodies`): room in the wasm's memory for each body's request, result and
/// plan, which ten million did not leave.
pub const MAX_RUN_BODIES: u32 = 1_000_000;

/// The most text (UTF-8 bytes of the valid bodies' requests) one `sendGroupWithAckMany`
/// keeps until each is sent; a run that holds more fails whole, `too_long` on `bodies`.
/// 200,000 messages of 8,000 CJK characters (24 KB each) ran the wasm out of memory; this
/// is 22,000 such messages, or a million of 530 bytes.
pub const MAX_RUN_TEXT: usize = 512 << 20;

/// How many swaps in a row one send's store may answer without writing before the send
/// gives up on it as unavailable. Racing processes lose a few each (one wins each round);
/// a store that can never write (its `version` not the one it compares, a bug of its
/// own) would otherwise be asked again forever, and the swaps that follow a request
/// (recording the outcome, giving the reservation back) are asked again at once, each
/// answer a resolved promise, so no timer of the page or process would ever run.
pub const MAX_UNWRITTEN_SWAPS: u32 = 1_000;

/// How long after it was asked for a journal claim still covers a request started
/// without renewing it (ms). An older claim is renewed first (a wait for pacing, room or
/// a 429's retry, or a slow store, must not let it expire while its request is out, or
/// another runner that resends unknown items would send the message again), and a renewal
/// the store answers later than this is not used: nothing is sent, the claim and the
/// reservation are given back. So a request starts with at least [`claim_ms`] less this
/// left on its claim: its timeout, the store's two answers after it, and 2.5 s.
pub const CLAIM_FRESH_MS: f64 = 2_500.0;

/// How long a journal claim holds (ms): the request's [`hold_ms`] and two of the store's
/// answers more (`store_timeout_ms` each: the reservation's release and the outcome's
/// record follow the response), so that a runner alive to the end records the outcome
/// before its claim can expire. With no timeout, a request may outlast any claim.
///
/// ```
/// assert_eq!(connectsafely_wasm::policy::claim_ms(30_000.0, 10_000.0), 55_000.0);
/// ```
pub fn claim_ms(timeout_ms: f64, store_timeout_ms: f64) -> f64 {
    hold_ms(timeout_ms) + 2.0 * store_timeout_ms.max(0.0)
}

/// How long a send's reservation and its journal claim hold if its process dies: its
/// timeout and 5 s more (the request is over by then), or 5 min with no timeout.
pub fn hold_ms(timeout_ms: f64) -> f64 {
    if timeout_ms > 0.0 {
        timeout_ms + 5_000.0
    } else {
        300_000.0
    }
}

/// Whether an account has no room for one more send: `out` are in flight, and `left` is
/// its quota left when a response told it (else at most `cap` may be out). With nothing
/// left and nothing out, one more may go, for the guard (or the server) to say so.
pub fn in_flight_full(out: u32, left: Option<f64>, cap: u32) -> bool {
    match left {
        Some(left) => out > 0 && f64::from(out) >= left,
        None => out >= cap.max(1),
    }
}

/// `text` with the API key replaced by [`REDACTED`], as written and as the store's record
/// format escapes it (`\` and `|`).
pub fn scrub(text: &str, key: &str) -> String {
    let text = crate::text::redact(text, key);
    // By a char loop (std's `replace` brought a char searcher into the wasm).
    let mut escaped = String::with_capacity(key.len());
    for c in key.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '|' => escaped.push_str("\\p"),
            c => escaped.push(c),
        }
    }
    if escaped == key {
        text
    } else {
        crate::text::redact(&text, &escaped)
    }
}

/// The outcome as a result may show it: the API key out of its error's texts and its
/// body's text. Applied once, before either transport builds a result from it.
pub fn scrubbed(mut outcome: Outcome, key: &str) -> Outcome {
    if key.is_empty() {
        return outcome;
    }
    if let Err(e) = &mut outcome.result {
        e.message = scrub(&e.message, key);
        for f in &mut e.field_errors {
            f.field = scrub(&f.field, key);
            f.message = scrub(&f.message, key);
        }
    }
    if let Some(body) = &mut outcome.body {
        if crate::text::contains(body, key) {
            *body = scrub(body, key);
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]

        /// The key as written and as the store's record escapes it (`\` as `\\`, `|` as
        /// `\p`) both leave the text, as with std's `replace` making the escaped key.
        #[test]
        fn scrub_removes_the_key_as_written_and_as_escaped(
            key in "[a-z\\\\|é]{1,6}",
            parts in proptest::collection::vec("[ a-z]{0,4}", 0..4),
        ) {
            let escaped = key.replace('\\', "\\\\").replace('|', "\\p");
            let text = parts.join(&format!("{key} {escaped}"));
            let once = crate::text::redact(&text, &key);
            let reference = if escaped == key { once } else { crate::text::redact(&once, &escaped) };
            prop_assert_eq!(scrub(&text, &key), reference);
        }
    }
}
