//! The operation table: every operation of every PagerDuty document, as data.
//!
//! Built at compile time from the same OpenAPI documents as the typed clients (see `build.rs`), so
//! the generic layer's canonical paths, entity wrappers and pagination kinds never drift from
//! the typed layer. The same facts are committed as `generated/operations.tsv` for review.
//!
//! ```
//! use pdrs::spec::{self, Paging};
//! let op = spec::find("GET", "/users").unwrap();
//! assert_eq!(op.paging, Paging::Offset);
//! assert_eq!(op.items, Some("users"));
//! ```

// `Api`: one variant per document of `build/documents.rs`, with its file, module, `Accept`
// header and server URL.
include!(concat!(env!("OUT_DIR"), "/apis.rs"));

/// PagerDuty refuses classic paging past `offset + limit = 10000`.
pub const OFFSET_CAP: u64 = 10_000;

/// How a list operation pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Paging {
    /// Not a paged list.
    None,
    /// Classic `limit`/`offset`/`more`/`total` paging (10,000 record cap).
    Offset,
    /// `cursor` in, `next_cursor` out.
    Cursor,
    /// `starting_after` in the POST body; `last`/`more` in the response (analytics raw data).
    AnalyticsBody,
    /// `after` cursor in the query (alert grouping settings).
    After,
}

/// Whether an operation takes the `From` header (a user's email, for account-level API keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FromHeader {
    /// The operation does not declare `From`.
    None,
    /// The operation accepts `From`.
    Optional,
    /// The document marks `From` required (account-level keys must send it).
    Required,
}

/// One operation of a PagerDuty API document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The document the operation comes from.
    pub api: Api,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template, e.g. `/users/{id}`.
    pub path: &'static str,
    /// The operation's (first) tag; names its cargo feature and client trait.
    pub tag: &'static str,
    /// Name of the generated builder method, e.g. `list_users`.
    pub name: &'static str,
    /// Pagination kind.
    pub paging: Paging,
    /// For lists, the response field holding the records: a page's items, or, for a list the
    /// document does not page (`GET /incidents/{id}/notes`), its one field.
    pub items: Option<&'static str>,
    /// The single top-level key the request body is wrapped in (`{"user": {...}}`).
    pub request_wrapper: Option<&'static str>,
    /// The single top-level key the response body is wrapped in.
    pub response_wrapper: Option<&'static str>,
    /// Whether the operation takes the `From` header.
    pub from: FromHeader,
    /// The media type of a body sent as raw bytes (multipart, CSV), if any.
    pub raw_content_type: Option<&'static str>,
    /// The OAuth scope the operation requires, if the document says.
    pub scope: Option<&'static str>,
    /// Whether the document gives the operation a rate limit of its own
    /// (`x-pd-operation-limit`), lower than the credential's.
    pub own_rate_limit: bool,
    /// The document's one-line summary (`List users`).
    pub summary: &'static str,
    /// The first paragraph of the document's description, on one line.
    pub description: &'static str,
    /// Whether the operation takes a JSON request body.
    pub json_body: bool,
    /// The status of the documented success response (200, 201, 204...).
    pub success: u16,
    /// Path, query and header parameters (not `From`, which the client sends).
    pub params: &'static [Param],
    /// The fields the document requires in the JSON request body, as paths from its top
    /// (`incident.type`; `[]` stands for every item of a list: `incidents[].id`). A nested
    /// field is required only where its parent is sent. Fields PagerDuty fills with a constant
    /// (a `type` of one kind) are not listed: the generated types always send them.
    pub required_body: &'static [&'static str],
}

impl Operation {
    /// Whether the operation updates one record (a PUT or PATCH of a path ending in its id):
    /// PagerDuty applies such an update to the fields it names, so a field the document
    /// requires of the record may be left out.
    pub fn is_partial_update(&self) -> bool {
        matches!(self.method, "PUT" | "PATCH") && self.path.ends_with('}') && self.request_wrapper.is_some()
    }

    /// `body` in the operation's request wrapper (`{"user": {...}}`), unless it already is.
    pub fn wrap_request(&self, body: serde_json::Value) -> serde_json::Value {
        wrapped(self.request_wrapper, body)
    }

    /// `body` in the operation's response wrapper, unless it already is: an answer as
    /// PagerDuty writes it (for servers, the mock among them).
    pub fn wrap_response(&self, body: serde_json::Value) -> serde_json::Value {
        wrapped(self.response_wrapper, body)
    }

