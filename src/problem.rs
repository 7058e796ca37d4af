//! A field error before its message is written: which field, which code, and which of
//! [`MESSAGES`] says it, with what fills the template in.
//!
//! The validator ([`crate::validate::check`]) reports problems; [`Problem::to_field_error`]
//! writes one as the [`FieldError`] the Rust API returns. The validate-only npm build
//! (`connectsafely-wasm/validate`) hands problems to JavaScript as numbers instead, which
//! writes the same messages from the same templates (handed over once: [`messages_text`]):
//! no message is built in that wasm and copied out a call.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::{FieldError, FieldErrorCode as Code};
use crate::request::KNOWN_FIELDS;

// A template's slots, each one byte below `SLOTS_END` (no text of a template holds one):
// what fills it (`Problem::render`; src/wasm/problems.js reads the same codes).
/// The slot of a template that the problem's field name fills.
pub const FIELD: u8 = 1;
/// The slot of the first number (a whole number, in decimal).
pub const N0: u8 = 2;
/// The slot of the second number.
pub const N1: u8 = 3;
/// The slot of the problem's text.
pub const S: u8 = 4;
/// The slot of a number past 32 bits: `N1` times 2^32 plus `N0`'s low 32 bits (a whole
/// number below 2^53).
pub const WIDE: u8 = 5;
/// One past the last slot.
const SLOTS_END: u8 = WIDE + 1;

macro_rules! piece {
    (F) => {
        "\u{1}"
    };
    (N0) => {
        "\u{2}"
    };
    (N1) => {
        "\u{3}"
    };
    (S) => {
        "\u{4}"
    };
    (WIDE) => {
        "\u{5}"
    };
    ($text:literal) => {
        $text
    };
}

// The slots as `piece!` writes them into templates, held to the codes above.
#[allow(clippy::indexing_slicing)] // at compile time: out of range fails the build
const _: () = assert!(
    piece!(F).as_bytes()[0] == FIELD
        && piece!(N0).as_bytes()[0] == N0
        && piece!(N1).as_bytes()[0] == N1
        && piece!(S).as_bytes()[0] == S
        && piece!(WIDE).as_bytes()[0] == WIDE
);

