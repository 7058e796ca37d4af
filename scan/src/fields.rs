//! The validation fast path: a body whose fields are all strings, decided with no
//! allocation but the list of `messageUrns`, or handed to the full validator.

use alloc::vec::Vec;

use crate::text::{char_count, has_replacement_char, trim, trim_ascii_space};

/// The most entries `messageUrns` may hold.
pub const MAX_MESSAGE_URNS: usize = 100;

/// The longest a message URN may be, in code points.
pub const MAX_MESSAGE_URN_LENGTH: usize = 512;

/// What a `recipientProfileUrn` starts with, before its identifier.
pub const PROFILE_PREFIX: &str = "urn:li:fsd_profile:";

/// A body that holds only strings where the request's fields are (and `messageUrns`, if
/// present, an array of strings), borrowed: the input of the validation fast path
/// ([`Fields::fast_valid`]).
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields<'a> {
    /// `accountId`, when the body has one that is a string.
    pub account_id: Option<&'a str>,
    /// `recipientProfileUrn`.
    pub recipient_profile_urn: &'a str,
    /// `groupId`.
    pub group_id: &'a str,
    /// `message`.
    pub message: &'a str,
    /// `messageUrns`, when present.
    pub message_urns: Option<Vec<&'a str>>,
}

/// Identifiers and URNs longer than this many UTF-8 bytes take the full path: the JS
/// reader measures a string of more than max(65,536, twice the message limit) UTF-16 units
/// instead of copying it (`connectsafely-wasm`'s `wasm::read`), and a string has at least as many UTF-8 bytes as
/// UTF-16 units. (A valid message is never that long in units: at most two a code point.)
/// That reader's floor is this constant.
pub const FAST_MAX_BYTES: usize = 1 << 16;

impl<'a> Fields<'a> {
    /// The fast path of validation, with no allocation: true only when `connectsafely-wasm`'s `validate`
    /// accepts the body these fields make, and then each field has been trimmed as
    /// `validate` trims it, so the request these fields make is exactly its request. False
    /// means "ask the full validator", not "invalid": a string holding U+FFFD (which may
    /// stand for an unpaired surrogate of the JS string), and an identifier or URN padded
    /// with whitespace other than ASCII's, take the full path. Held equal
    /// to `validate` by a property test and the `fast_path` fuzz target.
    ///
    /// ```
    /// use connectsafely_scan::fields::Fields;
    ///
    /// let mut fields = Fields {
    ///     account_id: None,
    ///     recipient_profile_urn: " urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o",
    ///     group_id: "12345678\t",
    ///     message: "Thanks!",
    ///     message_urns: Some(vec!["urn:li:msg_message:(urn:li:fsd_profile:A,2-MTc0) "]),
    /// };
    /// assert!(fields.fast_valid(8000));
    /// assert_eq!(fields.group_id, "12345678"); // trimmed, as validate trims it
    ///
    /// let mut bad = Fields { group_id: "abc", ..fields.clone() };
    /// assert!(!bad.fast_valid(8000)); // ask the full validator, which says why
    /// ```
    pub fn fast_valid(&mut self, max_message_length: usize) -> bool {
        // Only ASCII whitespace (see `trim_ascii_space`); a field whose ends hold other
        // whitespace fails the checks below and takes the full path.
        fn trimmed(s: &mut &str) -> bool {
            if s.len() > FAST_MAX_BYTES {
                return false;
            }
            *s = trim_ascii_space(s);
            !s.is_empty()
        }
        let account = match &mut self.account_id {
            Some(a) => trimmed(a) && a.len() <= 128 && is_id(a),
            None => true,
        };
        account
            && trimmed(&mut self.recipient_profile_urn)
            && self
                .recipient_profile_urn
                .strip_prefix(PROFILE_PREFIX)
                .is_some_and(|rest| !rest.is_empty() && is_id(rest))
            && trimmed(&mut self.group_id)
            && self.group_id.len() <= 20
            && self.group_id.bytes().all(|b| b.is_ascii_digit())
            && message_is_valid_unchanged(self.message, max_message_length)
            && self.message_urns.as_mut().is_none_or(|urns| {
                urns.len() <= MAX_MESSAGE_URNS
                    && urns.iter_mut().all(|u| {
                        !has_replacement_char(u)
                            && trimmed(u)
                            && (u.len() <= MAX_MESSAGE_URN_LENGTH
                                || char_count(u) <= MAX_MESSAGE_URN_LENGTH)
                            && is_message_urn(u)
                    })
            })
    }
}

