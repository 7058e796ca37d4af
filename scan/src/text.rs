//! Byte scanners over UTF-8 text, eight bytes at a time where they can be: word tests
//! in `u64` (the wasm's native integer), a byte at a time at the ends.

/// One in each byte of a word.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of a word.
pub const HIGHS: u64 = ONES * 0x80;

/// The bytes of `w` below `n` (at most 128), each marked by its high bit: the classic
/// "has a zero byte" word test. Exact as a yes or no; a borrow can also mark a byte above
/// a true one, never below the lowest, so the lowest mark (little-endian: the first byte
/// in memory) is a true one.
///
/// ```
/// use connectsafely_scan::text::bytes_below;
///
/// let w = u64::from_le_bytes(*b"ab\tcd\0ef");
/// assert_eq!(bytes_below(w, b' ').trailing_zeros() / 8, 2); // the tab, first
/// assert_eq!(bytes_below(w, 1).trailing_zeros() / 8, 5); // the NUL
/// ```
#[inline]
pub fn bytes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS
}

/// The bytes of `w` equal to `b`, marked as [`bytes_below`] marks them.
///
/// ```
/// use connectsafely_scan::text::bytes_equal;
///
/// let w = u64::from_le_bytes(*b"urn:li:x");
/// assert_eq!(bytes_equal(w, b':').trailing_zeros() / 8, 3);
/// assert_eq!(bytes_equal(w, b'('), 0);
/// ```
#[inline]
pub fn bytes_equal(w: u64, b: u8) -> u64 {
    bytes_below(w ^ (ONES * u64::from(b)), 1)
}

/// How many chars (code points) `s` holds: its bytes less those that continue a char
/// (`10xxxxxx`), counted eight at a time. The same as `s.chars().count()`, whose 1 KB
/// unrolled counter the wasm does without.
///
/// ```
/// use connectsafely_scan::text::char_count;
///
/// assert_eq!(char_count("é😀a"), 3);
/// assert_eq!(char_count(&"é".repeat(8000)), 8000);
/// ```
pub fn char_count(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut words = bytes.chunks_exact(8);
    let mut continuing = 0;
    for word in &mut words {
        if let Ok(word) = <[u8; 8]>::try_from(word) {
            let w = u64::from_le_bytes(word);
            // Bit 7 of each byte set where that byte's top bits are 10.
            continuing += (w & !(w << 1) & HIGHS).count_ones() as usize;
        }
    }
    continuing += words
        .remainder()
        .iter()
        .filter(|&&b| b & 0xC0 == 0x80)
        .count();
    bytes.len() - continuing
}

/// `s` without the ASCII whitespace around it (tab, line feed, vertical tab, form feed,
/// carriage return, space): all that [`Fields::fast_valid`](crate::fields::Fields::fast_valid) trims, which JavaScript's
/// `trim` and Rust's `str::trim` both remove, so `connectsafely-wasm`'s JS driver can trim the
/// caller's strings as its core did. Other whitespace sends a
/// body to the full validator.
///
/// ```
/// use connectsafely_scan::text::trim_ascii_space; // also connectsafely_wasm::validate's
///
/// assert_eq!(trim_ascii_space("\t 12345678\u{b}\n"), "12345678");
/// assert_eq!(trim_ascii_space("\u{a0}12345678"), "\u{a0}12345678");
/// ```
#[inline]
pub fn trim_ascii_space(s: &str) -> &str {
    let space = |b: &u8| matches!(b, b'\t'..=b'\r' | b' ');
    let bytes = s.as_bytes();
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |e| e + 1);
    // ASCII bytes: both ends are char boundaries.
    s.get(start..end).unwrap_or_default()
}

/// `s.trim()`, exactly, its ends read a byte at a time while they are ASCII: std's
/// `trim` decodes every character it looks at through a predicate searcher, which cost
/// each response's few short header values ~1% of a send's instructions.
///
/// ```
/// use connectsafely_scan::text::trim;
///
/// assert_eq!(trim("\t 149\u{b} "), "149");
/// assert_eq!(trim(" \u{a0}149\u{3000}"), "149"); // other whitespace as str::trim
/// assert_eq!(trim(" é "), "é");
/// ```
pub fn trim(s: &str) -> &str {
    let t = trim_ascii_space(s);
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(a), Some(b)) if !a.is_ascii() || !b.is_ascii() => trim_unicode(t),
        _ => t,
    }
}

