//! Base URLs and the host guard.

use crate::Error;

/// Parses a base URL: `https://` anywhere, `http://` only for loopback hosts (mock servers).
pub fn parse_base_url(text: &str) -> crate::Result<reqwest::Url> {
    let url = reqwest::Url::parse(text).map_err(|e| Error::config(format!("invalid base URL {text:?}: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(Error::config(format!("refusing plain http for non-loopback host in {text:?}"))),
        other => return Err(Error::config(format!("unsupported URL scheme {other:?} in {text:?}"))),
    }
    if url.host_str().is_none() {
        return Err(Error::config(format!("base URL {text:?} has no host")));
    }
    Ok(url)
}

/// Whether the URL's host is a loopback address or `localhost`.
pub fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
