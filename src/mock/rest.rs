//! The REST side of the mock: routing by the operation table, CRUD, paging, validation.

use super::Shared;
use crate::spec::{self, FromHeader, Operation, Paging};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A PagerDuty-shaped error response.
pub(crate) fn error(status: StatusCode, code: i64, message: &str, errors: Vec<String>) -> Response {
    let mut body = json!({"error": {"message": message, "errors": errors}});
    if code != 0 {
        body["error"]["code"] = json!(code);
    }
    (status, Json(body)).into_response()
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, 2100, "Not Found", vec![])
}

fn invalid(errors: Vec<String>) -> Response {
    error(StatusCode::BAD_REQUEST, 2001, "Invalid Input Provided", errors)
}

/// Field types of each operation's wrapped request entity, from the build.
fn request_fields() -> &'static HashMap<String, Map<String, Value>> {
    static FIELDS: OnceLock<HashMap<String, Map<String, Value>>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/request_fields.json"))).unwrap_or_default()
    })
}

/// The spec's first 2xx example of each operation, from the build.
fn response_examples() -> &'static HashMap<String, Value> {
    static EXAMPLES: OnceLock<HashMap<String, Value>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/response_examples.json"))).unwrap_or_default()
    })
}

fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect()
}

/// `GET`/`PUT` of `/_mock/state`: dump or load the whole state.
pub(crate) fn state_endpoint(shared: &Shared, method: &Method, body: &Bytes) -> Response {
    let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
    match *method {
        Method::GET => Json(store.dump()).into_response(),
        Method::PUT | Method::POST => match serde_json::from_slice::<Value>(body)
            .map_err(|e| e.to_string())
            .and_then(|v| super::store::Store::load(&v))
        {
            Ok(loaded) => {
                *store = loaded;
                StatusCode::NO_CONTENT.into_response()
            }
            Err(e) => invalid(vec![e]),
        },
        _ => not_found(),
    }
}

fn authorized(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else { return false };
    let token = value.strip_prefix("Token token=").or_else(|| value.strip_prefix("Bearer "));
    token.is_some_and(|t| !t.trim().is_empty())
}

