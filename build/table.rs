//! The operation table: the spec as data for the generic layer.
//!
//! One row per operation of every document (whatever features are on): method, path template,
//! tag, generated method name, pagination kind, item field, entity wrappers, `From` header,
//! raw body media type and OAuth scope. It is emitted as Rust (`pdrs::spec`) and as a
//! tab-separated manifest that is committed under `generated/` for review.

use crate::documents::Document;
use crate::json::{operations, resolve};
use crate::normalize::{media::CONTENT_TYPE_EXT, params::schema_properties, params::success_schema, targets};
use serde_json::Value;
use std::fmt::Write;
use std::path::Path;

/// One row per operation.
pub struct Row {
    /// The request body's schema reduced to what the mock server validates (types, required
    /// fields, enum values; see [`shape`]).
    pub(crate) request_fields: Option<Value>,
    /// The first example of the first 2xx JSON response, for the mock server.
    pub(crate) example: Option<Value>,
    pub(crate) module: &'static str,
    pub(crate) method: String,
    pub(crate) path: String,
    tag: String,
    name: String,
    paging: &'static str,
    items: Option<String>,
    request_wrapper: Option<String>,
    response_wrapper: Option<String>,
    from: &'static str,
    content_type: Option<String>,
    scope: Option<String>,
    /// Whether the document marks the operation with a rate limit of its own
    /// (`x-pd-operation-limit`).
    own_rate_limit: bool,
    summary: String,
    description: String,
    params: Vec<Param>,
    json_body: bool,
    /// The status of the first documented 2xx response.
    success_status: u16,
    /// The fields the document requires in the request body, as paths (see [`required_paths`]).
    required_body: Vec<String>,
    /// A request body holding the required fields (see [`sample`]), for the tests that call
    /// every operation.
    sample_body: Option<Value>,
}

/// One parameter of an operation, for callers that build requests from the table (the CLI).
struct Param {
    name: String,
    location: &'static str,
    kind: String,
    format: Option<String>,
    array: bool,
    required: bool,
    values: Vec<String>,
    description: String,
}

/// The first paragraph of a description, on one line and at most `max` characters.
fn first_paragraph(text: &str, max: usize) -> String {
    let para = text.trim().split("\n\n").next().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ");
    if para.chars().count() <= max {
        return para;
    }
    let cut: String = para.chars().take(max).collect();
    match cut.rfind(". ") {
        Some(end) if end > max / 3 => cut[..=end].to_string(),
        _ => format!("{}…", cut.trim_end()),
    }
}

/// The parameters of an operation (path-level ones first), except the `From` header, which
/// the client sends itself.
fn operation_params(spec: &Value, path_item: &Value, op: &Value) -> Vec<Param> {
    let mut out: Vec<Param> = Vec::new();
    for list in [path_item.get("parameters"), op.get("parameters")].into_iter().flatten() {
        for p in list.as_array().into_iter().flatten() {
            let p = resolve(spec, p);
            let (Some(name), Some(location)) =
                (p.get("name").and_then(Value::as_str), p.get("in").and_then(Value::as_str))
            else {
                continue;
            };
            let location = match location {
                "path" => "Path",
                "query" => "Query",
                "header" if !name.eq_ignore_ascii_case("from") => "Header",
                _ => continue,
            };
            let schema = p.get("schema").map(|s| resolve(spec, s)).cloned().unwrap_or(Value::Null);
            let array = schema.get("type").and_then(Value::as_str) == Some("array");
            let item = if array {
                schema.get("items").map(|i| resolve(spec, i)).cloned().unwrap_or(Value::Null)
            } else {
                schema
            };
            let values = item
                .get("enum")
                .and_then(Value::as_array)
                .map(|e| e.iter().filter_map(|v| v.as_str().map(String::from)).collect())
                .unwrap_or_default();
            out.retain(|q: &Param| !(q.name == name && q.location == location));
            out.push(Param {
                name: name.to_string(),
                location,
                kind: item.get("type").and_then(Value::as_str).unwrap_or("string").to_string(),
                format: item.get("format").and_then(Value::as_str).map(String::from),
                array,
                required: p.get("required") == Some(&Value::Bool(true)) || location == "Path",
                values,
                description: first_paragraph(p.get("description").and_then(Value::as_str).unwrap_or(""), 240),
            });
        }
    }
    out
}