    /// What an answer holds: a list's records (its `items` field), else the entity out of its
    /// response wrapper, else the whole body when the operation has no wrapper. `Err` gives the
    /// body back when it lacks the field (a server that does not follow the document).
    pub fn unwrap_response(&self, body: serde_json::Value) -> Result<serde_json::Value, serde_json::Value> {
        let key = if self.paging != Paging::None { self.items } else { self.response_wrapper.or(self.items) };
        match (key, body) {
            (Some(key), serde_json::Value::Object(mut map)) => match map.remove(key) {
                Some(inner) => Ok(inner),
                None => Err(serde_json::Value::Object(map)),
            },
            (Some(_), other) => Err(other),
            (None, body) => Ok(body),
        }
    }
}

/// `body` inside `key`, unless it is already an object of that one key.
fn wrapped(key: Option<&str>, body: serde_json::Value) -> serde_json::Value {
    match key {
        Some(key) if !body.as_object().is_some_and(|m| m.len() == 1 && m.contains_key(key)) => {
            let mut map = serde_json::Map::new();
            map.insert(key.to_string(), body);
            serde_json::Value::Object(map)
        }
        _ => body,
    }
}

/// Whether PagerDuty reads a query value as true (`total=true`): `true`, `1` and `True` (what
/// pdpyras and python-pagerduty send) and `yes`, in any case.
pub fn query_true(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes")
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParamIn {
    /// A `{name}` of the path template.
    Path,
    /// A query parameter (`name[]` for arrays).
    Query,
    /// A header.
    Header,
}

/// One parameter of an operation, as the document declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Param {
    /// The name on the wire (`statuses[]`, `since`, `id`).
    pub name: &'static str,
    /// Where it goes.
    pub location: ParamIn,
    /// JSON type of the value (of each value, for arrays): `string`, `integer`, `boolean`...
    pub kind: &'static str,
    /// The string format, if any (`date-time`, `date`).
    pub format: Option<&'static str>,
    /// Whether several values may be given.
    pub array: bool,
    /// Whether the operation requires it.
    pub required: bool,
    /// The allowed values, when the document lists them.
    pub values: &'static [&'static str],
    /// The first paragraph of its description.
    pub description: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

// `check_body`: each operation's JSON body decoded into its generated request type (feature
// `validate`, which the CLI uses to check `--data` before sending).
#[cfg(feature = "validate")]
include!(concat!(env!("OUT_DIR"), "/body_checks.rs"));

/// The operation table rendered as the committed manifest (`generated/operations.tsv`).
pub const MANIFEST: &str = include_str!(concat!(env!("OUT_DIR"), "/operations.tsv"));

/// The normalization report: sites each rule touched, per document (`generated/normalization.tsv`).
pub const NORMALIZATION_REPORT: &str = include_str!(concat!(env!("OUT_DIR"), "/normalization.tsv"));

/// Every operation of every document.
pub fn operations() -> &'static [Operation] {
    OPERATIONS
}

/// The REST operation with this method and exact path template (`"GET"`, `"/users/{id}"`).
pub fn find(method: &str, path: &str) -> Option<&'static Operation> {
    find_in(Api::Rest, method, path)
}

/// The operation of `api` with this method and exact path template.
pub fn find_in(api: Api, method: &str, path: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.api == api && op.method.eq_ignore_ascii_case(method) && op.path == path)
}

/// The operation of `api` whose generated method is `name`.
pub fn by_name(api: Api, name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.api == api && op.name == name)
}

/// The path template of `api` that a concrete path matches (`/users/PABC` -> `/users/{id}`):
/// the same number of segments, `{param}` segments matching anything; the template with the
/// most literal segments wins (`/users/me` over `/users/{id}`).
pub fn template_of(api: Api, path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut best: Option<(&'static str, usize)> = None;
    for (op, template) in templates().iter().filter(|(op, t)| op.api == api && t.len() == segments.len()) {
        let mut literals = 0;
        let matches = template.iter().zip(&segments).all(|(t, s)| {
            if t.starts_with('{') {
                true
            } else {
                literals += 1;
                t == s
            }
        });
        if matches && best.is_none_or(|(_, l)| literals > l) {
            best = Some((op.path, literals));
        }
    }
    best.map(|(p, _)| p)
}

/// Every operation with its path split into segments, split once.
fn templates() -> &'static [(&'static Operation, Vec<&'static str>)] {
    static TEMPLATES: std::sync::OnceLock<Vec<(&'static Operation, Vec<&'static str>)>> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| OPERATIONS.iter().map(|op| (op, op.path.trim_matches('/').split('/').collect())).collect())
}
