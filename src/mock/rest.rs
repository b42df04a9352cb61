//! The REST side of the mock: routing by the operation table, CRUD, paging, validation.

use super::documented;
use super::query::{Query, Window};
use super::store::Store;
use super::Shared;
use crate::spec::{self, FromHeader, Operation, Paging};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use std::borrow::Cow;

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

fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect()
}

/// `GET`/`PUT` of `/_mock/state`: dump or load the whole state, behind the same credential
/// rule as the API.
pub(crate) fn state_endpoint(shared: &Shared, method: &Method, headers: &HeaderMap, body: &Bytes) -> Response {
    if !authorized(headers) {
        return error(StatusCode::UNAUTHORIZED, 2006, "Unauthorized", vec![]);
    }
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

fn authorized(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else { return false };
    let token = value.strip_prefix("Token token=").or_else(|| value.strip_prefix("Bearer "));
    token.is_some_and(|t| !t.trim().is_empty())
}

/// An answer decided under the state lock. A `Json` value is serialized after the lock is
/// released; a listing's page is already bytes (see [`page_answer`]).
enum Answer {
    Json(StatusCode, Value),
    Page(Vec<u8>),
    Empty(StatusCode),
    Done(Response),
}

impl From<Response> for Answer {
    fn from(response: Response) -> Self {
        Answer::Done(response)
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        match self {
            Answer::Json(status, body) => (status, Json(body)).into_response(),
            Answer::Page(bytes) => ([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response(),
            Answer::Empty(status) => status.into_response(),
            Answer::Done(response) => response,
        }
    }
}

fn ok(body: Value) -> Answer {
    Answer::Json(StatusCode::OK, body)
}

/// A listing's page written straight from the records the state holds: `{field: [records...],
/// and the paging fields}`. Serializing borrowed records under the lock costs less than copying
/// them to serialize after it (a deep copy of every record allocates per field).
fn page_answer(field: &str, records: &[&Value], paging: &[(&str, Value)]) -> Answer {
    struct Body<'a> {
        field: &'a str,
        records: &'a [&'a Value],
        paging: &'a [(&'a str, Value)],
    }
    impl serde::Serialize for Body<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = serializer.serialize_map(Some(1 + self.paging.len()))?;
            map.serialize_entry(self.field, self.records)?;
            for (key, value) in self.paging {
                map.serialize_entry(key, value)?;
            }
            map.end()
        }
    }
    match serde_json::to_vec(&Body { field, records, paging }) {
        Ok(bytes) => Answer::Page(bytes),
        // Values the mock holds always serialize; should one not, say so rather than send half.
        Err(e) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, 0, "The mock could not write the page", vec![e.to_string()]).into()
        }
    }
}

