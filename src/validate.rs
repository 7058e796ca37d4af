//! The validation rules of contract section 4.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::{FieldError, FieldErrorCode as Code};
use crate::request::SendGroupWithAckRequest;
use crate::value::{Raw, Text, Value};

/// The default limit on `message`, in Unicode code points.
pub const DEFAULT_MAX_MESSAGE_LENGTH: usize = 8000;
/// The fields of the request, in the order their errors are reported.
pub const KNOWN_FIELDS: [&str; 5] = [
    "accountId",
    "recipientProfileUrn",
    "groupId",
    "message",
    "messageUrns",
];

/// Validates and normalizes a body: the request that would be sent, or every field error.
///
/// ```
/// use connectsafely_wasm::{validate::validate, value::Value};
///
/// let body = Value::object([
///     ("recipientProfileUrn", Value::str("urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o")),
///     ("groupId", Value::str(" 12345678 ")),
///     ("message", Value::str("Thanks for your message in the group!")),
/// ]);
/// let request = validate(&body, 8000).unwrap();
/// assert_eq!(request.group_id, "12345678"); // identifiers trimmed
///
/// let typo = Value::object([("recipientProfileUrn", Value::str("urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o")), ("groupID", Value::str("1")), ("message", Value::str("Hi"))]);
/// let errors = validate(&typo, 8000).unwrap_err();
/// assert!(errors.iter().any(|e| e.field == "groupID" && e.message.contains("groupId"))); // "did you mean"
/// ```
pub fn validate(
    body: &Value,
    max_message_length: usize,
) -> Result<SendGroupWithAckRequest, Vec<FieldError>> {
    let entries = match body {
        Value::Object(entries) => entries,
        other => {
            let got = if matches!(other, Value::Absent) {
                "nothing"
            } else {
                other.describe()
            };
            return Err(vec![FieldError::new(
                "",
                Code::Type,
                crate::cat!("The body must be an object with recipientProfileUrn, groupId and message; got ", got),
            )]);
        }
    };
    let field = |name: &str| -> &Value {
        entries
            .iter()
            .find(|(k, _)| k == name)
            .map_or(&Value::Absent, |(_, v)| v)
    };

    let mut errors = Vec::new();
    let account_id = optional(field("accountId"), &mut errors, |v| {
        identifier(v, "accountId", check_account_id)
    });
    let recipient = identifier(
        field("recipientProfileUrn"),
        "recipientProfileUrn",
        check_profile_urn,
    );
    let group = group_id(field("groupId"));
    let message = message(field("message"), max_message_length);
    // Field errors come in table order: messageUrns' after message's.
    let mut urn_errors = Vec::new();
    let message_urns = optional(field("messageUrns"), &mut urn_errors, message_urns);

    let recipient = collect(recipient, &mut errors);
    let group = collect(group, &mut errors);
    let message = collect(message, &mut errors);
    errors.append(&mut urn_errors);

    for (key, _) in entries {
        if !KNOWN_FIELDS.contains(&key.as_str()) {
            errors.push(unknown_field(key));
        }
    }

    match (recipient, group, message) {
        (Some(recipient_profile_urn), Some(group_id), Some(message)) if errors.is_empty() => {
            Ok(SendGroupWithAckRequest {
                account_id,
                recipient_profile_urn,
                group_id,
                message,
                message_urns,
            })
        }
        _ => Err(errors),
    }
}

/// What the fast path's [`Fields`] make once [`Fields::fast_valid`] said true (a trait:
/// `Fields` lives in `connectsafely-scan`, the fast path's crate).
#[doc(hidden)]
pub trait ToRequest {
    /// The request these fields make: the reference the tests hold [`ToRequest::to_json`] to.
    fn to_request(&self) -> SendGroupWithAckRequest;
    /// The JSON text of [`ToRequest::to_request`], written with no owned copy of the fields.
    fn to_json(&self) -> String;
}

