//! Pagination as `Stream`s, the kind chosen from the operation table: classic offset paging
//! (with its 10,000 record cap reported, never silently hit), cursor paging, analytics body
//! paging and `after` paging; plus `list_all`, `dict_all`, `get_total`, `find` and `persist`.

use crate::page::{decode, Record};
use crate::pager;
use crate::spec::{self, Operation, Paging, ParamIn};
use crate::target::{canonical_path_in, Target};
use crate::{ApiClient, Error, Result};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// PagerDuty refuses classic paging past `offset + limit = 10000`.
pub const OFFSET_CAP: u64 = 10_000;

/// Options of a listing: query parameters, page size, `total=true`.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct ListOptions {
    params: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    page_size: Option<u64>,
    total: bool,
    concurrency: usize,
    watch: Option<TotalWatch>,
}

/// The `total` of a listing as it goes: give it to [`ListOptions::watch_total`] and read it
/// while the stream runs (for a progress bar, say). It holds the latest `total` a page
/// reported, which can change while the collection does. Cheap to clone; clones share the value.
#[derive(Clone, Debug, Default)]
pub struct TotalWatch(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl TotalWatch {
    const UNKNOWN: u64 = 0;

    /// A watch with no total yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The latest `total` a page reported, if any has (offset listings with `total=true`).
    pub fn get(&self) -> Option<u64> {
        match self.0.load(std::sync::atomic::Ordering::Relaxed) {
            Self::UNKNOWN => None,
            stored => Some(stored - 1),
        }
    }

    fn set(&self, total: u64) {
        self.0.store(total.saturating_add(1), std::sync::atomic::Ordering::Relaxed);
    }
}

impl ListOptions {
    /// Empty options (page size 100).
    pub fn new() -> Self {
        Self::default()
    }

    /// A query parameter (repeat the call for several values of one key).
    pub fn param(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.params.push((key.into(), value.to_string()));
        self
    }

    /// A list parameter, sent as `key[]=v` per value.
    pub fn param_list<I: IntoIterator<Item = V>, V: ToString>(mut self, key: &str, values: I) -> Self {
        let key = list_key(key);
        self.params.extend(values.into_iter().map(|v| (key.clone(), v.to_string())));
        self
    }

    /// A header sent with every page request (e.g. `X-EARLY-ACCESS`); a default header of the
    /// client with the same name is replaced.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The headers sent with every page request.
    pub(crate) fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Records per request (`limit`), default 100.
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size.max(1));
        self
    }

    /// Ask for `total` (offset paging), at the cost of a slower first page.
    pub fn total(mut self, yes: bool) -> Self {
        self.total = yes;
        self
    }

    /// Asks for `total` and reports it to `watch` as each page arrives.
    pub fn watch_total(mut self, watch: &TotalWatch) -> Self {
        self.total = true;
        self.watch = Some(watch.clone());
        self
    }

    /// Passes a page's `total` on to the watch, if there is one.
    pub(crate) fn report_total(&self, total: u64) {
        if let Some(watch) = &self.watch {
            watch.set(total);
        }
    }

    /// Fetch up to `n` offset pages at once (offset paging only). The first page asks for
    /// `total`; the rest are requested concurrently and still yielded in order. Requests stay
    /// bounded by the client's rate limiter and retry policy.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The page size asked for: [`page_size`](Self::page_size), else a numeric `limit` param.
    pub(crate) fn page_size_or_limit(&self) -> Option<u64> {
        self.page_size.or_else(|| self.get("limit").and_then(|l| l.trim().parse().ok()))
    }

    pub(crate) fn concurrency_or_one(&self) -> usize {
        self.concurrency.max(1)
    }

    /// Whether `total=true` was asked for (by [`total`](Self::total) or a `total` param).
    pub(crate) fn wants_total(&self) -> bool {
        self.total || self.get("total").is_some_and(|t| matches!(t, "true" | "1" | "True"))
    }

    pub(crate) fn without(&self, keys: &[&str]) -> Vec<(String, String)> {
        self.params.iter().filter(|(k, _)| !keys.contains(&k.as_str())).cloned().collect()
    }
}

