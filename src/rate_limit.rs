//! The five `X-RateLimit-*` headers and `Retry-After`: parsing that never
//! yields NaN, a negative wait, or a panic.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::text::parse_digits;

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// Writes a whole number as an integer (`150`, not `150.0`), as JavaScript's JSON does,
/// so Rust's JSON of a result is the same text as the JS API's.
#[cfg(feature = "serde")]
pub(crate) fn js_number<S: serde::Serializer>(n: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match n {
        Some(v) if v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_991.0 => {
            s.serialize_i64(*v as i64)
        }
        Some(v) => s.serialize_f64(*v),
        None => s.serialize_none(),
    }
}

/// The rate-limit state a response reported (`null` in JS when no header was present).
///
/// ```
/// use connectsafely_wasm::rate_limit::RateLimitHeaders;
///
/// let headers = [("x-ratelimit-limit", "150"), ("x-ratelimit-used", "149"), ("x-ratelimit-remaining", "1")];
/// let info = RateLimitHeaders::from_lookup(|name| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()))
///     .info()
///     .unwrap();
/// if info.remaining == Some(1.0) {
///     // the last message of the day for this account
/// }
/// assert_eq!((info.limit, info.used, info.reset_at), (Some(150.0), Some(149.0), None));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "camelCase", deny_unknown_fields)
)]
pub struct RateLimitInfo {
    /// `X-RateLimit-Action`, e.g. `"MESSAGE"`.
    pub action: Option<String>,
    /// `X-RateLimit-Limit`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "js_number"))]
    pub limit: Option<f64>,
    /// `X-RateLimit-Used`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "js_number"))]
    pub used: Option<f64>,
    /// `X-RateLimit-Remaining`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "js_number"))]
    pub remaining: Option<f64>,
    /// `X-RateLimit-Reset` as epoch milliseconds.
    #[cfg_attr(feature = "serde", serde(serialize_with = "js_number"))]
    pub reset_at: Option<f64>,
}

/// The raw header values a response carried (`None` when absent).
///
/// ```
/// use connectsafely_wasm::rate_limit::RateLimitHeaders;
///
/// let h = RateLimitHeaders { remaining: Some("0".into()), ..Default::default() };
/// assert_eq!(h.info().unwrap().remaining, Some(0.0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// `X-RateLimit-Action`
    pub action: Option<String>,
    /// `X-RateLimit-Limit`
    pub limit: Option<String>,
    /// `X-RateLimit-Used`
    pub used: Option<String>,
    /// `X-RateLimit-Remaining`
    pub remaining: Option<String>,
    /// `X-RateLimit-Reset`
    pub reset: Option<String>,
    /// `Retry-After`
    pub retry_after: Option<String>,
}

impl RateLimitHeaders {
    /// The headers from their values in the order of [`NAMES`](Self::NAMES), one per
    /// line, `"\0"` for one absent: how the npm build's driver hands them over, in one
    /// string (no header value can hold a line break or NUL). Anything but six lines
    /// reads as no header at all.
    ///
    /// ```
    /// use connectsafely_wasm::rate_limit::RateLimitHeaders;
    ///
    /// let h = RateLimitHeaders::from_lines("MESSAGE\n150\n\0\n149\n\0\n\0");
    /// assert_eq!(h.action.as_deref(), Some("MESSAGE"));
    /// assert_eq!(h.used, None);
    /// assert_eq!(h.remaining.as_deref(), Some("149"));
    /// assert_eq!(RateLimitHeaders::from_lines("150"), RateLimitHeaders::default());
    /// ```
    pub fn from_lines(lines: &str) -> Self {
        // One pass, line by line (a plain scan: std's splitter cost a send 3.7% of its
        // instructions); fewer lines or more read as none.
        let mut out = Self::default();
        let mut rest = Some(lines);
        for slot in [
            &mut out.action,
            &mut out.limit,
            &mut out.used,
            &mut out.remaining,
            &mut out.reset,
            &mut out.retry_after,
        ] {
            let Some(text) = rest else {
                return Self::default();
            };
            let (line, after) = match crate::text::split_once_byte(text, b'\n') {
                Some((line, after)) => (line, Some(after)),
                None => (text, None),
            };
            *slot = (line != "\0").then(|| line.to_owned());
            rest = after;
        }
        if rest.is_some() {
            return Self::default();
        }
        out
    }