impl ToRequest for Fields<'_> {
    /// The request these fields make (once [`Fields::fast_valid`] said true): the reference
    /// the tests hold [`ToRequest::to_json`] to (a send writes its JSON with no such copy).
    ///
    /// ```
    /// use connectsafely_wasm::validate::{validate, Fields, ToRequest};
    /// use connectsafely_wasm::value::Value;
    ///
    /// let urn = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";
    /// let mut fields = Fields { account_id: None, recipient_profile_urn: urn, group_id: " 1 ", message: "Hi", message_urns: None };
    /// assert!(fields.fast_valid(8000));
    /// let body = Value::object([("recipientProfileUrn", Value::str(urn)), ("groupId", Value::str(" 1 ")), ("message", Value::str("Hi"))]);
    /// assert_eq!(Ok(fields.to_request()), validate(&body, 8000));
    /// ```
    fn to_request(&self) -> SendGroupWithAckRequest {
        SendGroupWithAckRequest {
            account_id: self.account_id.map(str::to_owned),
            recipient_profile_urn: self.recipient_profile_urn.to_owned(),
            group_id: self.group_id.to_owned(),
            message: self.message.to_owned(),
            message_urns: self
                .message_urns
                .as_ref()
                .map(|u| u.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    /// The JSON text of [`ToRequest::to_request`], written from these fields with no owned
    /// copy of them (what a send on the fast path sends).
    ///
    /// ```
    /// use connectsafely_wasm::validate::{Fields, ToRequest};
    ///
    /// let urn = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";
    /// let mut fields = Fields { account_id: Some("acct-1"), recipient_profile_urn: urn, group_id: " 1 ", message: "Say \"hi\"", message_urns: Some(vec![" urn:li:x:1"]) };
    /// assert!(fields.fast_valid(8000));
    /// assert_eq!(fields.to_json(), fields.to_request().to_json());
    /// ```
    fn to_json(&self) -> String {
        let mut out = crate::request::json_head(
            self.account_id,
            self.recipient_profile_urn,
            self.group_id,
            self.message,
        );
        crate::request::json_tail(
            &mut out,
            self.message_urns.as_ref().map(|u| u.iter().copied()),
        );
        out
    }
}

pub use crate::text::trim_ascii_space;
#[doc(hidden)]
pub use connectsafely_scan::fields::Fields;
use connectsafely_scan::fields::{is_id, PROFILE_PREFIX};
pub use connectsafely_scan::fields::{is_message_urn, MAX_MESSAGE_URNS, MAX_MESSAGE_URN_LENGTH};

/// What a rule reports: one field error, or (`messageUrns`) one per entry.
trait Errors {
    fn add_to(self, errors: &mut Vec<FieldError>);
}

impl Errors for FieldError {
    fn add_to(self, errors: &mut Vec<FieldError>) {
        errors.push(self);
    }
}

impl Errors for Vec<FieldError> {
    fn add_to(mut self, errors: &mut Vec<FieldError>) {
        errors.append(&mut self);
    }
}

fn collect<T>(r: Result<T, impl Errors>, errors: &mut Vec<FieldError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            e.add_to(errors);
            None
        }
    }
}

/// An optional field: absent is `None`, else the inner rule.
fn optional<T, E: Errors>(
    v: &Value,
    errors: &mut Vec<FieldError>,
    rule: impl FnOnce(&Value) -> Result<T, E>,
) -> Option<T> {
    if matches!(v, Value::Absent) {
        return None;
    }
    collect(rule(v), errors)
}

/// One field's error, its message built by the rule.
fn one(field: &str, code: Code, message: String) -> FieldError {
    FieldError::new(field, code, message)
}

fn type_error(field: &str, v: &Value, expected: &str) -> FieldError {
    let message = if matches!(v, Value::Unreadable) {
        crate::cat!(field, " could not be read: a getter or proxy trap threw")
    } else {
        crate::cat!(field, " must be ", expected, "; got ", v.describe())
    };
    FieldError::new(field, Code::Type, message)
}

/// A required identifier: trimmed, then checked by `check` (which says what is wrong, if anything).
fn identifier(
    v: &Value,
    field: &str,
    check: fn(&str) -> Option<String>,
) -> Result<String, FieldError> {
    match v {
        Value::Absent => Err(one(
            field,
            Code::Required,
            crate::cat!(field, " is required"),
        )),
        Value::Str(t) => {
            let trimmed = crate::text::trim(&t.text);
            if trimmed.is_empty() {
                return Err(one(field, Code::Empty, crate::cat!(field, " is empty")));
            }
            match check(trimmed) {
                Some(why) => Err(one(field, Code::Format, crate::cat!(field, " ", why))),
                None => Ok(trimmed.to_owned()),
            }
        }
        Value::LongStr { .. } => Err(one(
            field,
            Code::Format,
            crate::cat!(field, " is far too long to be valid"),
        )),
        other => Err(type_error(field, other, "a string")),
    }
}

fn check_account_id(s: &str) -> Option<String> {
    let n = crate::text::char_count(s);
    if n > 128 {
        return Some(crate::cat!(
            "must be at most 128 characters (letters, digits, '_' or '-'); it has ",
            crate::text::whole(n as f64)
        ));
    }
    if !is_id(s) {
        return Some("may hold only letters, digits, '_' and '-'".into());
    }
    None
}

