//! The REST side of the mock: each request routed by the operation table to what the state
//! holds (read, create, update, delete), else to the document's own example.

use super::analytics::*;
use super::answer::*;
use super::credentials::authorized;
use super::documented;
use super::listing::*;
use super::shared::Shared;
use super::store::Store;
use super::validate::*;
use crate::spec::{self, Api, FromHeader, Operation, Paging};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

pub(super) fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect()
}

pub(super) fn handle(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Response {
    if !authorized(headers) {
        // PagerDuty's code for a missing or refused credential.
        return error(StatusCode::UNAUTHORIZED, 2006, "Unauthorized", vec![]);
    }
    let path = uri.path().trim_end_matches('/').to_string();
    let template = spec::template_of(Api::Rest, &path);
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
    let answer = {
        let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
        store.actor = actor(&store, &shared.base_url, headers);
        let answer = decide(shared, &mut store, op, &path, &query, body);
        store.actor = None;
        shared.send_deliveries(&mut store);
        answer
    };
    answer.into_response()
}

/// The user a request's `From` header names, as a reference, when the state holds one with
/// that email.
fn actor(store: &Store, base: &str, headers: &HeaderMap) -> Option<Value> {
    let email = headers.get("from")?.to_str().ok()?.trim().to_ascii_lowercase();
    let user = store
        .list("/users")
        .iter()
        .find(|u| u.get("email").and_then(Value::as_str).is_some_and(|e| e.eq_ignore_ascii_case(&email)))?;
    Some(super::seed::reference_to("user", user, base, "users"))
}

/// What the mock answers to `op` on `path`, from the state.
pub(super) fn decide(
    shared: &Shared,
    store: &mut Store,
    op: &Operation,
    path: &str,
    query: &[(String, String)],
    body: &Bytes,
) -> Answer {
    let ends_with_param = op.path.ends_with('}');
    let parent = path.rsplit_once('/').map(|(p, _)| p.to_string()).unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or("").to_string();
    // Anything under a record the mock holds a collection for, but not that record: 404.
    if let Some((collection, id)) = parent_of(path, op) {
        if store.collections.contains_key(&collection) && store.get(&collection, &id).is_none() {
            return not_found().into();
        }
    }
    match (op.method, op.paging, ends_with_param) {
        // Schedules v3 reads the schedules PagerDuty has upgraded; the others are a 400 that
        // sends clients to v2, as PagerDuty answers.
        ("GET", _, true) if op.path == "/v3/schedules/{id}" => match store.get("/v3/schedules", &last) {
            Some(record) => ok(op.wrap_response(record.clone())),
            None if store.get("/schedules", &last).is_some() => error(
                StatusCode::BAD_REQUEST,
                2001,
                "Invalid Input Provided",
                vec![format!(
                    "Schedule {last} has not been upgraded to Schedules v3; read it through /schedules/{last}"
                )],
            )
            .into(),
            None => not_found().into(),
        },
        ("GET", Paging::Offset | Paging::Cursor | Paging::After, _) => {
            let records = held_or_derived(store, path);
            list(&records, op, path, query, store.clock.now())
        }
        ("GET", Paging::None, false)
            if store.collections.contains_key(path)
                || (derived_parent(path).is_some() && documented::list_field(op).is_some()) =>
        {
            // A list that does not page (`/incidents/{id}/notes`): every record, wrapped.
            let records = held_or_derived(store, path);
            let key = documented::list_field(op)
                .or(op.response_wrapper)
                .unwrap_or_else(|| path.rsplit('/').next().unwrap_or("items"));
            ok(json!({ key: records }))
        }
        ("GET", _, true) if store.collections.contains_key(&parent) => match store.get(&parent, &last) {
            Some(record) => ok(op.wrap_response(record.clone())),
            None => not_found().into(),
        },
        ("GET", _, true) if names(op).is_some() => {
            // A list of names (`/abilities`): the name is there or it is not.
            if names(op).is_some_and(|names| names.iter().any(|n| n.as_str() == Some(last.as_str()))) {
                documented_answer(shared, op)
            } else {
                not_found().into()
            }
        }
        ("POST", _, false) if op.path == "/incidents" => {
            let entity = match validated(op, body) {
                Ok(entity) => entity,
                Err(errors) => return invalid(errors).into(),
            };
            let incident = super::incidents::open(store, &shared.base_url, &entity);
            Answer::Json(documented_status(op), op.wrap_response(incident))
        }
        ("PUT", _, false) if op.path == "/incidents" || op.path == "/incidents/{id}/merge" => {
            let list = match validated_list(op, body) {
                Ok(list) => list,
                Err(errors) => return invalid(errors).into(),
            };
            let done = if op.path == "/incidents" {
                super::incidents::bulk_update(store, &shared.base_url, &list).map(|all| json!({ "incidents": all }))
            } else {
                let target = path.split('/').nth(2).unwrap_or_default();
                super::incidents::merge(store, &shared.base_url, target, &list).map(|one| json!({ "incident": one }))
            };
            match done {
                Ok(body) => ok(body),
                Err(super::incidents::Refused::Unknown(id)) => {
                    error(StatusCode::NOT_FOUND, 2100, "Not Found", vec![format!("Incident {id} not found")]).into()
                }
                Err(super::incidents::Refused::TooMany(n)) => error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    0,
                    "Request Entity Too Large",
                    vec![format!(
                        "{n} incidents given; at most {} may be updated at a time",
                        super::incidents::MAX_BULK
                    )],
                )
                .into(),
            }
        }
        ("POST", _, _) if op.request_wrapper.is_some() => {
            let entity = match validated(op, body) {
                Ok(entity) => entity,
                Err(errors) => return invalid(errors).into(),
            };
            let id = store.new_id();
            let mut record = entity;
            record.insert("id".into(), json!(id));
            record.insert("self".into(), json!(format!("{}{}/{}", shared.base_url, path, id)));
            record.insert("html_url".into(), json!(format!("https://mock.pagerduty.local{path}/{id}")));
            record.entry("created_at").or_insert_with(|| json!(store.clock.stamp()));
            if let Some(wrapper) = op.request_wrapper {
                record.entry("type").or_insert_with(|| json!(wrapper));
            }
            if op.path == "/incidents/{id}/notes" {
                // The note's author, as PagerDuty records it.
                if let Some(user) = &store.actor {
                    record.insert("user".into(), user.clone());
                }
            }
            let record = Value::Object(record);
            store.insert(path, record.clone());
            if op.path == "/webhook_subscriptions" {
                // The secret deliveries are signed with, shown in the create answer only.
                let secret = super::deliveries::new_secret();
                store.webhook_secrets.insert(id.clone(), secret.clone());
                let mut shown = record;
                shown["delivery_method"]["secret"] = json!(secret);
                return Answer::Json(documented_status(op), op.wrap_response(shown));
            }
            if op.path == "/incidents/{id}/notes" {
                let incident = path.split('/').nth(2).unwrap_or_default();
                super::incidents::log_note(store, &shared.base_url, incident);
            }
            Answer::Json(documented_status(op), op.wrap_response(record))
        }
        ("PUT" | "PATCH", _, true) if op.request_wrapper.is_some() => {
            // Partial, as PagerDuty applies updates: the fields sent change, the others stay
            // (`crate::shape` does not ask for required fields of an update).
            let entity = match validated(op, body) {
                Ok(entity) => entity,
                Err(errors) => return invalid(errors).into(),
            };
            // A status change of an incident is logged and stamped as PagerDuty does.
            let status = entity.get("status").and_then(Value::as_str).map(String::from);
            if let (true, Some(status)) = (parent == "/incidents", status) {
                if super::incidents::set_status(store, &shared.base_url, &last, &status).is_none() {
                    return not_found().into();
                }
            }
            if parent == "/incidents" {
                super::incidents::log_reassignment(store, &shared.base_url, &last, &entity);
            }
            match store.get_mut(&parent, &last) {
                Some(Value::Object(record)) => {
                    // The record keeps its own id, link and type (an update sends a reference's type).
                    record.extend(entity.into_iter().filter(|(k, _)| !matches!(k.as_str(), "id" | "self" | "type")));
                    ok(op.wrap_response(Value::Object(record.clone())))
                }
                _ => not_found().into(),
            }
        }
        ("DELETE", _, true) => {
            if store.remove(&parent, &last) {
                Answer::Empty(documented_status(op))
            } else {
                not_found().into()
            }
        }
        ("POST", Paging::AnalyticsBody, false) if store.collections.contains_key(&format!("/{last}")) => {
            analytics(store.list(&format!("/{last}")), body)
        }
        _ => documented_answer(shared, op),
    }
}

