//! What the mock knows from the document, prepared by the build: each operation's first success
//! example (the request shapes are `crate::shape`'s).

use crate::spec::{Api, Operation};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The spec's first 2xx example of each operation (`"GET /addons"` → body), `$ref`s resolved
/// and paging fields final.
fn response_examples() -> &'static HashMap<String, Value> {
    static EXAMPLES: OnceLock<HashMap<String, Value>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/response_examples.json"))).unwrap_or_default()
    })
}

/// The documented success example of an operation.
pub(crate) fn example(op: &Operation) -> Option<&'static Value> {
    response_examples().get(&format!("{} {}", op.method, op.path))
}

/// The field of a list operation's answer that holds its records: the paged items field, else
/// the one field of the documented example that is a list.
pub(crate) fn list_field(op: &Operation) -> Option<&'static str> {
    if let Some(items) = op.items {
        return Some(items);
    }
    let Value::Object(map) = example(op)? else { return None };
    let mut lists = map.iter().filter(|(_, v)| v.is_array());
    match (lists.next(), lists.next()) {
        (Some((key, _)), None) => Some(key.as_str()),
        _ => None,
    }
}

/// The GET operation that reads one record of a list (`/addons/{id}` for `/addons`).
pub(crate) fn single_of(list: &Operation) -> Option<&'static Operation> {
    crate::spec::operations().iter().find(|op| {
        op.api == Api::Rest
            && op.method == "GET"
            && op
                .path
                .strip_prefix(list.path)
                .and_then(|rest| rest.strip_prefix("/{"))
                .is_some_and(|rest| rest.ends_with('}') && !rest.contains('/'))
    })
}

/// The template of the list a record path belongs to (`/addons/{id}` → `/addons`).
pub(crate) fn list_of(single: &Operation) -> Option<&'static Operation> {
    let parent = single.path.rsplit_once('/')?.0;
    crate::spec::find_in(Api::Rest, "GET", parent)
}

/// A documented example with its links moved from `https://api.pagerduty.com` to `base`.
pub(crate) fn on_base(example: &Value, base: &str) -> Value {
    let text = example.to_string().replace("https://api.pagerduty.com", base);
    serde_json::from_str(&text).unwrap_or_else(|_| example.clone())
}