impl Row {
    /// (method name, paging kind, items field) of the row, for typed streams.
    pub fn paging(&self) -> (String, &'static str, Option<String>) {
        (self.name.clone(), self.paging, self.items.clone())
    }

    /// (method name, METHOD, path) of the row.
    pub fn key(&self) -> (String, String, String) {
        (self.name.clone(), self.method.clone(), self.path.clone())
    }

    /// A request body holding the fields the operation requires, as JSON text.
    pub fn sample_body(&self) -> Option<String> {
        self.sample_body.as_ref().map(Value::to_string)
    }
}

/// progenitor's method name for an operation id (`listUsers` -> `list_users`).
pub fn snake(id: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = id.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(|p| p.is_ascii_uppercase()) && next.is_some_and(|n| n.is_ascii_lowercase()));
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Query parameter names of an operation (path-level ones included).
fn param_names(spec: &Value, path_item: &Value, op: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for list in [path_item.get("parameters"), op.get("parameters")].into_iter().flatten() {
        for p in list.as_array().into_iter().flatten() {
            let p = resolve(spec, p);
            if p.get("in").and_then(Value::as_str) == Some("query") {
                if let Some(n) = p.get("name").and_then(Value::as_str) {
                    out.push(n.to_string());
                }
            }
        }
    }
    out
}

/// The single top-level key of a schema, if it has exactly one.
fn single_key(spec: &Value, schema: &Value) -> Option<String> {
    let props = schema_properties(spec, schema);
    (props.len() == 1).then(|| props.keys().next().cloned()).flatten()
}

/// Whether a property schema is an array.
fn is_array(spec: &Value, schema: &Value) -> bool {
    resolve(spec, schema).get("type").and_then(Value::as_str) == Some("array")
}

/// The array property holding a page's items: the only array, or the one named like the path's
/// last literal segment.
fn item_field(spec: &Value, path: &str, schema: &Value) -> Option<String> {
    let props = schema_properties(spec, schema);
    let arrays: Vec<&String> = props.iter().filter(|(_, s)| is_array(spec, s)).map(|(k, _)| k).collect();
    if arrays.len() == 1 {
        return Some(arrays[0].clone());
    }
    let last = path.rsplit('/').find(|s| !s.starts_with('{') && !s.is_empty())?.replace('-', "_");
    arrays.iter().find(|a| ***a == last).map(|a| (*a).clone()).or_else(|| arrays.first().map(|a| (*a).clone()))
}

fn request_schema<'a>(spec: &'a Value, op: &'a Value) -> Option<&'a Value> {
    resolve(spec, op.get("requestBody")?).get("content")?.get("application/json")?.get("schema")
}