pub(crate) fn handle(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Response {
    if !authorized(headers) {
        // PagerDuty's code for a missing or refused credential.
        return error(StatusCode::UNAUTHORIZED, 2006, "Unauthorized", vec![]);
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
    let answer = {
        let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
        decide(shared, &mut store, op, &path, &query, body)
    };
    answer.into_response()
}

/// What the mock answers to `op` on `path`, from the state.
fn decide(
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
            Some(record) => ok(wrap(op.response_wrapper, record.clone())),
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
            Answer::Json(documented_status(op), wrap(op.response_wrapper, incident))
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
            let record = Value::Object(record);
            store.insert(path, record.clone());
            if op.path == "/incidents/{id}/notes" {
                let incident = path.split('/').nth(2).unwrap_or_default();
                super::incidents::log_note(store, &shared.base_url, incident);
            }
            Answer::Json(documented_status(op), wrap(op.response_wrapper, record))
        }
        ("PUT" | "PATCH", _, true) if op.request_wrapper.is_some() => {
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
                    record.extend(entity.into_iter().filter(|(k, _)| k != "id" && k != "self"));
                    ok(wrap(op.response_wrapper, Value::Object(record.clone())))
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
fn documented_status(op: &Operation) -> StatusCode {
    StatusCode::from_u16(op.success).unwrap_or(StatusCode::OK)
}

/// Nothing stateful to do: the operation's documented success, with the spec's own example
/// (its links on this server) as the body, else an empty entity; no body for a 204.
fn documented_answer(shared: &Shared, op: &Operation) -> Answer {
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
fn names(op: &Operation) -> Option<&'static Vec<Value>> {
    let list = documented::list_of(op)?;
    let field = documented::list_field(list)?;
    let names = documented::example(list)?.get(field)?.as_array()?;
    names.first().is_some_and(Value::is_string).then_some(names)
}

/// The parent a path names (`/users/PU1/contact_methods` → `/users`, `PU1`) when the
/// operation's second segment is a parameter.
fn parent_of(path: &str, op: &Operation) -> Option<(String, String)> {
    let template: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if template.len() < 2 || segments.len() < 2 || !template[1].starts_with('{') {
        return None;
    }
    Some((format!("/{}", segments[0]), segments[1].to_string()))
}

/// Analytics raw data computed from a collection (`POST /analytics/raw/incidents` from the
/// incidents held): filtered by `created_at_start`/`created_at_end`, `urgency` and
/// `service_ids`, ordered by `created_at`, paged by `starting_after` (an id) and `limit`.
fn analytics(records: &[Value], body: &Bytes) -> Answer {
    let request: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) if body.is_empty() => json!({}),
        Err(e) => return invalid(vec![format!("the body is not valid JSON: {e}")]).into(),
    };
    let filters = request.get("filters").cloned().unwrap_or_else(|| json!({}));
    let bound =
        |key: &'static str| filters.get(key).and_then(Value::as_str).map(|t| (key, super::query::parse_time(t)));
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
            let at = r.get("created_at").and_then(Value::as_str).and_then(super::query::parse_time);
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
        "created_at" => {
            r.get("created_at").and_then(Value::as_str).and_then(super::query::parse_time).map(|t| t.timestamp())
        }
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
fn resolve_seconds(incident: &Value) -> Option<i64> {
    if incident.get("status").and_then(Value::as_str) != Some("resolved") {
        return None;
    }
    let at = |key: &str| incident.get(key).and_then(Value::as_str).and_then(super::query::parse_time);
    Some((at("last_status_change_at").or(at("updated_at"))? - at("created_at")?).num_seconds())
}

/// For a nested list (`/incidents/PI1/log_entries`): the parent's collection, its id, and the
/// top-level collection whose records refer to the parent (`/log_entries` by `incident.id`).
fn derived_parent(path: &str) -> Option<(String, String, String)> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let [parent, id, child] = segments[..] else { return None };
    Some((parent.to_string(), id.to_string(), format!("/{child}")))
}

/// The records of a list path: those held under it, else the records of the top-level
/// collection that refer to its parent (`/incidents/PI1/log_entries` lists the log entries
/// whose `incident.id` is PI1).
fn held_or_derived<'a>(store: &'a Store, path: &str) -> Vec<&'a Value> {
    let held = store.list(path);
    if !held.is_empty() {
        return held.iter().collect();
    }
    let Some((parent, id, top)) = derived_parent(path) else { return Vec::new() };
    let key =
        parent.strip_suffix("ies").map(|s| format!("{s}y")).unwrap_or_else(|| parent.trim_end_matches('s').to_string());
    store
        .list(&top)
        .iter()
        .filter(|r| r.get(&key).and_then(|p| p.get("id")).and_then(Value::as_str) == Some(id.as_str()))
        .collect()
}

fn wrap(wrapper: Option<&str>, value: Value) -> Value {
    match wrapper {
        Some(w) => json!({ w: value }),
        None => value,
    }
}

