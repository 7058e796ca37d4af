//! The validation rules of contract section 4.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::{FieldError, FieldErrorCode as Code};
use crate::problem::{Message, Name, Problem};
use crate::request::SendGroupWithAckRequest;
use crate::value::{Raw, Text, Value};

/// The default limit on `message`, in Unicode code points.
pub const DEFAULT_MAX_MESSAGE_LENGTH: usize = 8000;

/// The most `maxMessageLength` may be (code points): far above any message the API takes,
/// and low enough that a message under it fits in the wasm's memory many times over (a
/// higher limit let a string of half a billion characters be copied in whole, which
/// traps the instance when memory runs out).
pub const MOST_MAX_MESSAGE_LENGTH: usize = 1_000_000;
pub use crate::request::KNOWN_FIELDS;

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
    check(body, max_message_length)
        .map_err(|problems| problems.iter().map(Problem::to_field_error).collect())
}

/// [`validate`], each field error a [`Problem`] whose message is not yet written (what the
/// validate-only npm build hands to JavaScript, and what a caller that words messages its
/// own way reads).
///
/// ```
/// use connectsafely_wasm::{problem::{Message, Name}, validate::check, value::Value};
///
/// let body = Value::object([("groupId", Value::Number(12345678.0))]);
/// let problems = check(&body, 8000).unwrap_err();
/// assert_eq!((problems[1].field, problems[1].message), (Name::Known(2), Message::GroupNumber));
/// assert_eq!(problems[1].render(), "groupId must be a string, not a number; send it as the string \"12345678\"");
/// ```
pub fn check(
    body: &Value,
    max_message_length: usize,
) -> Result<SendGroupWithAckRequest, Vec<Problem<'_>>> {
    const ABSENT: &Value = &Value::Absent;
    let entries = match body {
        Value::Object(entries) => entries,
        other => {
            let got = if matches!(other, Value::Absent) {
                "nothing"
            } else {
                other.describe()
            };
            return Err(vec![Problem::new(
                Name::Body,
                Code::Type,
                Message::NotAnObject,
            )
            .text(got)]);
        }
    };
    let field = |name: usize| {
        let name = KNOWN_FIELDS.get(name).copied().unwrap_or_default();
        entries
            .iter()
            .find(|(k, _)| k == name)
            .map_or(ABSENT, |(_, v)| v)
    };

    let mut errors = Vec::new();
    let account_id = optional(field(ACCOUNT), &mut errors, |v| {
        identifier(v, ACCOUNT, check_account_id)
    });
    let recipient = identifier(field(PROFILE), PROFILE, check_profile_urn);
    let group = group_id(field(GROUP));
    let message = message(field(MESSAGE), max_message_length);
    // Field errors come in table order: messageUrns' after message's.
    let mut urn_errors = Vec::new();
    let message_urns = optional(field(URNS), &mut urn_errors, message_urns);

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

// The known fields by their index in KNOWN_FIELDS (what a problem's `Name::Known` holds).
const ACCOUNT: usize = 0;
const PROFILE: usize = 1;
const GROUP: usize = 2;
const MESSAGE: usize = 3;
const URNS: usize = 4;

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

/// What a rule reports: one problem, or (`messageUrns`) one per entry.
trait Errors<'a> {
    fn add_to(self, errors: &mut Vec<Problem<'a>>);
}

impl<'a> Errors<'a> for Problem<'a> {
    fn add_to(self, errors: &mut Vec<Problem<'a>>) {
        errors.push(self);
    }
}

impl<'a> Errors<'a> for Vec<Problem<'a>> {
    fn add_to(mut self, errors: &mut Vec<Problem<'a>>) {
        errors.append(&mut self);
    }
}

fn collect<'a, T>(r: Result<T, impl Errors<'a>>, errors: &mut Vec<Problem<'a>>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            e.add_to(errors);
            None
        }
    }
}

/// An optional field: absent is `None`, else the inner rule.
fn optional<'a, T, E: Errors<'a>>(
    v: &'a Value,
    errors: &mut Vec<Problem<'a>>,
    rule: impl FnOnce(&'a Value) -> Result<T, E>,
) -> Option<T> {
    if matches!(v, Value::Absent) {
        return None;
    }
    collect(rule(v), errors)
}

/// A known field's problem.
fn one(field: usize, code: Code, message: Message) -> Problem<'static> {
    Problem::new(Name::Known(field as u8), code, message)
}

/// `v` is not what `field` takes (`message`: which message says so).
fn type_error<'a>(field: Name<'a>, v: &Value, message: Message) -> Problem<'a> {
    if matches!(v, Value::Unreadable) {
        Problem::new(field, Code::Type, Message::Unreadable)
    } else {
        Problem::new(field, Code::Type, message).text(v.describe())
    }
}

/// A required identifier: trimmed, then checked by `check` (which says what is wrong, if
/// anything: a problem whose field and code this fills in).
fn identifier<'a>(
    v: &'a Value,
    field: usize,
    check: fn(&'a str) -> Option<Problem<'a>>,
) -> Result<String, Problem<'a>> {
    match v {
        Value::Absent => Err(one(field, Code::Required, Message::Required)),
        Value::Str(t) => {
            let trimmed = crate::text::trim(&t.text);
            if trimmed.is_empty() {
                return Err(one(field, Code::Empty, Message::Empty));
            }
            match check(trimmed) {
                Some(why) => Err(Problem {
                    field: Name::Known(field as u8),
                    code: Code::Format,
                    ..why
                }),
                None => Ok(trimmed.to_owned()),
            }
        }
        Value::LongStr { .. } => Err(one(field, Code::Format, Message::FarTooLong)),
        other => Err(type_error(
            Name::Known(field as u8),
            other,
            Message::NotAString,
        )),
    }
}

