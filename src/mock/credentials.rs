//! Who may call: PagerDuty answers a request without credentials with a 401, code 2006.

use axum::http::HeaderMap;

pub(super) fn authorized(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else { return false };
    let token = value.strip_prefix("Token token=").or_else(|| value.strip_prefix("Bearer "));
    token.is_some_and(|t| !t.trim().is_empty())
}
