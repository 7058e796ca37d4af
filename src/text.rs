//! Small text helpers shared by the core (no float formatting, no panics).

/// The decimal text of a non-negative whole number of milliseconds or counts.
/// Fractions are dropped; negative, NaN and infinite values read as 0.
pub fn whole(n: f64) -> String {
    let v = if n.is_finite() && n > 0.0 {
        n.min(9_007_199_254_740_991.0) as u64
    } else {
        0
    };
    v.to_string()
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

/// `s` as a JSON string literal, quotes included.
pub fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let v = c as u32;
                out.push_str("\\u");
                for shift in [12u32, 8, 4, 0] {
                    let d = ((v >> shift) & 0xf) as usize;
                    out.push(HEX.get(d).map_or('0', |b| *b as char));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `s` with every occurrence of `secret` replaced by `[redacted]`.
pub fn redact(s: &str, secret: &str) -> String {
    if secret.is_empty() || !s.contains(secret) {
        return s.to_owned();
    }
    s.replace(secret, "[redacted]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_drops_fractions_and_clamps_bad_numbers_to_zero() {
        assert_eq!(whole(1500.7), "1500");
        assert_eq!(whole(-3.0), "0");
        assert_eq!(whole(f64::NAN), "0");
        assert_eq!(whole(f64::INFINITY), "0");
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
}
