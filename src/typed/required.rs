//! The fields PagerDuty requires in a request body, checked before a typed call sends it.
//!
//! Every field of a generated type is optional (so that what PagerDuty sends always decodes),
//! which leaves nothing in the types themselves to stop a body PagerDuty would refuse. The build
//! keeps each operation's required fields as paths ([`Operation::required_body`]); a typed call
//! whose body lacks one is [`Error::InvalidInput`] naming it, and nothing is sent.

use crate::spec::Operation;
use crate::{Error, Result};
use serde_json::Value;

/// Refuses `request` when its JSON body lacks a field `op` requires.
pub(crate) fn check(op: &Operation, request: &reqwest::Request) -> Result<()> {
    if op.required_body.is_empty() {
        return Ok(());
    }
    let Some(bytes) = request.body().and_then(reqwest::Body::as_bytes) else { return Ok(()) };
    let Ok(body) = serde_json::from_slice::<Value>(bytes) else { return Ok(()) };
    match missing(op.required_body, &body) {
        Some(field) => Err(Error::invalid(format!(
            "{} {}: the body lacks {field}, which PagerDuty requires; nothing was sent",
            op.method, op.path
        ))),
        None => Ok(()),
    }
}

/// The first required field (`incident.type`, `incidents[2].id`) that `body` lacks: a field
/// counts as lacking when its parent object is there and it is not (or is `null`).
pub(crate) fn missing(required: &[&str], body: &Value) -> Option<String> {
    required.iter().find_map(|path| {
        let segments: Vec<&str> = path.split('.').collect();
        lacking(body, &segments, String::new())
    })
}

/// Walks `segments` (`field`, or `field[]` for every item of a list) from `value`.
fn lacking(value: &Value, segments: &[&str], at: String) -> Option<String> {
    let (first, rest) = segments.split_first()?;
    let (field, each) = match first.strip_suffix("[]") {
        Some(field) => (field, true),
        None => (*first, false),
    };
    let Value::Object(map) = value else { return None };
    let here = if at.is_empty() { field.to_string() } else { format!("{at}.{field}") };
    let Some(child) = map.get(field).filter(|child| !child.is_null()) else {
        // The field asked for is lacking; a lacking parent is not asked for.
        return rest.is_empty().then_some(here);
    };
    if rest.is_empty() {
        return None;
    }
    if each {
        let Value::Array(items) = child else { return None };
        items.iter().enumerate().find_map(|(i, item)| lacking(item, rest, format!("{here}[{i}]")))
    } else {
        lacking(child, rest, here)
    }
}

#[cfg(test)]
mod tests {
    use super::missing;
    use serde_json::json;

    #[test]
    fn a_nested_field_is_required_only_where_its_parent_is_sent() {
        let required = ["incident", "incident.type", "incident.assignments[].assignee"];
        assert_eq!(missing(&required, &json!({})).as_deref(), Some("incident"));
        assert_eq!(missing(&required, &json!({"incident": {}})).as_deref(), Some("incident.type"));
        assert_eq!(missing(&required, &json!({"incident": {"type": null}})).as_deref(), Some("incident.type"));
        assert_eq!(missing(&required, &json!({"incident": {"type": "incident"}})), None);
        let assigned = json!({"incident": {"type": "incident", "assignments": [{"assignee": {}}, {}]}});
        assert_eq!(missing(&required, &assigned).as_deref(), Some("incident.assignments[1].assignee"));
    }
}
