//! The input model: what the validator sees of a JavaScript (or any) value.
//!
//! The wasm layer reads a JS value into this shape without ever throwing (the
//! validate-only build reads it from the bytes its JavaScript wrote: [`decode`]);
//! the native tests build it directly. Only the levels the request schema needs
//! are read, so deep nesting or cycles in the input cost nothing.

#[allow(unused_imports)]
use crate::prelude::*;

/// A string as received: its text (unpaired surrogates replaced by U+FFFD,
/// so code points still count one each) and whether it was well formed.
///
/// ```
/// use connectsafely_wasm::value::Text;
///
/// // "Hi" followed by a lone high surrogate, as a JS string may hold.
/// let t = Text::from_utf16(&[0x48, 0x69, 0xD800]);
/// assert_eq!((t.text.as_str(), t.well_formed), ("Hi\u{FFFD}", false));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The text, lossy where the input held unpaired surrogates.
    pub text: String,
    /// False when the input held an unpaired UTF-16 surrogate.
    pub well_formed: bool,
}

impl Text {
    /// A well-formed text.
    ///
    /// ```
    /// use connectsafely_wasm::value::Text;
    ///
    /// assert!(Text::new("Thanks!").well_formed);
    /// ```
    pub fn new(text: impl Into<String>) -> Self {
        Text {
            text: text.into(),
            well_formed: true,
        }
    }

    /// A text from UTF-16 code units, noting unpaired surrogates.
    ///
    /// ```
    /// use connectsafely_wasm::value::Text;
    ///
    /// let units: Vec<u16> = "Merci ✓".encode_utf16().collect();
    /// assert_eq!(Text::from_utf16(&units), Text::new("Merci ✓"));
    /// ```
    pub fn from_utf16(units: &[u16]) -> Self {
        let well_formed = char::decode_utf16(units.iter().copied()).all(|r| r.is_ok());
        Text {
            text: String::from_utf16_lossy(units),
            well_formed,
        }
    }
}

/// A value of the body, as far as validation needs to see it.
///
/// ```
/// use connectsafely_wasm::value::Value;
/// use connectsafely_wasm::validate::validate;
///
/// // A body as a form or a JS caller gives it: the group id as a number is rejected, not coerced.
/// let body = Value::object([
///     ("recipientProfileUrn", Value::str("urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o")),
///     ("groupId", Value::Number(12345678.0)),
///     ("message", Value::str("Hi")),
/// ]);
/// let errors = validate(&body, 8000).unwrap_err();
/// assert_eq!(errors[0].message, "groupId must be a string, not a number; send it as the string \"12345678\"");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A missing key, `undefined` or `null`.
    Absent,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A BigInt.
    BigInt,
    /// A string short enough to have been read.
    Str(Text),
    /// A string too long for any rule, not copied; it has at least this many code points.
    LongStr {
        /// A lower bound on its length in code points.
        min_code_points: usize,
    },
    /// A symbol.
    Symbol,
    /// A function.
    Function,
    /// An array with its entries (entries are only read where the schema has an array).
    Array(Vec<Value>),
    /// An array too long for any rule, entries not read.
    LongArray {
        /// Its length.
        len: usize,
    },
    /// A non-array object with its own enumerable string keys and their values.
    Object(Vec<(String, Value)>),
    /// A value that could not be read (a getter or a proxy trap threw).
    Unreadable,
}

impl Value {
    /// A well-formed string value.
    ///
    /// ```
    /// use connectsafely_wasm::value::{Text, Value};
    ///
    /// assert_eq!(Value::str("12345678"), Value::Str(Text::new("12345678")));
    /// ```
    pub fn str(s: impl Into<String>) -> Self {
        Value::Str(Text::new(s))
    }

