//! [`RestClient`]: the REST API client, typed and generic, on one pipeline.

use crate::auth::{Credential, Secret};
use crate::pipeline::{Pipeline, PipelineConfig, DEFAULT_USER_AGENT, REST_ACCEPT};
use crate::spec::Api;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::time::Duration;

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
}

/// A PagerDuty REST API client. Cheap to clone; clones share one connection pool and pipeline.
///
/// ```no_run
/// # async fn demo() -> pdrs::Result<()> {
/// use pdrs::prelude::*;
/// let pd = pdrs::RestClient::new("my-api-key")?;
/// let page = pd.api().list_users().limit(25).send().await;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct RestClient {
    pipeline: Pipeline,
    #[cfg(pdrs_rest)]
    api: crate::rest::Client,
}

impl RestClient {
    /// A client for the US region with an API token and default settings.
    pub fn new(token: impl Into<Secret>) -> crate::Result<Self> {
        Self::builder(token).build()
    }

    /// A builder, starting from an API token.
    pub fn builder(token: impl Into<Secret>) -> RestClientBuilder {
        RestClientBuilder::new(Credential::ApiToken(token.into()))
    }

    /// A builder starting from any credential (an API token, an OAuth access token, a verbatim
    /// `Authorization` value, or none).
    pub fn builder_with(credential: Credential) -> RestClientBuilder {
        RestClientBuilder::new(credential)
    }

    /// A builder authenticating with OAuth tokens from `source`, refreshed before they expire.
    pub fn builder_token_source(source: std::sync::Arc<crate::oauth::TokenSource>) -> RestClientBuilder {
        RestClientBuilder::new(Credential::None).token_source(source)
    }

    /// The typed client for every REST operation, on this client's pipeline.
    #[cfg(pdrs_rest)]
    pub fn api(&self) -> &crate::rest::Client {
        &self.api
    }

    /// The base URL without a trailing slash, as the generated clients want it.
    #[cfg_attr(
        not(any(
            pdrs_scim,
            pdrs_slack,
            pdrs_jira_cloud,
            pdrs_jira_server,
            pdrs_ms_teams,
            pdrs_events_v2,
            feature = "events"
        )),
        allow(dead_code)
    )]
    pub(crate) fn base(&self) -> &str {
        self.pipeline.base_url().as_str().trim_end_matches('/')
    }

    /// The request pipeline.
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
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

    /// The client of a pipeline (for typed streams, which start from a generated builder).
    pub(crate) fn from_pipeline(pipeline: Pipeline) -> Self {
        Self {
            #[cfg(pdrs_rest)]
            api: crate::rest::Client::new_with_client(
                pipeline.base_url().as_str().trim_end_matches('/'),
                pipeline.http().clone(),
                pipeline.clone(),
            ),
            pipeline,
        }
    }

    /// A client sharing everything with this one (connections, rate limiter, metrics) but using
    /// `policy` for retries and the call deadline: `pd.with_retry(RetryPolicy::none()).api()…`
    /// overrides the policy for the typed and raw calls made through it.
    pub fn with_retry(&self, policy: crate::RetryPolicy) -> Self {
        let pipeline = self.pipeline.with_retry(policy);
        Self {
            #[cfg(pdrs_rest)]
            api: crate::rest::Client::new_with_client(
                self.pipeline.base_url().as_str().trim_end_matches('/'),
                self.pipeline.http().clone(),
                pipeline.clone(),
            ),
            pipeline,
        }
    }

    /// Changes the `From` header sent on every request (`None` stops sending it).
    pub fn set_default_from(&self, from: Option<&str>) -> crate::Result<()> {
        self.pipeline.set_default_from(from)
    }
}

/// Builds a [`RestClient`].
#[derive(Debug)]
#[must_use]
pub struct RestClientBuilder {
    credential: Credential,
    base_url: Option<String>,
    region: Region,
    from: Option<String>,
    timeout: Duration,
    user_agent_suffix: Option<String>,
    headers: Vec<(String, String)>,
    http: Option<reqwest::Client>,
    retry: crate::RetryPolicy,
    rate_limit: Option<(u32, u32)>,
    max_body: u64,
    token_source: Option<std::sync::Arc<crate::oauth::TokenSource>>,
}

impl RestClientBuilder {
    pub(crate) fn new(credential: Credential) -> Self {
        Self {
            credential,
            base_url: None,
            region: Region::Us,
            from: None,
            timeout: Duration::from_secs(60),
            user_agent_suffix: None,
            headers: Vec::new(),
            http: None,
            retry: crate::RetryPolicy::default(),
            rate_limit: None,
            max_body: crate::http::DEFAULT_MAX_BODY,
            token_source: None,
        }
    }

    /// Authenticates with OAuth tokens from `source`, refreshed before they expire.
    pub fn token_source(mut self, source: std::sync::Arc<crate::oauth::TokenSource>) -> Self {
        self.credential = Credential::None;
        self.token_source = Some(source);
        self
    }

