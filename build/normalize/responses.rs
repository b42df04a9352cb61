//! Response fixes: one error type for every operation, one success type per operation.

use super::refs::ensure_schemas;
use super::targets::ERROR_SCHEMA;
use crate::json::{for_each_operation_mut, resolve};
use serde_json::{json, Value};

/// The lenient error body: every shape PagerDuty uses (`{"error": {...}}`, `{"error": [...]}`,
/// the Events API's `{status, message, errors}`, v3's map of errors) decodes into it.
fn error_schema() -> Value {
    json!({
        "type": "object",
        "description": "An error body from a PagerDuty API, in any of the shapes PagerDuty uses.",
        "properties": {
            "error": { "description": "The error object (or list) of the REST API." },
            "errors": { "description": "Error details: a list of strings, or a map." },
            "message": { "description": "Top-level message (Events API)." },
            "status": { "description": "Top-level status (Events API)." }
        }
    })
}

fn is_success(code: &str) -> bool {
    code.starts_with('2')
}

/// Rule: every non-2xx response of every operation gets the same lenient JSON error body
/// ([`ERROR_SCHEMA`]). progenitor allows one error type per operation; PagerDuty mixes v2 and v3
/// error shapes and body-less errors, and the real server answers with shapes the spec omits.
pub fn unify_error_responses(doc: &mut Value) -> usize {
    let name = ERROR_SCHEMA.to_string();
    ensure_schemas(doc).insert(name.clone(), error_schema());
    let body = json!({ "application/json": { "schema": { "$ref": format!("#/components/schemas/{name}") } } });
    let snapshot = doc.clone();
    let mut n = 0;
    for_each_operation_mut(doc, |_, _, op| {
        let Some(Value::Object(responses)) = op.get_mut("responses") else { return };
        let mut touched = false;
        for (code, response) in responses.iter_mut().filter(|(c, _)| !is_success(c)) {
            let description = resolve(&snapshot, response).get("description").cloned().unwrap_or_else(|| json!(code));
            let replacement = json!({ "description": description, "content": body });
            if *response != replacement {
                *response = replacement;
                touched = true;
            }
        }
        n += usize::from(touched);
    });
    n
}

/// Rule: an operation whose 2xx responses disagree (different JSON bodies, or a body beside a
/// body-less status) gets one success type: any JSON value when every 2xx has a body, raw bytes
/// when some have none. progenitor would otherwise decode every 2xx as the first one's type.
pub fn merge_success_responses(doc: &mut Value) -> usize {
    let snapshot = doc.clone();
    let mut n = 0;
    for_each_operation_mut(doc, |_, _, op| {
        let Some(Value::Object(responses)) = op.get_mut("responses") else { return };
        let bodies: Vec<Option<Vec<(String, Value)>>> =
            responses.iter().filter(|(c, _)| is_success(c)).map(|(_, r)| body_schemas(resolve(&snapshot, r))).collect();
        let first = bodies.first().cloned().flatten();
        if bodies.iter().all(|b| *b == first) {
            return;
        }
        let content = if bodies.iter().all(Option::is_some) {
            json!({ "application/json": { "schema": {} } })
        } else {
            json!({ "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } })
        };
        for (code, response) in responses.iter_mut().filter(|(c, _)| is_success(c)) {
            let description = resolve(&snapshot, response).get("description").cloned().unwrap_or_else(|| json!(code));
            *response = json!({ "description": description, "content": content });
        }
        n += 1;
    });
    n
}

/// The (media type, schema) pairs of a response, ignoring examples; `None` when it has no body.
fn body_schemas(response: &Value) -> Option<Vec<(String, Value)>> {
    let content = response.get("content")?.as_object()?;
    let pairs: Vec<(String, Value)> =
        content.iter().map(|(m, c)| (m.clone(), c.get("schema").cloned().unwrap_or(Value::Null))).collect();
    (!pairs.is_empty()).then_some(pairs)
}
