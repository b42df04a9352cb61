//! The one error type of pdrs.

use std::fmt;

/// Everything that can go wrong in a pdrs call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured with something unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A request target was refused before sending (another host, a bad path).
    #[error("request refused: {0}")]
    UrlRefused(String),
    /// The API refused the credential (401). Not retried.
    #[error("unauthorized (401) by {host}: check the API token, and the region (US api.pagerduty.com, EU api.eu.pagerduty.com){}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Unauthorized {
        /// The host that refused the credential.
        host: String,
        /// The message the API gave, if any.
        detail: Option<String>,
    },
    /// A 2xx body lacked the entity wrapper the spec promises.
    #[error("expected the response to be wrapped in {expected:?}, got keys {got:?}")]
    MissingWrapper {
        /// The wrapper key the operation table gives.
        expected: String,
        /// The top-level keys the body had.
        got: Vec<String>,
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
    /// Classic offset paging hit PagerDuty's 10,000 record limit with records left.
    #[error("{path}: PagerDuty's classic pagination stops at 10,000 records and more exist ({yielded} yielded); narrow the query or use iter_history")]
    PaginationCap {
        /// The listed path.
        path: String,
        /// Records yielded before the cap.
        yielded: u64,
    },
    /// The API answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request could not be sent or the response not read.
    #[error("network error: {0}")]
    Network(#[source] reqwest::Error),
    /// A response body did not decode into the expected type.
    #[error("cannot decode response at `{path}`: {source}")]
    Decode {
        /// Where in the body decoding failed (serde path).
        path: String,
        /// The body as received.
        body: bytes::Bytes,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
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
    /// The raw body.
    pub body: bytes::Bytes,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PagerDuty API error {}", self.status.as_u16())?;
        if let Some(code) = self.code {
            write!(f, " (code {code})")?;
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        if !self.errors.is_empty() {
            write!(f, " [{}]", self.errors.join("; "))?;
        }
        Ok(())
    }
}

impl Error {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config(message.into())
    }

    /// The HTTP status, for API errors.
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Network(e) => e.status(),
            _ => None,
        }
    }

    /// Whether retrying later may succeed (429, 5xx, network failures).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.status.as_u16() == 429 || e.status.is_server_error(),
            Error::Network(_) | Error::RetriesExhausted { .. } => true,
            _ => false,
        }
    }

    /// Whether the credential was refused.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Error::Unauthorized { .. })
    }

    /// Whether the API answered 404 (or PagerDuty code 2100).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api(e) if e.status == reqwest::StatusCode::NOT_FOUND || e.code == Some(2100))
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Reads an error response into [`Error`]: every shape PagerDuty uses parses (`error` as an object,
/// list or string; `errors` as a list, string or map; the Events API's top-level fields).
pub(crate) async fn from_response(response: reqwest::Response) -> Error {
    let status = response.status();
    let host = response.url().host_str().unwrap_or("").to_string();
    let request_id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(String::from);
    let body = response.bytes().await.unwrap_or_default();
    from_parts(status, host, request_id, body)
}

/// Builds the error of an error status from its parts (see [`from_response`]).
pub(crate) fn from_parts(
    status: reqwest::StatusCode,
    host: String,
    request_id: Option<String>,
    body: bytes::Bytes,
) -> Error {
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    let error = &json["error"];
    let inner = if error.is_array() { &error[0] } else { error };
    let message =
        inner["message"].as_str().or_else(|| error.as_str()).or_else(|| json["message"].as_str()).map(String::from);
    let code = inner["code"].as_i64().or_else(|| inner["code"].as_str().and_then(|c| c.parse().ok()));
    let details = if inner.get("errors").is_some() { &inner["errors"] } else { &json["errors"] };
    let errors = flatten_errors(details);
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Error::Unauthorized { host, detail: message };
    }
    Error::Api(Box::new(ApiError { status, code, message, errors, request_id, body }))
}

/// Converts the error of a generated (typed) call into [`Error`].
pub fn from_typed<E: serde::Serialize>(error: progenitor_client::Error<E>) -> Error {
    use progenitor_client::Error as P;
    match error {
        P::ErrorResponse(value) => {
            let status = value.status();
            let request_id = value.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(String::from);
            let body = serde_json::to_vec(value.as_ref()).unwrap_or_default();
            from_parts(status, String::new(), request_id, body.into())
        }
        P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => Error::Network(e),
        P::InvalidResponsePayload(body, source) => Error::Decode { path: String::new(), body, source },
        P::UnexpectedResponse(response) => {
            let status = response.status();
            let host = response.url().host_str().unwrap_or("").to_string();
            from_parts(status, host, None, bytes::Bytes::new())
        }
        P::InvalidRequest(message) => Error::Config(message),
        P::Custom(message) => Error::UrlRefused(message),
    }
}

fn flatten_errors(value: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    match value {
        Value::Array(items) => items.iter().flat_map(flatten_errors).collect(),
        Value::String(s) => vec![s.clone()],
        Value::Object(map) => map.iter().map(|(k, v)| format!("{k}: {}", flatten_errors(v).join(", "))).collect(),
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}