    /// The header names read, lower-case, in field order.
    ///
    /// ```
    /// use connectsafely_wasm::rate_limit::RateLimitHeaders;
    ///
    /// assert_eq!(RateLimitHeaders::NAMES[5], "retry-after");
    /// ```
    pub const NAMES: [&'static str; 6] = [
        "x-ratelimit-action",
        "x-ratelimit-limit",
        "x-ratelimit-used",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
    ];

    /// Builds the set from a lookup by (lower-case) header name.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use connectsafely_wasm::rate_limit::RateLimitHeaders;
    ///
    /// // Any HTTP library's headers, by lower-case name.
    /// let response: HashMap<&str, &str> = [("x-ratelimit-remaining", "149"), ("retry-after", "60")].into();
    /// let h = RateLimitHeaders::from_lookup(|name| response.get(name).map(|v| v.to_string()));
    /// assert_eq!((h.remaining.as_deref(), h.retry_after.as_deref(), h.limit), (Some("149"), Some("60"), None));
    /// ```
    pub fn from_lookup(mut get: impl FnMut(&str) -> Option<String>) -> Self {
        let [a, l, u, r, x, ra] = Self::NAMES;
        RateLimitHeaders {
            action: get(a),
            limit: get(l),
            used: get(u),
            remaining: get(r),
            reset: get(x),
            retry_after: get(ra),
        }
    }

