//! [`ApiClient`], the generic client core every API's client is built on: a pipeline, and (in
//! `raw.rs` and `listing/`) the raw, entity and listing verbs on it.

use crate::pipeline::Pipeline;
use crate::spec::Api;

/// The generic client every PagerDuty API's client is built on: one request pipeline (auth, headers,
/// retries, rate limits, metrics) and the raw, entity and paging verbs (`request`, `rget`,
/// `iter_all`...), which read the operation table of the client's own document (its entity
/// wrappers and paging kinds). Cheap to clone; clones share one connection pool and pipeline.
///
/// [`RestClient`](crate::RestClient) adds the typed REST client and dereferences to this type, so
/// `pd.rget("/users/PABC123")` works on either; the SCIM and MCP clients give theirs with
/// `raw()`.
#[derive(Clone, Debug)]
pub struct ApiClient {
    pipeline: Pipeline,
}

impl ApiClient {
    /// The client of a pipeline.
    pub(crate) fn from_pipeline(pipeline: Pipeline) -> Self {
        Self { pipeline }
    }

    /// The request pipeline.
    pub(crate) fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// The base URL requests go to (the region's, or the one given to the builder).
    pub fn base_url(&self) -> &reqwest::Url {
        self.pipeline.base_url()
    }

    /// The HTTP client requests go through (its connection pool is shared by every clone of
    /// this client); reuse it to build another client with [`ClientBuilder::http_client`](crate::ClientBuilder::http_client).
    pub fn http(&self) -> &reqwest::Client {
        self.pipeline.http()
    }

    /// The document whose operation table this client reads.
    pub fn document(&self) -> Api {
        self.pipeline.api()
    }

    /// The base URL without a trailing slash, as the generated clients want it.
    pub(crate) fn base(&self) -> &str {
        self.pipeline.base_url().as_str().trim_end_matches('/')
    }

    /// A generated client (`T::new_with_client`) on this client's pipeline.
    #[cfg_attr(
        not(any(
            pdrs_rest,
            pdrs_scim,
            pdrs_slack,
            pdrs_jira_cloud,
            pdrs_jira_server,
            pdrs_ms_teams,
            pdrs_events_v2,
            pdrs_events_v1,
            pdrs_mcp
        )),
        allow(dead_code)
    )]
    pub(crate) fn typed<T>(&self, new: fn(&str, reqwest::Client, Pipeline) -> T) -> T {
        new(self.base(), self.pipeline.http().clone(), self.pipeline.clone())
    }

    /// HTTP attempts per `"METHOD canonical_path"` (e.g. `"POST /users/{id}/contact_methods"`),
    /// typed and raw calls alike.
    pub fn api_call_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.pipeline.metrics().into_iter().map(|(k, v)| (k, v.calls)).collect()
    }

    /// Attempts answered 429 per `"METHOD canonical_path"` (only those that had any).
    pub fn api_rate_limited(&self) -> std::collections::BTreeMap<String, u64> {
        self.pipeline
            .metrics()
            .into_iter()
            .filter(|(_, v)| v.rate_limited > 0)
            .map(|(k, v)| (k, v.rate_limited))
            .collect()
    }

    /// What the server last said of this credential's general rate-limit budget
    /// (`ratelimit-*` headers): the limit, what is left, when it resets. `None` before the first
    /// answer that tells, or when the client does not [pace by it](crate::ClientBuilder::pace_by_server).
    pub fn quota(&self) -> Option<crate::Quota> {
        self.pipeline.quotas().into_iter().find(|q| q.operation.is_none())
    }

    /// The general budget ([`quota`](Self::quota)) and those of operations with a limit of
    /// their own (`x-pd-operation-limit`), as last reported.
    pub fn quotas(&self) -> Vec<crate::Quota> {
        self.pipeline.quotas()
    }

    /// Time spent per `"METHOD canonical_path"`.
    pub fn api_time(&self) -> std::collections::BTreeMap<String, std::time::Duration> {
        self.pipeline.metrics().into_iter().map(|(k, v)| (k, v.time)).collect()
    }

    /// A client sharing everything with this one (connections, rate limiter, metrics) but using
    /// `policy` for retries and the call deadline.
    pub fn with_retry(&self, policy: crate::RetryPolicy) -> Self {
        Self { pipeline: self.pipeline.with_retry(policy) }
    }

    /// Changes the `From` header sent on every request (`None` stops sending it).
    pub fn set_default_from(&self, from: Option<&str>) -> crate::Result<()> {
        self.pipeline.set_default_from(from)
    }
}
