//! Parameter fixes: headers the client sets itself, `foo[]` arrays, undeclared paging parameters.

use super::targets::{CLIENT_FILLED_HEADERS, NEGOTIATION_HEADERS};

use crate::json::{for_each_operation_mut, resolve};
use serde_json::{json, Map, Value};

/// The parameter lists of an operation and of its path item, resolved.
fn header_named(doc: &Value, param: &Value, names: &[&str]) -> bool {
    let p = resolve(doc, param);
    p.get("in").and_then(Value::as_str) == Some("header")
        && p.get("name").and_then(Value::as_str).is_some_and(|n| names.contains(&n.to_ascii_lowercase().as_str()))
}

/// Every parameter list in the document (path items' and operations'), as mutable arrays.
fn for_each_param_list(doc: &mut Value, f: &mut dyn FnMut(&mut Vec<Value>)) {
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            if let Value::Object(item) = item {
                for (key, value) in item.iter_mut() {
                    if key == "parameters" {
                        if let Value::Array(list) = value {
                            f(list);
                        }
                    } else if let Some(Value::Array(list)) = value.get_mut("parameters") {
                        f(list);
                    }
                }
            }
        }
    }
}

/// Rule: `Accept` and `Content-Type` header parameters are removed. The pipeline sets them once
/// for every call; as required builder arguments they would make every call fail without them.
pub fn drop_negotiation_headers(doc: &mut Value) -> usize {
    let snapshot = doc.clone();
    let mut n = 0;
    for_each_param_list(doc, &mut |list| {
        let before = list.len();
        list.retain(|p| !header_named(&snapshot, p, NEGOTIATION_HEADERS));
        n += before - list.len();
    });
    n
}

/// Rule: header parameters the client fills in itself (see [`CLIENT_FILLED_HEADERS`]) become
/// optional, inlined when they were references.
pub fn optional_client_headers(doc: &mut Value) -> usize {
    let snapshot = doc.clone();
    let mut n = 0;
    for_each_param_list(doc, &mut |list| {
        for p in list.iter_mut() {
            if header_named(&snapshot, p, CLIENT_FILLED_HEADERS) {
                let mut inline = resolve(&snapshot, p).clone();
                if inline.get("required") == Some(&Value::Bool(true)) {
                    inline["required"] = Value::Bool(false);
                    inline[super::targets::WAS_REQUIRED_EXT] = Value::Bool(true);
                    *p = inline;
                    n += 1;
                }
            }
        }
    });
    n
}

/// Rule: a query parameter named `foo[]` whose schema is not an array becomes an array of that
/// schema, so callers pass several values and each is sent as `foo[]=value`.
pub fn bracket_params_as_arrays(doc: &mut Value) -> usize {
    let snapshot = doc.clone();
    let mut n = 0;
    let mut fix = |p: &mut Value| {
        let resolved = resolve(&snapshot, p);
        let bracket = resolved.get("in").and_then(Value::as_str) == Some("query")
            && resolved.get("name").and_then(Value::as_str).is_some_and(|n| n.ends_with("[]"));
        let schema = resolved.get("schema").cloned().unwrap_or(json!({ "type": "string" }));
        if bracket && schema.get("type").and_then(Value::as_str) != Some("array") {
            let mut inline = resolved.clone();
            inline["schema"] = json!({ "type": "array", "items": schema });
            *p = inline;
            n += 1;
        }
    };
    for_each_param_list(doc, &mut |list| list.iter_mut().for_each(&mut fix));
    if let Some(Value::Object(params)) = doc.pointer_mut("/components/parameters") {
        params.values_mut().for_each(&mut fix);
    }
    n
}

