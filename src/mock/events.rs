//! The Events API side of the mock: events change incidents in the shared state.

use super::shared::Shared;
use axum::body::Bytes;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

fn invalid(errors: Vec<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"status": "invalid event", "message": "Event object is invalid", "errors": errors})),
    )
        .into_response()
}

fn accepted(dedup_key: &str) -> Response {
    (StatusCode::ACCEPTED, Json(json!({"status": "success", "message": "Event processed", "dedup_key": dedup_key})))
        .into_response()
}

pub(crate) fn handle(shared: &Shared, method: &Method, uri: &Uri, body: &Bytes) -> Response {
    if method != Method::POST {
        return super::answer::error(StatusCode::NOT_FOUND, 2100, "Not Found", vec![]);
    }
    let Ok(event) = serde_json::from_slice::<Value>(body) else {
        return invalid(vec!["the body is not valid JSON".into()]);
    };
    let routing_key = event.get("routing_key").and_then(Value::as_str).unwrap_or("");
    let mut errors = Vec::new();
    if routing_key.trim().is_empty() {
        errors.push("'routing_key' is missing or blank".to_string());
    }
    match uri.path() {
        "/v2/change/enqueue" => {
            if event.pointer("/payload/summary").and_then(Value::as_str).is_none() {
                errors.push("'payload.summary' is missing".into());
            }
            if !errors.is_empty() {
                return invalid(errors);
            }
            shared.store.lock().unwrap_or_else(|e| e.into_inner()).change_events.push(event);
            (StatusCode::ACCEPTED, Json(json!({"status": "success", "message": "Change event processed"})))
                .into_response()
        }
        "/v2/enqueue" => {
            let action = event.get("event_action").and_then(Value::as_str).unwrap_or("");
            let given_key = event.get("dedup_key").and_then(Value::as_str).filter(|k| !k.is_empty());
            match action {
                "trigger" => {
                    for field in ["summary", "source", "severity"] {
                        if event.pointer(&format!("/payload/{field}")).and_then(Value::as_str).is_none() {
                            errors.push(format!("'payload.{field}' is missing"));
                        }
                    }
                    let severity = event.pointer("/payload/severity").and_then(Value::as_str).unwrap_or("critical");
                    if !["critical", "error", "warning", "info"].contains(&severity) {
                        errors.push("'payload.severity' must be one of critical, error, warning, info".into());
                    }
                }
                "acknowledge" | "resolve" if given_key.is_none() => errors.push("'dedup_key' is required".into()),
                "acknowledge" | "resolve" => {}
                _ => errors.push("'event_action' must be trigger, acknowledge or resolve".into()),
            }
            if !errors.is_empty() {
                return invalid(errors);
            }
            let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
            let dedup_key =
                given_key.map(String::from).unwrap_or_else(|| format!("mock-{}", store.new_id().to_lowercase()));
            let existing = store
                .list("/incidents")
                .iter()
                .rev()
                .find(|i| {
                    i.get("incident_key").and_then(Value::as_str) == Some(dedup_key.as_str())
                        && i.get("status").and_then(Value::as_str) != Some("resolved")
                })
                .and_then(|i| i.get("id").and_then(Value::as_str))
                .map(String::from);
            let base = shared.base_url.clone();
            match (action, existing) {
                ("trigger", Some(_)) => {}
                ("trigger", None) => {
                    let mut fields = serde_json::Map::new();
                    fields.insert("title".into(), event.pointer("/payload/summary").cloned().unwrap_or_default());
                    fields.insert("incident_key".into(), json!(dedup_key));
                    let urgency = match event.pointer("/payload/severity").and_then(Value::as_str) {
                        Some("warning" | "info") => "low",
                        _ => "high",
                    };
                    fields.insert("urgency".into(), json!(urgency));
                    super::incidents::open(&mut store, &base, &fields);
                }
                ("acknowledge", Some(id)) => {
                    super::incidents::set_status(&mut store, &base, &id, "acknowledged");
                }
                ("resolve", Some(id)) => {
                    super::incidents::set_status(&mut store, &base, &id, "resolved");
                }
                _ => {}
            }
            shared.send_deliveries(&mut store);
            accepted(&dedup_key)
        }
        _ => super::answer::error(StatusCode::NOT_FOUND, 2100, "Not Found", vec![]),
    }
}
