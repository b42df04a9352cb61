//! Small helpers over `serde_json::Value` shared by the build modules.

use serde_json::{Map, Value};

/// HTTP methods that carry operations in an OpenAPI path item.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/// Calls `f` on every node of `v`, depth first, parents before children, with the JSON pointer
/// segments leading to it.
pub fn walk_mut(v: &mut Value, f: &mut dyn FnMut(&[String], &mut Value)) {
    fn go(v: &mut Value, path: &mut Vec<String>, f: &mut dyn FnMut(&[String], &mut Value)) {
        f(path, v);
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    path.push(k.clone());
                    go(child, path, f);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    path.push(i.to_string());
                    go(child, path, f);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    go(v, &mut Vec::new(), f)
}

/// Every `$ref` string under `v`.
pub fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|c| refs(c, out));
        }
        Value::Array(items) => items.iter().for_each(|c| refs(c, out)),
        _ => {}
    }
}

/// Decodes a local reference (`#/a/b~1c/%7Bid%7D`) into pointer segments.
pub fn ref_segments(r: &str) -> Option<Vec<String>> {
    let rest = r.strip_prefix("#/")?;
    Some(rest.split('/').map(|s| percent_decode(s).replace("~1", "/").replace("~0", "~")).collect())
}

/// Encodes pointer segments as a local reference.
pub fn segments_ref(segments: &[String]) -> String {
    let parts: Vec<String> = segments.iter().map(|s| s.replace('~', "~0").replace('/', "~1")).collect();
    format!("#/{}", parts.join("/"))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The node at `segments`, if any.
pub fn get<'a>(v: &'a Value, segments: &[String]) -> Option<&'a Value> {
    segments.iter().try_fold(v, |node, seg| match node {
        Value::Object(map) => map.get(seg),
        Value::Array(items) => items.get(seg.parse::<usize>().ok()?),
        _ => None,
    })
}

/// Mutable access to the node at `segments`, if any.
pub fn get_mut<'a>(v: &'a mut Value, segments: &[String]) -> Option<&'a mut Value> {
    segments.iter().try_fold(v, |node, seg| match node {
        Value::Object(map) => map.get_mut(seg),
        Value::Array(items) => items.get_mut(seg.parse::<usize>().ok()?),
        _ => None,
    })
}

/// Follows `$ref`s (local ones only) until reaching a node that is not a reference.
pub fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    let mut node = node;
    for _ in 0..16 {
        match node.get("$ref").and_then(Value::as_str).and_then(ref_segments) {
            Some(segs) => match get(doc, &segs) {
                Some(target) => node = target,
                None => return node,
            },
            None => return node,
        }
    }
    node
}

/// The operations of a document: (path, method, operation object).
pub fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            if let Value::Object(item) = item {
                for (method, op) in item {
                    if METHODS.contains(&method.as_str()) {
                        out.push((path.clone(), method.clone(), op));
                    }
                }
            }
        }
    }
    out
}

/// Mutable visit of every operation: `f(path, method, operation, path-level parameters)`.
pub fn for_each_operation_mut(doc: &mut Value, mut f: impl FnMut(&str, &str, &mut Map<String, Value>)) {
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            if let Value::Object(item) = item {
                for (method, op) in item.iter_mut() {
                    if METHODS.contains(&method.as_str()) {
                        if let Value::Object(op) = op {
                            f(path, method, op);
                        }
                    }
                }
            }
        }
    }
}

/// `some_name-here` / `some name` -> `SomeNameHere`.
pub fn pascal(s: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        } else {
            upper = true;
        }
    }
    out
}