/// The fields `buf` holds, as `connectsafely-wasm`'s `fast.js` writes them: `accountId`
/// (empty when `account` is false), `recipientProfileUrn`, `groupId`, `message`, then
/// `urns` entries of `messageUrns` (none and absent when `urns` < 0), joined by NUL.
/// `None` when it is not UTF-8 or does not split into exactly as many parts (a field
/// holding a NUL).
///
/// ```
/// use connectsafely_scan::fields::read_joined;
///
/// let fields = read_joined(b"\0urn:li:fsd_profile:A\01\0Hi\0urn:li:x:1", false, 1).unwrap();
/// assert_eq!((fields.group_id, fields.message_urns), ("1", Some(vec!["urn:li:x:1"])));
/// assert_eq!(read_joined(b"\0urn\01\0Hi\0one too many", false, -1), None);
/// ```
pub fn read_joined(buf: &[u8], account: bool, urns: i32) -> Option<Fields<'_>> {
    let joined = core::str::from_utf8(buf).ok()?;
    let mut parts = crate::text::split_nul(joined);
    let account_id = parts.next()?;
    let recipient_profile_urn = parts.next()?;
    let group_id = parts.next()?;
    let message = parts.next()?;
    let message_urns = match usize::try_from(urns) {
        Ok(n) if n <= MAX_MESSAGE_URNS => {
            let list: Vec<&str> = parts.by_ref().take(n).collect();
            if list.len() != n {
                return None;
            }
            Some(list)
        }
        Ok(_) => return None,
        Err(_) => None,
    };
    // More parts than fields: a field holds a NUL.
    if parts.next().is_some() {
        return None;
    }
    Some(Fields {
        account_id: Some(account_id).filter(|_| account),
        recipient_profile_urn,
        group_id,
        message,
        message_urns,
    })
}

/// Whether `fields`, read from `len` bytes, were trimmed (trimming only shortens: the
/// same length is the same text).
///
/// ```
/// use connectsafely_scan::fields::{read_joined, trimmed};
///
/// let buf = b"\0urn:li:fsd_profile:A\0 1\0Hi";
/// let mut fields = read_joined(buf, false, -1).unwrap();
/// assert!(!trimmed(buf.len(), &fields));
/// assert!(fields.fast_valid(8000) && trimmed(buf.len(), &fields));
/// ```
pub fn trimmed(len: usize, fields: &Fields<'_>) -> bool {
    let strings = [
        fields.account_id.unwrap_or_default(),
        fields.recipient_profile_urn,
        fields.group_id,
        fields.message,
    ];
    let urns = fields.message_urns.iter().flatten();
    strings
        .iter()
        .chain(urns)
        .map(|s| s.len() + 1)
        .sum::<usize>()
        != len + 1
}

fn message_is_valid_unchanged(message: &str, max: usize) -> bool {
    if has_replacement_char(message) {
        return false;
    }
    // Bytes >= code points: most messages need no count.
    let short = message.len() <= max || char_count(message) <= max;
    // `trim` (exactly `str::trim`) looks at the ASCII ends a byte at a time, where
    // `trim_start` decodes each char through std's predicate searcher.
    short && !trim(message).is_empty()
}

/// Whether every byte of `s` is an ASCII letter, digit, '_' or '-': whether every char
/// is (a byte of a multi-byte char is none, as that char is none). A byte at a time, every
/// byte looked at, no char decoded, each byte one load of a 256-entry table (a range
/// match was ~12 instructions a byte at `opt-level = "z"`): the fast path's check, and
/// the full validator's.
///
/// ```
/// use connectsafely_scan::fields::is_id;
///
/// assert!(is_id("ACoAAFpq_-9"));
/// assert!(!is_id("ACo AA") && !is_id("Åke"));
/// ```
#[inline]
pub fn is_id(s: &str) -> bool {
    let mut ok = true;
    for &b in s.as_bytes() {
        // Never None (256 entries): the bounds check is compiled away.
        ok &= ID_BYTES.get(usize::from(b)).copied().unwrap_or(false);
    }
    ok
}

/// Which bytes [`is_id`] accepts.
// Indexing in a constant: out of bounds would fail to compile, not panic.
#[allow(clippy::indexing_slicing)]
static ID_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-');
        b += 1;
    }
    table
};

