//! The one error type of pdrs.

use std::fmt;
use std::time::Duration;

/// Everything that can go wrong in a pdrs call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured with something unusable (a builder mistake).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Input refused before anything was sent (a URL over the length limit, an invalid event,
    /// a body that does not serialize).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A request target was refused before sending (another host, a bad path).
    #[error("request refused: {0}")]
    UrlRefused(String),
    /// The server redirected to another scheme, host or port; pdrs does not follow, so neither
    /// the credential nor the request's data goes there.
    #[error("refused to follow a redirect to {}: not the API host", sanitize(location, 300))]
    RedirectRefused {
        /// Where the server pointed (query string removed).
        location: String,
    },
    /// The API refused the credential (401). Not retried.
    #[error("unauthorized (401) by {host}: check the API token, and the region (US api.pagerduty.com, EU api.eu.pagerduty.com){}", detail.as_deref().map(|d| format!(": {}", sanitize(d, 300))).unwrap_or_default())]
    Unauthorized {
        /// The host that refused the credential.
        host: String,
        /// The message the API gave, if any.
        detail: Option<String>,
    },
    /// A token source could not get a fresh OAuth token; nothing was sent.
    #[error("could not refresh the OAuth access token: {0}")]
    TokenRefresh(#[source] Box<Error>),
    /// An OAuth token endpoint refused the request (RFC 6749 error body).
    #[error("OAuth token request refused ({}): {}{}", status.as_u16(), sanitize(error, 100), description.as_deref().map(|d| format!(": {}", sanitize(d, 300))).unwrap_or_default())]
    OAuth {
        /// HTTP status.
        status: reqwest::StatusCode,
        /// The `error` code (`invalid_client`, `invalid_grant`, …).
        error: String,
        /// The `error_description`, when given.
        description: Option<String>,
    },
    /// A 2xx body lacked the entity wrapper the spec promises.
    #[error("expected the response to be wrapped in {expected:?}, got keys {}", shown_keys(got))]
    MissingWrapper {
        /// The wrapper key the operation table gives.
        expected: String,
        /// The top-level keys the body had.
        got: Vec<String>,
    },
    /// A success status with an empty body where JSON was expected.
    #[error("the API answered {} with an empty body where JSON was expected", status.as_u16())]
    EmptyBody {
        /// The status of the empty answer.
        status: reqwest::StatusCode,
    },
    /// Retries ran out on network failures.
    #[error("gave up after {attempts} attempts: {source}")]
    RetriesExhausted {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        #[source]
        source: reqwest::Error,
    },
    /// The API rate-limited the call and asked for a wait longer than the retry policy allows
    /// (e.g. a daily quota); the call was not retried.
    #[error("rate limited: the API asks to retry after {}s{}", retry_after.as_secs(), api.as_ref().map(|a| format!(" ({a})")).unwrap_or_default())]
    RateLimited {
        /// How long the API asked to wait.
        retry_after: Duration,
        /// The 429 answer.
        api: Option<Box<ApiError>>,
    },
    /// The call's deadline passed (attempts and waits included).
    #[error(
        "no complete answer within {}s (the call deadline){}",
        after.as_secs_f64(),
        last.as_ref().map(|l| format!("; {attempts} attempt(s), the last: {l}")).unwrap_or_default()
    )]
    Timeout {
        /// The deadline.
        after: Duration,
        /// Attempts begun.
        attempts: u32,
        /// What the last attempt came to, when one ended (`503 Service Unavailable`, a network
        /// failure), or that it was still waiting for an answer.
        last: Option<String>,
    },
    /// A response body was larger than the configured limit; reading stopped there.
    #[error("the response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Classic offset paging hit PagerDuty's 10,000 record limit with records left.
    #[error(
        "{path}: PagerDuty's classic pagination stops at 10,000 records and more exist ({yielded} yielded); {hint}"
    )]
    PaginationCap {
        /// The listed path.
        path: String,
        /// Records yielded before the cap.
        yielded: u64,
        /// What reads the rest, from the listing's parameters: `iter_history` for a listing that
        /// takes `since` and `until`, else the filters that narrow it.
        hint: String,
    },
    /// The server's pages did not add up; the listing stopped rather than lose or repeat records.
    #[error("{path}: paging stopped after {yielded} records: {problem}")]
    Paging {
        /// The listed path.
        path: String,
        /// Records yielded before the problem.
        yielded: u64,
        /// What the server did.
        problem: PagingProblem,
    },
    /// Iterating a path that does not page (a single resource, an unknown path).
    #[error("{0} is not a paged list in PagerDuty's API description")]
    NotPaged(String),
    /// The API answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request could not be sent or the response not read.
    #[error("network error: {0}")]
    Network(#[source] reqwest::Error),
    /// A response body did not decode into the expected type.
    #[error("cannot decode response at `{}`: {}", sanitize(path, 200), sanitize(&source.to_string(), 300))]
    Decode {
        /// Where in the body decoding failed (serde path).
        path: String,
        /// The body as received (its `Debug` shows only its length).
        body: ResponseBody,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
}

/// How a server's pages failed to add up.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PagingProblem {
    /// The server returned a cursor it had returned before (a repeat or a cycle).
    CursorRepeated(String),
    /// Too many pages in a row brought no new record while the server handed out next cursors.
    EmptyPages(u32),
    /// A page repeated records already yielded at another offset (the server ignores `offset`).
    OffsetIgnored {
        /// The offset asked for.
        offset: u64,
    },
    /// The server said there were more records but returned none.
    MoreWithoutRecords,
}

