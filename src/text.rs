//! Small text helpers shared by the core (no float formatting, no panics).

#[allow(unused_imports)]
use crate::prelude::*;

use connectsafely_scan::text::{bytes_below, bytes_equal};
pub use connectsafely_scan::text::{
    char_count, has_replacement_char, split_nul, trim, trim_ascii_space,
};

/// The decimal text of a non-negative whole number of milliseconds or counts.
/// Fractions are dropped; negative, NaN and infinite values read as 0.
pub fn whole(n: f64) -> String {
    let mut v = if n.is_finite() && n > 0.0 {
        n.min(9_007_199_254_740_991.0) as u64
    } else {
        0
    };
    // Digits by hand: `to_string` would bring in `core::fmt`, a large part of a small wasm.
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || at == 0 {
            break;
        }
    }
    digits
        .get(at..)
        .map(|d| d.iter().map(|b| *b as char).collect())
        .unwrap_or_default()
}

/// Joins text pieces into one `String`, like `format!` with only `{}` of strings, but
/// without `core::fmt` (which would be a large part of a small wasm).
#[macro_export]
#[doc(hidden)]
macro_rules! cat {
    ($($piece:expr),* $(,)?) => {{
        // Room for most of what it joins (messages, store keys, log lines) at once: grown
        // from empty, a message of ~100 bytes was reallocated three times (a third of the
        // native validator's work on an invalid body; ~12% in the wasm).
        let mut s = $crate::__String::with_capacity(96);
        $( s.push_str(::core::convert::AsRef::<str>::as_ref(&$piece)); )*
        s
    }};
}

/// `s` cut to at most `max_chars` characters, on a character boundary.
pub fn clip(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// `s` cut to at most `max_bytes` bytes of UTF-8, on a character boundary.
pub fn clip_bytes(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut end = max_bytes;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// How many of the word's eight bytes (little-endian: its first in memory lowest) come
/// before the first one below 0x20 or equal to '"', '\\' or 0xE2 (8 when none does).
fn plain_bytes(w: u64) -> usize {
    let flagged =
        bytes_below(w, 0x20) | bytes_equal(w, b'"') | bytes_equal(w, b'\\') | bytes_equal(w, 0xe2);
    (flagged.trailing_zeros() / 8) as usize
}

/// `s` as a JSON string literal, quotes included. Runs with nothing to escape are copied
/// whole; `"`, `\\`, controls and U+2028/U+2029 (which older JavaScript parsers reject)
/// are escaped.
pub fn json_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut from = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // Eight bytes at a time past those with nothing to escape (most text), up to a
        // control, '"', '\\' or 0xE2 (which starts U+2028 and U+2029), looked at below.
        if let Some(Ok(word)) = bytes.get(i..i + 8).map(<[u8; 8]>::try_from) {
            let plain = plain_bytes(u64::from_le_bytes(word));
            if plain > 0 {
                i += plain;
                continue;
            }
        }
        // The code point to escape here and its width in bytes, if any.
        let (code, width) = match b {
            b'"' | b'\\' | 0..=0x1f => (u32::from(b), 1),
            0xe2 => match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(0x80), Some(&last @ (0xa8 | 0xa9))) => (0x2000 | u32::from(last & 0x3f), 3),
                _ => (0, 0),
            },
            _ => (0, 0),
        };
        if width == 0 {
            i += 1;
            continue;
        }
        if let Some(clean) = s.get(from..i) {
            out.push_str(clean);
        }
        match code {
            0x22 => out.push_str("\\\""),
            0x5c => out.push_str("\\\\"),
            0x0a => out.push_str("\\n"),
            0x0d => out.push_str("\\r"),
            0x09 => out.push_str("\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u");
                for shift in [12u32, 8, 4, 0] {
                    let d = ((code >> shift) & 0xf) as usize;
                    out.push(HEX.get(d).map_or('0', |h| *h as char));
                }
            }
        }
        i += width;
        from = i;
    }
    if let Some(clean) = s.get(from..) {
        out.push_str(clean);
    }
    out.push('"');
}

/// Where `needle` first occurs in `hay` (a byte offset), by a plain scan: std's
/// substring search brings its panic paths (and `core::fmt`) into the wasm.
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    let first = *n.first()?;
    (0..h.len().saturating_sub(n.len() - 1))
        .find(|&i| h.get(i) == Some(&first) && h.get(i..i + n.len()) == Some(n))
}