fn check_profile_urn(s: &str) -> Option<String> {
    match s.strip_prefix(PROFILE_PREFIX) {
        Some(id) if !id.is_empty() && is_id(id) => None,
        Some(_) => {
            Some("must be urn:li:fsd_profile: followed by letters, digits, '_' or '-'".into())
        }
        None if crate::text::contains(s, "linkedin.com/") => {
            Some("must be a profile URN like urn:li:fsd_profile:ACoAA..., not a profile URL".into())
        }
        None => {
            Some("must look like urn:li:fsd_profile:ACoAA... (letters, digits, '_' or '-')".into())
        }
    }
}

fn group_id(v: &Value) -> Result<String, FieldError> {
    const FIELD: &str = "groupId";
    if let Value::Number(n) = v {
        let hint = if n.is_finite()
            && *n >= 0.0
            && crate::num::fract(*n) == 0.0
            && *n <= 9_007_199_254_740_991.0
        {
            crate::cat!("; send it as the string \"", crate::text::whole(*n), "\"")
        } else {
            String::from("; send the group's digits as a string, e.g. \"12345678\"")
        };
        return Err(one(
            FIELD,
            Code::Type,
            crate::cat!("groupId must be a string, not a number", hint),
        ));
    }
    identifier(v, FIELD, check_group_id)
}

fn check_group_id(s: &str) -> Option<String> {
    if s.chars().all(|c| c.is_ascii_digit()) {
        return if s.len() > 20 {
            Some("must be at most 20 digits".into())
        } else {
            None
        };
    }
    // A pasted group URL: point at the digits in it.
    if let Some(rest) =
        crate::text::find(s, "/groups/").and_then(|at| s.get(at + "/groups/".len()..))
    {
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() && digits.len() <= 20 {
            return Some(crate::cat!(
                "must be the group's digits only, e.g. \"",
                digits,
                "\", not a URL"
            ));
        }
    }
    Some("must be 1 to 20 digits, e.g. \"12345678\"".into())
}

fn message(v: &Value, max: usize) -> Result<String, FieldError> {
    const FIELD: &str = "message";
    match v {
        Value::Absent => Err(one(FIELD, Code::Required, "message is required".into())),
        Value::LongStr { min_code_points } => Err(one(
            FIELD,
            Code::TooLong,
            crate::cat!(
                "message has at least ",
                crate::text::whole(*min_code_points as f64),
                " code points; the limit is ",
                crate::text::whole(max as f64)
            ),
        )),
        Value::Str(t) => {
            let n = crate::text::char_count(&t.text);
            if n > max {
                return Err(one(
                    FIELD,
                    Code::TooLong,
                    crate::cat!(
                        "message has ",
                        crate::text::whole(n as f64),
                        " code points; the limit is ",
                        crate::text::whole(max as f64)
                    ),
                ));
            }
            if !t.well_formed {
                return Err(one(
                    FIELD,
                    Code::NotWellFormed,
                    "message holds an unpaired UTF-16 surrogate (a broken emoji?), so it could not be sent unaltered"
                        .into(),
                ));
            }
            if crate::text::trim(&t.text).is_empty() {
                return Err(one(
                    FIELD,
                    Code::Empty,
                    "message is empty or only whitespace".into(),
                ));
            }
            Ok(t.text.clone())
        }
        other => Err(type_error(FIELD, other, "a string")),
    }
}

fn message_urns(v: &Value) -> Result<Vec<String>, Vec<FieldError>> {
    const FIELD: &str = "messageUrns";
    /// `messageUrns` holds `len` entries, more than allowed.
    fn too_many(len: usize) -> Vec<FieldError> {
        vec![one(
            FIELD,
            Code::TooLong,
            crate::cat!(
                "messageUrns has ",
                crate::text::whole(len as f64),
                " entries; at most 100 are allowed"
            ),
        )]
    }
    let items = match v {
        Value::Array(items) => items,
        Value::LongArray { len } => return Err(too_many(*len)),
        other => {
            return Err(vec![type_error(
                FIELD,
                other,
                "an array of message URN strings",
            )])
        }
    };
    if items.len() > MAX_MESSAGE_URNS {
        return Err(too_many(items.len()));
    }
    let mut errors = Vec::new();
    let mut urns = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = crate::cat!("messageUrns[", crate::text::whole(i as f64), "]");
        match message_urn(item, &field) {
            Ok(u) => urns.push(u),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(urns)
    } else {
        Err(errors)
    }
}

