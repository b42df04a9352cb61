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

    /// Whether the API answered 404 (or PagerDuty code 2100).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api(e) if e.status == reqwest::StatusCode::NOT_FOUND || e.code == Some(2100))
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