/// The rows of one (normalized) document.
pub fn rows(doc: &Document, spec: &Value, raw: &Value) -> Vec<Row> {
    let mut out = Vec::new();
    for (path, method, op) in operations(spec) {
        let path_item = &spec["paths"][&path];
        let params = param_names(spec, path_item, op);
        let success = success_schema(spec, op);
        let props = success.map(|s| schema_properties(spec, s)).unwrap_or_default();
        let body_props = request_schema(spec, op).map(|s| schema_properties(spec, s)).unwrap_or_default();
        let has = |p: &str| params.iter().any(|x| x == p);
        let paging = if method == "get" && (has("cursor") || props.contains_key("next_cursor")) {
            "cursor"
        } else if method == "get" && (has("offset") || (props.contains_key("more") && props.contains_key("offset"))) {
            "offset"
        } else if method == "get" && has("after") {
            "after"
        } else if method == "post" && body_props.contains_key("starting_after") && props.contains_key("more") {
            "analytics_body"
        } else {
            "none"
        };
        let items = match (paging, success) {
            (_, None) => None,
            // A list the document does not page: its one field, when that is a list.
            ("none", Some(s)) if method == "get" => {
                single_key(spec, s).filter(|key| props.get(key).is_some_and(|p| is_array(spec, p)))
            }
            ("none", _) => None,
            (_, Some(s)) => item_field(spec, &path, s),
        };
        let request_wrapper = request_schema(spec, op).and_then(|s| single_key(spec, s));
        let response_wrapper = match success {
            // A bulk write (`PUT /incidents`) answers with the list it was sent, beside paging
            // fields: the list is what it returns.
            Some(s) if paging == "none" => single_key(spec, s)
                .or_else(|| request_wrapper.clone().filter(|key| props.get(key).is_some_and(|p| is_array(spec, p)))),
            _ => items.clone(),
        };
        let request_fields = request_schema(spec, op).map(|s| crate::mock_data::shape(spec, s, 0));
        let mut required_body = Vec::new();
        if let Some(schema) = request_schema(spec, op) {
            required_paths(spec, schema, "", 0, &mut required_body);
        }
        let from = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| resolve(spec, p))
            .find(|p| {
                p.get("in").and_then(Value::as_str) == Some("header")
                    && p.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case("from"))
            })
            .map(|p| if p.get(targets::WAS_REQUIRED_EXT) == Some(&Value::Bool(true)) { "required" } else { "optional" })
            .unwrap_or("none");
        out.push(Row {
            request_fields,
            example: raw
                .pointer(&format!("/paths/{}/{method}", path.replace('~', "~0").replace('/', "~1")))
                .and_then(|raw_op| crate::mock_data::success_example(raw, raw_op)),
            module: doc.module,
            method: method.to_ascii_uppercase(),
            path: path.clone(),
            tag: op.get("tags").and_then(|t| t.get(0)).and_then(Value::as_str).unwrap_or("").to_string(),
            name: op.get("operationId").and_then(Value::as_str).map(snake).unwrap_or_default(),
            paging,
            items,
            request_wrapper,
            response_wrapper,
            from,
            content_type: op.get(CONTENT_TYPE_EXT).and_then(Value::as_str).map(String::from),
            scope: op.get("x-pd-requires-scope").and_then(Value::as_str).map(String::from),
            own_rate_limit: op.get("x-pd-operation-limit").and_then(Value::as_bool).unwrap_or(false),
            summary: first_paragraph(op.get("summary").and_then(Value::as_str).unwrap_or(""), 120),
            description: first_paragraph(op.get("description").and_then(Value::as_str).unwrap_or(""), 600),
            params: operation_params(spec, path_item, op),
            json_body: request_schema(spec, op).is_some(),
            success_status: op
                .get("responses")
                .and_then(Value::as_object)
                .and_then(|r| r.keys().find(|c| c.starts_with('2')))
                .and_then(|c| c.parse().ok())
                .unwrap_or(200),
            required_body,
            sample_body: request_schema(spec, op).map(|s| crate::samples::sample(spec, s, 0)),
        });
    }
    out
}