fn message_urn(v: &Value, field: &str) -> Result<String, FieldError> {
    let text: &Text = match v {
        Value::Str(t) => t,
        Value::LongStr { .. } => {
            return Err(FieldError::new(
                field,
                Code::TooLong,
                crate::cat!(field, " is longer than 512 code points"),
            ))
        }
        other => return Err(type_error(field, other, "a string")),
    };
    let trimmed = crate::text::trim(&text.text);
    let n = crate::text::char_count(trimmed);
    if n > MAX_MESSAGE_URN_LENGTH {
        return Err(FieldError::new(
            field,
            Code::TooLong,
            crate::cat!(
                field,
                " has ",
                crate::text::whole(n as f64),
                " code points; the limit is 512"
            ),
        ));
    }
    if trimmed.is_empty() {
        return Err(FieldError::new(
            field,
            Code::Empty,
            crate::cat!(field, " is empty"),
        ));
    }
    if !is_message_urn(trimmed) {
        return Err(FieldError::new(
            field,
            Code::Format,
            crate::cat!(
                field,
                " must be a URN like urn:li:msg_message:(urn:li:fsd_profile:X,2-abc==)"
            ),
        ));
    }
    Ok(trimmed.to_owned())
}

fn unknown_field(key: &str) -> FieldError {
    let message = match closest_known(key) {
        Some(known) => crate::cat!(key, " is not a field of this request; did you mean ", known, "?"),
        None => crate::cat!(
            key,
            " is not a field of this request (known: accountId, recipientProfileUrn, groupId, message, messageUrns)"
        ),
    };
    FieldError::new(key, Code::UnknownField, message)
}

/// The known field nearest to `key` (case-insensitive edit distance of at most 3), if any.
///
/// ```
/// use connectsafely_wasm::validate::closest_known;
///
/// assert_eq!(closest_known("group_id"), Some("groupId"));
/// assert_eq!(closest_known("subject"), None);
/// ```
pub fn closest_known(key: &str) -> Option<&'static str> {
    // The known names are ASCII, so a key compares as ASCII folded to lower case, each
    // other character one that equals none of theirs (Unicode tables stay out of the
    // wasm). Fixed rows, no allocation: a key is at most 64 characters, a name 19.
    let mut folded = [0u8; 64];
    let mut len = 0;
    for c in key.chars() {
        let slot = folded.get_mut(len)?;
        *slot = if c.is_ascii() {
            c.to_ascii_lowercase() as u8
        } else {
            0x80
        };
        len += 1;
    }
    let mut best: Option<(usize, &'static str)> = None;
    for k in KNOWN_FIELDS {
        let d = edit_distance(folded.get(..len).unwrap_or_default(), k.as_bytes());
        if d <= 3.min(k.len() / 3) && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| k)
}

/// Levenshtein distance between `a` (folded) and the ASCII name `b` (folded here), `b`
/// at most 31 bytes (the rest ignored).
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let b = b.get(..31).unwrap_or(b);
    let mut row = [0usize; 32];
    for (j, slot) in row.iter_mut().enumerate() {
        *slot = j;
    }
    for (i, &ca) in a.iter().enumerate() {
        // `diag`: the row above, one column left; `left`: this row, one column left.
        let mut diag = i;
        let mut left = i + 1;
        if let Some(first) = row.first_mut() {
            *first = left;
        }
        for (slot, &cb) in row.iter_mut().skip(1).zip(b) {
            let up = *slot;
            left = (diag + usize::from(ca != cb.to_ascii_lowercase()))
                .min(up + 1)
                .min(left + 1);
            diag = up;
            *slot = left;
        }
    }
    row.get(b.len()).copied().unwrap_or(0)
}

/// Settles `validateSendGroupWithAck`'s `maxMessageLength`; a problem is its field error.
/// Part of the hidden `settings` plumbing (the npm layer's), not of the Rust API.
#[doc(hidden)]
pub fn max_message_length(raw: &Raw) -> Result<usize, FieldError> {
    match raw {
        Raw::Absent => Ok(DEFAULT_MAX_MESSAGE_LENGTH),
        Raw::Number(n) if n.is_finite() && *n >= 0.0 => Ok(n.min(u32::MAX as f64) as usize),
        _ => Err(FieldError::new(
            "options.maxMessageLength",
            Code::Type,
            "options.maxMessageLength must be a finite number >= 0",
        )),
    }
}