/// Property names of a (resolved) object schema, looking through `allOf`.
pub fn schema_properties(doc: &Value, schema: &Value) -> Map<String, Value> {
    let schema = resolve(doc, schema);
    let mut out = Map::new();
    if let Some(Value::Object(props)) = schema.get("properties") {
        out.extend(props.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for key in ["allOf"] {
        if let Some(Value::Array(parts)) = schema.get(key) {
            for part in parts {
                out.extend(schema_properties(doc, part));
            }
        }
    }
    out
}

/// The JSON schema of an operation's first 2xx response, if any.
pub fn success_schema<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let responses = op.get("responses")?.as_object()?;
    let (_, response) = responses.iter().find(|(c, _)| c.starts_with('2'))?;
    resolve(doc, response).get("content")?.get("application/json")?.get("schema")
}

/// Rule: a GET whose response pages (`more` with `offset`/`limit`, or `next_cursor`) but that
/// declares no paging parameters gets them (`limit`, `offset`, `total`; or `limit`, `cursor`),
/// so typed callers can page.
pub fn inject_paging_params(doc: &mut Value) -> usize {
    let snapshot = doc.clone();
    let mut n = 0;
    for_each_operation_mut(doc, |_, method, op| {
        if method != "get" {
            return;
        }
        let op_value = Value::Object(op.clone());
        let Some(schema) = success_schema(&snapshot, &op_value) else { return };
        let props = schema_properties(&snapshot, schema);
        let declared: Vec<String> = op
            .get("parameters")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|p| resolve(&snapshot, p).get("name")?.as_str().map(String::from)).collect())
            .unwrap_or_default();
        let mut wanted = Vec::new();
        if props.contains_key("more") && (props.contains_key("offset") || props.contains_key("limit")) {
            wanted.push(("limit", json!({ "type": "integer" }), "The number of results per page."));
            if props.contains_key("offset") {
                wanted.push(("offset", json!({ "type": "integer" }), "Offset to start pagination search results."));
            }
            if props.contains_key("total") {
                wanted.push(("total", json!({ "type": "boolean" }), "Whether to populate the `total` field."));
            }
        }
        if props.contains_key("next_cursor") {
            wanted.push(("limit", json!({ "type": "integer" }), "The number of results per page."));
            wanted.push(("cursor", json!({ "type": "string" }), "The cursor of the page to fetch."));
        }
        let mut added = false;
        for (name, schema, description) in wanted {
            if declared.iter().any(|d| d == name) {
                continue;
            }
            let list = op.entry("parameters").or_insert_with(|| json!([]));
            if let Value::Array(list) = list {
                if list.iter().any(|p| p.get("name").and_then(Value::as_str) == Some(name)) {
                    continue;
                }
                list.push(json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema }));
                added = true;
            }
        }
        n += usize::from(added);
    });
    n
}

/// Rule: every `{name}` of a path template is declared as a path parameter of each of its
/// operations (a string when the document forgets one; progenitor cannot build the URL
/// otherwise), and a declared path parameter the template does not have is removed.
pub fn declare_path_params(doc: &mut Value) -> usize {
    let snapshot = doc.clone();
    let mut n = 0;
    let Some(Value::Object(paths)) = doc.get_mut("paths") else { return 0 };
    for (path, item) in paths.iter_mut() {
        let names: Vec<String> =
            path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string())).collect();
        let Value::Object(item) = item else { continue };
        let shared: Vec<Value> = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        let declared_in = |list: &[Value], name: &str| {
            list.iter().any(|p| {
                let p = resolve(&snapshot, p);
                p.get("in").and_then(Value::as_str) == Some("path")
                    && p.get("name").and_then(Value::as_str) == Some(name)
            })
        };
        for (method, op) in item.iter_mut() {
            if !crate::json::METHODS.contains(&method.as_str()) {
                continue;
            }
            let Value::Object(op) = op else { continue };
            let list = op.entry("parameters").or_insert_with(|| json!([]));
            let Value::Array(list) = list else { continue };
            let before = list.len();
            list.retain(|p| {
                let p = resolve(&snapshot, p);
                p.get("in").and_then(Value::as_str) != Some("path")
                    || p.get("name").and_then(Value::as_str).is_some_and(|name| names.iter().any(|n| n == name))
            });
            let mut touched = list.len() != before;
            for name in &names {
                if !declared_in(list, name) && !declared_in(&shared, name) {
                    list.push(json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }));
                    touched = true;
                }
            }
            n += usize::from(touched);
        }
    }
    n
}