/// The success status the document gives `op` (200 when it gives none).
pub(super) fn documented_status(op: &Operation) -> StatusCode {
    StatusCode::from_u16(op.success).unwrap_or(StatusCode::OK)
}

/// Nothing stateful to do: the operation's documented success, with the spec's own example
/// (its links on this server) as the body, else an empty entity; no body for a 204.
pub(super) fn documented_answer(shared: &Shared, op: &Operation) -> Answer {
    let status = documented_status(op);
    if status == StatusCode::NO_CONTENT {
        return Answer::Empty(status);
    }
    let body = match (documented::example(op), op.response_wrapper) {
        (Some(example), _) => documented::on_base(example, &shared.base_url),
        (None, Some(w)) => json!({ w: {} }),
        (None, None) => json!({}),
    };
    Answer::Json(status, body)
}

/// The documented names of the list a GET-by-name belongs to (`/abilities` for
/// `/abilities/{id}`), when that list is one of plain strings.
pub(super) fn names(op: &Operation) -> Option<&'static Vec<Value>> {
    let list = documented::list_of(op)?;
    let field = documented::list_field(list)?;
    let names = documented::example(list)?.get(field)?.as_array()?;
    names.first().is_some_and(Value::is_string).then_some(names)
}

/// The parent a path names (`/users/PU1/contact_methods` → `/users`, `PU1`) when the
/// operation's second segment is a parameter.
pub(super) fn parent_of(path: &str, op: &Operation) -> Option<(String, String)> {
    let template: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if template.len() < 2 || segments.len() < 2 || !template[1].starts_with('{') {
        return None;
    }
    Some((format!("/{}", segments[0]), segments[1].to_string()))
}
