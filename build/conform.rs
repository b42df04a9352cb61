//! Documented examples made to fit their documented schema, for the mock server.
//!
//! Many of PagerDuty's response examples contradict the schema next to them: a required field
//! left out, `"true,"` where a boolean is declared, `null` where a string is, an enum value the
//! schema does not list. The mock serves these examples (and holds their records as state), and
//! what it serves must be what the document declares, or a typed client that trusts the schema
//! fails on the mock and not on PagerDuty. [`conform`] walks an example along its schema and
//! changes only what contradicts it: a value of the wrong type or outside the enum becomes one
//! the schema allows (the default, the first enum value, else one made from the type), a
//! missing required field is added the same way. Everything that already fits is left as it is.

use crate::json::resolve;
use serde_json::{json, Map, Value};

/// How deep the walk goes before it leaves the rest as it is.
const MAX_DEPTH: usize = 24;

/// Changes `value` where it contradicts `schema` (an OpenAPI 3.0 schema of `doc`).
pub fn conform(doc: &Value, schema: &Value, value: &mut Value) {
    walk(doc, schema, value, 0);
}

fn walk(doc: &Value, schema: &Value, value: &mut Value, depth: usize) {
    let schema = resolve(doc, schema);
    if depth > MAX_DEPTH || !schema.is_object() {
        return;
    }
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        for part in parts {
            walk(doc, part, value, depth + 1);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(choices)) = schema.get(key) {
            if let Some(choice) = closest_choice(doc, choices, value) {
                walk(doc, choice, value, depth + 1);
            }
        }
    }
    if value.is_null() {
        if nullable(schema) || declared_type(doc, schema).is_none() {
            return;
        }
        *value = made(doc, schema, depth);
        return;
    }
    if !fits_type(doc, schema, value) {
        *value = coerced(value).filter(|v| fits_type(doc, schema, v)).unwrap_or_else(|| made(doc, schema, depth));
        return;
    }
    if let Some(Value::Array(allowed)) = schema.get("enum") {
        if !allowed.is_empty() && !allowed.contains(value) {
            *value = allowed[0].clone();
        }
    }
    match value {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            for field in required(schema) {
                if !map.contains_key(field) {
                    let made_field = properties.and_then(|p| p.get(field)).map(|s| made(doc, s, depth + 1));
                    map.insert(field.to_string(), made_field.unwrap_or(Value::String(String::new())));
                }
            }
            let extra = schema.get("additionalProperties").filter(|s| s.is_object());
            for (field, inner) in map.iter_mut() {
                if let Some(inner_schema) = properties.and_then(|p| p.get(field)).or(extra) {
                    walk(doc, inner_schema, inner, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                items.iter_mut().for_each(|item| walk(doc, item_schema, item, depth + 1));
            }
        }
        _ => {}
    }
}

/// The choice of a `oneOf`/`anyOf` that a value is meant for: the first of its type that it
/// already has every required field of, else the one of its type it lacks the fewest required
/// fields of. None when no choice has the value's type: the document contradicts itself there,
/// and the value is left as it is.
fn closest_choice<'a>(doc: &'a Value, choices: &'a [Value], value: &Value) -> Option<&'a Value> {
    let missing = |choice: &Value| match value {
        Value::Object(map) => required(resolve(doc, choice)).filter(|f| !map.contains_key(*f)).count(),
        _ => 0,
    };
    choices.iter().filter(|c| fits_type(doc, c, value)).min_by_key(|c| missing(c))
}

/// The fields a schema requires, as the document says (`required`, or where normalization
/// moved it).
fn required(schema: &Value) -> impl Iterator<Item = &str> {
    ["required", "x-pdrs-required"]
        .into_iter()
        .filter_map(|key| schema.get(key).and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
}

fn nullable(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
}

/// The JSON type a schema declares, if it declares one (`properties` alone mean an object).
fn declared_type<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a str> {
    let schema = resolve(doc, schema);
    match schema.get("type").and_then(Value::as_str) {
        Some(t) => Some(t),
        None if schema.get("properties").is_some() => Some("object"),
        None => None,
    }
}

/// Whether `value` has the type `schema` declares (any value fits a schema without one).
fn fits_type(doc: &Value, schema: &Value, value: &Value) -> bool {
    let schema = resolve(doc, schema);
    if value.is_null() {
        return nullable(schema) || declared_type(doc, schema).is_none();
    }
    match declared_type(doc, schema) {
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        _ => true,
    }
}

/// A value written as the wrong JSON type read as what it says (`"true,"` → `true`,
/// `"25"` → `25`, `5` → `"5"`), for the caller to keep if it fits.
fn coerced(value: &Value) -> Option<Value> {
    match value {
        Value::String(text) => {
            let text = text.trim().trim_end_matches(',');
            match text {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => serde_json::from_str::<serde_json::Number>(text).ok().map(Value::Number),
            }
        }
        Value::Number(n) => Some(Value::String(n.to_string())),
        Value::Bool(b) => Some(Value::String(b.to_string())),
        _ => None,
    }
}

/// A value the schema allows: its default or first enum value when those fit, else one made
/// from its type (an object gets its required fields).
fn made(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    for candidate in [schema.get("default"), schema.pointer("/enum/0")].into_iter().flatten() {
        if fits_type(doc, schema, candidate) && !candidate.is_null() {
            return candidate.clone();
        }
    }
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        let mut merged = Map::new();
        for part in parts {
            if let Value::Object(fields) = made(doc, part, depth + 1) {
                merged.extend(fields);
            }
        }
        let mut out = Value::Object(merged);
        walk(doc, schema, &mut out, depth + 1);
        return out;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema.get(key).and_then(|c| c.get(0)) {
            return made(doc, first, depth + 1);
        }
    }
    match declared_type(doc, schema) {
        Some("string") => json!(match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => "2026-01-01T00:00:00Z",
            Some("date") => "2026-01-01",
            Some("email") => "user@example.com",
            Some("uri" | "url") => "https://example.com",
            _ => "",
        }),
        Some("integer") => schema.get("minimum").filter(|m| m.is_i64() || m.is_u64()).cloned().unwrap_or(json!(0)),
        Some("number") => schema.get("minimum").filter(|m| m.is_number()).cloned().unwrap_or(json!(0)),
        Some("boolean") => json!(false),
        Some("array") => match (schema.get("minItems").and_then(Value::as_u64), schema.get("items")) {
            (Some(1..), Some(items)) => json!([made(doc, items, depth + 1)]),
            _ => json!([]),
        },
        Some("object") => {
            let mut out = Value::Object(Map::new());
            walk(doc, schema, &mut out, depth + 1);
            out
        }
        _ => Value::Null,
    }
}
