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
/// `execution_time` for audit records, `start`/`end` overlapping it for on-calls, else
/// `created_at`), `statuses[]`, `urgencies[]`, `incident_key`, every `*_ids[]` (the record's
/// reference of that kind, one of its list of them, or for users its assignees), and the
/// maintenance windows' `filter` (open, future, past by the mock's clock).
pub(super) struct Filters<'q> {
    text: Option<String>,
    window: Window,
    statuses: Vec<&'q str>,
    urgencies: Vec<&'q str>,
    incident_key: Option<&'q str>,
    /// Per `*_ids` parameter: the reference kind (`service`) and the ids wanted.
    references: Vec<(String, Vec<&'q str>)>,
    /// `filter=open|future|past` and the clock to read it by.
    period: Option<(&'q str, chrono::DateTime<chrono::Utc>)>,
    /// A service's exact `name`.
    name: Option<&'q str>,
    /// `is_overview=true`: only the log entries of the incident's main events.
    overview: bool,
}

/// The query parameters a listing understands (besides every `*_ids`): paging, the time window,
/// the filters of [`Filters`], and the few a listing has alone.
const UNDERSTOOD: &[&str] = &[
    "limit",
    "offset",
    "total",
    "cursor",
    "after",
    "since",
    "until",
    "date_range",
    "query",
    "statuses",
    "urgencies",
    "incident_key",
    "sort_by",
];

/// The parameters one listing understands besides [`UNDERSTOOD`]: (path, parameter).
const OWN: &[(&str, &str)] = &[
    ("/maintenance_windows", "filter"),
    ("/services", "name"),
    ("/oncalls", "earliest"),
    ("/log_entries", "is_overview"),
];

/// Whether `op` takes `name` and understands it as a filter of its own ([`OWN`]).
fn owns(op: &Operation, name: &str) -> bool {
    OWN.contains(&(op.path, name)) && declares(op, name)
}

/// The documented query parameters of `op` this mock does not apply (`include[]` expansions,
/// `time_zone`...), for tests that want to know what it ignores.
pub(crate) fn ignored(op: &Operation) -> Vec<&'static str> {
    op.params
        .iter()
        .filter(|p| p.location == spec::ParamIn::Query)
        .map(|p| p.name)
        .filter(|name| {
            let bare = name.trim_end_matches("[]");
            !(UNDERSTOOD.contains(&bare) || bare.ends_with("_ids") || owns(op, bare))
        })
        .collect()
}

/// The `*_ids` filters of listings and the kind of reference each names.
pub(super) fn reference_filters(op: &Operation) -> Vec<(&'static str, String)> {
    op.params
        .iter()
        .filter(|p| p.location == spec::ParamIn::Query)
        .filter_map(|p| {
            let name = p.name.trim_end_matches("[]");
            name.strip_suffix("_ids").map(|kind| (p.name, kind.to_string()))
        })
        .collect()
}

