//! Pagination as `Stream`s, the kind chosen from the operation table: classic offset paging
//! (with its 10,000 record cap reported, never silently hit), cursor paging, analytics body
//! paging and `after` paging; plus `list_all`, `dict_all`, `get_total`, `find` and `persist`.

use crate::listing::advice::cap_hint;
use crate::listing::engine as pager;
use crate::listing::options::ListOptions;
use crate::listing::page::{decode, Record};
use crate::spec::{self, Operation, Paging};
use crate::target::{canonical_path_in, Target};
use crate::{ApiClient, Error, Result};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// How one listing pages, resolved from the operation table.
pub(crate) struct Plan {
    target: Target,
    /// The listing's operation.
    pub(crate) op: &'static Operation,
    items: String,
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
        body.get("total").and_then(Value::as_u64).ok_or_else(|| Error::missing_wrapper("total", &body))
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
