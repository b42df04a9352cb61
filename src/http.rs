//! The HTTP layer under the pipeline: the default `reqwest::Client` (rustls, a same-origin
//! redirect policy, timeouts) and bounded body reading.

use bytes::{Bytes, BytesMut};
use std::time::Duration;

/// Default limit of a response body: 64 MiB (a page of 100 records is about 100 KB).
pub const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// Longest URL pdrs sends (bytes): PagerDuty's front end refuses longer request lines.
pub const MAX_URL_LEN: usize = 8 * 1024;

/// Why a redirect was not followed (the source of reqwest's redirect error).
#[derive(Debug)]
pub(crate) struct RedirectRefused(pub String);

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "redirect to {} refused: not the API host", self.0)
    }
}

impl std::error::Error for RedirectRefused {}

/// Whether two URLs share scheme, host and port.
pub(crate) fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A URL without its query and fragment, for messages.
pub(crate) fn display_url(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    crate::error::sanitize(url.as_str(), 200)
}

/// A `reqwest::Client` with rustls (ring provider), the given per-attempt timeout, a read
/// timeout for silent servers, and redirects followed only on the same scheme, host and port
/// (at most 5): a redirect elsewhere ends the call with
/// [`Error::RedirectRefused`](crate::Error::RedirectRefused), so neither the credential nor the
/// body nor any header leaves the API host.
pub fn client(timeout: Duration) -> crate::Result<reqwest::Client> {
    // Installing the process-wide provider fails harmlessly when one is already installed. ring
    // rather than rustls's default aws-lc-rs, which needs a C and assembler build several times
    // longer than all of pdrs; rustls 0.23.48 deprecates ring's provider for its lack of
    // post-quantum key exchange, which an application that wants it installs itself first.
    #[allow(deprecated, reason = "ring's provider, chosen for the build it needs (see above)")]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let Some(first) = attempt.previous().first() else { return attempt.follow() };
        if !same_origin(first, attempt.url()) {
            let location = display_url(attempt.url());
            return attempt.error(RedirectRefused(location));
        }
        if attempt.previous().len() > 5 {
            return attempt.error("more than 5 redirects");
        }
        attempt.follow()
    });
    reqwest::Client::builder()
        .timeout(timeout)
        .read_timeout(timeout.min(Duration::from_secs(30)))
        .connect_timeout(Duration::from_secs(10))
        .redirect(policy)
        .build()
        .map_err(crate::Error::Network)
}

/// A body read failure: cut short (retryable for idempotent calls) or over the limit.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The connection failed mid-body.
    Cut(reqwest::Error),
    /// The body is larger than the limit.
    TooLarge(u64),
}

/// Reads a whole body, refusing more than `limit` bytes: memory stays bounded whatever the
/// server sends (a lying `Content-Length`, an endless chunked body).
pub(crate) async fn read_body(response: &mut reqwest::Response, limit: u64) -> Result<Bytes, BodyError> {
    let announced = response.content_length();
    if announced.is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge(limit));
    }
    let mut buf = BytesMut::with_capacity(announced.unwrap_or(8 * 1024).min(1024 * 1024) as usize);
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Cut)? {
        if (buf.len() + chunk.len()) as u64 > limit {
            return Err(BodyError::TooLarge(limit));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// The location of a refused redirect, if this reqwest error is one.
pub(crate) fn refused_redirect(error: &reqwest::Error) -> Option<String> {
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        if let Some(refused) = s.downcast_ref::<RedirectRefused>() {
            return Some(refused.0.clone());
        }
        source = s.source();
    }
    None
}

/// Parses a base URL: `https://` anywhere, `http://` only for loopback hosts (mock servers).
pub fn parse_base_url(text: &str) -> crate::Result<reqwest::Url> {
    let url = reqwest::Url::parse(text).map_err(|e| crate::Error::config(format!("invalid base URL {text:?}: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(crate::Error::config(format!("refusing plain http for non-loopback host in {text:?}"))),
        other => return Err(crate::Error::config(format!("unsupported URL scheme {other:?} in {text:?}"))),
    }
    if url.host_str().is_none() {
        return Err(crate::Error::config(format!("base URL {text:?} has no host")));
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
