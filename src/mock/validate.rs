//! Request bodies checked against the operation's request schema as the document declares it:
//! types, required fields and enum values, nested objects and lists; each problem named.

use super::documented;
use crate::spec::Operation;
use axum::body::Bytes;
use serde_json::{Map, Value};

/// The wrapped entity of a request body, checked against the operation's request schema as
/// the document declares it: types, required fields and enum values, nested objects and lists
/// included. On failure, the error messages (for a 400 code 2001), each naming its field.
pub(super) fn validated(op: &Operation, body: &Bytes) -> Result<Map<String, Value>, Vec<String>> {
    let wrapper = op.request_wrapper.unwrap_or_default();
    let parsed: Value = serde_json::from_slice(body).map_err(|e| vec![format!("the body is not valid JSON: {e}")])?;
    let mut errors = Vec::new();
    if let Some(shape) = documented::request_fields().get(&format!("{} {}", op.method, op.path)) {
        check(&Value::Object(shape.clone()), &parsed, "", &mut errors);
    }
    let Some(Value::Object(entity)) = parsed.get(wrapper).cloned() else {
        errors.push(format!("{wrapper} must be an object"));
        return Err(errors);
    };
    if errors.is_empty() {
        Ok(entity)
    } else {
        Err(errors)
    }
}

/// The list a request body wraps (`{"incidents": [...]}`), checked like [`validated`].
pub(super) fn validated_list(op: &Operation, body: &Bytes) -> Result<Vec<Value>, Vec<String>> {
    let wrapper = op.request_wrapper.unwrap_or_default();
    let parsed: Value = serde_json::from_slice(body).map_err(|e| vec![format!("the body is not valid JSON: {e}")])?;
    let mut errors = Vec::new();
    if let Some(shape) = documented::request_fields().get(&format!("{} {}", op.method, op.path)) {
        check(&Value::Object(shape.clone()), &parsed, "", &mut errors);
    }
    match parsed.get(wrapper) {
        Some(Value::Array(list)) if errors.is_empty() => Ok(list.clone()),
        Some(Value::Array(_)) => Err(errors),
        _ => {
            errors.push(format!("{wrapper} must be a list"));
            Err(errors)
        }
    }
}

/// Checks `value` at `path` against a schema shape (see the build's `table::shape`).
pub(super) fn check(shape: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let name = |field: &str| if path.is_empty() { field.to_string() } else { format!("{path}.{field}") };
    if value.is_null() {
        return;
    }
    let expected = shape.get("type").and_then(Value::as_str).unwrap_or("any");
    let fits = match expected {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    };
    let here = if path.is_empty() { "the body".to_string() } else { path.to_string() };
    if !fits {
        errors.push(format!("{here} must be of type {expected}"));
        return;
    }
    if let (Some(Value::Array(allowed)), Some(text)) = (shape.get("enum"), value.as_str()) {
        if !allowed.iter().any(|a| a.as_str() == Some(text)) {
            let list: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
            errors.push(format!("{here} must be one of {} (got {text:?})", list.join(", ")));
        }
    }
    if let Value::Object(map) = value {
        let properties = shape.get("properties");
        for field in shape.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            // A `type` with a single allowed value is implied by the endpoint (the live API fills
            // it in, and so does the mock).
            let implied = field == "type"
                && properties
                    .and_then(|p| p.get("type"))
                    .and_then(|t| t.get("enum"))
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.len() == 1);
            if !map.contains_key(field) && !implied {
                errors.push(format!("{} is required", name(field)));
            }
        }
        if let Some(Value::Object(properties)) = properties {
            for (field, inner) in map {
                if let Some(inner_shape) = properties.get(field) {
                    check(inner_shape, inner, &name(field), errors);
                }
            }
        }
    }
    if let (Value::Array(items), Some(item_shape)) = (value, shape.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check(item_shape, item, &format!("{here}[{i}]"), errors);
        }
    }
}
