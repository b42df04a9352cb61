//! Operation fixes: every operation gets an `operationId`.

use crate::json::{for_each_operation_mut, pascal};
use crate::naming::singular;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// PagerDuty's naming convention for an operation: a verb (`list`, `get`, `create`, `update`,
/// `delete`) and the path's literal segments, singular where an id follows or one item is
/// meant (`DELETE /business_services/{id}` -> `deleteBusinessService`,
/// `GET /users/{id}/contact_methods` -> `listUserContactMethods`).
pub fn conventional_id(method: &str, path: &str) -> String {
    let segments: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let ends_with_param = segments.last().is_some_and(|s| s.starts_with('{'));
    let verb = match (method, ends_with_param) {
        ("get", false) => "list",
        ("get", true) => "get",
        ("post", _) => "create",
        ("put" | "patch", _) => "update",
        ("delete", _) => "delete",
        (other, _) => other,
    };
    let mut name = verb.to_string();
    for (i, segment) in segments.iter().enumerate() {
        if segment.starts_with('{') {
            continue;
        }
        let last_literal = segments[i + 1..].iter().all(|s| s.starts_with('{'));
        let followed_by_id = segments.get(i + 1).is_some_and(|s| s.starts_with('{'));
        let one = followed_by_id || (last_literal && verb != "list");
        let word = if one { singular(segment) } else { segment.to_string() };
        name.push_str(&pascal(&word));
    }
    name
}

/// Rule: an operation without an `operationId` (older documents lack some; progenitor needs
/// one) gets [`conventional_id`], made unique with a numeric suffix if the document already
/// uses that name.
pub fn synthesize_operation_ids(doc: &mut Value) -> usize {
    let mut taken = BTreeSet::new();
    for_each_operation_mut(doc, |_, _, op: &mut Map<String, Value>| {
        if let Some(Value::String(id)) = op.get("operationId") {
            taken.insert(id.clone());
        }
    });
    let mut n = 0;
    for_each_operation_mut(doc, |path, method, op| {
        if op.get("operationId").and_then(Value::as_str).is_some_and(|id| !id.trim().is_empty()) {
            return;
        }
        let base = conventional_id(method, path);
        let mut id = base.clone();
        let mut k = 2;
        while !taken.insert(id.clone()) {
            id = format!("{base}{k}");
            k += 1;
        }
        op.insert("operationId".into(), Value::String(id));
        n += 1;
    });
    n
}
