//! What PagerDuty's documents say a request body looks like, per REST operation: the fields of
//! the wrapped body, their types, allowed values, date formats and required fields (features
//! `validate` and `mock`).
//!
//! [`problems`] checks a JSON body against it before it is sent (the CLI's `--data`, or raw
//! calls of your own): each problem names its field, and a field the operation does not know
//! names the nearest one it does. [`skeleton`] is a body to start from.

use crate::spec::Operation;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The shape of each REST operation's request body (`"POST /users"` → shape), as the build
/// derived it from the document.
fn shapes() -> &'static HashMap<String, Map<String, Value>> {
    static SHAPES: OnceLock<HashMap<String, Map<String, Value>>> = OnceLock::new();
    SHAPES.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/request_fields.json"))).unwrap_or_default()
    })
}

/// The request body's shape of an operation, when it takes a JSON body the document describes.
pub fn of(op: &Operation) -> Option<&'static Map<String, Value>> {
    shapes().get(&format!("{} {}", op.method, op.path))
}

/// One way a body does not fit its operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The field, as a path (`incident.status`, `incidents[0].id`); empty for the body itself.
    pub field: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What is wrong with a field.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The value is not of the declared JSON type.
    Type {
        /// The declared type (`string`, `integer`, `object`...).
        expected: String,
    },
    /// A string outside the declared values.
    NotAllowed {
        /// The value given.
        got: String,
        /// The values allowed.
        allowed: Vec<String>,
    },
    /// A date-time PagerDuty would not read.
    Date {
        /// The value given.
        got: String,
    },
    /// A required field is missing.
    Required,
    /// The operation knows no such field (PagerDuty ignores it).
    Unknown {
        /// The known field of the same object with the nearest name, if one is near.
        nearest: Option<String>,
    },
}

impl Problem {
    /// Whether the problem is a field the operation does not know (PagerDuty ignores those;
    /// every other problem is an error PagerDuty answers with a 400).
    pub fn is_unknown_field(&self) -> bool {
        matches!(self.kind, ProblemKind::Unknown { .. })
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = if self.field.is_empty() { "the body" } else { &self.field };
        match &self.kind {
            ProblemKind::Type { expected } => write!(f, "{field} must be of type {expected}"),
            ProblemKind::NotAllowed { got, allowed } => {
                write!(f, "{field} must be one of {} (got {got:?})", allowed.join(", "))
            }
            ProblemKind::Date { got } => write!(f, "{field} must be an ISO 8601 date-time (got {got:?})"),
            ProblemKind::Required => write!(f, "{field} is required"),
            ProblemKind::Unknown { nearest: Some(nearest) } => {
                write!(f, "{field} is not a field of this operation (did you mean {nearest}?)")
            }
            ProblemKind::Unknown { nearest: None } => write!(f, "{field} is not a field of this operation"),
        }
    }
}

/// The problems of `body` (the whole body, wrapper included) against the operation's shape;
/// empty when it fits or the document describes no body. An update of one record
/// ([`Operation::is_partial_update`]) may leave required fields out.
pub fn problems(op: &Operation, body: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(shape) = of(op) {
        check(&Value::Object(shape.clone()), body, "", &mut out);
    }
    if op.is_partial_update() {
        out.retain(|p| p.kind != ProblemKind::Required);
    }
    out
}

/// Checks `value` at `path` against a shape.
fn check(shape: &Value, value: &Value, path: &str, out: &mut Vec<Problem>) {
    let name = |field: &str| if path.is_empty() { field.to_string() } else { format!("{path}.{field}") };
    let problem = |kind| Problem { field: path.to_string(), kind };
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
    if !fits {
        out.push(problem(ProblemKind::Type { expected: expected.to_string() }));
        return;
    }
    if let (Some(Value::Array(allowed)), Some(text)) = (shape.get("enum"), value.as_str()) {
        if !allowed.iter().any(|a| a.as_str() == Some(text)) {
            let allowed = allowed.iter().filter_map(Value::as_str).map(String::from).collect();
            out.push(problem(ProblemKind::NotAllowed { got: text.to_string(), allowed }));
        }
    }
    if let (Some("date-time"), Some(text)) = (shape.get("format").and_then(Value::as_str), value.as_str()) {
        if crate::time::parse(text).is_none() {
            out.push(problem(ProblemKind::Date { got: text.to_string() }));
        }
    }
    if let Value::Object(map) = value {
        let properties = shape.get("properties").and_then(Value::as_object);
        for field in shape.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            // A `type` with one allowed value is implied by the endpoint (PagerDuty fills it in).
            let implied = field == "type"
                && properties
                    .and_then(|p| p.get("type"))
                    .and_then(|t| t.get("enum"))
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.len() == 1);
            if !map.contains_key(field) && !implied {
                out.push(Problem { field: name(field), kind: ProblemKind::Required });
            }
        }
        if let Some(properties) = properties {
            for (field, inner) in map {
                match properties.get(field) {
                    Some(inner_shape) => check(inner_shape, inner, &name(field), out),
                    None => {
                        let nearest = properties
                            .keys()
                            .map(|known| (strsim::jaro_winkler(field, known), known))
                            .filter(|(score, _)| *score > 0.8)
                            .max_by(|a, b| a.0.total_cmp(&b.0))
                            .map(|(_, known)| name(known));
                        out.push(Problem { field: name(field), kind: ProblemKind::Unknown { nearest } });
                    }
                }
            }
        }
    }
    if let (Value::Array(items), Some(item_shape)) = (value, shape.get("items")) {
        let here = if path.is_empty() { "the body".to_string() } else { path.to_string() };
        for (i, item) in items.iter().enumerate() {
            check(item_shape, item, &format!("{here}[{i}]"), out);
        }
    }
}

/// A body to start from: every field of the operation's body with a placeholder of its type
/// (an enum's values joined by `|`, `<date-time>` for dates).
pub fn skeleton(op: &Operation) -> Option<Value> {
    of(op).map(|shape| placeholder(&Value::Object(shape.clone())))
}

fn placeholder(shape: &Value) -> Value {
    if let Some(Value::Array(values)) = shape.get("enum") {
        let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        return Value::String(values.join("|"));
    }
    match shape.get("type").and_then(Value::as_str) {
        Some("object") | None if shape.get("properties").is_some() => {
            let properties = shape.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
            Value::Object(properties.iter().map(|(name, inner)| (name.clone(), placeholder(inner))).collect())
        }
        Some("object") => Value::Object(Map::new()),
        Some("array") => Value::Array(shape.get("items").map(placeholder).into_iter().collect()),
        Some("string") if shape.get("format").and_then(Value::as_str) == Some("date-time") => {
            Value::String("<date-time>".into())
        }
        Some("string") => Value::String("<string>".into()),
        Some("integer") => Value::from(0),
        Some("number") => Value::from(0.0),
        Some("boolean") => Value::Bool(false),
        _ => Value::Null,
    }
}
