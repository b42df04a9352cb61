//! [`ApiClient`], the generic client core every API's client is built on, and [`RestClient`],
//! which adds the typed REST client.

use crate::auth::{Credential, Secret};
use crate::builder::{BuildClient, ClientBuilder};
use crate::pipeline::Pipeline;
use crate::spec::Api;

/// PagerDuty service region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Region {
    /// The US service region (`api.pagerduty.com`).
    #[default]
    Us,
    /// The EU service region (`api.eu.pagerduty.com`).
    Eu,
}

impl Region {
    /// Base URL of the REST API in this region.
    pub fn rest_url(self) -> &'static str {
        match self {
            Region::Us => "https://api.pagerduty.com",
            Region::Eu => "https://api.eu.pagerduty.com",
        }
    }

    /// Base URL of the Events API in this region.
    pub fn events_url(self) -> &'static str {
        match self {
            Region::Us => "https://events.pagerduty.com",
            Region::Eu => "https://events.eu.pagerduty.com",
        }
    }

    /// A PagerDuty URL of the US region moved to this region: `https://<name>.pagerduty.com/...`
    /// becomes `https://<name>.eu.pagerduty.com/...` in the EU (as `api.` and `events.` do);
    /// other URLs are left as they are.
    pub(crate) fn locate(self, url: &str) -> String {
        match self {
            Region::Us => url.to_string(),
            Region::Eu => match reqwest::Url::parse(url) {
                Ok(mut parsed) => {
                    let moved = parsed.host_str().and_then(|host| {
                        let name = host.strip_suffix(".pagerduty.com")?;
                        (!name.is_empty() && !name.ends_with(".eu")).then(|| format!("{name}.eu.pagerduty.com"))
                    });
                    match moved {
                        Some(host) if parsed.set_host(Some(&host)).is_ok() => {
                            parsed.as_str().trim_end_matches('/').to_string()
                        }
                        _ => url.to_string(),
                    }
                }
                Err(_) => url.to_string(),
            },
        }
    }
}

/// The generic client every PagerDuty API's client is built on: one [`Pipeline`] (auth, headers,
/// retries, rate limits, metrics) and the raw, entity and paging verbs (`request`, `rget`,
/// `iter_all`...), which read the operation table of the client's own document (its entity
/// wrappers and paging kinds). Cheap to clone; clones share one connection pool and pipeline.
///
/// [`RestClient`] adds the typed REST client and dereferences to this type, so
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
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
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

/// A PagerDuty REST API client: the typed client of every REST operation ([`api`](Self::api))
/// and the generic verbs of [`ApiClient`] (through `Deref`), on one pipeline. Cheap to clone;
/// clones share one connection pool and pipeline.
///
/// ```no_run
/// # async fn demo() -> pdrs::Result<()> {
/// use pdrs::prelude::*;
/// let pd = pdrs::RestClient::new("my-api-key")?;
/// let page = pd.api().list_users().limit(25).send().await?;
/// let user: serde_json::Value = pd.rget("/users/PABC123").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct RestClient {
    core: ApiClient,
    #[cfg(pdrs_rest)]
    api: crate::rest::Client,
}

impl std::ops::Deref for RestClient {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.core
    }
}

impl RestClient {
    /// A client for the US region with an API token and default settings.
    pub fn new(token: impl Into<Secret>) -> crate::Result<Self> {
        Self::builder(token).build()
    }

    /// A builder, starting from an API token.
    pub fn builder(token: impl Into<Secret>) -> ClientBuilder {
        ClientBuilder::new(Credential::ApiToken(token.into()))
    }

    /// A builder starting from any credential (an API token, an OAuth access token, a verbatim
    /// `Authorization` value, or none).
    pub fn builder_with(credential: Credential) -> ClientBuilder {
        ClientBuilder::new(credential)
    }

    /// A builder authenticating with OAuth tokens from `source`, refreshed before they expire.
    pub fn builder_token_source(source: std::sync::Arc<crate::oauth::TokenSource>) -> ClientBuilder {
        ClientBuilder::new(Credential::None).token_source(source)
    }

    /// The REST client of a generic client on the REST API.
    pub(crate) fn on_core(core: ApiClient) -> Self {
        Self {
            #[cfg(pdrs_rest)]
            api: core.typed(crate::rest::Client::new_with_client),
            core,
        }
    }

    /// The typed client for every REST operation, on this client's pipeline.
    #[cfg(pdrs_rest)]
    pub fn api(&self) -> &crate::rest::Client {
        &self.api
    }

    /// The generic client (raw, entity and paging verbs) this client is built on.
    pub fn raw(&self) -> &ApiClient {
        &self.core
    }

    /// A client sharing everything with this one (connections, rate limiter, metrics) but using
    /// `policy` for retries and the call deadline: `pd.with_retry(RetryPolicy::none()).api()…`
    /// overrides the policy for the typed and raw calls made through it.
    pub fn with_retry(&self, policy: crate::RetryPolicy) -> Self {
        Self::on_core(self.core.with_retry(policy))
    }
}

impl BuildClient for RestClient {
    const API: Api = Api::Rest;

    fn from_core(core: ApiClient, _: Option<Secret>) -> crate::Result<Self> {
        Ok(Self::on_core(core))
    }
}