    /// A client-side limit of `per_minute` requests (PagerDuty allows 960 per minute per key),
    /// shared by every clone of the client, with bursts of up to `burst` requests.
    pub fn rate_limit(mut self, per_minute: u32, burst: u32) -> Self {
        self.rate_limit = Some((per_minute, burst));
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`](crate::RetryPolicy::default)).
    pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Authenticates with an OAuth access token (`Bearer`) instead of an API token.
    pub fn oauth_token(mut self, token: impl Into<Secret>) -> Self {
        self.credential = Credential::OAuth(token.into());
        self
    }

    /// Sends this `Authorization` value verbatim.
    pub fn authorization_passthrough(mut self, value: impl Into<Secret>) -> Self {
        self.credential = Credential::Passthrough(value.into());
        self
    }

    /// The service region (ignored when [`base_url`](Self::base_url) is set).
    pub fn region(mut self, region: Region) -> Self {
        self.region = region;
        self
    }

    /// A base URL, e.g. a mock server's. `http://` is accepted for loopback hosts only.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The `From` header (a user's email) sent on every request.
    pub fn default_from(mut self, email: impl Into<String>) -> Self {
        self.from = Some(email.into());
        self
    }

    /// The largest response body read (default 64 MiB); a larger one ends the call with
    /// [`Error::BodyTooLarge`](crate::Error::BodyTooLarge) and memory stays bounded.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// Timeout of each HTTP attempt (default 60 s; a silent server is also given up on after
    /// 30 s without a byte). The whole call, retries included, is bounded by the retry
    /// policy's [`deadline`](crate::RetryPolicy::deadline).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Appended to the `User-Agent` (`pdrs/<version> <suffix>`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// A header sent on every request (e.g. `X-EARLY-ACCESS`).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Uses this `reqwest::Client` (its timeout and TLS settings then apply). pdrs builds reqwest
    /// with rustls and no default crypto provider: install one (e.g.
    /// `rustls::crypto::ring::default_provider().install_default()`) before building your own
    /// client, or reuse the one of an existing pdrs client (`pipeline().http()`). pdrs refuses
    /// answers that come from another scheme, host or port, but a client that follows redirects
    /// itself has sent the request there already: build yours with
    /// `.redirect(reqwest::redirect::Policy::none())`.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client.
    pub fn build(self) -> crate::Result<RestClient> {
        self.build_for(Api::Rest, "", REST_ACCEPT)
    }

    /// Builds a generic client (raw and entity verbs) for another API of PagerDuty, whose default
    /// URL is `default_url`; a [`base_url`](Self::base_url) replaces its scheme, host and port.
    pub(crate) fn build_for(self, api: Api, default_url: &str, accept: &'static str) -> crate::Result<RestClient> {
        let (pipeline, http, base_url) = self.pipeline(api, default_url, accept)?;
        Ok(RestClient {
            #[cfg(pdrs_rest)]
            api: crate::rest::Client::new_with_client(base_url.as_str().trim_end_matches('/'), http, pipeline.clone()),
            pipeline,
        })
    }

    /// The pipeline, HTTP client and base URL for `api`.
    fn pipeline(
        self,
        api: Api,
        default_url: &str,
        accept: &'static str,
    ) -> crate::Result<(Pipeline, reqwest::Client, reqwest::Url)> {
        let base = match (&self.base_url, api) {
            (Some(url), Api::Rest) => url.clone(),
            (Some(url), _) => {
                let path = reqwest::Url::parse(default_url).map(|u| u.path().to_string()).unwrap_or_default();
                format!("{}{}", url.trim_end_matches('/'), path.trim_end_matches('/'))
            }
            (None, Api::Rest) => self.region.rest_url().to_string(),
            (None, _) => default_url.to_string(),
        };
        let base_url = crate::url::parse_base_url(&base)?;
        let http = match self.http {
            Some(http) => http,
            None => crate::http::client(self.timeout)?,
        };
        let mut extra = HeaderMap::new();
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| crate::Error::config(format!("invalid header name {name:?}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| crate::Error::config(format!("invalid value for header {name}")))?;
            extra.insert(name, value);
        }
        let user_agent = match &self.user_agent_suffix {
            Some(s) => format!("{DEFAULT_USER_AGENT} {s}"),
            None => DEFAULT_USER_AGENT.to_string(),
        };
        let pipeline = Pipeline::new(PipelineConfig {
            api,
            http: http.clone(),
            base_url: base_url.clone(),
            credential: self.credential,
            accept,
            user_agent,
            extra_headers: extra,
            from: self.from,
            retry: self.retry,
            max_body: self.max_body,
            limiter: self.rate_limit.and_then(|(rate, burst)| crate::pipeline::limiter(rate, burst)),
            token_source: self.token_source,
        })?;
        Ok((pipeline, http, base_url))
    }
}
