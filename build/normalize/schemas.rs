//! Schema fixes: defaults, inline names, nullable compositions, and tolerance of real payloads.

use super::refs::ensure_schemas;
use crate::json::{pascal, walk_mut};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Whether the node at `path` is a schema (inside `components/schemas` or under a `schema` key),
/// as opposed to example data or a `properties` map.
pub fn is_schema_path(path: &[String]) -> bool {
    let in_schema =
        path.iter().any(|s| s == "schema") || (path.len() >= 3 && path[0] == "components" && path[1] == "schemas");
    if !in_schema {
        return false;
    }
    // Example payloads are data, not schemas (unless `example` is a property name).
    let in_example = path
        .iter()
        .enumerate()
        .any(|(i, s)| (s == "example" || s == "examples") && (i == 0 || path[i - 1] != "properties"));
    if in_example {
        return false;
    }
    // The `properties` map itself (keys are property names, not keywords).
    let n = path.len();
    let is_properties_map = n >= 1 && path[n - 1] == "properties" && (n < 2 || path[n - 2] != "properties");
    !is_properties_map
}

/// Calls `f` on every schema node of the document.
fn for_each_schema(doc: &mut Value, mut f: impl FnMut(&[String], &mut serde_json::Map<String, Value>)) {
    walk_mut(doc, &mut |path, node| {
        if let Value::Object(map) = node {
            if is_schema_path(path) {
                f(path, map);
            }
        }
    });
}

fn matches_type(ty: &str, value: &Value) -> bool {
    match ty {
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

/// Rule: a `default` that does not fit its schema (a string default on an integer, a value
/// outside the enum) is dropped; generated code would not compile with it.
pub fn drop_bad_defaults(doc: &mut Value) -> usize {
    let mut n = 0;
    for_each_schema(doc, |_, schema| {
        let Some(default) = schema.get("default") else { return };
        let bad_type = schema.get("type").and_then(Value::as_str).is_some_and(|t| !matches_type(t, default));
        let bad_enum = schema.get("enum").and_then(Value::as_array).is_some_and(|e| !e.contains(default));
        if bad_type || bad_enum {
            schema.remove("default");
            n += 1;
        }
    });
    n
}

/// Rule: an `enum` of non-array values on an array schema belongs to its items (older documents
/// put `include[]`'s allowed values there): it moves into `items`.
pub fn move_array_enums_to_items(doc: &mut Value) -> usize {
    let mut n = 0;
    for_each_schema(doc, |_, schema| {
        if schema.get("type").and_then(Value::as_str) != Some("array") {
            return;
        }
        let misplaced = schema.get("enum").and_then(Value::as_array).is_some_and(|e| e.iter().any(|v| !v.is_array()));
        if !misplaced {
            return;
        }
        let values = schema.remove("enum").unwrap_or(Value::Null);
        let items = schema.entry("items").or_insert_with(|| serde_json::json!({}));
        if let Value::Object(items) = items {
            if !items.contains_key("enum") && !items.contains_key("$ref") {
                items.insert("enum".into(), values);
            }
        }
        n += 1;
    });
    n
}

/// Rule: `title` is removed from every schema that is not a component's root. typify names a
/// type after its title, so inline titles clash with components (`Team`) or silently merge
/// unrelated types that share one (`Datetime`); without them types are named by position.
pub fn strip_inline_titles(doc: &mut Value) -> usize {
    let mut n = 0;
    for_each_schema(doc, |path, schema| {
        let component_root = path.len() == 3 && path[0] == "components" && path[1] == "schemas";
        if !component_root && schema.remove("title").is_some() {
            n += 1;
        }
    });
    n
}

/// Rule: `nullable: true` on a composition (`oneOf`/`anyOf`/`allOf` without `type`) is removed;
/// typify would emit a newtype `X(Option<X>)` beside the enum. Absence and `null` are still
/// accepted because fields are optional (see [`tolerate_missing_fields`]).
pub fn nullable_compositions(doc: &mut Value) -> usize {
    let mut n = 0;
    for_each_schema(doc, |_, schema| {
        let composed = ["oneOf", "anyOf", "allOf"].iter().any(|k| schema.contains_key(*k));
        if composed && !schema.contains_key("type") && schema.get("nullable") == Some(&Value::Bool(true)) {
            schema.remove("nullable");
            n += 1;
        }
    });
    n
}

/// Rule: `null` listed among an enum's values (with `nullable: true`) is removed, and so is
/// `nullable`; typify would emit a newtype `X(Option<X>)` beside `enum X`. A null value still
/// decodes, as `None`, because fields are optional (see [`tolerate_missing_fields`]).
pub fn null_enum_values(doc: &mut Value) -> usize {
    let mut n = 0;
    for_each_schema(doc, |_, schema| {
        let Some(Value::Array(values)) = schema.get_mut("enum") else { return };
        if values.iter().any(Value::is_null) {
            values.retain(|v| !v.is_null());
            schema.remove("nullable");
            n += 1;
        }
    });
    n
}

/// Whether typify gives this inline schema a type (and so a name) of its own.
fn is_named_inline(schema: &Value) -> bool {
    let Value::Object(map) = schema else { return false };
    !map.contains_key("$ref") && ["enum", "properties", "oneOf", "anyOf", "allOf"].iter().any(|k| map.contains_key(*k))
}

/// Rule: an inline property schema whose position-derived name (`User` + `role` -> `UserRole`)
/// equals an existing component is lifted into a component of its own (`UserRoleValue`); typify
/// would otherwise reuse the component for it and every payload would fail to decode.
pub fn lift_colliding_inline_names(doc: &mut Value) -> usize {
    let names: BTreeSet<String> = match doc.pointer("/components/schemas") {
        Some(Value::Object(m)) => m.keys().cloned().collect(),
        _ => return 0,
    };
    let mut taken = names.clone();
    let mut lifted = Vec::new();
    for component in &names {
        let base = format!("/components/schemas/{}", component.replace('~', "~0").replace('/', "~1"));
        let Some(root) = doc.pointer_mut(&base) else { continue };
        // typify merges `allOf` parts into one struct, so their properties are named alike.
        let mut maps = Vec::new();
        collect_property_maps(root, &mut maps);
        for (prop, schema) in maps.into_iter().flat_map(|m| m.iter_mut()) {
            let (slot, suffix) = if is_named_inline(schema) {
                (schema, "")
            } else if schema.get("type").and_then(Value::as_str) == Some("array")
                && schema.get("items").is_some_and(is_named_inline)
            {
                (schema.get_mut("items").expect("checked"), "Item")
            } else {
                continue;
            };
            let derived = format!("{}{}{}", pascal(component), pascal(prop), suffix);
            if !names.iter().any(|c| pascal(c) == derived) {
                continue;
            }
            let mut name = format!("{derived}Value");
            let mut i = 2;
            while taken.contains(&name) {
                name = format!("{derived}Value{i}");
                i += 1;
            }
            taken.insert(name.clone());
            let inline = std::mem::replace(slot, json!({ "$ref": format!("#/components/schemas/{name}") }));
            lifted.push((name, inline));
        }
    }
    let n = lifted.len();
    let schemas = ensure_schemas(doc);
    for (name, schema) in lifted {
        schemas.insert(name, schema);
    }
    n
}

/// The `properties` maps of a schema and of its inline `allOf` parts.
fn collect_property_maps<'a>(schema: &'a mut Value, out: &mut Vec<&'a mut serde_json::Map<String, Value>>) {
    let Value::Object(map) = schema else { return };
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("properties", Value::Object(props)) => out.push(props),
            ("allOf", Value::Array(parts)) => parts.iter_mut().for_each(|p| collect_property_maps(p, out)),
            _ => {}
        }
    }
}

