//! Sample request bodies: for each operation, a body holding the fields its document requires,
//! for the test that calls every operation (`operation_calls.rs`).

use crate::json::resolve;
use crate::normalize::params::schema_properties;
use crate::table::json_type;
use serde_json::Value;

/// A value that fits `schema` and holds the fields it requires, to a depth of eight: its
/// `default` or first allowed value, else a value of its type and format (`x`, `1`, `true`,
/// a date); for a union, a value of its first alternative.
pub(crate) fn sample(spec: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(spec, schema);
    if let Some(value) = schema.get("default").or_else(|| schema.get("enum").and_then(|e| e.get(0))) {
        return value.clone();
    }
    if depth > 8 {
        return Value::Null;
    }
    if let Some(first) = ["oneOf", "anyOf"].iter().find_map(|k| schema.get(*k).and_then(|a| a.get(0))) {
        return sample(spec, first, depth + 1);
    }
    let kind = match json_type(spec, schema) {
        "any" if schema.get("items").is_some() => "array",
        kind => kind,
    };
    match kind {
        "string" => Value::String(
            match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => "2026-01-01T00:00:00Z",
                Some("date") => "2026-01-01",
                Some("uuid") => "00000000-0000-0000-0000-000000000000",
                _ => "x",
            }
            .to_string(),
        ),
        "integer" | "number" => Value::from(1),
        "boolean" => Value::Bool(true),
        "array" => Value::Array(schema.get("items").map(|i| vec![sample(spec, i, depth + 1)]).unwrap_or_default()),
        "object" => {
            let properties = schema_properties(spec, schema);
            if properties.is_empty() {
                // A free-form map: one entry, since an empty one is not sent at all.
                return serde_json::json!({"x": "x"});
            }
            let required = schema.get(crate::normalize::schemas::REQUIRED_EXT).and_then(Value::as_array);
            let fields = required.into_iter().flatten().filter_map(Value::as_str).map(|field| {
                let value = properties.get(field).map_or(Value::String("x".into()), |p| sample(spec, p, depth + 1));
                (field.to_string(), value)
            });
            Value::Object(fields.collect())
        }
        _ => Value::Object(serde_json::Map::new()),
    }
}
