//! The mock's own endpoints under `/_mock/`, behind the same credential rule as the API, never
//! faulted and not in the journal:
//! - `GET`/`PUT /_mock/state`: the whole state, read and replaced;
//! - `GET`/`DELETE /_mock/requests`: the request journal, read and emptied;
//! - `POST`/`DELETE /_mock/faults`: scripted faults added (one [`Script`](super::Script) or a
//!   list) and removed;
//! - `GET`/`POST /_mock/clock`: the mock's clock, read, set (`{"now": "2026-01-01T00:00:00Z"}`)
//!   or moved (`{"advance_seconds": 3600}`).

use super::answer::*;
use super::credentials::authorized;
use super::script::Script;
use super::shared::Shared;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// Routes one request under `/_mock/`.
pub(super) fn handle(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Response {
    if !authorized(headers) {
        return error(StatusCode::UNAUTHORIZED, 2006, "Unauthorized", vec![]);
    }
    match uri.path().trim_end_matches('/') {
        "/_mock/state" => state(shared, method, body),
        "/_mock/requests" => requests(shared, method),
        "/_mock/faults" => faults(shared, method, body),
        "/_mock/clock" => clock(shared, method, body),
        _ => not_found(),
    }
}

fn state(shared: &Shared, method: &Method, body: &Bytes) -> Response {
    let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
    match *method {
        Method::GET => Json(store.dump()).into_response(),
        Method::PUT | Method::POST => match serde_json::from_slice::<Value>(body)
            .map_err(|e| e.to_string())
            .and_then(|v| super::store::Store::load(&v))
        {
            Ok(mut loaded) => {
                loaded.clock = store.clock;
                *store = loaded;
                StatusCode::NO_CONTENT.into_response()
            }
            Err(e) => invalid(vec![e]),
        },
        _ => not_found(),
    }
}

fn requests(shared: &Shared, method: &Method) -> Response {
    let mut journal = shared.journal();
    match *method {
        Method::GET => {
            let requests: Vec<&super::Recorded> = journal.entries.iter().collect();
            Json(json!({"requests": requests, "dropped": journal.dropped})).into_response()
        }
        Method::DELETE => {
            journal.entries.clear();
            journal.dropped = 0;
            StatusCode::NO_CONTENT.into_response()
        }
        _ => not_found(),
    }
}

fn faults(shared: &Shared, method: &Method, body: &Bytes) -> Response {
    let mut scripts = shared.scripts.lock().unwrap_or_else(|e| e.into_inner());
    match *method {
        Method::POST => {
            let parsed: Result<Vec<Script>, String> =
                serde_json::from_slice::<Value>(body).map_err(|e| e.to_string()).and_then(|v| match v {
                    Value::Array(_) => serde_json::from_value(v).map_err(|e| e.to_string()),
                    one => serde_json::from_value(one).map(|s| vec![s]).map_err(|e| e.to_string()),
                });
            match parsed {
                Ok(list) => {
                    list.into_iter().for_each(|s| scripts.add(s));
                    StatusCode::NO_CONTENT.into_response()
                }
                Err(e) => invalid(vec![format!("not a fault script: {e}")]),
            }
        }
        Method::DELETE => {
            scripts.clear();
            StatusCode::NO_CONTENT.into_response()
        }
        _ => not_found(),
    }
}

fn clock(shared: &Shared, method: &Method, body: &Bytes) -> Response {
    let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
    if *method == Method::POST {
        let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        if let Some(text) = request["now"].as_str() {
            match crate::time::parse(text) {
                Some(now) => store.clock.set(now.with_timezone(&chrono::Utc)),
                None => return invalid(vec![format!("now: {text:?} is not an ISO 8601 date-time")]),
            }
        } else if let Some(seconds) = request["advance_seconds"].as_i64() {
            let now = store.clock.now();
            match chrono::Duration::try_seconds(seconds).and_then(|by| now.checked_add_signed(by)) {
                Some(moved) => store.clock.set(moved),
                None => return invalid(vec![format!("advance_seconds: {seconds} is out of range")]),
            }
        } else {
            return invalid(vec!["give now (ISO 8601) or advance_seconds (an integer)".into()]);
        }
    } else if *method != Method::GET {
        return not_found();
    }
    Json(json!({"now": store.clock.stamp()})).into_response()
}