    /// An object from key/value pairs.
    ///
    /// ```
    /// use connectsafely_wasm::value::Value;
    ///
    /// let v = Value::object([("groupId", Value::str("1")), ("accountId", Value::Absent)]);
    /// assert!(matches!(v, Value::Object(ref entries) if entries.len() == 2));
    /// ```
    pub fn object<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Self {
        Value::Object(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// The kind of value, for messages ("a number", "an array").
    ///
    /// ```
    /// use connectsafely_wasm::value::Value;
    ///
    /// assert_eq!(Value::Array(vec![]).describe(), "an array");
    /// assert_eq!(Value::Absent.describe(), "null");
    /// ```
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Absent => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::BigInt => "a BigInt",
            Value::Str(_) | Value::LongStr { .. } => "a string",
            Value::Symbol => "a symbol",
            Value::Function => "a function",
            Value::Array(_) | Value::LongArray { .. } => "an array",
            Value::Object(_) => "an object",
            Value::Unreadable => "unreadable (a getter or proxy trap threw)",
        }
    }
}

#[cfg(feature = "serde")]
impl From<&serde_json::Value> for Value {
    /// Untrusted JSON, as the validator sees it (keys in their order).
    fn from(v: &serde_json::Value) -> Self {
        use serde_json::Value as J;
        match v {
            J::Null => Value::Absent,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            J::String(s) => Value::str(s.as_str()),
            J::Array(items) => Value::Array(items.iter().map(Value::from).collect()),
            J::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<&crate::request::SendGroupWithAckRequest> for Value {
    /// A typed request, to be validated like any other body.
    fn from(r: &crate::request::SendGroupWithAckRequest) -> Self {
        let mut entries = Vec::with_capacity(5);
        if let Some(a) = &r.account_id {
            entries.push(("accountId".to_owned(), Value::str(a.as_str())));
        }
        entries.push((
            "recipientProfileUrn".to_owned(),
            Value::str(r.recipient_profile_urn.as_str()),
        ));
        entries.push(("groupId".to_owned(), Value::str(r.group_id.as_str())));
        entries.push(("message".to_owned(), Value::str(r.message.as_str())));
        if let Some(urns) = &r.message_urns {
            entries.push((
                "messageUrns".to_owned(),
                Value::Array(urns.iter().map(|u| Value::str(u.as_str())).collect()),
            ));
        }
        Value::Object(entries)
    }
}

/// An option as the caller gave it, before it is checked (the `settings` module's input,
/// hidden with it: not part of the Rust API).
#[doc(hidden)]
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Raw {
    /// Not given (`undefined`; `None` in Rust).
    #[default]
    Absent,
    /// `null` (JavaScript only).
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    Text(String),
    /// A value of another type.
    Other,
    /// Its getter threw (JavaScript only).
    Unreadable,
}

#[doc(hidden)]
impl Raw {
    /// `Some(n)` as a number, `None` as absent.
    pub fn number(n: Option<f64>) -> Self {
        n.map_or(Raw::Absent, Raw::Number)
    }

    /// `Some(b)` as a boolean, `None` as absent.
    pub fn boolean(b: Option<bool>) -> Self {
        b.map_or(Raw::Absent, Raw::Bool)
    }
}

/// The most of an unknown key a reader of a JavaScript body copies (UTF-16 units): a
/// longer key is named by its first `KEY_UNITS` and "…" (the `field` and message of its
/// `unknown_field` error), not copied whole (half a billion characters are gigabytes of
/// UTF-8, more than the wasm's memory holds). `pkg-template/src/describe.js` cuts keys
/// alike (tests/boundary.rs holds its number to this one).
pub const KEY_UNITS: u32 = 256;

/// The longest string (in UTF-16 units) a reader of a JavaScript body copies under the
/// message limit `max_message_length`: a longer one is measured instead
/// ([`Value::LongStr`]), as no rule could accept it. Never below what the validation fast
/// path looks at (a longer identifier takes the full path).
#[doc(hidden)]
pub fn copy_cap(max_message_length: usize) -> usize {
    max_message_length
        .saturating_mul(2)
        .max(connectsafely_scan::fields::FAST_MAX_BYTES)
}

/// A body as the validate-only build's JavaScript writes it into the wasm's memory
/// (`pkg-template/src/describe.js`), read back as the [`Value`] the wasm layer's reader of
/// JS values would have made of it: the whole body in one call, no JS call per field.
///
/// Each value is a tag byte, then what the tag says follows (numbers little-endian):
///
/// | tag | value | followed by |
/// |---|---|---|
/// | 0 | `Absent` | |
/// | 1, 2 | `Bool(false)`, `Bool(true)` | |
/// | 3 | `Number` | its `f64` |
/// | 4, 5, 6, 7 | `BigInt`, `Symbol`, `Function`, `Unreadable` | |
/// | 8, 9 | `Str`, well formed (8) or not (9) | a `u32` byte length, then its UTF-8 |
/// | 10 | `LongStr` | `min_code_points` as a `u32` |
/// | 11 | `Array` | a `u32` count, then each entry |
/// | 12 | `LongArray` | `len` as a `u32` |
/// | 13 | `Object` | a `u32` count, then each entry: its key (a known field's index `i` as the byte 16 + `i`, or 14, a `u32` byte length and its UTF-8), then its value |
///
/// Anything else (a tag it does not know, a count past the bytes, text that is not UTF-8,
/// nesting deeper than a body's levels, bytes left over) reads as `Unreadable`:
/// never a panic.
///
/// ```
/// use connectsafely_wasm::value::{decode, Value};
///
/// // { groupId: 12345678 } as describe.js writes it.
/// let mut bytes = vec![13, 1, 0, 0, 0, 16 + 2, 3];
/// bytes.extend_from_slice(&12345678f64.to_le_bytes());
/// assert_eq!(decode(&bytes), Value::object([("groupId", Value::Number(12345678.0))]));
/// assert_eq!(decode(&[13, 9, 0, 0, 0]), Value::Unreadable);
/// ```
#[doc(hidden)]
pub fn decode(bytes: &[u8]) -> Value {
    let mut wire = Wire(bytes);
    match wire.value(0) {
        Some(v) if wire.0.is_empty() => v,
        _ => Value::Unreadable,
    }
}

/// What is left to read of [`decode`]'s bytes.
struct Wire<'a>(&'a [u8]);

impl Wire<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.array().map(|[b]| b)
    }

