//! Incidents as PagerDuty keeps them, whether opened by the Events API or `POST /incidents`:
//! a number, status, urgency, service, escalation policy, assignments, links and timestamps,
//! and a log entry for each change.

use super::seed::reference_to as reference;
use super::store::Store;
use serde_json::{json, Value};

/// Records a log entry of `kind` (`trigger`, `acknowledge`, `resolve`, `annotate`) for an incident.
pub(crate) fn log(store: &mut Store, base: &str, incident: &Value, kind: &str, summary: &str) {
    let id = store.new_id();
    let mut entry = json!({"id": id, "type": format!("{kind}_log_entry"), "summary": summary, "created_at": store.clock.stamp(),
        "incident": reference("incident", incident, base, "incidents"), "self": format!("{base}/log_entries/{id}")});
    if let Some(agent) = &store.actor {
        entry["agent"] = agent.clone();
    }
    store.insert("/log_entries", entry);
}

/// Opens an incident from `fields` (title, urgency, incident_key, service reference...):
/// numbered after the highest number held, on the given service (else the first), assigned to
/// the first target of the service's escalation policy.
pub(crate) fn open(store: &mut Store, base: &str, fields: &serde_json::Map<String, Value>) -> Value {
    let id = store.new_id();
    let number =
        store.list("/incidents").iter().filter_map(|i| i.get("incident_number")?.as_u64()).max().unwrap_or(0) + 1;
    let wanted = fields.get("service").and_then(|s| s.get("id")).and_then(Value::as_str);
    let service = wanted.and_then(|w| store.get("/services", w)).or_else(|| store.list("/services").first()).cloned();
    let policy = service
        .as_ref()
        .and_then(|s| s.pointer("/escalation_policy/id"))
        .and_then(Value::as_str)
        .and_then(|p| store.get("/escalation_policies", p))
        .cloned();
    let assignee = policy.as_ref().and_then(|p| p.pointer("/escalation_rules/0/targets/0")).cloned();
    let stamp = store.clock.stamp();
    // A test may give an incident its age (a mock's extension; PagerDuty stamps it itself).
    let opened = fields
        .get("created_at")
        .and_then(Value::as_str)
        .filter(|at| crate::time::parse(at).is_some())
        .map_or_else(|| stamp.clone(), String::from);
    let title = fields.get("title").cloned().unwrap_or_else(|| json!("Incident"));
    let mut incident = json!({
        "id": id, "type": "incident", "incident_number": number, "title": title, "summary": title,
        "status": "triggered", "urgency": fields.get("urgency").cloned().unwrap_or_else(|| json!("high")),
        "incident_key": fields.get("incident_key").cloned().unwrap_or_else(|| json!(id.to_lowercase())),
        "created_at": opened, "updated_at": stamp, "last_status_change_at": stamp,
        "service": service.as_ref().map(|s| reference("service", s, base, "services")),
        "escalation_policy": policy.as_ref().map(|p| reference("escalation_policy", p, base, "escalation_policies")),
        "assignments": assignee.map(|a| vec![json!({"at": stamp, "assignee": a})]).unwrap_or_default(),
        "self": format!("{base}/incidents/{id}"), "html_url": format!("https://mock.pagerduty.local/incidents/{id}"),
    });
    if let Some(body) = fields.get("body") {
        incident["body"] = body.clone();
    }
    store.insert("/incidents", incident.clone());
    log(store, base, &incident, "trigger", "Triggered");
    super::deliveries::emit(store, "incident.triggered", &incident);
    // And its status (a mock's extension): acknowledged or resolved through the usual change.
    match fields.get("status").and_then(Value::as_str) {
        Some(status @ ("acknowledged" | "resolved")) => set_status(store, base, &id, status).unwrap_or(incident),
        _ => incident,
    }
}

/// Moves an incident to `status` (acknowledged, resolved), stamping it and logging the change.
/// Returns the updated incident, or `None` when the incident is unknown.
pub(crate) fn set_status(store: &mut Store, base: &str, id: &str, status: &str) -> Option<Value> {
    let summary = match status {
        "resolved" => "Resolved",
        "acknowledged" => "Acknowledged",
        _ => "Reopened",
    };
    set_status_saying(store, base, id, status, summary)
}

fn set_status_saying(store: &mut Store, base: &str, id: &str, status: &str, summary: &str) -> Option<Value> {
    let stamp = store.clock.stamp();
    let actor = store.actor.clone();
    let incident = store.get_mut("/incidents", id)?;
    if incident.get("status").and_then(Value::as_str) == Some(status) {
        return Some(incident.clone());
    }
    incident["status"] = json!(status);
    if let (Some(user), "acknowledged") = (actor, status) {
        // Who acknowledged, as PagerDuty lists them.
        let acknowledgement = json!({"at": stamp, "acknowledger": user});
        match incident.get_mut("acknowledgements").and_then(Value::as_array_mut) {
            Some(list) => list.push(acknowledgement),
            None => incident["acknowledgements"] = json!([acknowledgement]),
        }
    }
    incident["updated_at"] = json!(stamp);
    incident["last_status_change_at"] = json!(stamp);
    if status == "resolved" {
        incident["assignments"] = json!([]);
    }
    let updated = incident.clone();
    let (kind, event_type) = match status {
        "resolved" => ("resolve", "incident.resolved"),
        "acknowledged" => ("acknowledge", "incident.acknowledged"),
        _ => ("trigger", "incident.reopened"),
    };
    log(store, base, &updated, kind, summary);
    super::deliveries::emit(store, event_type, &updated);
    Some(updated)
}