impl fmt::Display for PagingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PagingProblem::CursorRepeated(c) => write!(f, "the server repeated cursor {:?}", sanitize(c, 80)),
            PagingProblem::EmptyPages(n) => {
                write!(f, "{n} pages in a row brought no new record while the server said there were more")
            }
            PagingProblem::OffsetIgnored { offset } => {
                write!(f, "the page at offset {offset} repeats records already seen (the server ignores offset)")
            }
            PagingProblem::MoreWithoutRecords => write!(f, "the server said more records exist but sent none"),
        }
    }
}

/// An error status from a PagerDuty API, with whatever the body said.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: reqwest::StatusCode,
    /// PagerDuty's error code (2001 invalid input, 2100 not found, ...), when given.
    pub code: Option<i64>,
    /// The error message, when given.
    pub message: Option<String>,
    /// Details (`errors`), flattened to strings.
    pub errors: Vec<String>,
    /// The `x-request-id` response header, when present.
    pub request_id: Option<String>,
    /// The raw body (its `Debug` shows only its length).
    pub body: ResponseBody,
}

/// A response body kept in an error, as received. It dereferences to [`bytes::Bytes`]
/// (`&body[..]`, `body.len()`); its `Debug` shows only the length, because a body may hold
/// credentials (an integration key, a webhook secret, a token) and errors end up in logs and
/// panic messages. Read it on purpose: `&body[..]`, [`ResponseBody::into_inner`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ResponseBody(bytes::Bytes);

impl ResponseBody {
    /// The bytes.
    pub fn into_inner(self) -> bytes::Bytes {
        self.0
    }
}

impl std::ops::Deref for ResponseBody {
    type Target = bytes::Bytes;
    fn deref(&self) -> &bytes::Bytes {
        &self.0
    }
}

impl From<bytes::Bytes> for ResponseBody {
    fn from(bytes: bytes::Bytes) -> Self {
        Self(bytes)
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

/// A body's keys for an error message: at most 20, each at most 60 characters, escaped.
fn shown_keys(keys: &[String]) -> String {
    let mut shown: Vec<String> = keys.iter().take(20).map(|k| format!("{:?}", sanitize(k, 60))).collect();
    if keys.len() > shown.len() {
        shown.push(format!("{} more", keys.len() - shown.len()));
    }
    format!("[{}]", shown.join(", "))
}

/// Server text made safe to print: control characters escaped, at most `max` characters kept.
pub fn sanitize(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max + 8));
    for (i, c) in text.chars().enumerate() {
        if i >= max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PagerDuty API error {}", self.status.as_u16())?;
        if let Some(code) = self.code {
            write!(f, " (code {code})")?;
        }
        if let Some(m) = &self.message {
            write!(f, ": {}", sanitize(m, 300))?;
        }
        if !self.errors.is_empty() {
            let shown: Vec<String> = self.errors.iter().take(10).map(|e| sanitize(e, 200)).collect();
            write!(f, " [{}", shown.join("; "))?;
            if self.errors.len() > shown.len() {
                write!(f, "; {} more", self.errors.len() - shown.len())?;
            }
            write!(f, "]")?;
        }
        Ok(())
    }
}

impl Error {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config(message.into())
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }

    /// A body that lacks the field `expected`: names the keys it had (or its JSON type, when it
    /// is not an object).
    pub(crate) fn missing_wrapper(expected: impl Into<String>, body: &serde_json::Value) -> Self {
        let got = match body {
            serde_json::Value::Object(map) => map.keys().cloned().collect(),
            other => vec![format!("<{}>", crate::decode::json_kind(other))],
        };
        Error::MissingWrapper { expected: expected.into(), got }
    }

    /// The HTTP status the error came with, if any.
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Unauthorized { .. } => Some(reqwest::StatusCode::UNAUTHORIZED),
            Error::RateLimited { .. } => Some(reqwest::StatusCode::TOO_MANY_REQUESTS),
            Error::OAuth { status, .. } | Error::EmptyBody { status } => Some(*status),
            Error::Network(e) | Error::RetriesExhausted { source: e, .. } => e.status(),
            Error::TokenRefresh(inner) => inner.status(),
            _ => None,
        }
    }

    /// PagerDuty's error code (2001, 2100, …), for API errors that carry one.
    pub fn code(&self) -> Option<i64> {
        self.api().and_then(|e| e.code)
    }

    /// The API error, for error statuses.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::RateLimited { api: Some(e), .. } => Some(e),
            _ => None,
        }
    }

    /// Whether retrying later may succeed: the statuses the retry loop retries (429; 500, 502,
    /// 503 and 504, which it retries for idempotent methods), network failures, a missed
    /// deadline.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => transience(e.status.as_u16()) != Transience::Permanent,
            Error::Network(_) | Error::RetriesExhausted { .. } | Error::RateLimited { .. } | Error::Timeout { .. } => {
                true
            }
            Error::TokenRefresh(inner) => inner.is_retryable(),
            _ => false,
        }
    }

    /// Whether the credential was refused (401, or an OAuth token request refused).
    pub fn is_unauthorized(&self) -> bool {
        match self {
            Error::Unauthorized { .. } | Error::OAuth { .. } => true,
            Error::TokenRefresh(inner) => inner.is_unauthorized(),
            _ => false,
        }
    }

    /// Whether the API answered 404 (or PagerDuty code 2100).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api(e) if e.status == reqwest::StatusCode::NOT_FOUND || e.code == Some(2100))
    }

    /// Whether the API rate-limited the call (429), retries included.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(reqwest::StatusCode::TOO_MANY_REQUESTS)
    }

    /// Whether the call's deadline or a per-attempt timeout passed.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::Network(e) | Error::RetriesExhausted { source: e, .. } => e.is_timeout(),
            _ => false,
        }
    }

    /// Whether the request was refused before anything was sent (bad input or configuration,
    /// another host).
    pub fn is_refused_before_sending(&self) -> bool {
        matches!(self, Error::Config(_) | Error::InvalidInput(_) | Error::UrlRefused(_) | Error::NotPaged(_))
    }
}

