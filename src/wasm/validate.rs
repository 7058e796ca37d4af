//! Validation without a client: the fast path, and the full path: `validateSendGroupWithAck`
//! (a body read from JavaScript by `read::body`), or in the validate-only build `checkBody`
//! (a body `describe.js` wrote into the fast path's buffer, read by `value::decode`: that
//! build holds no JS value at all).

#[allow(unused_imports)]
use crate::prelude::*;

use wasm_bindgen::prelude::*;

use super::fast;
#[cfg(not(feature = "validator"))]
use super::read::{self, Type};
#[cfg(feature = "validator")]
use crate::problem::Name;
use crate::problem::Problem;
use crate::validate::{check, DEFAULT_MAX_MESSAGE_LENGTH};
#[cfg(not(feature = "validator"))]
use connectsafely_scan::fields::read_joined;
use connectsafely_scan::fields::validate_joined;
#[cfg(not(feature = "validator"))]
use js_sys::Array;

#[cfg(not(feature = "validator"))]
#[wasm_bindgen(module = "/src/wasm/shapes.js")]
extern "C" {
    fn valid(
        account: JsValue,
        urn: JsValue,
        group: JsValue,
        message: JsValue,
        urns: JsValue,
    ) -> JsValue;
    #[wasm_bindgen(js_name = invalid)]
    fn invalid_result(error: JsValue) -> JsValue;
}

#[cfg(feature = "validator")]
#[wasm_bindgen(module = "/src/wasm/problems.js")]
extern "C" {
    #[wasm_bindgen(js_name = setMessages)]
    fn set_messages(text: &str);
    fn problem(name: u32, key: &str, code: u32, message: u32, n0: f64, n1: f64, s: &str);
    fn text(s: &str);
}

/// The request's field names, in the order of the validation table, separated by commas.
/// Read from the full core when the package is built (scripts/bundle-pkg.mjs), and held by
/// each bundle as a constant: the JS driver's fast path compares a body's keys with them.
/// (The other cores leave it out: nothing calls it at run time.)
#[cfg(not(any(feature = "validator", feature = "sender")))]
#[wasm_bindgen(js_name = knownFields, unchecked_return_type = "string")]
pub fn known_fields() -> JsValue {
    JsValue::from_str(&crate::text::comma_joined(&crate::validate::KNOWN_FIELDS))
}

/// The validation fast path's buffer: the wasm's one [`fast::Scratch`], which `fast.js`
/// writes a body's fields into and which validation and every client of this wasm
/// (`Core.beginFast`) read: one buffer, however many clients.
///
/// Reached only through `scratch`, which takes the buffer out of its `Cell` while it is
/// read: the one way to a `&mut` of a `static`'s contents without `static mut`.
struct Shared(core::cell::Cell<fast::Scratch>);

// SAFETY: the npm build's wasm has one thread (wasm32 without atomics: the `atomics`
// target feature is refused in `super`), so nothing reaches the cell concurrently.
unsafe impl Sync for Shared {}

static SCRATCH: Shared = Shared(core::cell::Cell::new(fast::Scratch::new()));

/// `f` of the buffer, taken out of the cell meanwhile. `f` must not call into
/// JavaScript (none does: each is the fast path's own Rust): a call back into `fastAt`
/// would find the cell empty, give JS the address of a new buffer, and that buffer would
/// be freed when this one is put back, while JS still holds a view of it. (Keeping
/// whichever buffer JS was given last would cost every wasm 0.1 KB for a call no `f`
/// makes.)
fn scratch<T>(f: impl FnOnce(&mut fast::Scratch) -> T) -> T {
    let mut buffer = SCRATCH.0.take();
    let out = f(&mut buffer);
    SCRATCH.0.set(buffer);
    out
}

/// `f` over the fields the first `len` bytes of the buffer hold (see [`read_joined`]);
/// `None` when they do not read as fields. `f` must not call into JavaScript (see
/// `scratch`): the fields' checks and copies are Rust's own. For a send (the
/// validate-only build has none).
#[cfg(not(feature = "validator"))]
pub(super) fn with_fields<T>(
    len: usize,
    account: bool,
    urns: i32,
    f: impl FnOnce(&mut crate::validate::Fields<'_>) -> Option<T>,
) -> Option<T> {
    scratch(|buffer| {
        let mut fields = read_joined(buffer.bytes(len)?, account, urns)?;
        f(&mut fields)
    })
}

/// The address of at least `cap` bytes of the buffer, for `fast.js` to write into.
#[wasm_bindgen(js_name = fastAt)]
pub fn fast_at(cap: usize) -> usize {
    scratch(|buffer| buffer.at(cap))
}

/// The validation fast path over the first `len` bytes of the buffer, a body's fields as
/// `fast.js` writes them (see [`super::fast`]), under the default limit: 0 when it does
/// not decide ("ask the full path", not "invalid"); 1 when the body is valid
/// as it is; 2 when it is valid once its identifiers and URNs are trimmed, which
/// JavaScript's `trim` does as the core did (the fast path trims only ASCII whitespace).
#[wasm_bindgen(js_name = fastValidate)]
pub fn fast_validate(len: usize, account: bool, urns: i32) -> u32 {
    // One call into connectsafely-scan, compiled for speed (see its docs).
    scratch(|buffer| {
        let bytes = buffer.bytes(len)?;
        Some(validate_joined(
            bytes,
            account,
            urns,
            DEFAULT_MAX_MESSAGE_LENGTH,
        ))
    })
    .unwrap_or(0)
}

/// Validates a body as `sendGroupWithAck` would, without sending. Never throws.
/// `value` is the normalized body that would be sent.
#[cfg(not(feature = "validator"))]
#[wasm_bindgen(js_name = validateSendGroupWithAck)]
pub fn validate_send_group_with_ack(body: JsValue, options: JsValue) -> JsValue {
    let max = match max_message_length(&options) {
        Ok(max) => max,
        Err(p) => return invalid(&[p]),
    };
    let value = read::body(&body, max);
    match check(&value, max) {
        Ok(v) => {
            let text = |s: &str| JsValue::from_str(s);
            let urns = v.message_urns.as_ref().map_or(JsValue::UNDEFINED, |u| {
                u.iter().map(|s| text(s)).collect::<Array>().into()
            });
            let account = v.account_id.as_deref().map_or(JsValue::UNDEFINED, text);
            valid(
                account,
                text(&v.recipient_profile_urn),
                text(&v.group_id),
                text(&v.message),
                urns,
            )
        }
        Err(problems) => invalid(&problems),
    }
}

/// `maxMessageLength` as `describe.js`'s `option` hands it over: 0 not given (no options,
/// or the option `undefined`), 1 the number `n`, 2 anything else.
#[cfg(feature = "validator")]
fn limit(option: u32, n: f64) -> Result<usize, Problem<'static>> {
    use crate::value::Raw;
    crate::validate::max_message_length(&match option {
        0 => Raw::Absent,
        1 => Raw::Number(n),
        _ => Raw::Other,
    })
}

