//! Composition fixes: `allOf` of objects merged into one object.

use crate::json::{resolve, walk_mut};
use serde_json::{Map, Value};

/// The object schema `schema` stands for, with its own `allOf` merged, or `None` when it is not
/// a plain object (a union, an enum, a scalar).
fn flattened(doc: &Value, schema: &Value, depth: usize) -> Option<Map<String, Value>> {
    if depth > 16 {
        return None;
    }
    let schema = resolve(doc, schema).as_object()?;
    if ["oneOf", "anyOf", "enum", "not"].iter().any(|k| schema.contains_key(*k)) {
        return None;
    }
    match schema.get("type").and_then(Value::as_str) {
        None | Some("object") => {}
        Some(_) => return None,
    }
    let mut out = schema.clone();
    if let Some(Value::Array(parts)) = out.remove("allOf") {
        let mut merged = Map::new();
        let mut properties = Map::new();
        let mut required: Vec<Value> = Vec::new();
        for part in &parts {
            let part = flattened(doc, part, depth + 1)?;
            if let Some(Value::Object(p)) = part.get("properties") {
                properties.extend(p.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            if let Some(Value::Array(r)) = part.get("required") {
                required.extend(r.iter().filter(|x| !required.contains(x)).cloned().collect::<Vec<_>>());
            }
            for key in ["additionalProperties", "description"] {
                if let Some(v) = part.get(key) {
                    merged.entry(key.to_string()).or_insert_with(|| v.clone());
                }
            }
        }
        if let Some(Value::Object(own)) = out.get("properties") {
            properties.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        for (k, v) in merged {
            out.entry(k).or_insert(v);
        }
        out.insert("type".into(), Value::String("object".into()));
        out.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            out.insert("required".into(), Value::Array(required));
        }
    }
    Some(out)
}

/// Rule: an `allOf` whose parts are all plain objects (inline, or references to components) is
/// replaced by one object holding every part's properties, later parts overriding earlier ones.
/// typify's own merge drops the properties of referenced parts (`id`, `self`, `summary` of every
/// PagerDuty entity, which all start with `allOf: [{$ref: Reference}, {...}]`).
pub fn merge_all_of(doc: &mut Value) -> usize {
    let snapshot = doc.clone();
    let mut n = 0;
    walk_mut(doc, &mut |path, node| {
        if !super::schemas::is_schema_path(path) || node.get("allOf").is_none() {
            return;
        }
        if let Some(merged) = flattened(&snapshot, node, 0) {
            *node = Value::Object(merged);
            n += 1;
        }
    });
    n
}