/// `str::trim` without std's pattern searcher (whose generic code was ~0.8 KB of each
/// wasm): the characters at either end decoded from their bytes (`s` is UTF-8) and
/// checked by `char::is_whitespace` (Unicode's White_Space, as `str::trim`).
fn trim_unicode(s: &str) -> &str {
    let b = s.as_bytes();
    let (mut start, mut end) = (0, b.len());
    while start < end {
        let (c, len) = char_at(b, start);
        if !is_space(c) {
            break;
        }
        start += len;
    }
    while end > start {
        let mut lead = end - 1;
        while lead > start && b.get(lead).is_some_and(|&x| x & 0xC0 == 0x80) {
            lead -= 1;
        }
        if !is_space(char_at(b, lead).0) {
            break;
        }
        end = lead;
    }
    s.get(start..end).unwrap_or_default()
}

/// Whether the scalar value `c` is whitespace, as `str::trim` takes it.
fn is_space(c: u32) -> bool {
    char::from_u32(c).is_some_and(char::is_whitespace)
}

/// The scalar value of the UTF-8 character starting at `at`, and its length in bytes.
fn char_at(b: &[u8], at: usize) -> (u32, usize) {
    let byte = |i: usize| u32::from(b.get(at + i).copied().unwrap_or(0) & 0x3F);
    let lead = u32::from(b.get(at).copied().unwrap_or(0));
    match lead {
        0..=0x7F => (lead, 1),
        0xC0..=0xDF => (((lead & 0x1F) << 6) | byte(1), 2),
        0xE0..=0xEF => (((lead & 0x0F) << 12) | (byte(1) << 6) | byte(2), 3),
        // Four bytes: above U+FFFF, where no character is whitespace.
        _ => (0x10000, 4),
    }
}

/// `s.split('\0')`, exactly, each NUL found eight bytes at a time (a plain `u64`, one of
/// the wasm's native integers): the fast path's body ([`read_joined`](crate::fields::read_joined)) is its fields
/// joined by NUL, and std's searcher (`memchr` over 32-bit words on wasm32, after an
/// alignment prologue) cost a third of the wasm's instructions in validating a
/// three-string body. NUL only: a separator of the caller's choice costs each word one
/// more operation (5% more instructions over an 8000-character message).
///
/// ```
/// use connectsafely_scan::text::split_nul;
///
/// assert!(split_nul("a\0\0bc\0").eq(["a", "", "bc", ""]));
/// assert!(split_nul("").eq([""]));
/// ```
pub fn split_nul(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let r = rest?;
        match find_nul(r.as_bytes()) {
            // A NUL is ASCII: both sides of it are char boundaries.
            Some(at) => {
                rest = r.get(at + 1..);
                r.get(..at)
            }
            None => rest.take(),
        }
    })
}

/// The index of the first NUL byte of `bytes`.
#[inline]
fn find_nul(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(word) = bytes.get(i..i + 8) {
        if let Ok(word) = <[u8; 8]>::try_from(word) {
            // The lowest mark is the first zero byte.
            let zero = bytes_below(u64::from_le_bytes(word), 1);
            if zero != 0 {
                return Some(i + zero.trailing_zeros() as usize / 8);
            }
        }
        i += 8;
    }
    Some(i + bytes.get(i..)?.iter().position(|&b| b == 0)?)
}

/// Whether `s` holds U+FFFD (EF BF BD in UTF-8), which may stand for an unpaired
/// surrogate of a JS string.
///
/// ```
/// use connectsafely_scan::text::has_replacement_char;
///
/// assert!(has_replacement_char("broken \u{fffd} emoji"));
/// assert!(!has_replacement_char(&"\u{feff}é😀 fine ".repeat(40)));
/// ```
pub fn has_replacement_char(s: &str) -> bool {
    // Eight bytes at a time, looking closer only where a byte is 0xEF (which, in UTF-8,
    // only starts a char of U+F000 to U+FFFF: ASCII and most scripts skip past).
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(word) = bytes.get(i..i + 8) {
        if let Ok(word) = <[u8; 8]>::try_from(word) {
            if bytes_equal(u64::from_le_bytes(word), 0xEF) != 0 {
                break;
            }
        }
        i += 8;
    }
    bytes
        .get(i..)
        .is_some_and(|rest| rest.windows(3).any(|w| w == [0xEF, 0xBF, 0xBD]))
}
