//! Extra request headers: the client's `defaultHeaders` and a call's `headers`, checked and
//! merged, and the `User-Agent` the client adds in server runtimes.
//!
//! ```
//! use connectsafely_wasm::headers::{check, merge, user_agent_for};
//!
//! assert!(check("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").is_ok());
//! assert!(check("Authorization", "Bearer other").is_err());
//! let merged = merge(&[("X-Team".into(), "a".into())], &[("x-team".into(), "b".into())]);
//! assert_eq!(merged, [("x-team".to_string(), "b".to_string())]);
//! // A browser (its user agent starts with "Mozilla/") gets no added header.
//! assert_eq!(user_agent_for("Mozilla/5.0 (X11; Linux x86_64)"), None);
//! assert!(user_agent_for("Node.js/22").unwrap().starts_with("connectsafely-wasm/"));
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

/// The headers the client sets itself, which no option may replace.
pub const RESERVED: [&str; 2] = ["authorization", "content-type"];

/// The longest header name or value accepted (bytes); also the longest `apiKey` and
/// `baseUrl`. (The npm layer copies at most one more UTF-16 unit of a string option or
/// header into wasm memory: each is refused as the whole string would be.)
pub const MAX_VALUE_LEN: usize = 8192;

/// Why a header cannot be sent, or `Ok`.
pub fn check(name: &str, value: &str) -> Result<(), &'static str> {
    // RFC 9110 token characters.
    let token = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                '!' | '#'
                    | '$'
                    | '%'
                    | '&'
                    | '\''
                    | '*'
                    | '+'
                    | '-'
                    | '.'
                    | '^'
                    | '_'
                    | '`'
                    | '|'
                    | '~'
            )
    };
    if name.len() > MAX_VALUE_LEN {
        return Err("has a name longer than 8192 bytes");
    }
    if name.is_empty() || !name.chars().all(token) {
        return Err("is not a valid header name");
    }
    if RESERVED.iter().any(|r| name.eq_ignore_ascii_case(r)) {
        return Err("cannot be set: the client sends its own Authorization and Content-Type");
    }
    if value.len() > MAX_VALUE_LEN {
        return Err("is longer than 8192 bytes");
    }
    if value
        .chars()
        .any(|c| matches!(c, '\r' | '\n' | '\0') || (c as u32) > 0xff)
    {
        return Err(
            "holds characters an HTTP header cannot carry (line breaks, NUL, or beyond Latin-1)",
        );
    }
    Ok(())
}

/// `defaults` with `call`'s headers over them: a name (in any case) set by the call
/// replaces the default's.
pub fn merge(defaults: &[(String, String)], call: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = defaults
        .iter()
        .filter(|(n, _)| !call.iter().any(|(c, _)| c.eq_ignore_ascii_case(n)))
        .cloned()
        .collect();
    out.extend(call.iter().cloned());
    out
}

/// The `User-Agent` the client adds, given the runtime's `navigator.userAgent` (empty
/// when it has none): the package and version in a server runtime (Node.js, Bun, Deno,
/// Workers), and `None` in a browser, where an added header would change CORS.
pub fn user_agent_for(navigator_user_agent: &str) -> Option<String> {
    if navigator_user_agent.starts_with("Mozilla/") {
        None
    } else {
        Some(crate::cat!(
            "connectsafely-wasm/",
            env!("CARGO_PKG_VERSION")
        ))
    }
}