/// Logs a reassignment when a change names `assignments`, `escalation_level` or
/// `escalation_policy` (an `assign_log_entry`, as PagerDuty writes one).
pub(crate) fn log_reassignment(store: &mut Store, base: &str, id: &str, fields: &serde_json::Map<String, Value>) {
    if !["assignments", "escalation_level", "escalation_policy"].iter().any(|k| fields.contains_key(*k)) {
        return;
    }
    if let Some(incident) = store.get("/incidents", id).cloned() {
        log(store, base, &incident, "assign", "Reassigned");
        super::deliveries::emit(store, "incident.reassigned", &incident);
    }
}

/// Logs a note posted to an incident (an `annotate_log_entry`).
pub(crate) fn log_note(store: &mut Store, base: &str, id: &str) {
    if let Some(incident) = store.get("/incidents", id).cloned() {
        log(store, base, &incident, "annotate", "Note added");
        super::deliveries::emit(store, "incident.annotated", &incident);
    }
}

/// The most incidents one `PUT /incidents` may change (more is a 413).
pub(crate) const MAX_BULK: usize = 250;

/// Why a bulk change or merge was refused.
pub(crate) enum Refused {
    /// An incident named is not held.
    Unknown(String),
    /// More than [`MAX_BULK`] incidents.
    TooMany(usize),
}

/// `PUT /incidents`: changes each incident named (status through [`set_status`], other fields
/// as given), all or none: every id is checked first. Returns the updated incidents.
pub(crate) fn bulk_update(store: &mut Store, base: &str, changes: &[Value]) -> Result<Vec<Value>, Refused> {
    if changes.len() > MAX_BULK {
        return Err(Refused::TooMany(changes.len()));
    }
    let ids: Vec<String> =
        changes.iter().map(|c| c.get("id").and_then(Value::as_str).unwrap_or("").to_string()).collect();
    if let Some(unknown) = ids.iter().find(|id| store.get("/incidents", id).is_none()) {
        return Err(Refused::Unknown(unknown.clone()));
    }
    let mut updated = Vec::with_capacity(changes.len());
    for (id, change) in ids.iter().zip(changes) {
        if let Some(status) = change.get("status").and_then(Value::as_str) {
            set_status(store, base, id, status);
        }
        let stamp = store.clock.stamp();
        if let (Some(Value::Object(incident)), Value::Object(fields)) = (store.get_mut("/incidents", id), change) {
            for (key, value) in fields {
                if !matches!(key.as_str(), "id" | "type" | "status" | "self" | "html_url" | "incident_number") {
                    incident.insert(key.clone(), value.clone());
                }
            }
            incident.insert("updated_at".into(), json!(stamp));
        }
        if let Value::Object(fields) = change {
            log_reassignment(store, base, id, fields);
        }
        updated.extend(store.get("/incidents", id).cloned());
    }
    Ok(updated)
}

/// `PUT /incidents/{id}/merge`: each source incident is resolved (logged as merged into the
/// target) and its alerts move to the target. Returns the target.
pub(crate) fn merge(store: &mut Store, base: &str, target: &str, sources: &[Value]) -> Result<Value, Refused> {
    let ids: Vec<String> =
        sources.iter().map(|c| c.get("id").and_then(Value::as_str).unwrap_or("").to_string()).collect();
    let number = match store.get("/incidents", target) {
        Some(incident) => incident.get("incident_number").cloned().unwrap_or(Value::Null),
        None => return Err(Refused::Unknown(target.to_string())),
    };
    if let Some(unknown) = ids.iter().find(|id| store.get("/incidents", id).is_none() || *id == target) {
        return Err(Refused::Unknown(unknown.clone()));
    }
    for id in &ids {
        set_status_saying(store, base, id, "resolved", &format!("Resolved by merging into incident #{number}"));
        if let Some(alerts) = store.collections.remove(&format!("/incidents/{id}/alerts")) {
            let moved = alerts.into_iter().map(|mut alert| {
                alert["incident"] = json!({"id": target, "type": "incident_reference",
                                           "self": format!("{base}/incidents/{target}")});
                alert
            });
            store.collections.entry(format!("/incidents/{target}/alerts")).or_default().extend(moved);
        }
    }
    let stamp = store.clock.stamp();
    let incident = store.get_mut("/incidents", target).ok_or_else(|| Refused::Unknown(target.to_string()))?;
    incident["updated_at"] = json!(stamp);
    Ok(incident.clone())
}
