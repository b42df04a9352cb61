//! Credentials and the `Authorization` header.

use reqwest::header::HeaderValue;
use std::fmt;

/// A secret string (API key, OAuth token) that never shows in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Handle with care.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// At most the last four characters, for logs (`…abcd`).
    pub fn hint(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() <= 8 {
            "…".to_string()
        } else {
            format!("…{}", chars[chars.len() - 4..].iter().collect::<String>())
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.hint())
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// How requests authenticate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credential {
    /// A REST API key: `Authorization: Token token=<key>`.
    ApiToken(Secret),
    /// An OAuth access token: `Authorization: Bearer <token>`.
    OAuth(Secret),
    /// A header value sent verbatim.
    Passthrough(Secret),
    /// No `Authorization` header (Events API, which carries the routing key in the body).
    None,
}

impl Credential {
    /// The `Authorization` header value, marked sensitive so it is redacted from reqwest's logs.
    pub(crate) fn header(&self) -> Result<Option<HeaderValue>, crate::Error> {
        let text = match self {
            Credential::ApiToken(s) => format!("Token token={}", s.expose()),
            Credential::OAuth(s) => format!("Bearer {}", s.expose()),
            Credential::Passthrough(s) => s.expose().to_string(),
            Credential::None => return Ok(None),
        };
        let mut value = HeaderValue::from_str(&text)
            .map_err(|_| crate::Error::config("the credential contains characters not allowed in a header"))?;
        value.set_sensitive(true);
        Ok(Some(value))
    }

    /// The secret, if any.
    pub fn secret(&self) -> Option<&Secret> {
        match self {
            Credential::ApiToken(s) | Credential::OAuth(s) | Credential::Passthrough(s) => Some(s),
            Credential::None => None,
        }
    }
}

/// Where a client gets the `Authorization` value of each request when it is not fixed (OAuth
/// tokens refreshed before they expire: [`TokenSource`](crate::oauth::TokenSource)). The
/// pipeline asks before every request; nothing is sent when it fails.
pub(crate) trait Authorizer: Send + Sync + fmt::Debug {
    /// The value to send now.
    fn authorization(&self) -> futures::future::BoxFuture<'_, crate::Result<HeaderValue>>;
}