impl<'q> Filters<'q> {
    fn of(op: &Operation, query: &Query<'q>, window: Window, now: chrono::DateTime<chrono::Utc>) -> Self {
        let list = |name: &str| if declares(op, name) { query.list(name) } else { Vec::new() };
        let references = reference_filters(op)
            .into_iter()
            .map(|(param, kind)| (kind, query.list(param.trim_end_matches("[]"))))
            .filter(|(_, ids)| !ids.is_empty())
            .collect();
        let period = query
            .get("filter")
            .filter(|f| owns(op, "filter") && matches!(*f, "open" | "future" | "past"))
            .map(|f| (f, now));
        Self {
            text: query.get("query").filter(|q| !q.is_empty() && declares(op, "query")).map(str::to_lowercase),
            window,
            statuses: list("statuses"),
            urgencies: list("urgencies"),
            incident_key: query.get("incident_key").filter(|_| declares(op, "incident_key")),
            references,
            period,
            name: query.get("name").filter(|n| !n.is_empty() && owns(op, "name")),
            overview: owns(op, "is_overview") && query.flag("is_overview"),
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
            && self.incident_key.is_none()
            && self.references.is_empty()
            && self.period.is_none()
            && self.name.is_none()
            && !self.overview
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
        let in_window = || match (text("start"), text("end")) {
            // An on-call: its span overlaps the window.
            (Some(start), end) if record.get("escalation_level").is_some() => self.window.overlaps(start, end),
            _ => self
                .window
                .holds(record.get("execution_time").or_else(|| record.get("created_at")).and_then(Value::as_str)),
        };
        (self.window.is_open() || in_window())
            && self.incident_key.is_none_or(|k| text("incident_key") == Some(k))
            && one_of(&self.statuses, || text("status"))
            && one_of(&self.urgencies, || text("urgency"))
            && self.references.iter().all(|(kind, ids)| references(record, kind).iter().any(|id| ids.contains(id)))
            && self.period.is_none_or(|(period, now)| in_period(record, period, now))
            && self.name.is_none_or(|name| text("name") == Some(name))
            && (!self.overview
                || text("type").is_some_and(|t| {
                    [
                        "trigger_log_entry",
                        "acknowledge_log_entry",
                        "resolve_log_entry",
                        "assign_log_entry",
                        "escalate_log_entry",
                    ]
                    .contains(&t)
                }))
    }
}

/// The ids of the references of `kind` a record holds: its `kind` reference, its list of
/// them (`services`, `teams`), and for users its assignees.
fn references<'r>(record: &'r Value, kind: &str) -> Vec<&'r str> {
    let id = |reference: &'r Value| reference.get("id").and_then(Value::as_str);
    let mut ids: Vec<&str> = record.get(kind).and_then(id).into_iter().collect();
    if let Some(Value::Array(list)) = record.get(format!("{kind}s").as_str()) {
        ids.extend(list.iter().filter_map(id));
    }
    if kind == "user" {
        if let Some(Value::Array(assignments)) = record.get("assignments") {
            ids.extend(assignments.iter().filter_map(|a| a.get("assignee").and_then(id)));
        }
    }
    ids
}

/// Whether a maintenance window is `open`, `future` or `past` at `now`.
fn in_period(record: &Value, period: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
    let at = |field: &str| record.get(field).and_then(Value::as_str).and_then(crate::time::parse);
    let (start, end) = (at("start_time"), at("end_time"));
    match period {
        "open" => start.is_some_and(|s| s <= now) && end.is_none_or(|e| now < e),
        "future" => start.is_some_and(|s| s > now),
        _ => end.is_some_and(|e| e <= now),
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
        Ok((limit, window)) => (limit, Filters::of(op, &query, window, now)),
        Err(problem) => return invalid(vec![problem]).into(),
    };
    let mut matching = filters.select(records);
    if let Some(sort) = query.get("sort_by").filter(|_| declares(op, "sort_by")) {
        sort_by(matching.to_mut(), sort);
    }
    if owns(op, "earliest") && query.flag("earliest") {
        // One on-call per user, policy and level: the one that starts first.
        let mut seen = std::collections::HashSet::new();
        let mut by_start = matching.into_owned();
        by_start.sort_by(|a, b| a["start"].as_str().cmp(&b["start"].as_str()));
        by_start.retain(|o| {
            seen.insert((o["user"]["id"].clone(), o["escalation_policy"]["id"].clone(), o["escalation_level"].clone()))
        });
        matching = Cow::Owned(by_start);
    }
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
/// Orders records by `field[:asc|:desc]` (PagerDuty's `sort_by`); several, comma-separated,
/// break ties in turn. Values compare as numbers when both are, else as text.
fn sort_by(records: &mut [&Value], sort: &str) {
    let keys: Vec<(&str, bool)> = sort
        .split(',')
        .map(|key| match key.rsplit_once(':') {
            Some((field, order)) => (field, order.eq_ignore_ascii_case("desc")),
            None => (key, false),
        })
        .collect();
    records.sort_by(|a, b| {
        for (field, descending) in &keys {
            let order = match (&a[*field], &b[*field]) {
                (Value::Number(x), Value::Number(y)) => {
                    x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(std::cmp::Ordering::Equal)
                }
                (x, y) => x.as_str().unwrap_or_default().cmp(y.as_str().unwrap_or_default()),
            };
            let order = if *descending { order.reverse() } else { order };
            if order != std::cmp::Ordering::Equal {
                return order;
            }
        }
        std::cmp::Ordering::Equal
    });
}

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
