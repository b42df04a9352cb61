//! What every paged operation's `stream()` is: the request its builder built, listed page by
//! page on the paging engine of `iter_all`, each record decoded into the operation's item type.

use super::send::{build_error, Prepared};
use crate::listing::page::decode;
use crate::pipeline::Pipeline;
use crate::{ApiClient, ListOptions, Result};
use futures::stream::{self, BoxStream, StreamExt};
use progenitor_client::ClientInfo;
use reqwest::header::{HeaderName, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Headers of the built request that do not go with every page: the pipeline sets its own media
/// and length headers, and progenitor's `api-version` is not PagerDuty's.
fn per_page(name: &HeaderName) -> bool {
    ![ACCEPT, CONTENT_TYPE, CONTENT_LENGTH].contains(name) && name.as_str() != "api-version"
}

/// Lists the built request: its path and query (for analytics, its body's `filters` and
/// `limit`) on every page, and the headers set on the builder (`From`, `X-EARLY-ACCESS`...).
#[allow(dead_code, reason = "called by the paged operations the enabled features generate")]
pub(crate) fn stream<'a, C, T, E>(prepared: Prepared<'a, C, E>) -> BoxStream<'a, Result<T>>
where
    C: ClientInfo<Pipeline>,
    T: DeserializeOwned + Send + 'static,
{
    let records = (|| {
        let (client, request, _) = prepared.map_err(build_error)?;
        let client = ApiClient::from_pipeline(client.inner().clone());
        let mut url = request.url().clone();
        let mut options = ListOptions::new();
        for (k, v) in url.query_pairs() {
            options = options.param(k, v);
        }
        for (name, value) in request.headers() {
            if let (true, Ok(value)) = (per_page(name), value.to_str()) {
                options = options.header(name.as_str(), value);
            }
        }
        url.set_query(None);
        let path = url.path().to_string();
        let plan = client.plan(url.as_str())?;
        let body: Value = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or(Value::Null);
        if let Some(limit) = body.get("limit").and_then(Value::as_u64) {
            options = options.page_size(limit);
        }
        let filters = body.get("filters").cloned().unwrap_or_else(|| Value::Object(Map::new()));
        Ok(client.plan_records(plan, options, filters, &path).map(|r| r.and_then(decode::<T>)))
    })();
    match records {
        Ok(records) => records.boxed(),
        Err(e) => stream::once(async { Err(e) }).boxed(),
    }
}