/// The query key of a list parameter: `statuses` and `statuses[]` both give `statuses[]`.
pub(crate) fn list_key(key: &str) -> String {
    if key.ends_with("[]") {
        key.to_string()
    } else {
        format!("{key}[]")
    }
}

/// How one listing pages, resolved from the operation table.
pub(crate) struct Plan {
    target: Target,
    op: &'static Operation,
    items: String,
}

/// Query parameters that shape a listing's pages or records but do not narrow which records
/// it holds.
const NOT_FILTERS: &[&str] =
    &["limit", "offset", "total", "cursor", "after", "include[]", "include", "sort_by", "time_zone", "date_range"];

/// Whether `op` takes the query parameter `name`.
fn takes(op: &Operation, name: &str) -> bool {
    op.params.iter().any(|p| p.location == ParamIn::Query && p.name == name)
}

/// What reads a listing past the 10,000 record cap, from its parameters: `iter_history` when
/// it takes `since` and `until`, else the filters that narrow it.
fn cap_hint(op: &Operation) -> String {
    if takes(op, "since") && takes(op, "until") {
        return "iter_history reads them all, splitting the time range by since and until".to_string();
    }
    filters_hint(op)
}

/// The filters that narrow a listing, as advice.
fn filters_hint(op: &Operation) -> String {
    let filters: Vec<&str> = op
        .params
        .iter()
        .filter(|p| p.location == ParamIn::Query && !NOT_FILTERS.contains(&p.name))
        .map(|p| p.name)
        .collect();
    if filters.is_empty() {
        "the listing takes no filter to narrow it".to_string()
    } else {
        format!("narrow the listing with its filters ({})", filters.join(", "))
    }
}