/// `s` split around the first `sep` (an ASCII byte), by a plain scan: the same as
/// `s.split_once(sep as char)`, without std's searcher (whose set-up costs more than the
/// scan of a short line).
///
/// ```
/// use connectsafely_wasm::text::split_once_byte;
///
/// assert_eq!(split_once_byte("a:b:c", b':'), Some(("a", "b:c")));
/// assert_eq!(split_once_byte("abc", b':'), None);
/// ```
pub fn split_once_byte(s: &str, sep: u8) -> Option<(&str, &str)> {
    let at = s.bytes().position(|b| b == sep)?;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// `s` split around the last `sep` (an ASCII byte), by a plain scan: the same as
/// `s.rsplit_once(sep as char)`, without std's searcher in the wasm.
///
/// ```
/// use connectsafely_wasm::text::rsplit_once_byte;
///
/// assert_eq!(rsplit_once_byte("a:b:c", b':'), Some(("a:b", "c")));
/// assert_eq!(rsplit_once_byte("abc", b':'), None);
/// ```
pub fn rsplit_once_byte(s: &str, sep: u8) -> Option<(&str, &str)> {
    let at = s.bytes().rposition(|b| b == sep)?;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// `s.trim_end_matches(byte as char)` for an ASCII `byte`, by a byte scan (std's char
/// searcher was ~0.7 KB of the wasm for the two places that strip a trailing `/` or `.`).
///
/// ```
/// use connectsafely_wasm::text::trim_end_byte;
///
/// assert_eq!(trim_end_byte("https://a.example//", b'/'), "https://a.example");
/// assert_eq!(trim_end_byte("é.", b'.'), "é");
/// ```
pub fn trim_end_byte(s: &str, byte: u8) -> &str {
    let end = s.bytes().rposition(|b| b != byte).map_or(0, |at| at + 1);
    // An ASCII byte's position: a char boundary.
    s.get(..end).unwrap_or(s)
}

/// A run of 1 to 16 ASCII digits as a number; anything else (empty, a sign, a space) is
/// none. The one digit parser of the core (std's `str::parse` brings its own into the wasm).
///
/// ```
/// use connectsafely_wasm::text::parse_digits;
///
/// assert_eq!(parse_digits("0149"), Some(149));
/// assert_eq!(parse_digits("+1"), None);
/// assert_eq!(parse_digits(""), None);
/// ```
pub fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.bytes().try_fold(0u64, |n, b| {
        n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `s` with every occurrence of `secret` replaced by `[redacted]`.
pub fn redact(s: &str, secret: &str) -> String {
    if secret.is_empty() {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = find(rest, secret) {
        // `at` is where a match of a whole UTF-8 string starts: a char boundary.
        out.push_str(rest.get(..at).unwrap_or(""));
        out.push_str("[redacted]");
        rest = rest.get(at + secret.len()..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// `names` separated by commas: the same as `names.join(",")`, without std's generic
/// joining in the wasm.
///
/// ```
/// use connectsafely_wasm::text::comma_joined;
///
/// assert_eq!(comma_joined(&["a", "b", "c"]), "a,b,c");
/// assert_eq!(comma_joined(&[]), "");
/// ```
pub fn comma_joined(names: &[&str]) -> String {
    let mut out = String::new();
    for name in names {
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        /// Every White_Space character, and near misses on either side of them (U+0084,
        /// U+0086, U+00A1, U+180E, U+200B, U+2027, U+202A, U+2060, U+FEFF, U+3001), in
        /// one-, two-, three- and four-byte UTF-8.
        fn trim_is_str_trim(s in "[ \t\n\u{b}\u{c}\r\u{1f}\u{21}\u{84}\u{85}\u{86}\u{a0}\u{a1}\u{1680}\u{180e}\u{2000}-\u{200b}\u{2027}-\u{202a}\u{202f}\u{205f}\u{2060}\u{3000}\u{3001}\u{feff}a1é😀-]{0,12}") {
            prop_assert_eq!(trim(&s), s.trim());
        }
    }

    #[test]
    fn whole_drops_fractions_and_clamps_bad_numbers_to_zero() {
        assert_eq!(whole(1500.7), "1500");
        assert_eq!(whole(-3.0), "0");
        assert_eq!(whole(f64::NAN), "0");
        assert_eq!(whole(f64::INFINITY), "0");
    }

    #[test]
    fn redact_replaces_every_occurrence_and_find_finds_the_first() {
        assert_eq!(
            redact("k1 and k1k1, é k1", "k1"),
            "[redacted] and [redacted][redacted], é [redacted]"
        );
        assert_eq!(redact("nothing", "k1"), "nothing");
        assert_eq!(redact("x", ""), "x");
        assert_eq!(find("héllo/groups/123", "/groups/"), Some(6));
        assert_eq!(find("ab", "abc"), None);
        assert!(contains("aaab", "aab"));
    }

    #[test]
    fn clip_cuts_on_character_boundaries() {
        assert_eq!(clip("héllo", 2), "hé");
        assert_eq!(clip("hi", 5), "hi");
        assert_eq!(clip_bytes("héllo", 2), "h");
        assert_eq!(clip_bytes("héllo", 3), "hé");
    }

    #[test]
    fn json_string_escapes_quotes_controls_and_line_separators() {
        let mut s = String::new();
        json_string(&mut s, "a\"b\\c\n\u{1}\u{2028}é😀");
        assert_eq!(s, "\"a\\\"b\\\\c\\n\\u0001\\u2028é😀\"");
    }

    /// What json_string must write, a char at a time.
    fn escaped_by_char(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                    out.push_str(&crate::cat!("\\u", hex4(c as u32)));
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    fn hex4(n: u32) -> String {
        (0..4)
            .rev()
            .map(|i| char::from(b"0123456789abcdef"[((n >> (4 * i)) & 0xf) as usize]))
            .collect()
    }

    #[test]
    fn json_string_escapes_every_character_to_escape_at_every_offset_of_a_word() {
        let specials = [
            "\"", "\\", "\n", "\u{0}", "\u{1f}", "\u{2028}", "\u{2029}", "\u{2027}", "\u{e000}",
            "é", "😀", "\u{7f}", " ", "!",
        ];
        for special in specials {
            for at in 0..20 {
                for len in [at, 19, 24] {
                    let base = "abcdefghijklmnopqrstuvwx";
                    let s = crate::cat!(
                        base.get(..at.min(len)).unwrap_or(""),
                        special,
                        base.get(at.min(len)..len).unwrap_or("")
                    );
                    let mut out = String::new();
                    json_string(&mut out, &s);
                    assert_eq!(out, escaped_by_char(&s), "{s:?}");
                }
            }
        }
    }
}