/// The wrapped entity of a request body, checked against the operation's request schema as
/// the document declares it: types, required fields and enum values, nested objects and lists
/// included. On failure, the error messages (for a 400 code 2001), each naming its field.
fn validated(op: &Operation, body: &Bytes) -> Result<Map<String, Value>, Vec<String>> {
    let wrapper = op.request_wrapper.unwrap_or_default();
    let parsed: Value = serde_json::from_slice(body).map_err(|e| vec![format!("the body is not valid JSON: {e}")])?;
    let mut errors = Vec::new();
    if let Some(shape) = documented::request_fields().get(&format!("{} {}", op.method, op.path)) {
        check(&Value::Object(shape.clone()), &parsed, "", &mut errors);
    }
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
fn validated_list(op: &Operation, body: &Bytes) -> Result<Vec<Value>, Vec<String>> {
    let wrapper = op.request_wrapper.unwrap_or_default();
    let parsed: Value = serde_json::from_slice(body).map_err(|e| vec![format!("the body is not valid JSON: {e}")])?;
    let mut errors = Vec::new();
    if let Some(shape) = documented::request_fields().get(&format!("{} {}", op.method, op.path)) {
        check(&Value::Object(shape.clone()), &parsed, "", &mut errors);
    }
    match parsed.get(wrapper) {
        Some(Value::Array(list)) if errors.is_empty() => Ok(list.clone()),
        Some(Value::Array(_)) => Err(errors),
        _ => {
            errors.push(format!("{wrapper} must be a list"));
            Err(errors)
        }
    }
}

/// Checks `value` at `path` against a schema shape (see the build's `table::shape`).
fn check(shape: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let name = |field: &str| if path.is_empty() { field.to_string() } else { format!("{path}.{field}") };
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
    let here = if path.is_empty() { "the body".to_string() } else { path.to_string() };
    if !fits {
        errors.push(format!("{here} must be of type {expected}"));
        return;
    }
    if let (Some(Value::Array(allowed)), Some(text)) = (shape.get("enum"), value.as_str()) {
        if !allowed.iter().any(|a| a.as_str() == Some(text)) {
            let list: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
            errors.push(format!("{here} must be one of {} (got {text:?})", list.join(", ")));
        }
    }
    if let Value::Object(map) = value {
        let properties = shape.get("properties");
        for field in shape.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            // A `type` with a single allowed value is implied by the endpoint (the live API fills
            // it in, and so does the mock).
            let implied = field == "type"
                && properties
                    .and_then(|p| p.get("type"))
                    .and_then(|t| t.get("enum"))
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.len() == 1);
            if !map.contains_key(field) && !implied {
                errors.push(format!("{} is required", name(field)));
            }
        }
        if let Some(Value::Object(properties)) = properties {
            for (field, inner) in map {
                if let Some(inner_shape) = properties.get(field) {
                    check(inner_shape, inner, &name(field), errors);
                }
            }
        }
    }
    if let (Value::Array(items), Some(item_shape)) = (value, shape.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check(item_shape, item, &format!("{here}[{i}]"), errors);
        }
    }
}

/// Whether the operation takes a query parameter (`statuses` for `statuses[]`): PagerDuty
/// ignores the ones an operation does not take.
fn declares(op: &Operation, name: &str) -> bool {
    op.params.iter().any(|p| p.location == spec::ParamIn::Query && p.name.trim_end_matches("[]") == name)
}

/// A listing's filters, read once from the query, each kept only where the operation takes it:
/// `query` (a case-insensitive match on name, email, summary or title), the time window (on
/// `execution_time` for audit records, else `created_at`), `statuses[]`, `urgencies[]`,
/// `service_ids[]`, `incident_key`.
struct Filters<'q> {
    text: Option<String>,
    window: Window,
    statuses: Vec<&'q str>,
    urgencies: Vec<&'q str>,
    service_ids: Vec<&'q str>,
    incident_key: Option<&'q str>,
}

impl<'q> Filters<'q> {
    fn of(op: &Operation, query: &Query<'q>, window: Window) -> Self {
        let list = |name: &str| if declares(op, name) { query.list(name) } else { Vec::new() };
        Self {
            text: query.get("query").filter(|q| !q.is_empty() && declares(op, "query")).map(str::to_lowercase),
            window,
            statuses: list("statuses"),
            urgencies: list("urgencies"),
            service_ids: list("service_ids"),
            incident_key: query.get("incident_key").filter(|_| declares(op, "incident_key")),
        }
    }