/// What is wrong with an identifier: its message, the field and code left for `identifier`.
fn why(message: Message) -> Problem<'static> {
    Problem::new(Name::Body, Code::Format, message)
}

fn check_account_id(s: &str) -> Option<Problem<'_>> {
    let n = crate::text::char_count(s);
    if n > 128 {
        return Some(why(Message::AccountTooLong).numbers(n, 0));
    }
    if !is_id(s) {
        return Some(why(Message::AccountChars));
    }
    None
}

fn check_profile_urn(s: &str) -> Option<Problem<'_>> {
    match s.strip_prefix(PROFILE_PREFIX) {
        Some(id) if !id.is_empty() && is_id(id) => None,
        Some(_) => Some(why(Message::ProfileId)),
        None if crate::text::contains(s, "linkedin.com/") => Some(why(Message::ProfileUrl)),
        None => Some(why(Message::ProfileShape)),
    }
}

fn group_id(v: &Value) -> Result<String, Problem<'_>> {
    if let Value::Number(n) = v {
        let whole = n.is_finite()
            && *n >= 0.0
            && crate::num::fract(*n) == 0.0
            && *n <= 9_007_199_254_740_991.0;
        return Err(if whole {
            one(GROUP, Code::Type, Message::GroupNumber).wide_number(*n as u64)
        } else {
            one(GROUP, Code::Type, Message::GroupOddNumber)
        });
    }
    identifier(v, GROUP, check_group_id)
}

fn check_group_id(s: &str) -> Option<Problem<'_>> {
    if s.bytes().all(|c| c.is_ascii_digit()) {
        return if s.len() > 20 {
            Some(why(Message::GroupTooLong))
        } else {
            None
        };
    }
    // A pasted group URL: point at the digits in it.
    if let Some(rest) =
        crate::text::find(s, "/groups/").and_then(|at| s.get(at + "/groups/".len()..))
    {
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if (1..=20).contains(&len) {
            return Some(why(Message::GroupUrl).text(rest.get(..len).unwrap_or_default()));
        }
    }
    Some(why(Message::GroupShape))
}

fn message(v: &Value, max: usize) -> Result<String, Problem<'_>> {
    match v {
        Value::Absent => Err(one(MESSAGE, Code::Required, Message::Required)),
        Value::LongStr { min_code_points } => {
            Err(one(MESSAGE, Code::TooLong, Message::MessageAtLeast).numbers(*min_code_points, max))
        }
        Value::Str(t) => {
            let n = crate::text::char_count(&t.text);
            if n > max {
                return Err(one(MESSAGE, Code::TooLong, Message::MessageTooLong).numbers(n, max));
            }
            if !t.well_formed {
                return Err(one(MESSAGE, Code::NotWellFormed, Message::Surrogate));
            }
            if crate::text::trim(&t.text).is_empty() {
                return Err(one(MESSAGE, Code::Empty, Message::Blank));
            }
            Ok(t.text.clone())
        }
        other => Err(type_error(
            Name::Known(MESSAGE as u8),
            other,
            Message::NotAString,
        )),
    }
}

fn message_urns(v: &Value) -> Result<Vec<String>, Vec<Problem<'_>>> {
    /// `messageUrns` holds `len` entries, more than allowed.
    fn too_many(len: usize) -> Vec<Problem<'static>> {
        vec![one(URNS, Code::TooLong, Message::TooManyUrns).numbers(len, 0)]
    }
    let items = match v {
        Value::Array(items) => items,
        Value::LongArray { len } => return Err(too_many(*len)),
        other => {
            return Err(vec![type_error(
                Name::Known(URNS as u8),
                other,
                Message::NotAList,
            )])
        }
    };
    if items.len() > MAX_MESSAGE_URNS {
        return Err(too_many(items.len()));
    }
    let mut errors = Vec::new();
    let mut urns = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match message_urn(item, Name::Entry(i)) {
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

fn message_urn(v: &Value, field: Name<'static>) -> Result<String, Problem<'static>> {
    let text: &Text = match v {
        Value::Str(t) => t,
        Value::LongStr { .. } => {
            return Err(Problem::new(field, Code::TooLong, Message::UrnFarTooLong))
        }
        other => return Err(type_error(field, other, Message::NotAString)),
    };
    let trimmed = crate::text::trim(&text.text);
    let n = crate::text::char_count(trimmed);
    if n > MAX_MESSAGE_URN_LENGTH {
        return Err(Problem::new(field, Code::TooLong, Message::UrnTooLong).numbers(n, 0));
    }
    if trimmed.is_empty() {
        return Err(Problem::new(field, Code::Empty, Message::Empty));
    }
    if !is_message_urn(trimmed) {
        return Err(Problem::new(field, Code::Format, Message::UrnShape));
    }
    Ok(trimmed.to_owned())
}

fn unknown_field(key: &str) -> Problem<'_> {
    let field = Name::Key(key);
    match closest_known(key) {
        Some(known) => Problem::new(field, Code::UnknownField, Message::DidYouMean).text(known),
        None => Problem::new(field, Code::UnknownField, Message::Unknown),
    }
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
pub fn max_message_length(raw: &Raw) -> Result<usize, Problem<'static>> {
    match raw {
        Raw::Absent => Ok(DEFAULT_MAX_MESSAGE_LENGTH),
        Raw::Number(n) if (0.0..=MOST_MAX_MESSAGE_LENGTH as f64).contains(n) => Ok(*n as usize),
        _ => Err(Problem::new(
            Name::MaxMessageLength,
            Code::Type,
            Message::MaxMessageLength,
        )),
    }
}
