//! The validation fast path against the full validator, on any four strings: the fast
//! path says "valid" only when the full validator accepts the body unchanged, and it
//! says so whenever the full validator does (for a message without U+FFFD).
#![no_main]

use connectsafely_wasm::validate::{is_valid_unchanged, validate};
use connectsafely_wasm::value::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    // Four fields separated by NUL; the first byte picks the limit and whether there is an account.
    let mut parts = text.split('\0');
    let (Some(a), Some(urn), Some(group), Some(message)) = (parts.next(), parts.next(), parts.next(), parts.next()) else { return };
    let account = (flags & 1 == 1).then_some(a);
    let max = if flags & 2 == 2 { 8000 } else { usize::from(flags >> 2) };
    let mut entries = Vec::new();
    if let Some(a) = account {
        entries.push(("accountId".to_owned(), Value::str(a)));
    }
    entries.push(("recipientProfileUrn".to_owned(), Value::str(urn)));
    entries.push(("groupId".to_owned(), Value::str(group)));
    entries.push(("message".to_owned(), Value::str(message)));
    let fast = is_valid_unchanged(account, urn, group, message, max);
    let unchanged = validate(&Value::Object(entries), max).is_ok_and(|r| {
        r.account_id.as_deref() == account && r.recipient_profile_urn == urn && r.group_id == group && r.message == message
    });
    if fast {
        assert!(unchanged, "the fast path accepted what the full validator does not accept unchanged");
    }
    if unchanged && !message.contains('\u{fffd}') {
        assert!(fast, "the full validator accepts it unchanged; the fast path must too");
    }
});
