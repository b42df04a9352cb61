//! The request journal: every request the mock received, with the answer's status and the
//! fault applied, for tests to assert on (`MockServer::requests`, `GET /_mock/requests`).

use serde::Serialize;
use serde_json::Value;

/// One request the mock received.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Recorded {
    /// The HTTP method.
    pub method: String,
    /// The path as sent (`/incidents/PI00000/notes`).
    pub path: String,
    /// The operation's path template (`/incidents/{id}/notes`), when one matches.
    pub operation: Option<String>,
    /// The query pairs, in order.
    pub query: Vec<(String, String)>,
    /// The headers, names in lower case; credentials (`authorization`) as `<redacted>`.
    pub headers: Vec<(String, String)>,
    /// The body, parsed when it is JSON (else as text; `null` when empty).
    pub body: Value,
    /// The status the mock answered (what it would have answered, for a lost answer).
    pub status: u16,
    /// The fault applied, if any (`scripted 503`, `reset`, `lost answer`, `rate limited`...).
    pub fault: Option<String>,
}

impl Recorded {
    /// Whether this is a request to `method` and path template `operation`.
    pub fn is(&self, method: &str, operation: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && self.operation.as_deref() == Some(operation)
    }

    /// A header's value (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The most requests the journal keeps; older ones leave it (and are counted).
pub(crate) const CAPACITY: usize = 100_000;

/// The journal of one running mock.
#[derive(Default)]
pub(crate) struct Journal {
    pub entries: std::collections::VecDeque<Recorded>,
    /// Requests that left the journal when it was full.
    pub dropped: u64,
}

impl Journal {
    pub fn push(&mut self, entry: Recorded) {
        if self.entries.len() >= CAPACITY {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(entry);
    }
}

/// Headers as the journal keeps them: credentials redacted.
pub(crate) fn headers(map: &axum::http::HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(name, value)| {
            let name = name.as_str().to_ascii_lowercase();
            let value = if matches!(name.as_str(), "authorization" | "x-routing-key") {
                "<redacted>".to_string()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name, value)
        })
        .collect()
}

/// A body as the journal keeps it: JSON parsed (an Events API routing key as `<redacted>`),
/// other text as a string, empty as `null`.
pub(crate) fn body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    let mut body =
        serde_json::from_slice(bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()));
    if let Some(key) = body.get_mut("routing_key") {
        *key = Value::String("<redacted>".into());
    }
    body
}
