//! Pagination as `Stream`s, the kind chosen from the operation table: classic offset paging
//! (with its 10,000 record cap reported, never silently hit), cursor paging, analytics body
//! paging and `after` paging; plus `list_all`, `dict_all`, `get_total`, `find` and `persist`.

use crate::spec::{self, Paging};
use crate::target::{canonical_path, Target};
use crate::{Error, RestClient, Result};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, VecDeque};

/// PagerDuty refuses classic paging past `offset + limit = 10000`.
pub const OFFSET_CAP: u64 = 10_000;

/// Options of a listing: query parameters, page size, `total=true`.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct ListOptions {
    params: Vec<(String, String)>,
    page_size: Option<u64>,
    total: bool,
    concurrency: usize,
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
        let key = if key.ends_with("[]") { key.to_string() } else { format!("{key}[]") };
        self.params.extend(values.into_iter().map(|v| (key.clone(), v.to_string())));
        self
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

    /// Fetch up to `n` offset pages at once (offset paging only). The first page asks for
    /// `total`; the rest are requested concurrently and still yielded in order. Requests stay
    /// bounded by the client's rate limiter and retry policy.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn without(&self, keys: &[&str]) -> Vec<(String, String)> {
        self.params.iter().filter(|(k, _)| !keys.contains(&k.as_str())).cloned().collect()
    }
}

/// A classic page's items and what it says of the next one.
struct Page {
    items: Vec<Value>,
    more: bool,
    total: Option<u64>,
}

fn take_items(body: &mut Value, field: &str) -> Result<Vec<Value>> {
    match body.get_mut(field).map(Value::take) {
        Some(Value::Array(items)) => Ok(items),
        Some(Value::Null) | None => match body.as_object() {
            Some(map) if !map.contains_key(field) => {
                Err(Error::MissingWrapper { expected: field.to_string(), got: map.keys().cloned().collect() })
            }
            _ => Ok(Vec::new()),
        },
        Some(_) => Err(Error::MissingWrapper { expected: format!("{field} (an array)"), got: vec![field.to_string()] }),
    }
}

/// Decodes one record; a `Value` is passed through as it is (no copy).
fn decode<T: DeserializeOwned + 'static>(value: Value) -> Result<T> {
    let any: Box<dyn std::any::Any> = Box::new(value);
    match any.downcast::<T>() {
        Ok(same) => Ok(*same),
        Err(any) => match any.downcast::<Value>() {
            Ok(value) => crate::raw::decode_value(*value),
            Err(_) => Err(Error::config("unreachable: a record is a JSON value")),
        },
    }
}

/// How one listing pages, resolved from the operation table.
struct Plan {
    target: Target,
    paging: Paging,
    items: String,
}

