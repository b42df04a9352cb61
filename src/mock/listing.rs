//! Listings: the records a path holds (its own collection, or derived from a parent record's),
//! the filters a request sets, and the page of them the request asks for (offset or cursor).

use super::answer::*;
use super::documented;
use super::query::{Query, Window};
use super::store::Store;
use crate::spec::{self, Operation, Paging};
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::borrow::Cow;

/// Whether the operation takes a query parameter (`statuses` for `statuses[]`): PagerDuty
/// ignores the ones an operation does not take.
pub(super) fn declares(op: &Operation, name: &str) -> bool {
    op.params.iter().any(|p| p.location == spec::ParamIn::Query && p.name.trim_end_matches("[]") == name)
}

/// A listing's filters, read once from the query, each kept only where the operation takes it:
/// `query` (a case-insensitive match on name, email, summary or title), the time window (on
/// `execution_time` for audit records, else `created_at`), `statuses[]`, `urgencies[]`,
/// `service_ids[]`, `incident_key`.
pub(super) struct Filters<'q> {
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

pub(super) fn list(
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
        if offset.saturating_add(limit) > spec::OFFSET_CAP as usize {
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
pub(super) fn slice<T>(items: &[T], start: usize, limit: usize) -> &[T] {
    let start = start.min(items.len());
    &items[start..start.saturating_add(limit).min(items.len())]
}

/// For a nested list (`/incidents/PI1/log_entries`): the parent's collection, its id, and the
/// top-level collection whose records refer to the parent (`/log_entries` by `incident.id`).
pub(super) fn derived_parent(path: &str) -> Option<(String, String, String)> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let [parent, id, child] = segments[..] else { return None };
    Some((parent.to_string(), id.to_string(), format!("/{child}")))
}

/// The records of a list path: those held under it, else the records of the top-level
/// collection that refer to its parent (`/incidents/PI1/log_entries` lists the log entries
/// whose `incident.id` is PI1).
pub(super) fn held_or_derived<'a>(store: &'a Store, path: &str) -> Vec<&'a Value> {
    let held = store.list(path);
    if !held.is_empty() {
        return held.iter().collect();
    }
    let Some((parent, id, top)) = derived_parent(path) else { return Vec::new() };
    let key = crate::naming::singular(&parent);
    store
        .list(&top)
        .iter()
        .filter(|r| r.get(&key).and_then(|p| p.get("id")).and_then(Value::as_str) == Some(id.as_str()))
        .collect()
}