    /// The records that pass every filter, in order: the collection itself when no filter is
    /// set (a listing of 10,000 records without filters copies nothing).
    fn select<'r, 'v>(&self, records: &'r [&'v Value]) -> Cow<'r, [&'v Value]> {
        if self.is_open() {
            Cow::Borrowed(records)
        } else {
            Cow::Owned(records.iter().copied().filter(|r| self.pass(r)).collect())
        }
    }

    /// Whether no filter is set: every record passes.
    fn is_open(&self) -> bool {
        self.text.is_none()
            && self.window.is_open()
            && self.statuses.is_empty()
            && self.urgencies.is_empty()
            && self.service_ids.is_empty()
            && self.incident_key.is_none()
    }

    /// Whether a record passes every filter. A filter that is not set reads nothing of the record
    /// (a listing of 10,000 records without filters looks none of them up).
    fn pass(&self, record: &Value) -> bool {
        let text = |field: &str| record.get(field).and_then(Value::as_str);
        if let Some(q) = &self.text {
            let hit = ["name", "email", "summary", "title"]
                .iter()
                .any(|f| text(f).is_some_and(|v| v.to_lowercase().contains(q.as_str())));
            if !hit {
                return false;
            }
        }
        /// Whether a list filter is unset or holds the record's value (read only when set).
        fn one_of<'r>(wanted: &[&str], value: impl FnOnce() -> Option<&'r str>) -> bool {
            wanted.is_empty() || value().is_some_and(|v| wanted.contains(&v))
        }
        (self.window.is_open()
            || self
                .window
                .holds(record.get("execution_time").or_else(|| record.get("created_at")).and_then(Value::as_str)))
            && self.incident_key.is_none_or(|k| text("incident_key") == Some(k))
            && one_of(&self.statuses, || text("status"))
            && one_of(&self.urgencies, || text("urgency"))
            && one_of(&self.service_ids, || record.get("service")?.get("id")?.as_str())
    }
}

fn list(
    records: &[&Value],
    op: &Operation,
    path: &str,
    pairs: &[(String, String)],
    now: chrono::DateTime<chrono::Utc>,
) -> Answer {
    let query = Query::new(pairs);
    let field = op.items.map(String::from).unwrap_or_else(|| path.rsplit('/').next().unwrap_or("items").to_string());
    let checked = (|| {
        let limit = query.number("limit", 25, 1, u64::MAX)?.min(100) as usize;
        let window = if declares(op, "since") || declares(op, "until") {
            Window::of(&query, super::query::documented_limits(op.path), now)?
        } else {
            Window { since: None, until: None }
        };
        Ok::<_, String>((limit, window))
    })();
    let (limit, filters) = match checked {
        Ok((limit, window)) => (limit, Filters::of(op, &query, window)),
        Err(problem) => return invalid(vec![problem]).into(),
    };
    let matching = filters.select(records);
    if op.paging == Paging::Offset {
        let offset = match query.number("offset", 0, 0, u64::MAX) {
            Ok(offset) => usize::try_from(offset).unwrap_or(usize::MAX),
            Err(problem) => return invalid(vec![problem]).into(),
        };
        if offset.saturating_add(limit) > crate::OFFSET_CAP as usize {
            return error(
                StatusCode::BAD_REQUEST,
                2002,
                "Arguments Caused Error",
                vec!["Offset must be less than 10000.".into()],
            )
            .into();
        }
        let page = slice(&matching, offset, limit);
        let more = matching.len() > offset.saturating_add(page.len());
        let total = if query.flag("total") { json!(matching.len()) } else { Value::Null };
        // In the order PagerDuty writes them.
        let paging = [("limit", json!(limit)), ("offset", json!(offset)), ("total", total), ("more", json!(more))];
        return page_answer(&field, page, &paging);
    }
    let token = if op.paging == Paging::After { "after" } else { "cursor" };
    let start = match query.get(token).filter(|c| !c.is_empty()).map(super::query::position).transpose() {
        Ok(start) => start.unwrap_or(0),
        Err(problem) => return invalid(vec![problem]).into(),
    };
    let page = slice(&matching, start, limit);
    let followed = start.saturating_add(page.len()) < matching.len();
    let next = followed.then(|| super::query::cursor(start + page.len()));
    let next_key = if op.paging == Paging::After { "after" } else { "next_cursor" };
    let mut paging = vec![("limit", json!(limit)), (next_key, json!(next))];
    // `more` too where the document shows it on this listing.
    if documented::example(op).is_some_and(|e| e.get("more").is_some()) {
        paging.push(("more", json!(followed)));
    }
    page_answer(&field, page, &paging)
}

/// At most `limit` of `items` from position `start` (none past the end).
fn slice<T>(items: &[T], start: usize, limit: usize) -> &[T] {
    let start = start.min(items.len());
    &items[start..start.saturating_add(limit).min(items.len())]
}