    /// The parsed info, `None` when none of the five headers is present.
    ///
    /// ```
    /// use connectsafely_wasm::rate_limit::RateLimitHeaders;
    ///
    /// assert_eq!(RateLimitHeaders::default().info(), None); // no header: no rate limit
    /// let h = RateLimitHeaders { used: Some("many".into()), ..Default::default() };
    /// assert_eq!(h.info().unwrap().used, None); // present but unparseable: None, never NaN
    /// ```
    pub fn info(&self) -> Option<RateLimitInfo> {
        let present = [
            &self.action,
            &self.limit,
            &self.used,
            &self.remaining,
            &self.reset,
        ]
        .iter()
        .any(|h| h.is_some());
        present.then(|| RateLimitInfo {
            action: self
                .action
                .as_deref()
                .map(crate::text::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            limit: self.limit.as_deref().and_then(parse_count),
            used: self.used.as_deref().and_then(parse_count),
            remaining: self.remaining.as_deref().and_then(parse_count),
            reset_at: self.reset.as_deref().and_then(parse_reset),
        })
    }
}

/// The largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A count header: a non-negative integer, else `None`.
///
/// ```
/// use connectsafely_wasm::rate_limit::parse_count;
///
/// assert_eq!(parse_count(" 149 "), Some(149.0));
/// assert_eq!(parse_count("-1"), None);
/// assert_eq!(parse_count("1e3"), None);
/// ```
pub fn parse_count(s: &str) -> Option<f64> {
    let v = parse_digits(crate::text::trim(s))? as f64;
    (v <= MAX_SAFE).then_some(v)
}

/// `X-RateLimit-Reset`: ISO 8601 (`Z` or offset, optional fraction), or Unix
/// seconds (milliseconds when >= 1e12), as epoch milliseconds.
///
/// ```
/// use connectsafely_wasm::rate_limit::parse_reset;
///
/// assert_eq!(parse_reset("2026-11-30T00:00:00Z"), Some(1_795_996_800_000.0));
/// assert_eq!(parse_reset("1795996800"), Some(1_795_996_800_000.0)); // Unix seconds
/// assert_eq!(parse_reset("tomorrow"), None);
/// ```
pub fn parse_reset(s: &str) -> Option<f64> {
    let s = crate::text::trim(s);
    if s.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && !s.bytes().any(|b| b == b'-' || b == b':')
    {
        let (int, frac) = match crate::text::split_once_byte(s, b'.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        let whole = parse_digits(int)? as f64;
        let frac_ms = if frac.is_empty() {
            0.0
        } else {
            let digits = frac.get(..frac.len().min(3))?;
            if !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let scale = [100.0, 10.0, 1.0];
            digits
                .bytes()
                .zip(scale)
                .map(|(b, m)| f64::from(b - b'0') * m)
                .sum()
        };
        let ms = if whole >= 1e12 {
            whole
        } else {
            whole * 1000.0 + frac_ms
        };
        return (ms <= MAX_SAFE).then_some(ms);
    }
    parse_iso8601(s)
}

/// `Retry-After`: delay-seconds or an HTTP date, as milliseconds from `now_ms`, never negative.
///
/// ```
/// use connectsafely_wasm::rate_limit::parse_retry_after;
///
/// assert_eq!(parse_retry_after("120", 0.0), Some(120_000.0));
/// let now = 1_795_996_800_000.0; // 2026-11-30T00:00:00Z
/// assert_eq!(parse_retry_after("Mon, 30 Nov 2026 00:01:00 GMT", now), Some(60_000.0));
/// assert_eq!(parse_retry_after("Sun, 29 Nov 2026 00:00:00 GMT", now), Some(0.0)); // past: no wait
/// ```
pub fn parse_retry_after(s: &str, now_ms: f64) -> Option<f64> {
    let s = crate::text::trim(s);
    if let Some(secs) = parse_digits(s) {
        let ms = secs as f64 * 1000.0;
        return (ms <= MAX_SAFE).then_some(ms);
    }
    let at = parse_http_date(s)?;
    Some((at - now_ms).max(0.0))
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn epoch_ms(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, ms: f64) -> Option<f64> {
    let valid = (1..=9999).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=days_in_month(y, mo)).contains(&d)
        && (0..=23).contains(&h)
        && (0..=59).contains(&mi)
        && (0..=60).contains(&s);
    if !valid {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s;
    Some(secs as f64 * 1000.0 + ms)
}

fn num(s: &str, len: usize) -> Option<i64> {
    (s.len() == len).then_some(())?;
    parse_digits(s).map(|v| v as i64)
}

/// ISO 8601 date-time: `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|+HHMM|+HH)`; also a space for `T`.
///
/// ```
/// use connectsafely_wasm::rate_limit::parse_iso8601;
///
/// assert_eq!(parse_iso8601("2026-11-30T01:00:00+01:00"), Some(1_795_996_800_000.0));
/// assert_eq!(parse_iso8601("2026-11-30 00:00:00.5Z"), Some(1_795_996_800_500.0));
/// assert_eq!(parse_iso8601("2026-02-30T00:00:00Z"), None);
/// ```
pub fn parse_iso8601(s: &str) -> Option<f64> {
    // Bytes at fixed places, not substrings and searches: every response's reset header
    // comes through here (tests hold it equal to the substring parser it replaced).
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, sep, rest @ ..] =
        crate::text::trim(s).as_bytes()
    else {
        return None;
    };
    if !matches!(sep, b'T' | b't' | b' ') {
        return None;
    }
    let y = digits(&[*y0, *y1, *y2, *y3])?;
    let (mo, d) = (two(&[*m0, *m1])?, two(&[*d0, *d1])?);
    // Split the time from its zone.
    let zone_at = rest
        .iter()
        .position(|c| matches!(c, b'Z' | b'z' | b'+' | b'-'))
        .unwrap_or(rest.len());
    let (time, zone) = rest.split_at_checked(zone_at)?;
    let (h, time) = split_byte(time, b':')?;
    let (mi, sf) = match split_byte(time, b':') {
        Some((mi, sf)) => (mi, Some(sf)),
        None => (time, None),
    };
    let (h, mi) = (two(h)?, two(mi)?);
    let (sec, ms) = match sf {
        None => (0, 0.0),
        Some(sf) => {
            let (sec, frac) = match split_at_any(sf, b".,") {
                // A separator with no digit after it, or more than nine: not a time.
                Some((_, [])) => return None,
                Some((_, frac)) if frac.len() > 9 => return None,
                Some(parts) => parts,
                None => (sf, &[][..]),
            };
            // Milliseconds: the first three digits of the fraction.
            let (mut ms, mut scale) = (0.0, 100.0);
            for &c in frac {
                if !c.is_ascii_digit() {
                    return None;
                }
                ms += f64::from(c - b'0') * scale;
                scale = if scale > 1.0 { scale / 10.0 } else { 0.0 };
            }
            (two(sec)?, ms)
        }
    };
    let offset_min = match zone {
        b"Z" | b"z" => 0,
        [] => return None,
        [sign, hm @ ..] => {
            let (oh, om) = match hm {
                [a, b] => (two(&[*a, *b])?, 0),
                [a, b, c, d] | [a, b, b':', c, d] => (two(&[*a, *b])?, two(&[*c, *d])?),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            if *sign == b'-' {
                -(oh * 60 + om)
            } else {
                oh * 60 + om
            }
        }
    };
    let local = epoch_ms(y, mo, d, h, mi, sec, ms)?;
    Some(local - offset_min as f64 * 60_000.0)
}

/// ASCII digits as a number (at most 4 of them here), else `None`.
fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0, |v, &c| {
        c.is_ascii_digit().then(|| v * 10 + i64::from(c - b'0'))
    })
}

/// Exactly two ASCII digits.
fn two(b: &[u8]) -> Option<i64> {
    (b.len() == 2).then(|| digits(b))?
}

/// `b` split at its first `sep` (which neither part keeps).
fn split_byte(b: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    split_at_any(b, &[sep])
}

/// `b` split at its first byte of `seps` (which neither part keeps).
fn split_at_any<'a>(b: &'a [u8], seps: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    // Not `seps.contains`: for bytes it is memchr, a word-at-a-time search whose code
    // outweighs what it saves on two separators.
    let at = b.iter().position(|c| seps.iter().any(|s| s == c))?;
    let (head, tail) = b.split_at_checked(at)?;
    Some((head, tail.get(1..)?))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month(s: &str) -> Option<i64> {
    let lower = s.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == lower)
        .map(|i| i as i64 + 1)
}