pub(crate) fn handle(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Response {
    if !authorized(headers) {
        return error(StatusCode::UNAUTHORIZED, 0, "Unauthorized", vec![]);
    }
    let path = uri.path().trim_end_matches('/').to_string();
    let base = reqwest::Url::parse(&shared.base_url).ok();
    let full = base.as_ref().and_then(|b| b.join(&path).ok());
    let template = match (base, full) {
        (Some(b), Some(u)) => crate::target::canonical_path(&b, &u),
        _ => None,
    };
    let Some(op) = template.and_then(|t| spec::find(method.as_str(), t)) else { return not_found() };
    if op.from == FromHeader::Required && !headers.contains_key("from") {
        return error(
            StatusCode::BAD_REQUEST,
            2001,
            "You must specify a user's email address in the \"From\" header to perform this action.",
            vec![],
        );
    }
    let query = query_pairs(uri);
    let ends_with_param = op.path.ends_with('}');
    let parent = path.rsplit_once('/').map(|(p, _)| p.to_string()).unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or("").to_string();
    let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
    match (method.as_str(), op.paging, ends_with_param) {
        ("GET", Paging::Offset | Paging::Cursor | Paging::After, _) => list(store.list(&path), op, &path, &query),
        ("GET", _, true) => match store.get(&parent, &last) {
            Some(record) => Json(wrap(op.response_wrapper, record.clone())).into_response(),
            None => not_found(),
        },
        ("POST", _, _) if op.request_wrapper.is_some() => {
            let entity = match validated(op, body) {
                Ok(entity) => entity,
                Err(errors) => return invalid(errors),
            };
            let id = store.new_id();
            let mut record = entity;
            record.insert("id".into(), json!(id));
            record.insert("self".into(), json!(format!("{}{}/{}", shared.base_url, path, id)));
            record.insert("html_url".into(), json!(format!("https://mock.pagerduty.local{path}/{id}")));
            record
                .entry("created_at")
                .or_insert_with(|| json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
            if let Some(wrapper) = op.request_wrapper {
                record.entry("type").or_insert_with(|| json!(wrapper));
            }
            let record = Value::Object(record);
            store.insert(&path, record.clone());
            (StatusCode::CREATED, Json(wrap(op.response_wrapper, record))).into_response()
        }
        ("PUT" | "PATCH", _, true) if op.request_wrapper.is_some() => {
            let entity = match validated(op, body) {
                Ok(entity) => entity,
                Err(errors) => return invalid(errors),
            };
            match store.get_mut(&parent, &last) {
                Some(Value::Object(record)) => {
                    record.extend(entity.into_iter().filter(|(k, _)| k != "id" && k != "self"));
                    Json(wrap(op.response_wrapper, Value::Object(record.clone()))).into_response()
                }
                _ => not_found(),
            }
        }
        ("DELETE", _, true) => {
            if store.remove(&parent, &last) {
                StatusCode::NO_CONTENT.into_response()
            } else {
                not_found()
            }
        }
        _ => {
            // Nothing stateful to do: answer with the spec's own example, else an empty entity.
            let body = match (response_examples().get(&format!("{} {}", op.method, op.path)), op.response_wrapper) {
                (Some(example), _) => example.clone(),
                (None, Some(w)) => json!({ w: {} }),
                (None, None) => json!({}),
            };
            Json(body).into_response()
        }
    }
}

fn wrap(wrapper: Option<&str>, value: Value) -> Value {
    match wrapper {
        Some(w) => json!({ w: value }),
        None => value,
    }
}

/// The wrapped entity of a request body, checked against the field types the spec declares.
/// On failure, the error messages (for a 400 code 2001).
fn validated(op: &Operation, body: &Bytes) -> Result<Map<String, Value>, Vec<String>> {
    let wrapper = op.request_wrapper.unwrap_or_default();
    let parsed: Value = serde_json::from_slice(body).map_err(|e| vec![format!("the body is not valid JSON: {e}")])?;
    let Some(Value::Object(entity)) = parsed.get(wrapper).cloned() else {
        return Err(vec![format!("{wrapper} must be an object")]);
    };
    let mut errors = Vec::new();
    if let Some(fields) = request_fields().get(&format!("{} {}", op.method, op.path)) {
        for (name, value) in &entity {
            let Some(expected) = fields.get(name).and_then(Value::as_str) else { continue };
            let fits = match expected {
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                "array" => value.is_array(),
                "object" => value.is_object(),
                _ => true,
            };
            if !fits && !value.is_null() {
                errors.push(format!("{wrapper}.{name} must be of type {expected}"));
            }
        }
    }
    if errors.is_empty() {
        Ok(entity)
    } else {
        Err(errors)
    }
}

fn matches_filters(record: &Value, query: &[(String, String)]) -> bool {
    let get = |k: &str| query.iter().find(|(q, _)| q == k).map(|(_, v)| v.as_str());
    if let Some(q) = get("query").filter(|q| !q.is_empty()) {
        let q = q.to_lowercase();
        let hit = ["name", "email", "summary", "title"]
            .iter()
            .any(|f| record.get(*f).and_then(Value::as_str).is_some_and(|v| v.to_lowercase().contains(&q)));
        if !hit {
            return false;
        }
    }
    let created =
        record.get("created_at").and_then(Value::as_str).and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok());
    let bound = |k: &str| get(k).and_then(|v| chrono::DateTime::parse_from_rfc3339(v).ok());
    if let (Some(since), Some(at)) = (bound("since"), created) {
        if at < since {
            return false;
        }
    }
    if let (Some(until), Some(at)) = (bound("until"), created) {
        if at >= until {
            return false;
        }
    }
    let statuses: Vec<&str> = query.iter().filter(|(k, _)| k == "statuses[]").map(|(_, v)| v.as_str()).collect();
    if !statuses.is_empty() && !record.get("status").and_then(Value::as_str).is_some_and(|s| statuses.contains(&s)) {
        return false;
    }
    true
}

fn list(records: &[Value], op: &Operation, path: &str, query: &[(String, String)]) -> Response {
    let get = |k: &str| query.iter().find(|(q, _)| q == k).map(|(_, v)| v.as_str());
    let field = op.items.map(String::from).unwrap_or_else(|| path.rsplit('/').next().unwrap_or("items").to_string());
    let limit: usize = get("limit").and_then(|l| l.parse().ok()).unwrap_or(25).clamp(1, 100);
    let matching = records.iter().filter(|r| matches_filters(r, query));
    if op.paging == Paging::Offset {
        let offset: usize = get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        if offset.saturating_add(limit) > crate::OFFSET_CAP as usize {
            return error(
                StatusCode::BAD_REQUEST,
                2002,
                "Arguments Caused Error",
                vec!["Offset must be less than 10000.".into()],
            );
        }
        let total_wanted = get("total") == Some("true");
        let mut page = Vec::with_capacity(limit);
        let mut count = 0usize;
        for record in matching {
            if count >= offset && page.len() < limit {
                page.push(record.clone());
            }
            count += 1;
            if !total_wanted && page.len() == limit && count > offset + limit {
                break;
            }
        }
        let more = count > offset + page.len();
        let total = if total_wanted { json!(count) } else { Value::Null };
        return Json(json!({ field: page, "limit": limit, "offset": offset, "more": more, "total": total }))
            .into_response();
    }
    let token = if op.paging == Paging::After { "after" } else { "cursor" };
    let start: usize = get(token).and_then(|c| c.parse().ok()).unwrap_or(0);
    let all: Vec<&Value> = matching.collect();
    let page: Vec<Value> = all.iter().skip(start).take(limit).map(|r| (*r).clone()).collect();
    let next = (start.saturating_add(page.len()) < all.len()).then(|| (start + page.len()).to_string());
    let next_key = if op.paging == Paging::After { "after" } else { "next_cursor" };
    Json(json!({ field: page, "limit": limit, next_key: next })).into_response()
}
