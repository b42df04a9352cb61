//! `POST /analytics/raw/incidents`: computed from the incidents held (filters, order,
//! `starting_after`, `last` and `more`).

use super::answer::*;
use axum::body::Bytes;
use serde_json::{json, Value};

/// Analytics raw data computed from a collection (`POST /analytics/raw/incidents` from the
/// incidents held): filtered by `created_at_start`/`created_at_end`, `urgency` and
/// `service_ids`, ordered by `created_at`, paged by `starting_after` (an id) and `limit`.
pub(super) fn analytics(records: &[Value], body: &Bytes) -> Answer {
    let request: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) if body.is_empty() => json!({}),
        Err(e) => return invalid(vec![format!("the body is not valid JSON: {e}")]).into(),
    };
    let filters = request.get("filters").cloned().unwrap_or_else(|| json!({}));
    let bound = |key: &'static str| filters.get(key).and_then(Value::as_str).map(|t| (key, crate::time::parse(t)));
    let mut window = (None, None);
    for (key, parsed) in [bound("created_at_start"), bound("created_at_end")].into_iter().flatten() {
        let Some(at) = parsed else {
            return invalid(vec![format!("filters.{key} is not a valid ISO 8601 date")]).into();
        };
        if key.ends_with("start") {
            window.0 = Some(at);
        } else {
            window.1 = Some(at);
        }
    }
    let limit = match request.get("limit") {
        None | Some(Value::Null) => 20,
        Some(n) => match n.as_u64() {
            Some(n @ 1..=1000) => n as usize,
            _ => return invalid(vec!["limit must be between 1 and 1000".into()]).into(),
        },
    };
    let urgency = filters.get("urgency").and_then(Value::as_str);
    let services: Vec<&str> =
        filters.get("service_ids").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let mut matching: Vec<&Value> = records
        .iter()
        .filter(|r| {
            let at = r.get("created_at").and_then(Value::as_str).and_then(crate::time::parse);
            window.0.is_none_or(|s| at.is_some_and(|a| a >= s))
                && window.1.is_none_or(|e| at.is_some_and(|a| a < e))
                && urgency.is_none_or(|u| r.get("urgency").and_then(Value::as_str) == Some(u))
                && (services.is_empty()
                    || r.pointer("/service/id").and_then(Value::as_str).is_some_and(|s| services.contains(&s)))
        })
        .collect();
    // Ordered as asked: `order` desc (the default) or asc, by `created_at` (the default) or
    // `seconds_to_resolve`.
    let descending = match request.get("order").and_then(Value::as_str) {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(other) => return invalid(vec![format!("order must be asc or desc (got {other:?})")]).into(),
    };
    let order_by = request.get("order_by").and_then(Value::as_str).unwrap_or("created_at");
    if !matches!(order_by, "created_at" | "seconds_to_resolve") {
        return invalid(vec![format!("order_by must be created_at or seconds_to_resolve (got {order_by:?})")]).into();
    }
    let key = |r: &Value| match order_by {
        "created_at" => r.get("created_at").and_then(Value::as_str).and_then(crate::time::parse).map(|t| t.timestamp()),
        _ => resolve_seconds(r),
    };
    matching.sort_by_key(|r| key(r));
    if descending {
        matching.reverse();
    }
    let start = match request.get("starting_after").and_then(Value::as_str) {
        None => 0,
        Some(after) => match matching.iter().position(|r| r.get("id").and_then(Value::as_str) == Some(after)) {
            Some(i) => i + 1,
            None => return invalid(vec![format!("starting_after {after:?} is not a record of this listing")]).into(),
        },
    };
    let page: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(limit)
        .map(|r| {
            let mut row = json!({"id": r["id"], "incident_number": r["incident_number"], "created_at": r["created_at"],
                "status": r["status"], "urgency": r["urgency"], "description": r["title"], "seconds_to_resolve": resolve_seconds(r),
                "service_id": r.pointer("/service/id"), "service_name": r.pointer("/service/summary")});
            if let Value::Object(map) = &mut row {
                map.retain(|_, v| !v.is_null());
            }
            row
        })
        .collect();
    let more = start + page.len() < matching.len();
    let last = page.last().and_then(|r| r.get("id")).cloned().unwrap_or(Value::Null);
    ok(
        json!({"data": page, "last": last, "more": more, "limit": limit, "order": if descending { "desc" } else { "asc" }, "order_by": order_by,
              "filters": filters, "starting_after": request.get("starting_after")}),
    )
}

/// Seconds from an incident's creation to its resolution, when it is resolved.
pub(super) fn resolve_seconds(incident: &Value) -> Option<i64> {
    if incident.get("status").and_then(Value::as_str) != Some("resolved") {
        return None;
    }
    let at = |key: &str| incident.get(key).and_then(Value::as_str).and_then(crate::time::parse);
    Some((at("last_status_change_at").or(at("updated_at"))? - at("created_at")?).num_seconds())
}