/// The longest string (UTF-16 units) `describe.js` copies into the buffer under this
/// `maxMessageLength` ([`crate::value::copy_cap`]); 0 when the option is invalid (the
/// body is then not read: `checkBody` reports the option alone).
#[cfg(feature = "validator")]
#[wasm_bindgen(js_name = bodyCap)]
pub fn body_cap(option: u32, n: f64) -> usize {
    limit(option, n).map_or(0, crate::value::copy_cap)
}

/// Validates the body `describe.js` wrote into the first `len` bytes of the buffer (see
/// [`crate::value::decode`]), under `maxMessageLength` as [`body_cap`] takes it. Hands
/// problems.js the result: the normalized body's strings (`text`, in the order of its
/// fields, messageUrns' entries last) or each problem; returns what problems.js's
/// `resultOf` reads: 0 invalid, else 1, plus 2 with an accountId and 4 with messageUrns.
#[cfg(feature = "validator")]
#[wasm_bindgen(js_name = checkBody)]
pub fn check_body(len: usize, option: u32, n: f64) -> u32 {
    let max = match limit(option, n) {
        Ok(max) => max,
        Err(p) => return invalid(&[p]),
    };
    let value = scratch(|buffer| buffer.bytes(len).map(crate::value::decode))
        .unwrap_or(crate::value::Value::Unreadable);
    match check(&value, max) {
        Ok(v) => {
            let mut shape = 1;
            if let Some(account) = &v.account_id {
                text(account);
                shape |= 2;
            }
            text(&v.recipient_profile_urn);
            text(&v.group_id);
            text(&v.message);
            if let Some(urns) = &v.message_urns {
                urns.iter().for_each(|u| text(u));
                shape |= 4;
            }
            shape
        }
        Err(problems) => invalid(&problems),
    }
}

/// Set once problems.js has the message templates (one thread: a plain flag, as
/// `read::names_ready`'s).
#[cfg(feature = "validator")]
static MESSAGES_SET: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Hands problems.js `problems` (0: `checkBody`'s "invalid"). The validate-only build has
/// problems.js write their messages; the others, which write messages for sends anyway,
/// write them here.
#[cfg(feature = "validator")]
fn invalid(problems: &[Problem<'_>]) -> u32 {
    use core::sync::atomic::Ordering::Relaxed;
    if !MESSAGES_SET.load(Relaxed) {
        set_messages(&crate::problem::messages_text());
        MESSAGES_SET.store(true, Relaxed);
    }
    for p in problems {
        // As problems.js's `problem` reads it: a known field's index, 5 the body, 6 the
        // option, 7 a key (`key`), 8 + i messageUrns' entry i.
        let (name, key) = match p.field {
            Name::Known(i) => (u32::from(i), ""),
            Name::Body => (5, ""),
            Name::MaxMessageLength => (6, ""),
            Name::Key(k) => (7, k),
            Name::Entry(i) => ((i as u32).saturating_add(8), ""),
        };
        problem(
            name,
            key,
            p.code as u32,
            p.message as u32,
            p.n[0] as f64,
            p.n[1] as f64,
            p.s,
        );
    }
    0
}

#[cfg(not(feature = "validator"))]
fn invalid(problems: &[Problem<'_>]) -> JsValue {
    let errors = problems.iter().map(Problem::to_field_error).collect();
    invalid_result(super::error::error_js(
        &crate::error::SendError::validation(errors),
    ))
}

#[cfg(not(feature = "validator"))]
fn max_message_length(options: &JsValue) -> Result<usize, Problem<'static>> {
    if matches!(Type::of(options), Type::Undefined | Type::Null) {
        return Ok(DEFAULT_MAX_MESSAGE_LENGTH);
    }
    crate::validate::max_message_length(&read::raw(options, "maxMessageLength"))
}