impl ApiClient {
    /// How `path` (a template's instance, or a full URL on the base host) pages.
    pub(crate) fn plan(&self, path: &str) -> Result<Plan> {
        let target = Target::from(path);
        let base = self.pipeline().base_url();
        let url = target.resolve(base)?;
        let api = self.pipeline().api();
        let op = canonical_path_in(api, base, &url)
            .and_then(|p| spec::find_in(api, "GET", p).or_else(|| spec::find_in(api, "POST", p)));
        // A list: paged, or (a GET) one answer holding its records in one field.
        let listing = |op: &&Operation| op.paging != Paging::None || (op.method == "GET" && op.items.is_some());
        let Some(op) = op.filter(listing) else {
            return Err(Error::NotPaged(crate::error::sanitize(path, 200)));
        };
        let items = op.items.map(String::from).unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_string());
        Ok(Plan { target, op, items })
    }

    /// Every record of a list, in order, as a stream of `T` (`serde_json::Value` or a generated
    /// type). The paging kind comes from the operation table: offset endpoints page by
    /// `limit`/`offset`; cursor endpoints (e.g. `/audit/records`) by `cursor`.
    ///
    /// The stream trusts only what the server returns (see the paging guarantees in the crate
    /// documentation): each record once, and a typed error, never a silent stop, when pages do
    /// not add up. Classic offset paging stops at 10,000 records: when more exist the stream
    /// ends with [`Error::PaginationCap`]; [`iter_history`](Self::iter_history) gets them all by
    /// splitting the time range.
    pub fn iter_all<T>(&self, path: &str, options: ListOptions) -> BoxStream<'static, Result<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let plan = match self.plan(path) {
            Ok(p) => p,
            Err(e) => return stream::once(async { Err(e) }).boxed(),
        };
        self.plan_records(plan, options, Value::Object(Map::new()), path).map(|r| r.and_then(decode)).boxed()
    }

    /// The records of a planned listing; `filters` is the body filter of analytics listings.
    pub(crate) fn plan_records(
        &self,
        plan: Plan,
        options: ListOptions,
        filters: Value,
        path: &str,
    ) -> BoxStream<'static, Result<Record>> {
        match plan.op.paging {
            Paging::Cursor => self.token_records(plan, options, "cursor", "next_cursor", path),
            Paging::After => self.token_records(plan, options, "after", "after", path),
            Paging::AnalyticsBody => {
                let kind = pager::TokenKind::Analytics { filters };
                pager::records(pager::TokenPager::new(self.clone(), plan.target, plan.items, options, kind, path))
            }
            Paging::None => pager::records(pager::OnePage::new(self.clone(), plan.target, plan.items, options, path)),
            _ => {
                let hint = cap_hint(plan.op);
                pager::records(pager::OffsetPager::new(self.clone(), plan.target, plan.items, options, path, hint))
            }
        }
    }

    /// Cursor paging over any cursor endpoint (`limit`, `cursor` in; `next_cursor` out).
    pub fn iter_cursor<T>(&self, path: &str, options: ListOptions) -> BoxStream<'static, Result<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        match self.plan(path) {
            Ok(plan) => {
                self.token_records(plan, options, "cursor", "next_cursor", path).map(|r| r.and_then(decode)).boxed()
            }
            Err(e) => stream::once(async { Err(e) }).boxed(),
        }
    }

    fn token_records(
        &self,
        plan: Plan,
        options: ListOptions,
        param: &'static str,
        field: &'static str,
        path: &str,
    ) -> BoxStream<'static, Result<Record>> {
        let kind = pager::TokenKind::Query { param, field };
        pager::records(pager::TokenPager::new(self.clone(), plan.target, plan.items, options, kind, path))
    }

    /// Every record of a list, collected.
    pub async fn list_all<T>(&self, path: &str, options: ListOptions) -> Result<Vec<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        self.iter_all(path, options).try_collect().await
    }

    /// Every record of a list, keyed by the string value of `by` (e.g. `"id"`, `"email"`).
    pub async fn dict_all(&self, path: &str, by: &str, options: ListOptions) -> Result<BTreeMap<String, Value>> {
        let all: Vec<Value> = self.list_all(path, options).await?;
        Ok(all
            .into_iter()
            .filter_map(|v| {
                let key = match v.get(by)? {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Some((key, v))
            })
            .collect())
    }

    /// The total number of records of an offset-paged list (one request, `total=true&limit=1`).
    pub async fn get_total(&self, path: &str, options: ListOptions) -> Result<u64> {
        let mut request = self.request(reqwest::Method::GET, path);
        for (k, v) in options.without(&["limit", "offset", "total"]) {
            request = request.query(k, v);
        }
        let body: Value = request.query("limit", 1).query("offset", 0).query("total", "true").json().await?;
        body.get("total").and_then(Value::as_u64).ok_or_else(|| Error::MissingWrapper {
            expected: "total".into(),
            got: body.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default(),
        })
    }

    /// The first record of `path` whose `attribute` equals `query` (case-insensitive), searching
    /// with `?query=`; `None` when there is none.
    pub async fn find(&self, path: &str, query: &str, attribute: &str) -> Result<Option<Value>> {
        let wanted = query.to_lowercase();
        let mut records = self.iter_all::<Value>(path, ListOptions::new().param("query", query));
        while let Some(record) = records.next().await {
            let record = record?;
            if record.get(attribute).and_then(Value::as_str).is_some_and(|v| v.to_lowercase() == wanted) {
                return Ok(Some(record));
            }
        }
        Ok(None)
    }

    /// Creates the record of `path` whose `attribute` is `values[attribute]`, or, when one exists,
    /// returns it, updated with `values` only when `update` is set and something differs.
    pub async fn persist(&self, path: &str, attribute: &str, values: &Value, update: bool) -> Result<Value> {
        let key = values
            .get(attribute)
            .and_then(Value::as_str)
            .ok_or_else(|| Error::config(format!("persist: values have no string {attribute:?}")))?;
        let Some(existing) = self.find(path, key, attribute).await? else {
            return self.rpost(path, values).await;
        };
        let (Some(current), Some(new)) = (existing.as_object(), values.as_object()) else {
            return Ok(existing);
        };
        let changed = new.iter().any(|(k, v)| current.get(k) != Some(v));
        if !update || !changed {
            return Ok(existing);
        }
        let mut merged: Map<String, Value> = current.clone();
        merged.extend(new.clone());
        let target = Target::try_from(&existing).or_else(|_| {
            let id = existing.get("id").and_then(Value::as_str).unwrap_or_default();
            Ok::<_, Error>(Target::from(format!("{}/{}", path.trim_end_matches('/'), id)))
        })?;
        self.rput(target, &Value::Object(merged)).await
    }

    /// Every note of an incident (`/incidents/{id}/notes`, which is not paged): as
    /// [`list_all`](Self::list_all) on that path.
    pub async fn list_incident_notes(&self, incident_id: &str) -> Result<Vec<Value>> {
        self.list_all(&format!("/incidents/{incident_id}/notes"), ListOptions::new()).await
    }

    /// Analytics raw data (`POST /analytics/raw/...`), paged by `starting_after` in the body
    /// (`last` and `more` out), with the same checks as every other listing.
    pub fn iter_analytics<T>(&self, path: &str, filters: Value) -> BoxStream<'static, Result<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let kind = pager::TokenKind::Analytics { filters };
        let pager =
            pager::TokenPager::new(self.clone(), Target::from(path), "data".into(), ListOptions::new(), kind, path);
        pager::records(pager).map(|r| r.and_then(decode)).boxed()
    }
}

