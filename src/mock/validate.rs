//! Request bodies checked against the operation's request schema as the document declares it:
//! types, required fields and enum values, nested objects and lists; each problem named.

use crate::spec::Operation;
use axum::body::Bytes;
use serde_json::{Map, Value};

/// The wrapped entity of a request body, checked against the operation's request schema as
/// the document declares it: types, required fields and enum values, nested objects and lists
/// included. On failure, the error messages (for a 400 code 2001), each naming its field.
pub(super) fn validated(op: &Operation, body: &Bytes) -> Result<Map<String, Value>, Vec<String>> {
    let wrapper = op.request_wrapper.unwrap_or_default();
    let parsed: Value = serde_json::from_slice(body).map_err(|e| vec![format!("the body is not valid JSON: {e}")])?;
    let mut errors = refusals(op, &parsed);
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
    let mut errors = refusals(op, &parsed);
    match parsed.get(wrapper) {
        Some(Value::Array(list)) if errors.is_empty() => Ok(list.clone()),
        Some(Value::Array(_)) => Err(errors),
        _ => {
            errors.push(format!("{wrapper} must be a list"));
            Err(errors)
        }
    }
}

/// What PagerDuty would answer with a 400 about this body: every problem of the document's
/// shape but fields it does not know, which PagerDuty ignores.
fn refusals(op: &Operation, body: &Value) -> Vec<String> {
    crate::shape::problems(op, body).iter().filter(|p| !p.is_unknown_field()).map(ToString::to_string).collect()
}