/// The fields a request schema requires, as paths from the body's top (`incident`,
/// `incident.type`, `escalation_policy.escalation_rules[].targets[].id`: `[]` stands for every
/// item of a list), to a depth of six. A nested field is required only where its parent is
/// sent. Left out: fields with a `default` (the generated type always sends them), read-only
/// ones (the server's own) and ones the schema does not declare (no generated type has them).
fn required_paths(spec: &Value, schema: &Value, prefix: &str, depth: usize, out: &mut Vec<String>) {
    let schema = resolve(spec, schema);
    if depth > 6 {
        return;
    }
    if let Some(items) = schema.get("items") {
        return required_paths(spec, items, &format!("{prefix}[]"), depth + 1, out);
    }
    let properties = schema_properties(spec, schema);
    let required = schema.get(crate::normalize::schemas::REQUIRED_EXT).and_then(Value::as_array);
    for field in required.into_iter().flatten().filter_map(Value::as_str) {
        // A required field the schema does not declare cannot be sent through a generated type.
        let Some(property) = properties.get(field).map(|p| resolve(spec, p)) else { continue };
        let server_side = property.get("default").is_some() || property.get("readOnly") == Some(&Value::Bool(true));
        if !server_side {
            out.push(if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") });
        }
    }
    for (field, property) in &properties {
        let path = if prefix.is_empty() { field.clone() } else { format!("{prefix}.{field}") };
        required_paths(spec, property, &path, depth + 1, out);
    }
}

/// The JSON type a schema declares (`any` when it does not say).
pub(crate) fn json_type<'a>(spec: &'a Value, schema: &'a Value) -> &'a str {
    let schema = resolve(spec, schema);
    match schema.get("type").and_then(Value::as_str) {
        Some(t) => t,
        None if schema.get("properties").is_some() => "object",
        None => "any",
    }
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("-")
}

fn lit(v: &Option<String>) -> String {
    match v {
        Some(s) => format!("Some({s:?})"),
        None => "None".to_string(),
    }
}

/// A parameter as Rust source (`Param { .. }` of `pdrs::spec`).
fn param_source(p: &Param) -> String {
    format!(
        "Param {{ name: {:?}, location: ParamIn::{}, kind: {:?}, format: {}, array: {}, required: {}, values: &{:?}, description: {:?} }}",
        p.name, p.location, p.kind, lit(&p.format), p.array, p.required, p.values, p.description
    )
}

fn variant(snake: &str) -> String {
    crate::json::pascal(snake)
}

/// Writes `operations.rs` (the table as Rust) and `operations.tsv`.
pub fn write(out_dir: &Path, rows: &[Row]) -> Result<(), String> {
    let mut rust = String::from(
        "/// Every operation of every document, in document order.\npub static OPERATIONS: &[Operation] = &[\n",
    );
    let mut tsv = String::from("# api\tmethod\tpath\ttag\tmethod_name\tpaging\titems\trequest_wrapper\tresponse_wrapper\tfrom\traw_content_type\tscope\n");
    for r in rows {
        let _ = writeln!(
            rust,
            "    Operation {{ api: Api::{}, method: {:?}, path: {:?}, tag: {:?}, name: {:?}, paging: Paging::{}, items: {}, request_wrapper: {}, response_wrapper: {}, from: FromHeader::{}, raw_content_type: {}, scope: {}, own_rate_limit: {}, summary: {:?}, description: {:?}, json_body: {}, success: {}, params: &[{}], required_body: &{:?} }},",
            variant(r.module),
            r.method,
            r.path,
            r.tag,
            r.name,
            variant(r.paging),
            lit(&r.items),
            lit(&r.request_wrapper),
            lit(&r.response_wrapper),
            variant(r.from),
            lit(&r.content_type),
            lit(&r.scope),
            r.own_rate_limit,
            r.summary,
            r.description,
            r.json_body,
            r.success_status,
            r.params.iter().map(param_source).collect::<Vec<_>>().join(", "),
            r.required_body,
        );
        let _ = writeln!(
            tsv,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.module,
            r.method,
            r.path,
            r.tag,
            r.name,
            r.paging,
            opt(&r.items),
            opt(&r.request_wrapper),
            opt(&r.response_wrapper),
            r.from,
            opt(&r.content_type),
            opt(&r.scope)
        );
    }
    rust.push_str("];\n");
    for (name, text) in [("operations.rs", rust), ("operations.tsv", tsv)] {
        crate::codegen::write_if_changed(&out_dir.join(name), &text)?;
    }
    Ok(())
}
