//! The `baseUrl` option: an absolute http(s) URL, plain http only to loopback.

#[allow(unused_imports)]
use crate::prelude::*;

/// The default base URL of the real API.
pub const DEFAULT_BASE_URL: &str = "https://api.connectsafely.ai";

/// Checks a base URL and returns it without trailing slashes, ready for a path to be appended.
/// The error says why, for a `TypeError`.
///
/// ```
/// use connectsafely_wasm::base_url::parse_base_url;
///
/// assert_eq!(parse_base_url("https://proxy.example.com/connectsafely/").unwrap(), "https://proxy.example.com/connectsafely");
/// assert_eq!(parse_base_url("http://127.0.0.1:8787").unwrap(), "http://127.0.0.1:8787"); // a local sandbox
/// assert!(parse_base_url("http://api.example.com").is_err()); // plain http only to loopback
/// assert!(parse_base_url("api.connectsafely.ai").is_err()); // must be absolute
/// ```
pub fn parse_base_url(input: &str) -> Result<String, String> {
    let s = crate::text::trim(input);
    let lower = s.to_ascii_lowercase();
    let (scheme, rest) = if let Some(r) = lower.strip_prefix("https://") {
        ("https", r)
    } else if let Some(r) = lower.strip_prefix("http://") {
        ("http", r)
    } else {
        return Err(crate::cat!(
            "must be an absolute http(s) URL such as \"",
            DEFAULT_BASE_URL,
            "\""
        ));
    };
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    if rest.bytes().any(|b| b == b'?' || b == b'#') {
        return Err("must not have a query or a fragment".into());
    }
    let (authority, _path) = crate::text::split_once_byte(rest, b'/').unwrap_or((rest, ""));
    if authority.bytes().any(|b| b == b'@') {
        return Err("must not carry credentials (user:password@); pass the key as apiKey".into());
    }
    let host = host_of(authority)
        .ok_or_else(|| String::from("must name a host (and a valid port, if any)"))?;
    if scheme == "http" && !is_loopback(host) {
        return Err("must use https:// unless the host is loopback (localhost, 127.0.0.0/8 or [::1]): the API key would travel in clear".into());
    }
    let original_rest = s.get(scheme.len() + 3..).unwrap_or("");
    Ok(crate::cat!(
        scheme,
        "://",
        crate::text::trim_end_byte(original_rest, b'/')
    ))
}

/// The host of `host[:port]` (IPv6 in brackets), if the port is valid.
fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = crate::text::split_once_byte(v6, b']')?;
        (h, after.strip_prefix(':'))
    } else {
        match crate::text::rsplit_once_byte(authority, b':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if let Some(p) = port {
        if !p.is_empty() && (p.len() > 5 || crate::text::parse_digits(p)? > 65535) {
            return None;
        }
    }
    (!host.is_empty()).then_some(host)
}

/// `localhost`, `127.0.0.0/8` or `::1`.
///
/// ```
/// use connectsafely_wasm::base_url::is_loopback;
///
/// assert!(is_loopback("localhost") && is_loopback("127.0.0.53") && is_loopback("::1"));
/// assert!(!is_loopback("10.0.0.1"));
/// ```
pub fn is_loopback(host: &str) -> bool {
    let host = crate::text::trim_end_byte(host, b'.');
    if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" {
        return true;
    }
    // 127.x.y.z: four decimal octets of 1 to 3 digits, each at most 255 (by byte scans:
    // std's splitter was ~0.5 KB of the wasm).
    let mut rest = Some(host);
    let mut count = 0;
    while let Some(r) = rest {
        let (octet, more) = match crate::text::split_once_byte(r, b'.') {
            Some((o, m)) => (o, Some(m)),
            None => (r, None),
        };
        let ok = octet.len() <= 3 && crate::text::parse_digits(octet).is_some_and(|v| v <= 255);
        if !ok || count == 4 || (count == 0 && octet != "127") {
            return false;
        }
        count += 1;
        rest = more;
    }
    count == 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_and_loopback_http_and_keeps_paths() {
        assert_eq!(
            parse_base_url("https://api.connectsafely.ai").unwrap(),
            "https://api.connectsafely.ai"
        );
        assert_eq!(
            parse_base_url("https://proxy.example/cs/").unwrap(),
            "https://proxy.example/cs"
        );
        assert_eq!(
            parse_base_url("http://127.0.0.1:8787/").unwrap(),
            "http://127.0.0.1:8787"
        );
        assert_eq!(
            parse_base_url("http://localhost").unwrap(),
            "http://localhost"
        );
        assert_eq!(
            parse_base_url("http://127.255.0.9:1").unwrap(),
            "http://127.255.0.9:1"
        );
        assert_eq!(
            parse_base_url("http://[::1]:8787").unwrap(),
            "http://[::1]:8787"
        );
        assert_eq!(
            parse_base_url("HTTPS://Example.com/A").unwrap(),
            "https://Example.com/A"
        );
    }

    /// The `str::split` and `str::parse` check the byte scan replaced (for size).
    fn loopback_reference(host: &str) -> bool {
        let host = host.trim_end_matches('.');
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" {
            return true;
        }
        let octets: Vec<&str> = host.split('.').collect();
        octets.len() == 4
            && octets.first() == Some(&"127")
            && octets.iter().all(|o| {
                !o.is_empty()
                    && o.len() <= 3
                    && o.bytes().all(|b| b.is_ascii_digit())
                    && o.parse::<u16>().is_ok_and(|v| v <= 255)
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        #[test]
        fn loopback_is_what_the_split_and_parse_check_said(
            host in "(127|12|1270|0127|255|256|999|\\+1|-1|1e2|)(\\.(0|1|00|255|256|001|1000|\\+1|x|)){0,5}\\.{0,2}|localhost\\.?|::1|[0-9.]{0,12}",
        ) {
            proptest::prop_assert_eq!(is_loopback(&host), loopback_reference(&host), "{:?}", host);
        }
    }

    #[test]
    fn rejects_relative_other_schemes_plain_http_to_remote_hosts_and_credentials() {
        for bad in [
            "",
            "api.connectsafely.ai",
            "/cs",
            "ftp://x",
            "ws://localhost",
            "http://example.com",
            "http://localhost.evil.com",
            "http://127.0.0.1.evil.com",
            "http://128.0.0.1",
            "http://10.0.0.1",
            // Digit runs past u32 (a checked parse: no overflow, not loopback).
            "http://4300000000",
            "http://127.0.0.99999999999999999999",
            "https://x:99999999999999999999",
            "http://user:pw@localhost",
            "https://",
            "https://:80",
            "https://x:99999",
            "https://x:8a",
            "https://x/?a=1",
            "https://x/#f",
            "https://a b",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }
}
