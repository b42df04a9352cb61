//! What the mock server knows from the documents, prepared at build time: each operation's request
//! schema reduced to what it validates (`request_fields.json`), and its first success example
//! with references resolved and paging fields final (`response_examples.json`).

use crate::json::resolve;
use crate::normalize::params::schema_properties;
use crate::table::{json_type, Row};
use serde_json::Value;
use std::path::Path;

/// The first example of an operation's first 2xx JSON response.
/// References resolved (an example object's `value`), and paging fields made final (`more`
/// false, cursors null): the mock serves it as a last page.
pub(crate) fn success_example(spec: &Value, op: &Value) -> Option<Value> {
    let (_, response) = op.get("responses")?.as_object()?.iter().find(|(c, _)| c.starts_with('2'))?;
    let media = resolve(spec, response).get("content")?.get("application/json")?;
    let mut example = match media.get("example") {
        Some(example) => example.clone(),
        None => {
            let (_, first) = media.get("examples")?.as_object()?.iter().next()?;
            resolve(spec, first).get("value").cloned()?
        }
    };
    if let Some(parsed) = example.as_str().and_then(|text| serde_json::from_str::<Value>(text).ok()) {
        example = parsed;
    }
    resolve_example_refs(spec, &mut example, 0);
    if let Some(schema) = media.get("schema") {
        crate::conform::conform(spec, schema, &mut example);
    }
    if let Value::Object(map) = &mut example {
        if map.get("more") == Some(&Value::Bool(true)) {
            map.insert("more".into(), Value::Bool(false));
        }
        for cursor in ["next_cursor", "after"] {
            if map.get(cursor).is_some_and(|c| !c.is_null()) {
                map.insert(cursor.into(), Value::Null);
            }
        }
    }
    Some(example)
}

/// Replaces `{"$ref": "#/..."}` nodes inside an example by what they point at (an example
/// object's `value`, else the node itself), to a depth of eight.
fn resolve_example_refs(spec: &Value, value: &mut Value, depth: usize) {
    if depth > 8 {
        return;
    }
    if let Some(target) = value.get("$ref").and_then(Value::as_str).filter(|r| r.starts_with("#/")) {
        let pointer = target.trim_start_matches('#');
        if let Some(found) = spec.pointer(pointer) {
            *value = found.get("value").unwrap_or(found).clone();
            return resolve_example_refs(spec, value, depth + 1);
        }
    }
    match value {
        Value::Object(map) => map.values_mut().for_each(|v| resolve_example_refs(spec, v, depth + 1)),
        Value::Array(items) => items.iter_mut().for_each(|v| resolve_example_refs(spec, v, depth + 1)),
        _ => {}
    }
}

/// What the mock checks of a request body: a schema reduced to `type`, `required`, `enum`,
/// `properties` and `items`, references resolved, to a depth of five.
pub(crate) fn shape(spec: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(spec, schema);
    let mut out = serde_json::Map::new();
    let ty = json_type(spec, schema);
    if ty != "any" {
        out.insert("type".into(), Value::String(ty.to_string()));
    }
    if let Some(values) = schema.get("enum").filter(|e| e.as_array().is_some_and(|a| a.iter().all(Value::is_string))) {
        out.insert("enum".into(), values.clone());
    }
    if let Some(format) = schema.get("format").filter(|f| f.as_str() == Some("date-time")) {
        out.insert("format".into(), format.clone());
    }
    if depth < 5 {
        if let Some(required) = schema.get(crate::normalize::schemas::REQUIRED_EXT) {
            out.insert("required".into(), required.clone());
        }
        let props: serde_json::Map<String, Value> =
            schema_properties(spec, schema).iter().map(|(k, v)| (k.clone(), shape(spec, v, depth + 1))).collect();
        if !props.is_empty() {
            out.insert("properties".into(), Value::Object(props));
        }
        if let Some(items) = schema.get("items") {
            out.insert("items".into(), shape(spec, items, depth + 1));
        }
    }
    Value::Object(out)
}

/// Writes `request_fields.json` and `response_examples.json` (REST operations, by `"METHOD path"`).
pub fn write(out_dir: &Path, rows: &[Row]) -> Result<(), String> {
    let by_operation = |pick: fn(&Row) -> Option<&Value>| -> Result<String, String> {
        let map: serde_json::Map<String, Value> = rows
            .iter()
            .filter(|r| r.module == "rest")
            .filter_map(|r| Some((format!("{} {}", r.method, r.path), pick(r)?.clone())))
            .collect();
        serde_json::to_string(&map).map_err(|e| e.to_string())
    };
    crate::codegen::write_if_changed(
        &out_dir.join("request_fields.json"),
        &by_operation(|r| r.request_fields.as_ref())?,
    )?;
    crate::codegen::write_if_changed(&out_dir.join("response_examples.json"), &by_operation(|r| r.example.as_ref())?)
}