fn hms(s: &str) -> Option<(i64, i64, i64)> {
    // By byte scans (std's char splitter was ~0.5 KB of the wasm); a fourth part leaves a
    // ':' in the seconds, which `num` refuses.
    let (h, rest) = crate::text::split_once_byte(s, b':')?;
    let (mi, sec) = crate::text::split_once_byte(rest, b':')?;
    Some((num(h, 2)?, num(mi, 2)?, num(sec, 2)?))
}

/// An HTTP date (IMF-fixdate, RFC 850 or asctime) as epoch milliseconds.
///
/// ```
/// use connectsafely_wasm::rate_limit::parse_http_date;
///
/// assert_eq!(parse_http_date("Mon, 30 Nov 2026 00:00:00 GMT"), Some(1_795_996_800_000.0));
/// assert_eq!(parse_http_date("Monday, 30-Nov-26 00:00:00 GMT"), Some(1_795_996_800_000.0));
/// assert_eq!(parse_http_date("Mon Nov 30 00:00:00 2026"), Some(1_795_996_800_000.0));
/// ```
pub fn parse_http_date(s: &str) -> Option<f64> {
    // Its words, as `split_whitespace` gives them (no Vec: a date has at most six).
    let mut words = [""; 6];
    let mut count = 0;
    let mut start = None;
    for (at, c) in s.char_indices().chain([(s.len(), ' ')]) {
        match (c.is_whitespace(), start) {
            (true, Some(from)) => {
                *words.get_mut(count)? = s.get(from..at)?;
                count += 1;
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    match words.get(..count)? {
        // Sun, 06 Nov 1994 08:49:37 GMT
        [_, d, mo, y, t, "GMT"] => {
            let (h, mi, sec) = hms(t)?;
            epoch_ms(num(y, 4)?, month(mo)?, num(d, 2)?, h, mi, sec, 0.0)
        }
        // Sunday, 06-Nov-94 08:49:37 GMT
        [_, dmy, t, "GMT"] => {
            // Day, month and year, anything after a third '-' ignored.
            let (d, rest) = crate::text::split_once_byte(dmy, b'-')?;
            let (mo, rest) = crate::text::split_once_byte(rest, b'-')?;
            let yy = crate::text::split_once_byte(rest, b'-').map_or(rest, |(y, _)| y);
            let (d, mo, yy) = (num(d, 2)?, month(mo)?, num(yy, 2)?);
            let y = if yy < 70 { 2000 + yy } else { 1900 + yy };
            let (h, mi, sec) = hms(t)?;
            epoch_ms(y, mo, d, h, mi, sec, 0.0)
        }
        // Sun Nov  6 08:49:37 1994
        [_, mo, d, t, y] => {
            let d = parse_digits(d).filter(|_| d.len() <= 2)? as i64;
            let (h, mi, sec) = hms(t)?;
            epoch_ms(num(y, 4)?, month(mo)?, d, h, mi, sec, 0.0)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The substring parser `parse_iso8601` replaced (for speed): it must read every
    /// string alike.
    fn reference(s: &str) -> Option<f64> {
        let s = crate::text::trim(s);
        let date = s.get(..10)?;
        let sep = s.get(10..11)?;
        if !matches!(sep, "T" | "t" | " ") {
            return None;
        }
        let rest = s.get(11..)?;
        let (y, mo, d) = (
            num(date.get(..4)?, 4)?,
            num(date.get(5..7)?, 2)?,
            num(date.get(8..10)?, 2)?,
        );
        if date.get(4..5)? != "-" || date.get(7..8)? != "-" {
            return None;
        }
        // Split the time from its zone.
        let zone_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
        let (time, zone) = (rest.get(..zone_at)?, rest.get(zone_at..)?);
        let mut parts = time.splitn(3, ':');
        let h = num(parts.next()?, 2)?;
        let mi = num(parts.next()?, 2)?;
        let (sec, ms) = match parts.next() {
            None => (0, 0.0),
            Some(sf) => {
                let (sec, frac) = match sf.split_once(['.', ',']) {
                    Some((a, b)) => (a, b),
                    None => (sf, ""),
                };
                let ms = if frac.is_empty() {
                    if sf.len() != sec.len() {
                        return None;
                    }
                    0.0
                } else {
                    if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
                        return None;
                    }
                    frac.bytes()
                        .zip([100.0, 10.0, 1.0])
                        .map(|(b, m)| f64::from(b - b'0') * m)
                        .sum()
                };
                (num(sec, 2)?, ms)
            }
        };
        let offset_min = match zone {
            "Z" | "z" => 0,
            "" => return None,
            z => {
                let sign = if z.starts_with('-') { -1 } else { 1 };
                let hm = z.get(1..)?;
                let (oh, om) = match hm.len() {
                    2 => (num(hm, 2)?, 0),
                    4 => (num(hm.get(..2)?, 2)?, num(hm.get(2..)?, 2)?),
                    5 if hm.get(2..3)? == ":" => (num(hm.get(..2)?, 2)?, num(hm.get(3..)?, 2)?),
                    _ => return None,
                };
                if oh > 23 || om > 59 {
                    return None;
                }
                sign * (oh * 60 + om)
            }
        };
        let local = epoch_ms(y, mo, d, h, mi, sec, ms)?;
        Some(local - offset_min as f64 * 60_000.0)
    }

    fn same(a: Option<f64>, b: Option<f64>) -> bool {
        a == b || matches!((a, b), (Some(x), Some(y)) if x.is_nan() && y.is_nan())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn iso8601_reads_near_valid_dates_as_the_substring_parser_did(
            s in "[ ]?[0-9]{4}[-/][0-9]{2}-[0-9]{2}[Tt _][0-9]{1,2}(:[0-9]{2}(:[0-9]{2}([.,][0-9]{0,10})?)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?|[+-][0-9]{3})?[ ]?"
        ) {
            prop_assert!(same(parse_iso8601(&s), reference(&s)), "{s:?}");
        }

        #[test]
        fn iso8601_reads_any_string_of_its_characters_as_the_substring_parser_did(s in "[0-9:+\\-.,Zzt T\u{e9}]{0,32}") {
            prop_assert!(same(parse_iso8601(&s), reference(&s)), "{s:?}");
        }

        #[test]
        fn iso8601_reads_any_string_as_the_substring_parser_did(s in any::<String>()) {
            prop_assert!(same(parse_iso8601(&s), reference(&s)), "{s:?}");
        }
    }

    /// The `str::split` parser of HTTP dates the byte scans replaced (for size).
    fn http_date_reference(s: &str) -> Option<f64> {
        fn hms(s: &str) -> Option<(i64, i64, i64)> {
            let mut p = s.split(':');
            let t = (num(p.next()?, 2)?, num(p.next()?, 2)?, num(p.next()?, 2)?);
            p.next().is_none().then_some(t)
        }
        let words: Vec<&str> = s.split_whitespace().collect();
        match words.as_slice() {
            [_, d, mo, y, t, "GMT"] => {
                let (h, mi, sec) = hms(t)?;
                epoch_ms(num(y, 4)?, month(mo)?, num(d, 2)?, h, mi, sec, 0.0)
            }
            [_, dmy, t, "GMT"] => {
                let mut p = dmy.split('-');
                let (d, mo, yy) = (num(p.next()?, 2)?, month(p.next()?)?, num(p.next()?, 2)?);
                let y = if yy < 70 { 2000 + yy } else { 1900 + yy };
                let (h, mi, sec) = hms(t)?;
                epoch_ms(y, mo, d, h, mi, sec, 0.0)
            }
            [_, mo, d, t, y] => {
                let d = parse_digits(d).filter(|_| d.len() <= 2)? as i64;
                let (h, mi, sec) = hms(t)?;
                epoch_ms(num(y, 4)?, month(mo)?, d, h, mi, sec, 0.0)
            }
            _ => None,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// The three HTTP date forms with a part missing, doubled or extra (a fourth time
        /// part, a fourth '-' part).
        #[test]
        fn http_dates_read_as_the_str_split_parser_did(
            s in "(Mon, (06|6|123) (Nov|nOV|Nox) (1994|94) |Monday, (06|6)(-(Nov|Nox)){1,2}(-(94|1994)){1,2}(-x)? |Mon (Nov|Nox) (6| 6|06|123) )(08|8):(49|4)(:(37|3)){0,2} (GMT|1994|x)",
        ) {
            prop_assert!(same(parse_http_date(&s), http_date_reference(&s)), "{s:?}");
        }

        /// Words split by any whitespace, Unicode's too, doubled, leading and trailing.
        #[test]
        fn http_dates_split_into_words_as_split_whitespace_did(
            s in "([ \t\u{a0}\u{3000}\u{85}\u{2028}]{0,2}(Mon,|Monday,|Mon|06|6|Nov|1994|94|08:49:37|GMT|06-Nov-94|x|é)){0,8}[ \u{a0}\u{3000}]{0,2}",
        ) {
            prop_assert!(same(parse_http_date(&s), http_date_reference(&s)), "{s:?}");
        }

        /// A reset in decimal seconds: its fraction after the first '.' only.
        #[test]
        fn decimal_resets_split_at_the_first_dot(r in "[0-9]{1,11}(\\.[0-9]{0,4}){0,2}") {
            let reference = match r.split_once('.') {
                None => parse_reset(&r),
                Some((i, f)) if f.bytes().all(|b| b.is_ascii_digit()) => {
                    let whole = parse_reset(i);
                    let ms: f64 = f.bytes().take(3).zip([100.0, 10.0, 1.0]).map(|(b, m)| f64::from(b - b'0') * m).sum();
                    whole.map(|w| w + ms)
                }
                Some(_) => None,
            };
            prop_assert!(same(parse_reset(&r), reference), "{:?}", r);
        }
    }

    #[test]
    fn days_from_civil_matches_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }
}