impl RestClient {
    fn plan(&self, path: &str) -> Result<Plan> {
        let target = Target::from(path);
        let base = self.pipeline().base_url();
        let url = target.resolve(base)?;
        let op = canonical_path(base, &url).and_then(|p| spec::find("GET", p).or_else(|| spec::find("POST", p)));
        let Some(op) = op.filter(|op| op.paging != Paging::None) else {
            return Err(Error::UrlRefused(format!("{path} is not a paged list in PagerDuty's API description")));
        };
        let items = op.items.map(String::from).unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_string());
        Ok(Plan { target, paging: op.paging, items })
    }

    /// Every record of a list, in order, as a stream of `T` (`serde_json::Value` or a generated
    /// type). The paging kind comes from the operation table: offset endpoints page by
    /// `limit`/`offset`; cursor endpoints (e.g. `/audit/records`) by `cursor`.
    ///
    /// Classic offset paging stops at 10,000 records: when more exist the stream ends with
    /// [`Error::PaginationCap`] instead of stopping silently; [`iter_history`](Self::iter_history)
    /// gets them all by splitting the time range.
    pub fn iter_all<T>(&self, path: &str, options: ListOptions) -> BoxStream<'static, Result<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let plan = match self.plan(path) {
            Ok(p) => p,
            Err(e) => return stream::once(async { Err(e) }).boxed(),
        };
        let raw = match plan.paging {
            Paging::Cursor => self.cursor_pages(plan, options),
            Paging::After => self.after_pages(plan, options),
            _ => self.offset_pages(plan, options, path.to_string()),
        };
        raw.map(|r| r.and_then(decode)).boxed()
    }

    /// Cursor paging over any cursor endpoint (`limit`, `cursor` in; `next_cursor` out).
    pub fn iter_cursor<T>(&self, path: &str, options: ListOptions) -> BoxStream<'static, Result<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        match self.plan(path) {
            Ok(plan) => self.cursor_pages(plan, options).map(|r| r.and_then(decode)).boxed(),
            Err(e) => stream::once(async { Err(e) }).boxed(),
        }
    }

    /// One classic page: (items, more, total).
    async fn offset_page(
        &self,
        plan: &Plan,
        options: &ListOptions,
        offset: u64,
        limit: u64,
        total: bool,
    ) -> Result<Page> {
        let mut request = self.request(reqwest::Method::GET, plan.target.clone());
        for (k, v) in options.without(&["offset", "limit", "total"]) {
            request = request.query(k, v);
        }
        request = request.query("limit", limit).query("offset", offset);
        if total {
            request = request.query("total", "true");
        }
        let mut body: Value = request.json().await?;
        Ok(Page {
            items: take_items(&mut body, &plan.items)?,
            more: body.get("more").and_then(Value::as_bool).unwrap_or(false),
            total: body.get("total").and_then(Value::as_u64),
        })
    }

    fn offset_pages(&self, plan: Plan, options: ListOptions, path: String) -> BoxStream<'static, Result<Value>> {
        let offset = options.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        let limit = options.page_size.or_else(|| options.get("limit").and_then(|l| l.parse().ok())).unwrap_or(100);
        if options.concurrency > 1 {
            return self.offset_pages_concurrent(plan, options, path, offset, limit);
        }
        struct State {
            client: RestClient,
            plan: Plan,
            options: ListOptions,
            offset: u64,
            limit: u64,
            buffer: VecDeque<Value>,
            done: bool,
            path: String,
            yielded: u64,
        }
        let state = State {
            client: self.clone(),
            plan,
            options,
            offset,
            limit,
            buffer: VecDeque::new(),
            done: false,
            path,
            yielded: 0,
        };
        stream::try_unfold(state, |mut s| async move {
            loop {
                if let Some(item) = s.buffer.pop_front() {
                    s.yielded += 1;
                    return Ok(Some((item, s)));
                }
                if s.done {
                    return Ok(None);
                }
                let room = OFFSET_CAP.saturating_sub(s.offset);
                if room == 0 {
                    return Err(Error::PaginationCap { path: s.path.clone(), yielded: s.yielded });
                }
                let page =
                    s.client.offset_page(&s.plan, &s.options, s.offset, s.limit.min(room), s.options.total).await?;
                s.offset += page.items.len() as u64;
                s.done = !page.more || page.items.is_empty();
                s.buffer.extend(page.items);
            }
        })
        .boxed()
    }

    fn offset_pages_concurrent(
        &self,
        plan: Plan,
        options: ListOptions,
        path: String,
        offset: u64,
        limit: u64,
    ) -> BoxStream<'static, Result<Value>> {
        let client = self.clone();
        let n = options.concurrency;
        let pages = async move {
            let room = OFFSET_CAP.saturating_sub(offset);
            if room == 0 {
                return Err(Error::PaginationCap { path, yielded: 0 });
            }
            let first = client.offset_page(&plan, &options, offset, limit.min(room), true).await?;
            let first_len = first.items.len() as u64;
            let head = stream::iter(first.items.into_iter().map(Ok));
            let Some(total) = first.total.filter(|_| first.more && first_len > 0) else {
                // Last page, or no total to plan with: read the rest one page at a time.
                let rest = if first.more && first_len > 0 {
                    let options = options.clone().param("offset", offset + first_len);
                    client.offset_pages(plan, ListOptions { concurrency: 1, ..options }, path)
                } else {
                    stream::empty().boxed()
                };
                return Ok(head.chain(rest).boxed());
            };
            let end = total.min(OFFSET_CAP);
            let starts: Vec<u64> = (offset + first_len..end).step_by(limit as usize).collect();
            let fetched = first_len + starts.iter().map(|&s| limit.min(end - s)).sum::<u64>();
            let plan = std::sync::Arc::new(plan);
            let rest = stream::iter(starts)
                .map(move |start| {
                    let (client, plan, options) = (client.clone(), plan.clone(), options.clone());
                    async move { client.offset_page(&plan, &options, start, limit.min(end - start), false).await }
                })
                .buffered(n)
                .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
                .try_flatten();
            let cap = (total > OFFSET_CAP).then_some(Err(Error::PaginationCap { path, yielded: fetched }));
            Ok(head.chain(rest).chain(stream::iter(cap)).boxed())
        };
        stream::once(pages).try_flatten().boxed()
    }

    fn cursor_pages(&self, plan: Plan, options: ListOptions) -> BoxStream<'static, Result<Value>> {
        self.token_pages(plan, options, "cursor", |body| {
            body.get("next_cursor").and_then(Value::as_str).map(String::from)
        })
    }

    fn after_pages(&self, plan: Plan, options: ListOptions) -> BoxStream<'static, Result<Value>> {
        self.token_pages(plan, options, "after", |body| body.get("after").and_then(Value::as_str).map(String::from))
    }

    /// Paging by a token passed back as query parameter `param` until the token is null.
    fn token_pages(
        &self,
        plan: Plan,
        options: ListOptions,
        param: &'static str,
        next: fn(&Value) -> Option<String>,
    ) -> BoxStream<'static, Result<Value>> {
        let client = self.clone();
        let start = options.get(param).map(String::from);
        let state = (Some(start), VecDeque::new());
        stream::try_unfold(state, move |(mut token, mut buffer): (Option<Option<String>>, VecDeque<Value>)| {
            let client = client.clone();
            let options = options.clone();
            let target = plan.target.clone();
            let items = plan.items.clone();
            async move {
                loop {
                    if let Some(item) = buffer.pop_front() {
                        return Ok(Some((item, (token, buffer))));
                    }
                    let Some(current) = token.take() else { return Ok(None) };
                    let mut request = client.request(reqwest::Method::GET, target.clone());
                    for (k, v) in options.without(&[param, "limit"]) {
                        request = request.query(k, v);
                    }
                    request = request.query("limit", options.page_size.unwrap_or(100));
                    if let Some(c) = &current {
                        request = request.query(param, c);
                    }
                    let mut body: Value = request.json().await?;
                    let page = take_items(&mut body, &items)?;
                    // A repeated token would loop forever: stop instead.
                    token = next(&body).filter(|n| Some(n) != current.as_ref()).map(Some);
                    buffer.extend(page);
                }
            }
        })
        .boxed()
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

    /// Every note of an incident (`/incidents/{id}/notes`, which is not paged).
    pub async fn iter_incident_notes(&self, incident_id: &str) -> Result<Vec<Value>> {
        let body: Value = self.jget(format!("/incidents/{incident_id}/notes")).await?;
        let mut body = body;
        take_items(&mut body, "notes")
    }

    /// Analytics raw data (`POST /analytics/raw/...`), paged by `starting_after` in the body.
    pub fn iter_analytics<T>(&self, path: &str, filters: Value) -> BoxStream<'static, Result<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let client = self.clone();
        let path = path.to_string();
        stream::try_unfold((Some(None::<Value>), VecDeque::new()), move |(mut after, mut buffer)| {
            let client = client.clone();
            let path = path.clone();
            let filters = filters.clone();
            async move {
                loop {
                    if let Some(item) = buffer.pop_front() {
                        return Ok(Some((item, (after, buffer))));
                    }
                    let Some(current) = after.take() else { return Ok(None) };
                    let mut body = json!({ "filters": filters, "limit": 1000 });
                    if let Some(c) = &current {
                        body["starting_after"] = c.clone();
                    }
                    let mut page: Value = client.jpost(path.as_str(), &body).await?;
                    let data = take_items(&mut page, "data")?;
                    let more = page.get("more").and_then(Value::as_bool).unwrap_or(false);
                    after = (more && !data.is_empty()).then(|| page.get("last").cloned()).flatten().map(Some);
                    buffer.extend(data);
                }
            }
        })
        .map(|r| r.and_then(decode))
        .boxed()
    }
}

impl RestClient {
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
            client: RestClient,
            path: String,
            options: ListOptions,
            cursor_paged: bool,
            windows: Vec<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
            current: Option<BoxStream<'static, Result<Value>>>,
            seen: std::collections::HashSet<String>,
        }
        let cursor_paged = match self.plan(path) {
            Ok(plan) => plan.paging == Paging::Cursor,
            Err(e) => return stream::once(async { Err(e) }).boxed(),
        };
        let state = State {
            client: self.clone(),
            path: path.to_string(),
            options,
            cursor_paged,
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
                            let id = record.get("id").and_then(Value::as_str).map(String::from);
                            if let Some(id) = id {
                                if !s.seen.insert(id) {
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
                    s.current = Some(s.client.iter_all::<Value>(&s.path, ranged));
                    continue;
                }
                let span = to - from;
                if span <= chrono::Duration::seconds(1) {
                    return Err(Error::PaginationCap { path: s.path.clone(), yielded: s.seen.len() as u64 });
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
