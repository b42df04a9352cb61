//! Rules driven by the documents' own examples: where an example contradicts its schema, the
//! schema is wrong (the examples are taken from the live API), so the schema gives way.

use crate::json::{get, get_mut, ref_segments};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Pointer segments of every schema an example contradicts, found by walking the example and
/// its schema together (through `$ref`, `allOf`, `properties`, `additionalProperties`, `items`).
fn contradictions(doc: &Value, at: Vec<String>, value: &Value, out: &mut BTreeSet<Vec<String>>, depth: usize) {
    if depth > 40 {
        return;
    }
    let Some(schema) = get(doc, &at) else { return };
    if let Some(segs) = schema.get("$ref").and_then(Value::as_str).and_then(ref_segments) {
        return contradictions(doc, segs, value, out, depth + 1);
    }
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        for i in 0..parts.len() {
            let mut p = at.clone();
            p.extend(["allOf".to_string(), i.to_string()]);
            contradictions(doc, p, value, out, depth + 1);
        }
    }
    // Unions keep their typed variants and get a catch-all (see `open_unions`); nothing to do.
    if schema.get("oneOf").is_some() || schema.get("anyOf").is_some() {
        return;
    }
    let declared = schema.get("type").and_then(Value::as_str);
    let fits = match (declared, value) {
        (None, _) => true,
        (Some("object" | "array"), Value::Null) => false,
        (_, Value::Null) => true,
        (Some("integer"), v) => v.is_i64() || v.is_u64(),
        (Some("number"), v) => v.is_number(),
        (Some("string"), v) => v.is_string(),
        (Some("boolean"), v) => v.is_boolean(),
        (Some("array"), v) => v.is_array(),
        (Some("object"), v) => v.is_object(),
        _ => true,
    };
    if !fits {
        out.insert(at);
        return;
    }
    if let (Some(format), Value::String(text)) = (schema.get("format").and_then(Value::as_str), value) {
        let parses = match format {
            "date-time" => is_rfc3339(text),
            "date" => is_date(text),
            _ => true,
        };
        if !parses {
            out.insert(at);
            return;
        }
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let mut p = at.clone();
                if schema.get("properties").and_then(|ps| ps.get(k)).is_some() {
                    p.extend(["properties".to_string(), k.clone()]);
                } else if schema.get("additionalProperties").is_some_and(Value::is_object) {
                    p.push("additionalProperties".to_string());
                } else {
                    continue;
                }
                contradictions(doc, p, v, out, depth + 1);
            }
        }
        Value::Array(items) if schema.get("items").is_some() => {
            let mut p = at.clone();
            p.push("items".to_string());
            for v in items {
                contradictions(doc, p.clone(), v, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-' && [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&i| b[i].is_ascii_digit())
}

/// RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)`.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || !is_date(&s[..10]) || !matches!(b[10], b'T' | b't' | b' ') {
        return false;
    }
    let time = &b[11..19];
    if !(time[2] == b':' && time[5] == b':' && [0, 1, 3, 4, 6, 7].iter().all(|&i| time[i].is_ascii_digit())) {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &frac[digits..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// Example values of one media type object, with the pointer of its schema.
fn media_examples(doc: &Value, media_at: &[String]) -> Vec<Value> {
    let Some(media) = get(doc, media_at) else { return Vec::new() };
    let mut out = Vec::new();
    let mut push = |v: &Value| match v {
        Value::String(s) => out.push(serde_json::from_str(s).unwrap_or_else(|_| v.clone())),
        other => out.push(other.clone()),
    };
    if let Some(v) = media.get("example") {
        push(v);
    }
    if let Some(Value::Object(map)) = media.get("examples") {
        for e in map.values() {
            let e = crate::json::resolve(doc, e);
            if let Some(v) = e.get("value") {
                push(v);
            }
        }
    }
    out
}

/// Pointers of every JSON media type object under operations and component bodies/responses.
fn media_pointers(doc: &Value) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut visit = |base: Vec<String>, holder: &Value| {
        if let Some(Value::Object(content)) = holder.get("content") {
            for (media, _) in content.iter().filter(|(m, _)| m.contains("json")) {
                let mut p = base.clone();
                p.extend(["content".to_string(), media.clone()]);
                out.push(p);
            }
        }
    };
    for (path, method, op) in crate::json::operations(doc) {
        let base = vec!["paths".to_string(), path, method];
        if let Some(body) = op.get("requestBody") {
            let mut p = base.clone();
            p.push("requestBody".into());
            visit(p, body);
        }
        for (code, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            let mut p = base.clone();
            p.extend(["responses".to_string(), code.clone()]);
            visit(p, response);
        }
    }
    for kind in ["requestBodies", "responses"] {
        for (name, item) in doc.pointer(&format!("/components/{kind}")).and_then(Value::as_object).into_iter().flatten()
        {
            visit(vec!["components".into(), kind.into(), name.clone()], item);
        }
    }
    out
}

/// Rule: a schema that the document's own examples contradict (a string where it says integer,
/// an object where it says boolean, null where it says array, a `date-time` that is not
/// RFC 3339) is widened to any JSON value, keeping its description. Examples come from the live
/// API; the declared type does not.
pub fn widen_contradicted_types(doc: &mut Value) -> usize {
    let mut found = BTreeSet::new();
    for media in media_pointers(doc) {
        let mut schema_at = media.clone();
        schema_at.push("schema".into());
        for example in media_examples(doc, &media) {
            contradictions(doc, schema_at.clone(), &example, &mut found, 0);
        }
    }
    let n = found.len();
    for at in found {
        if let Some(slot) = get_mut(doc, &at) {
            let description = slot.get("description").cloned();
            *slot = match description {
                Some(d) => json!({ "description": d }),
                None => json!({}),
            };
        }
    }
    n
}

/// Rule: every `oneOf`/`anyOf` gets a last, catch-all alternative (any JSON value), so a payload
/// that matches none of the declared variants still decodes, kept as JSON. `anyOf` becomes
/// `oneOf` (first matching variant wins): typify turns `anyOf` into a struct of optional
/// flattened parts, which cannot hold a scalar.
pub fn open_unions(doc: &mut Value) -> usize {
    let mut n = 0;
    crate::json::walk_mut(doc, &mut |path, node| {
        if !super::schemas::is_schema_path(path) {
            return;
        }
        if let Value::Object(map) = node {
            if !map.contains_key("oneOf") {
                if let Some(any) = map.remove("anyOf") {
                    map.insert("oneOf".into(), any);
                }
            }
        }
        for key in ["oneOf"] {
            if let Some(Value::Array(variants)) = node.get_mut(key) {
                if !variants.iter().any(|v| v.as_object().is_some_and(|m| m.is_empty())) {
                    variants.push(json!({}));
                    n += 1;
                }
            }
        }
    });
    n
}
