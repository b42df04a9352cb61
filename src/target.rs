//! Request targets: a path, a full URL on the API host, or a resource with a `self` field; and
//! the canonical path (`/users/PABC` -> `/users/{id}`) of a URL on the base URL.

use crate::spec::{self, Api};
use crate::Error;
use serde_json::Value;

/// Where a request goes: a path relative to the base URL (`users`, `/users/PABC`), a full URL on
/// the same scheme, host and port as the base URL, or a resource value with a `self` URL.
#[derive(Clone, Debug)]
pub struct Target(String);

impl From<&str> for Target {
    fn from(value: &str) -> Self {
        Self(value.to_string())
    }
}

impl From<String> for Target {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&String> for Target {
    fn from(value: &String) -> Self {
        Self(value.clone())
    }
}

impl TryFrom<&Value> for Target {
    type Error = Error;
    fn try_from(value: &Value) -> Result<Self, Error> {
        value
            .get("self")
            .and_then(Value::as_str)
            .map(|s| Self(s.to_string()))
            .ok_or_else(|| Error::invalid("the resource has no `self` URL"))
    }
}

impl Target {
    /// Resolves against `base`; refuses any URL whose scheme, host or port differ from the base's,
    /// so the credential is never sent to another host.
    pub(crate) fn resolve(&self, base: &reqwest::Url) -> crate::Result<reqwest::Url> {
        let text = self.0.trim();
        if text.starts_with("//") || text.starts_with("\\\\") || text.starts_with("/\\") || text.starts_with("\\/") {
            // A scheme-relative URL names another host.
            return Err(Error::UrlRefused(format!(
                "{} names another host; the token is only sent to {}",
                crate::error::sanitize(strip_query(text), 200),
                base.origin().ascii_serialization()
            )));
        }
        if text.contains("://") {
            let url = reqwest::Url::parse(text)
                .map_err(|e| Error::UrlRefused(format!("{:?}: {e}", crate::error::sanitize(text, 200))))?;
            let same = crate::http::same_origin(&url, base);
            if !same || !url.path().starts_with(base.path().trim_end_matches('/')) {
                return Err(Error::UrlRefused(format!(
                    "{} is not on the API host {}; the token is only sent there",
                    crate::error::sanitize(strip_query(text), 200),
                    base.origin().ascii_serialization()
                )));
            }
            return Ok(url);
        }
        let mut url = base.clone();
        let (path, query) = match text.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (text, None),
        };
        let joined = format!("{}/{}", base.path().trim_end_matches('/'), path.trim_start_matches('/'));
        url.set_path(&joined);
        url.set_query(query);
        Ok(url)
    }
}

fn strip_query(text: &str) -> &str {
    text.split(['?', '#']).next().unwrap_or(text)
}

/// The REST operation template matching a concrete path (`/users/PABC` -> `/users/{id}`), the
/// base URL's own path removed. Literal segments beat parameters (`/users/me`).
pub fn canonical_path(base: &reqwest::Url, url: &reqwest::Url) -> Option<&'static str> {
    canonical_path_in(Api::Rest, base, url)
}

/// [`canonical_path`] among the operations of `api` (each client reads its own document's
/// table: SCIM paths are matched against `scim.json`, not the REST API's).
pub fn canonical_path_in(api: Api, base: &reqwest::Url, url: &reqwest::Url) -> Option<&'static str> {
    spec::template_of(api, url.path().strip_prefix(base.path().trim_end_matches('/')).unwrap_or(url.path()))
}
