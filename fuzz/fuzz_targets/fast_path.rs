//! The validation fast path against the full validator, on any strings: the fast path
//! says "valid" only when the full validator accepts the body, with the same normalized
//! request, its identifiers and URNs trimmed of ASCII whitespace only (as the JS driver
//! trims the caller's strings); and it says so whenever the full validator does (for
//! strings without U+FFFD, which may stand for an unpaired surrogate of the JS string,
//! and identifiers and URNs padded with no other whitespace).
#![no_main]

use connectsafely_wasm::validate::{trim_ascii_space, validate, Fields, ToRequest};
use connectsafely_wasm::value::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    // Fields separated by NUL: account, urn, group, message, then messageUrns' entries.
    // The first byte picks the limit, whether there is an account and whether there is a
    // messageUrns.
    let mut parts = text.split('\0');
    let (Some(a), Some(urn), Some(group), Some(message)) = (parts.next(), parts.next(), parts.next(), parts.next()) else { return };
    let account = (flags & 1 == 1).then_some(a);
    let urns: Option<Vec<&str>> = (flags & 2 == 2).then(|| parts.collect());
    let max = if flags & 4 == 4 { 8000 } else { usize::from(flags >> 3) };
    let mut entries = Vec::new();
    if let Some(a) = account {
        entries.push(("accountId".to_owned(), Value::str(a)));
    }
    entries.push(("recipientProfileUrn".to_owned(), Value::str(urn)));
    entries.push(("groupId".to_owned(), Value::str(group)));
    entries.push(("message".to_owned(), Value::str(message)));
    if let Some(u) = &urns {
        entries.push(("messageUrns".to_owned(), Value::Array(u.iter().map(|s| Value::str(*s)).collect())));
    }
    let replacement = text.contains('\u{fffd}');
    let identifiers = [account.unwrap_or_default(), urn, group].into_iter().chain(urns.iter().flatten().copied());
    let other_padding = identifiers.clone().any(|s| trim_ascii_space(s) != s.trim());
    let mut fields = Fields { account_id: account, recipient_profile_urn: urn, group_id: group, message, message_urns: urns };
    let fast = fields.fast_valid(max);
    let full = validate(&Value::Object(entries), max);
    if fast {
        assert_eq!(full.as_ref().ok(), Some(&fields.to_request()), "the fast path accepted what the full validator does not accept so");
        assert_eq!(full.as_ref().ok().map(|r| r.to_json()), Some(fields.to_json()), "a send on the fast path would send another body than the full path");
        let r = fields.to_request();
        assert_eq!((r.recipient_profile_urn.as_str(), r.group_id.as_str()), (trim_ascii_space(urn), trim_ascii_space(group)), "trimmed other than of ASCII whitespace");
    }
    if full.is_ok() && !replacement && !other_padding && text.len() <= 1 << 16 {
        assert!(fast, "the full validator accepts it; the fast path must too");
    }
});