/// Rule: `maxLength`, `minLength` and `pattern` are dropped from string schemas. Enforcing them
/// is the server's job; typify would turn each such string into a validating newtype
/// (`UserName` instead of `String`) that refuses a response the server considers valid.
pub fn drop_string_constraints(doc: &mut Value) -> usize {
    let mut n = 0;
    for_each_schema(doc, |_, schema| {
        let before = schema.len();
        for key in ["maxLength", "minLength", "pattern"] {
            schema.remove(key);
        }
        n += usize::from(schema.len() != before);
    });
    n
}

/// Rule: a required property whose allowed values all name one kind of thing (`user`; or
/// `incident` and `incident_reference`, an incident and a reference to one) gets the first value
/// the document lists as its `default`. The generated field then always holds a value PagerDuty
/// takes, and the type's `Default` holds it too, so a body built with `..Default::default()` is
/// one PagerDuty accepts. Properties whose values name different kinds (a target that is a user
/// or a schedule) get no default: leaving one out is refused before sending instead.
pub fn default_constant_kinds(doc: &mut Value) -> usize {
    fn kind(value: &str) -> &str {
        value.strip_suffix("_reference").unwrap_or(value)
    }
    let mut n = 0;
    for_each_schema(doc, |_, schema| {
        let required: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).map(String::from).collect())
            .unwrap_or_default();
        let Some(Value::Object(properties)) = schema.get_mut("properties") else { return };
        for name in required {
            let Some(Value::Object(property)) = properties.get_mut(&name) else { continue };
            if property.contains_key("default") || property.get("nullable") == Some(&Value::Bool(true)) {
                continue;
            }
            let Some(values) = property.get("enum").and_then(Value::as_array) else { continue };
            let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            let Some(first) = values.first().copied() else { continue };
            let all_strings = property.get("enum").and_then(Value::as_array).is_some_and(|e| e.len() == values.len());
            if all_strings && values.iter().all(|v| kind(v) == kind(first)) {
                property.insert("default".into(), Value::String(first.to_string()));
                n += 1;
            }
        }
    });
    n
}

/// Rule: `required` lists are dropped from every schema, so every field is optional. The
/// documents' own examples omit "required" fields (31 in rest.json alone) and the live API does
/// too; a response that fails to decode over one absent field is worse than an `Option`. The
/// list is kept as [`REQUIRED_EXT`] (which the code generator ignores) for the mock server's
/// request validation.
pub fn tolerate_missing_fields(doc: &mut Value) -> usize {
    let mut n = 0;
    for_each_schema(doc, |_, schema| {
        if schema.get("required").is_some_and(Value::is_array) {
            if let Some(required) = schema.remove("required") {
                schema.insert(REQUIRED_EXT.into(), required);
            }
            n += 1;
        }
    });
    n
}

/// Where [`tolerate_missing_fields`] keeps a schema's `required` list.
pub const REQUIRED_EXT: &str = "x-pdrs-required";

/// Rule: `additionalProperties: false` is dropped, so a field the server adds tomorrow does not
/// break decoding today (typify would emit `deny_unknown_fields`).
pub fn tolerate_extra_fields(doc: &mut Value) -> usize {
    let mut n = 0;
    for_each_schema(doc, |_, schema| {
        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
            schema.remove("additionalProperties");
            n += 1;
        }
    });
    n
}