impl ApiClient {
    /// Every record of a time-ranged list (`/incidents`, `/log_entries`, `/change_events`,
    /// `/oncalls`, `/audit/records`...) between `since` and `until`, past the 10,000 record cap
    /// of classic paging: windows holding more than 10,000 records (counted with `total=true`)
    /// are split in two, recursively, and read in order. Records come in window order, each once
    /// (records on a window boundary are de-duplicated by `id`). Cursor endpoints have no cap and
    /// are read in one pass.
    pub fn iter_history<T>(
        &self,
        path: &str,
        since: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
        options: ListOptions,
    ) -> BoxStream<'static, Result<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        struct State {
            client: ApiClient,
            path: String,
            options: ListOptions,
            cursor_paged: bool,
            hint: String,
            windows: Vec<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
            current: Option<BoxStream<'static, Result<Record>>>,
            seen: std::collections::HashSet<String>,
        }
        let plan = self.plan(path).and_then(|plan| {
            if takes(plan.op, "since") && takes(plan.op, "until") {
                Ok(plan)
            } else {
                let path = crate::error::sanitize(path, 200);
                Err(Error::invalid(format!(
                    "{path} takes no since and until to split by time; {}",
                    filters_hint(plan.op)
                )))
            }
        });
        let (cursor_paged, hint) = match plan {
            Ok(plan) => (plan.op.paging == Paging::Cursor, format!("within one second; {}", filters_hint(plan.op))),
            Err(e) => return stream::once(async { Err(e) }).boxed(),
        };
        let state = State {
            client: self.clone(),
            path: path.to_string(),
            options,
            cursor_paged,
            hint,
            windows: vec![(since, until)],
            current: None,
            seen: Default::default(),
        };
        let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        stream::try_unfold(state, move |mut s| async move {
            loop {
                if let Some(current) = s.current.as_mut() {
                    match current.next().await {
                        Some(Ok(record)) => {
                            if let Some(id) = crate::page::record_id(&record) {
                                if !s.seen.insert(id.into_owned()) {
                                    continue;
                                }
                            }
                            return Ok(Some((record, s)));
                        }
                        Some(Err(e)) => return Err(e),
                        None => s.current = None,
                    }
                }
                let Some((from, to)) = s.windows.pop() else { return Ok(None) };
                let ranged = s.options.clone().param("since", stamp(from)).param("until", stamp(to));
                let fits = s.cursor_paged || s.client.get_total(&s.path, ranged.clone()).await? <= OFFSET_CAP;
                if fits {
                    s.current = Some(s.client.iter_all::<Record>(&s.path, ranged));
                    continue;
                }
                let span = to - from;
                if span <= chrono::Duration::seconds(1) {
                    let (path, yielded, hint) = (s.path.clone(), s.seen.len() as u64, s.hint.clone());
                    return Err(Error::PaginationCap { path, yielded, hint });
                }
                let mid = from + chrono::Duration::seconds(span.num_seconds() / 2);
                // Last pushed is read first: the earlier half.
                s.windows.push((mid, to));
                s.windows.push((from, mid));
            }
        })
        .map(|r| r.and_then(decode))
        .boxed()
    }
}