/// What a status says of trying the same request again, for the retry loop and
/// [`Error::is_retryable`] alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transience {
    /// 429: the server asks to come back later; retried for every method.
    Transient,
    /// 500, 502, 503, 504: the server failed; retried when repeating the request is harmless.
    TransientIfIdempotent,
    /// Everything else (401, 404, 501...): the same request gets the same answer.
    Permanent,
}

/// The [`Transience`] of a status code.
pub(crate) fn transience(code: u16) -> Transience {
    match code {
        429 => Transience::Transient,
        500 | 502..=504 => Transience::TransientIfIdempotent,
        _ => Transience::Permanent,
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Builds the error of an error status from its parts: every shape PagerDuty uses parses
/// (`error` as an object, list or string; `errors` as a list, string or map; the Events API's
/// top-level fields).
pub(crate) fn from_parts(
    status: reqwest::StatusCode,
    host: String,
    request_id: Option<String>,
    body: bytes::Bytes,
) -> Error {
    let api = api_error(status, request_id, body);
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Error::Unauthorized { host, detail: api.message };
    }
    Error::Api(Box::new(api))
}

/// Reads an error body of any shape into an [`ApiError`].
pub(crate) fn api_error(status: reqwest::StatusCode, request_id: Option<String>, body: bytes::Bytes) -> ApiError {
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    let error = &json["error"];
    let inner = if error.is_array() { &error[0] } else { error };
    let message =
        inner["message"].as_str().or_else(|| error.as_str()).or_else(|| json["message"].as_str()).map(String::from);
    let code = inner["code"].as_i64().or_else(|| inner["code"].as_str().and_then(|c| c.trim().parse().ok()));
    let details = if inner.get("errors").is_some() { &inner["errors"] } else { &json["errors"] };
    let errors = flatten_errors(details, 0);
    ApiError { status, code, message, errors, request_id, body: body.into() }
}

/// Flattens `errors` of any shape into strings, bounded in depth and count.
fn flatten_errors(value: &serde_json::Value, depth: usize) -> Vec<String> {
    use serde_json::Value;
    if depth > 8 {
        return vec![value.to_string().chars().take(200).collect()];
    }
    let mut out: Vec<String> = match value {
        Value::Array(items) => items.iter().take(100).flat_map(|v| flatten_errors(v, depth + 1)).collect(),
        Value::String(s) => vec![s.clone()],
        Value::Object(map) => {
            map.iter().take(100).map(|(k, v)| format!("{k}: {}", flatten_errors(v, depth + 1).join(", "))).collect()
        }
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    };
    out.truncate(100);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_and_shortens() {
        assert_eq!(sanitize("a\x1b[31mb\n", 100), "a\\u{1b}[31mb\\n");
        assert_eq!(sanitize(&"x".repeat(50), 10), format!("{}…", "x".repeat(10)));
    }

    #[test]
    fn status_of_every_variant_that_has_one() {
        let unauthorized = Error::Unauthorized { host: "h".into(), detail: None };
        assert_eq!(unauthorized.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
        assert!(unauthorized.is_unauthorized());
        let limited = Error::RateLimited { retry_after: Duration::from_secs(5), api: None };
        assert!(limited.is_rate_limited() && limited.is_retryable());
        let nested = Error::TokenRefresh(Box::new(Error::OAuth {
            status: reqwest::StatusCode::BAD_REQUEST,
            error: "invalid_grant".into(),
            description: None,
        }));
        assert!(nested.is_unauthorized());
        assert_eq!(nested.status(), Some(reqwest::StatusCode::BAD_REQUEST));
        assert!(Error::Timeout { after: Duration::from_secs(1), attempts: 1, last: None }.is_timeout());
        assert!(Error::NotPaged("/users/P1".into()).is_refused_before_sending());
    }
}