macro_rules! messages {
    ($($(#[$doc:meta])* $name:ident: [$($piece:tt),* $(,)?],)*) => {
        /// Which message a problem is written with: an index of [`MESSAGES`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        #[non_exhaustive]
        pub enum Message {
            $($(#[$doc])* $name,)*
        }

        /// How many templates [`MESSAGES`] holds.
        const MESSAGE_COUNT: usize = [$(stringify!($name)),*].len();

        /// Every validation message, as a template: text with slots ([`FIELD`], [`N0`],
        /// [`N1`], [`S`], [`WIDE`]), each [`Message`] at its own index, separated by NUL (one
        /// string: a table of them cost each wasm a pointer and a length a message).
        pub const MESSAGES: &str = concat!($($(piece!($piece)),*, "\0",)*);
    };
}

messages! {
    /// The body is no object (`S`: what it is).
    NotAnObject: ["The body must be an object with recipientProfileUrn, groupId and message; got ", S],
    /// Reading the field threw.
    Unreadable: [F, " could not be read: a getter or proxy trap threw"],
    /// Not a string (`S`: what it is).
    NotAString: [F, " must be a string; got ", S],
    /// `messageUrns` is no array (`S`: what it is).
    NotAList: [F, " must be an array of message URN strings; got ", S],
    /// Absent.
    Required: [F, " is required"],
    /// Trims to nothing.
    Empty: [F, " is empty"],
    /// A string longer than any valid value, measured, not read.
    FarTooLong: [F, " is far too long to be valid"],
    /// `accountId` over 128 characters (`N0`: how many).
    AccountTooLong: [F, " must be at most 128 characters (letters, digits, '_' or '-'); it has ", N0],
    /// `accountId` with other characters.
    AccountChars: [F, " may hold only letters, digits, '_' and '-'"],
    /// The profile prefix, then no valid id.
    ProfileId: [F, " must be urn:li:fsd_profile: followed by letters, digits, '_' or '-'"],
    /// A profile URL.
    ProfileUrl: [F, " must be a profile URN like urn:li:fsd_profile:ACoAA..., not a profile URL"],
    /// Anything else.
    ProfileShape: [F, " must look like urn:li:fsd_profile:ACoAA... (letters, digits, '_' or '-')"],
    /// Digits, too many.
    GroupTooLong: [F, " must be at most 20 digits"],
    /// A group URL (`S`: the digits in it).
    GroupUrl: [F, " must be the group's digits only, e.g. \"", S, "\", not a URL"],
    /// Anything else.
    GroupShape: [F, " must be 1 to 20 digits, e.g. \"12345678\""],
    /// `groupId` a whole number (`WIDE`).
    GroupNumber: ["groupId must be a string, not a number; send it as the string \"", WIDE, "\""],
    /// `groupId` another number.
    GroupOddNumber: ["groupId must be a string, not a number; send the group's digits as a string, e.g. \"12345678\""],
    /// A message too long to read (`N0`: at least this many code points; `N1`: the limit).
    MessageAtLeast: ["message has at least ", N0, " code points; the limit is ", N1],
    /// A message too long (`N0`: its code points; `N1`: the limit).
    MessageTooLong: ["message has ", N0, " code points; the limit is ", N1],
    /// An unpaired surrogate.
    Surrogate: ["message holds an unpaired UTF-16 surrogate (a broken emoji?), so it could not be sent unaltered"],
    /// Only whitespace.
    Blank: ["message is empty or only whitespace"],
    /// Over 100 entries (`N0`: how many).
    TooManyUrns: ["messageUrns has ", N0, " entries; at most 100 are allowed"],
    /// An entry longer than any valid one, measured, not read.
    UrnFarTooLong: [F, " is longer than 512 code points"],
    /// An entry over 512 code points (`N0`: how many).
    UrnTooLong: [F, " has ", N0, " code points; the limit is 512"],
    /// An entry of another shape.
    UrnShape: [F, " must be a URN like urn:li:msg_message:(urn:li:fsd_profile:X,2-abc==)"],
    /// An unknown key near a known one (`S`).
    DidYouMean: [F, " is not a field of this request; did you mean ", S, "?"],
    /// Another unknown key.
    Unknown: [F, " is not a field of this request (known: accountId, recipientProfileUrn, groupId, message, messageUrns)"],
    /// `options.maxMessageLength` of another type or range.
    MaxMessageLength: [F, " must be a number from 0 to 1000000"],
}

/// The field a problem is about. (The validate-only build hands it to JavaScript as a
/// number: `wasm::validate::invalid`, read by problems.js's `problem`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Name<'a> {
    /// One of [`KNOWN_FIELDS`], by index.
    Known(u8),
    /// `messageUrns[i]`.
    Entry(usize),
    /// A key that is no field.
    Key(&'a str),
    /// The body itself (`""`).
    Body,
    /// `options.maxMessageLength`.
    MaxMessageLength,
}

/// What `Name::MaxMessageLength` reads as.
pub const MAX_MESSAGE_LENGTH_OPTION: &str = "options.maxMessageLength";

/// One field error, its message not yet written.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Problem<'a> {
    /// The field.
    pub field: Name<'a>,
    /// The rule that failed.
    pub code: Code,
    /// The message's template.
    pub message: Message,
    /// The numbers its slots `N0` and `N1` show (0 where unused), or `WIDE` shows.
    pub n: [usize; 2],
    /// The text its slot `S` shows (`""` where unused).
    pub s: &'a str,
}

impl<'a> Problem<'a> {
    /// A problem whose message has no number or text of its own.
    pub(crate) fn new(field: Name<'a>, code: Code, message: Message) -> Self {
        Problem {
            field,
            code,
            message,
            n: [0; 2],
            s: "",
        }
    }

    /// With the numbers `N0` and `N1` show.
    pub(crate) fn numbers(self, n0: usize, n1: usize) -> Self {
        Problem {
            n: [n0, n1],
            ..self
        }
    }

    /// With the number `WIDE` shows (below 2^53): its low and high 32 bits.
    pub(crate) fn wide_number(self, n: u64) -> Self {
        Problem {
            n: [(n & 0xffff_ffff) as usize, (n >> 32) as usize],
            ..self
        }
    }

    /// What `WIDE` shows.
    fn wide(&self) -> u64 {
        (self.n[1] as u64) << 32 | (self.n[0] as u64 & 0xffff_ffff)
    }

    /// With the text `S` shows.
    pub(crate) fn text(self, s: &'a str) -> Self {
        Problem { s, ..self }
    }

    /// The field's name as the error reports it.
    ///
    /// ```
    /// use connectsafely_wasm::{validate::check, value::Value};
    ///
    /// let urns = vec![Value::str("urn:li:msg_message:1"), Value::str(" ")];
    /// let body = Value::object([("messageUrns", Value::Array(urns))]);
    /// let problems = check(&body, 8000).unwrap_err();
    /// assert_eq!(problems.last().unwrap().field_name(), "messageUrns[1]");
    /// ```
    pub fn field_name(&self) -> String {
        let mut out = String::new();
        self.write_field(&mut out);
        out
    }

    fn write_field(&self, out: &mut String) {
        match self.field {
            Name::Known(i) => out.push_str(
                KNOWN_FIELDS
                    .get(usize::from(i))
                    .copied()
                    .unwrap_or_default(),
            ),
            Name::Entry(i) => {
                out.push_str("messageUrns[");
                out.push_str(&crate::text::whole(i as f64));
                out.push(']');
            }
            Name::Key(k) => out.push_str(k),
            Name::Body => {}
            Name::MaxMessageLength => out.push_str(MAX_MESSAGE_LENGTH_OPTION),
        }
    }

    /// The message, written from its template.
    ///
    /// ```
    /// use connectsafely_wasm::{problem::Message, validate::check, value::Value};
    ///
    /// let body = Value::object([("message", Value::str("m".repeat(8001)))]);
    /// let problems = check(&body, 8000).unwrap_err();
    /// let long = problems.iter().find(|p| p.message == Message::MessageTooLong).unwrap();
    /// assert_eq!(long.render(), "message has 8001 code points; the limit is 8000");
    /// ```
    pub fn render(&self) -> String {
        let template = template(self.message);
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(at) = next_slot(rest) {
            out.push_str(rest.get(..at).unwrap_or_default());
            match rest.as_bytes().get(at) {
                Some(&FIELD) => self.write_field(&mut out),
                Some(&N0) => out.push_str(&crate::text::whole(self.n[0] as f64)),
                Some(&N1) => out.push_str(&crate::text::whole(self.n[1] as f64)),
                Some(&WIDE) => out.push_str(&crate::text::whole(self.wide() as f64)),
                _ => out.push_str(self.s),
            }
            rest = rest.get(at + 1..).unwrap_or_default();
        }
        out.push_str(rest);
        out
    }

    /// The field error the Rust API reports.
    pub fn to_field_error(&self) -> FieldError {
        FieldError::new(self.field_name(), self.code, self.render())
    }
}

/// Where the next slot of a template is: the bytes below `SLOTS_END`, which no other
/// character holds in UTF-8 (and a template holds no NUL). Eight bytes at a time: byte by byte, writing a
/// message took the main entry's invalid body 1.08x the instructions of the `cat!` it
/// replaced.
fn next_slot(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(Ok(word)) = bytes.get(i..i + 8).map(<[u8; 8]>::try_from) {
        let slots = connectsafely_scan::text::bytes_below(u64::from_le_bytes(word), SLOTS_END);
        if slots != 0 {
            return Some(i + (slots.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let tail = bytes.get(i..)?;
    tail.iter().position(|&b| b < SLOTS_END).map(|at| i + at)
}

/// What JavaScript writes messages from (problems.js's `setMessages`), one string, its
/// parts separated by NUL: what a validation error's message begins with, its kind,
/// `options.maxMessageLength`'s name, the five known fields, the seven codes (in
/// [`Code::ALL`]'s order), then [`MESSAGES`].
///
/// ```
/// use connectsafely_wasm::problem::{messages_text, MESSAGES};
///
/// let text = messages_text();
/// let parts: Vec<&str> = text.split('\0').collect();
/// assert_eq!(parts.len(), 15 + MESSAGES.split('\0').count() - 1);
/// assert_eq!((parts[1], parts[4], parts[12]), ("validation", "recipientProfileUrn", "too_long"));
/// ```
#[doc(hidden)]
pub fn messages_text() -> String {
    // problems.js reads the fields and the codes by these counts.
    const _: () = assert!(KNOWN_FIELDS.len() == 5 && Code::ALL.len() == 7);
    let mut out = String::with_capacity(2048);
    let head = [
        crate::error::VALIDATION_HEAD,
        crate::error::ErrorKind::Validation.as_str(),
        MAX_MESSAGE_LENGTH_OPTION,
    ];
    let codes = Code::ALL.map(Code::as_str);
    for (i, part) in head.iter().chain(&KNOWN_FIELDS).chain(&codes).enumerate() {
        if i > 0 {
            out.push('\0');
        }
        out.push_str(part);
    }
    // MESSAGES, each after a NUL (the last one's is dropped).
    out.push('\0');
    out.push_str(MESSAGES.get(..MESSAGES.len() - 1).unwrap_or_default());
    out
}

/// `message`'s template.
///
/// ```
/// use connectsafely_wasm::problem::{template, Message};
///
/// assert_eq!(template(Message::Required), "\u{1} is required");
/// ```
pub fn template(message: Message) -> &'static str {
    let i = message as usize;
    match (STARTS.get(i), STARTS.get(i + 1)) {
        // Up to the NUL after it.
        (Some(&from), Some(&to)) => MESSAGES
            .get(usize::from(from)..usize::from(to) - 1)
            .unwrap_or_default(),
        _ => "",
    }
}

/// Where each template of [`MESSAGES`] begins, and the end: looked up, not searched for
/// (a search took the main entry's invalid body 1.8x the instructions). Computed when the
/// crate compiles, where an index out of range fails the build (no `get` is const).
#[allow(clippy::indexing_slicing)]
const STARTS: [u16; MESSAGE_COUNT + 1] = {
    let bytes = MESSAGES.as_bytes();
    let mut starts = [0u16; MESSAGE_COUNT + 1];
    let (mut i, mut n) = (0, 1);
    while i < bytes.len() {
        if bytes[i] == 0 {
            starts[n] = (i + 1) as u16;
            n += 1;
        }
        i += 1;
    }
    assert!(n == MESSAGE_COUNT + 1 && bytes.len() <= u16::MAX as usize);
    starts
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_listed_in_declaration_order_and_all_of_them() {
        // No wildcard: a new code does not compile here until it is listed, and then ALL
        // must hold it for the count to agree.
        let known = |c: Code| match c {
            Code::Required
            | Code::Type
            | Code::Empty
            | Code::Format
            | Code::TooLong
            | Code::NotWellFormed
            | Code::UnknownField => 7,
        };
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(*code as usize, i, "{code:?}");
            assert_eq!(known(*code), Code::ALL.len());
        }
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn numbers_past_32_bits_read_as_given() {
        let p = Problem::new(Name::Known(3), Code::TooLong, Message::MessageTooLong)
            .numbers(5_000_000_000, 4_294_967_296);
        assert_eq!(
            p.render(),
            "message has 5000000000 code points; the limit is 4294967296"
        );
        let group = Problem::new(Name::Known(2), Code::Type, Message::GroupNumber)
            .wide_number(9_007_199_254_740_991);
        assert!(group.render().ends_with("\"9007199254740991\""));
    }

    #[test]
    fn each_message_has_its_template() {
        assert_eq!(
            MESSAGES.split('\0').count(),
            Message::MaxMessageLength as usize + 2
        );
        assert!(MESSAGES.ends_with('\0'));
        assert_eq!(
            template(Message::MaxMessageLength),
            "\u{1} must be a number from 0 to 1000000"
        );
        assert_eq!(
            template(Message::GroupUrl),
            "\u{1} must be the group's digits only, e.g. \"\u{4}\", not a URL"
        );
    }
}