    fn u32(&mut self) -> Option<usize> {
        Some(u32::from_le_bytes(self.array()?) as usize)
    }

    fn text(&mut self) -> Option<String> {
        let n = self.u32()?;
        Some(core::str::from_utf8(self.take(n)?).ok()?.to_owned())
    }

    /// A count of entries, each at least one byte: never more than the bytes left (so a
    /// wrong count cannot reserve more than the input).
    fn count(&mut self) -> Option<usize> {
        Some(self.u32()?).filter(|&n| n <= self.0.len())
    }

    fn value(&mut self, depth: u8) -> Option<Value> {
        let tag = self.byte()?;
        Some(match tag {
            0 => Value::Absent,
            1 | 2 => Value::Bool(tag == 2),
            3 => Value::Number(f64::from_le_bytes(self.array()?)),
            4 => Value::BigInt,
            5 => Value::Symbol,
            6 => Value::Function,
            7 => Value::Unreadable,
            8 | 9 => Value::Str(Text {
                text: self.text()?,
                well_formed: tag == 8,
            }),
            10 => Value::LongStr {
                min_code_points: self.u32()?,
            },
            12 => Value::LongArray { len: self.u32()? },
            11 | 13 if depth < 3 => {
                let n = self.count()?;
                if tag == 11 {
                    let mut items = Vec::with_capacity(n);
                    for _ in 0..n {
                        items.push(self.value(depth + 1)?);
                    }
                    Value::Array(items)
                } else {
                    let mut entries = Vec::with_capacity(n);
                    for _ in 0..n {
                        let key = match self.byte()? {
                            14 => self.text()?,
                            k => (*crate::request::KNOWN_FIELDS
                                .get(usize::from(k).checked_sub(16)?)?)
                            .to_owned(),
                        };
                        entries.push((key, self.value(depth + 1)?));
                    }
                    Value::Object(entries)
                }
            }
            _ => return None,
        })
    }
}