/// `^urn:li:[A-Za-z][A-Za-z0-9_]*:(\(.+\)|[^\s()]+)$`
///
/// ```
/// use connectsafely_scan::fields::is_message_urn;
///
/// assert!(is_message_urn("urn:li:msg_message:(urn:li:fsd_profile:A,2-MTc0)"));
/// assert!(!is_message_urn("urn:li:msg_message:has space"));
/// ```
pub fn is_message_urn(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("urn:li:") else {
        return false;
    };
    let name = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    if !rest.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    // The name's bytes are ASCII, so where it ends is a char boundary.
    let Some(colon) = rest.bytes().position(|b| !name(&b)) else {
        return false;
    };
    let Some(value) = rest.get(colon..).and_then(|r| r.strip_prefix(':')) else {
        return false;
    };
    // JavaScript's line terminators, and its `\s` with the parentheses, of ASCII.
    const LINE: u64 = ascii_set(b"\n\r");
    const SPACE_OR_PAREN: u64 = ascii_set(b"\t\n\x0B\x0C\r ()");
    let parenthesized = value.len() >= 3
        && value.starts_with('(')
        && value.ends_with(')')
        && !any_char(value, LINE, is_line_terminator);
    parenthesized
        || (!value.is_empty()
            && !any_char(value, SPACE_OR_PAREN, |c| {
                is_js_space(c) || c == '(' || c == ')'
            }))
}

/// JavaScript's `\s`: Unicode White_Space plus U+FEFF.
fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// JavaScript's `.` (without the `s` flag) excludes line terminators.
fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Whether any char of `s` is one `ascii` (a set of ASCII bytes below 64: bit `b` for
/// byte `b`) holds or `other` (for any other char) says: eight bytes at a time past those
/// that hold neither (nearly all of a URN), then a byte at a time, decoding only where
/// a byte is not ASCII. In `u64`s, the wasm's native integers (a `u128` shift was a
/// compiler-builtins call a byte).
fn any_char(s: &str, ascii: u64, other: fn(char) -> bool) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if let Some(Ok(word)) = bytes.get(i..i + 8).map(<[u8; 8]>::try_from) {
            if !may_hold(u64::from_le_bytes(word), ascii) {
                i += 8;
                continue;
            }
        }
        if b < 0x80 {
            if b < 64 && ascii >> b & 1 == 1 {
                return true;
            }
            i += 1;
        } else {
            match s.get(i..).and_then(|r| r.chars().next()) {
                Some(c) if !other(c) => i += c.len_utf8(),
                _ => return true,
            }
        }
    }
    false
}

/// Whether the eight bytes of `w` may hold a byte of `ascii` (as in [`any_char`]) or one
/// of 0x80 or more: never false when they do (true may be a false alarm: the byte at a
/// time decides). Each test is the classic "has a zero byte" of `w` XOR the byte, exact
/// as a yes or no; the set's bytes below 14 (ASCII's whitespace and line ends are 9 to
/// 13) are one test of "has a byte below 14".
fn may_hold(w: u64, ascii: u64) -> bool {
    // Non-ASCII bytes have their high bit set already.
    let mut hit = w | crate::text::bytes_below(w, 14);
    let mut rest = ascii & !0x3FFF;
    while rest != 0 {
        // A set bit's index is below 64: a byte.
        hit |= crate::text::bytes_equal(w, rest.trailing_zeros() as u8);
        rest &= rest - 1;
    }
    hit & crate::text::HIGHS != 0
}

/// A set of ASCII bytes below 64 for [`any_char`] (a byte of 64 or more fails to compile).
const fn ascii_set(mut bytes: &[u8]) -> u64 {
    let mut set = 0u64;
    while let [first, rest @ ..] = bytes {
        assert!(*first < 64, "ascii_set holds bytes below 64");
        set |= 1 << *first;
        bytes = rest;
    }
    set
}

/// The fast path over a body as `read_joined` reads it from `buf`: 0 when
/// it does not decide ("ask the full validator", not "invalid"), 1 when the body is
/// valid as it is, 2 when it is valid once its identifiers and URNs are trimmed. Not
/// inlined: the one function the wasm calls, into which this crate's optimization
/// inlines everything it reads.
///
/// ```
/// use connectsafely_scan::fields::validate_joined;
///
/// let body = "acct-1\0urn:li:fsd_profile:ACoAAFpq\012345678\0Hi\0urn:li:msg_message:(a,b)";
/// assert_eq!(validate_joined(body.as_bytes(), true, 1, 8000), 1);
/// assert_eq!(validate_joined(body.as_bytes(), true, 1, 1), 0); // "Hi" is over a limit of 1
/// ```
#[inline(never)]
pub fn validate_joined(buf: &[u8], account: bool, urns: i32, max_message_length: usize) -> u32 {
    let Some(mut fields) = read_joined(buf, account, urns) else {
        return 0;
    };
    if fields.fast_valid(max_message_length) {
        1 + u32::from(trimmed(buf.len(), &fields))
    } else {
        0
    }
}
