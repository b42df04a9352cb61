//! [`ClientBuilder`]: one builder for the client of every PagerDuty API.
//!
//! The settings (credential, region or base URL, retries, timeouts, headers, limits) are the
//! same for every API; the type parameter says which client [`build`](ClientBuilder::build)
//! makes: `RestClient::builder(token)` gives a `ClientBuilder<RestClient>`,
//! `EventsClient::builder(routing_key)` a `ClientBuilder<EventsClient>`, and
//! [`for_client`](ClientBuilder::for_client) turns one into another.

use crate::api_client::ApiClient;
use crate::auth::{Credential, Secret};
use crate::pipeline::{Pipeline, PipelineConfig, DEFAULT_USER_AGENT};
use crate::region::Region;
use crate::spec::Api;
use crate::{Error, Result};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

/// A client that a [`ClientBuilder`] can build: one per PagerDuty API.
pub trait BuildClient: Sized + sealed::Sealed {
    /// The document whose operation table (wrappers, paging kinds) the client reads, and whose
    /// server URL and `Accept` header it uses by default.
    const API: Api;

    /// The client on a generic core built from the builder's settings; `routing_key` is the
    /// Events API's key, if one was given.
    #[doc(hidden)]
    fn from_core(core: ApiClient, routing_key: Option<Secret>) -> Result<Self>;
}

/// Only pdrs's clients are built by a [`ClientBuilder`]: each implements this next to itself.
pub(crate) mod sealed {
    pub trait Sealed {}
}

/// Builds the client `C` of one PagerDuty API. Every setter applies to every API.
#[must_use]
pub struct ClientBuilder<C> {
    credential: Credential,
    routing_key: Option<Secret>,
    base_url: Option<String>,
    /// The region set with [`region`](Self::region); else the OAuth token's, else the US.
    region: Option<Region>,
    from: Option<String>,
    timeout: Duration,
    user_agent_suffix: Option<String>,
    headers: Vec<(String, String)>,
    http: Option<reqwest::Client>,
    retry: crate::RetryPolicy,
    rate_limit: Option<(u32, u32)>,
    max_body: u64,
    token_source: Option<Arc<crate::oauth::TokenSource>>,
    pace: bool,
    on_wait: Option<crate::WaitObserver>,
    client: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credential", &self.credential)
            .field("routing_key", &self.routing_key)
            .field("base_url", &self.base_url)
            .field("region", &self.region)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl<C> ClientBuilder<C> {
    /// The generic client of any API with these settings (raw, entity and paging verbs on that
    /// document's operation table).
    pub fn build_api(self, api: Api) -> Result<ApiClient> {
        self.core(api)
    }
}

impl<C: BuildClient> ClientBuilder<C> {
    /// Builds the client.
    pub fn build(self) -> Result<C> {
        let routing_key = self.routing_key.clone();
        C::from_core(self.core(C::API)?, routing_key)
    }
}

impl<C> ClientBuilder<C> {
    /// A builder with default settings and `credential`.
    pub(crate) fn starting(credential: Credential) -> Self {
        Self {
            credential,
            routing_key: None,
            base_url: None,
            region: None,
            from: None,
            timeout: Duration::from_secs(60),
            user_agent_suffix: None,
            headers: Vec::new(),
            http: None,
            retry: crate::RetryPolicy::default(),
            rate_limit: None,
            max_body: crate::http::DEFAULT_MAX_BODY,
            token_source: None,
            pace: true,
            on_wait: None,
            client: PhantomData,
        }
    }

    /// The same settings, for another API's client: `RestClient::builder(token)
    /// .base_url(url).for_client::<ScimClient>().build()`.
    pub fn for_client<D>(self) -> ClientBuilder<D> {
        ClientBuilder {
            credential: self.credential,
            routing_key: self.routing_key,
            base_url: self.base_url,
            region: self.region,
            from: self.from,
            timeout: self.timeout,
            user_agent_suffix: self.user_agent_suffix,
            headers: self.headers,
            http: self.http,
            retry: self.retry,
            rate_limit: self.rate_limit,
            max_body: self.max_body,
            token_source: self.token_source,
            pace: self.pace,
            on_wait: self.on_wait,
            client: PhantomData,
        }
    }

    /// Whether requests are paced by the rate-limit budget the server reports on every answer
    /// (`ratelimit-remaining`, `ratelimit-reset`; default yes). Every client of the same
    /// credential and host in the process shares one budget: when the server says it is spent,
    /// requests wait for its reset instead of meeting a 429; when the requests in flight would
    /// use up what is left, the next waits for one of their answers. A reset longer than the
    /// retry policy's [`max_delay`](crate::RetryPolicy::max_delay), or past the call's deadline,
    /// is not waited for, and
    /// without the headers nothing is paced. See `docs/guarantees.md`.
    pub fn pace_by_server(mut self, yes: bool) -> Self {
        self.pace = yes;
        self
    }

    /// Calls `f` as each wait of a call begins: pacing by the budget, backoff before a retry,
    /// a server that has not answered after a second ([`Wait`](crate::Wait) says why, how long,
    /// which attempt and what is left of the call's deadline). The same waits go to `tracing`
    /// (target `pdrs::wait`).
    pub fn on_wait(mut self, f: impl Fn(&crate::Wait) + Send + Sync + 'static) -> Self {
        self.on_wait = Some(Arc::new(f));
        self
    }

    /// The Events API's routing key (an integration key), sent in each event's body.
    #[cfg_attr(not(feature = "events"), allow(dead_code))]
    pub(crate) fn routing_key(mut self, key: Secret) -> Self {
        self.routing_key = Some(key);
        self
    }

    /// Authenticates with an API token: `Authorization: Token token=<token>`.
    pub fn api_token(mut self, token: impl Into<Secret>) -> Self {
        self.credential = Credential::ApiToken(token.into());
        self
    }

    /// Authenticates with OAuth tokens from `source`, refreshed before they expire.
    pub fn token_source(mut self, source: Arc<crate::oauth::TokenSource>) -> Self {
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

    /// The retry policy (default: [`RetryPolicy::default`](crate::RetryPolicy::default); the
    /// Events client starts from [`RetryPolicy::events`](crate::RetryPolicy::events)).
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

    /// The service region (ignored when [`base_url`](Self::base_url) is set). Without one, a
    /// client with an OAuth [`token_source`](Self::token_source) goes to the region its token
    /// names, else to the US; a region set here that differs from the token's is an error.
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// The region of the account an OAuth token source is for, when its token named one (for a
    /// client without the token itself: `EventsClient::builder(key).region_of(&source)`).
    pub fn region_of(self, source: &crate::oauth::TokenSource) -> Self {
        match source.region() {
            Some(region) => self.region(region),
            None => self,
        }
    }

    /// The region this client goes to: the one set, the OAuth token's, else the US; a
    /// disagreement between the first two is an error.
    fn effective_region(&self) -> Result<Region> {
        let from_token = self.token_source.as_ref().and_then(|source| source.region());
        match (self.region, from_token) {
            (Some(set), Some(token)) if set != token => Err(Error::config(format!(
                "the client is built for the {set:?} service region, but the OAuth token is for the account's {token:?} region: drop .region(..) or use the account's region"
            ))),
            (Some(set), _) => Ok(set),
            (None, Some(token)) => Ok(token),
            (None, None) => Ok(Region::Us),
        }
    }

    /// A base URL, e.g. a mock server's. `http://` is accepted for loopback hosts only. For an
    /// API whose document's server has a path (SCIM's `/scim/v2`, Events' `/v2`), the path is
    /// appended: give the host.
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
    /// [`Error::BodyTooLarge`] and memory stays bounded.
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
    /// client, or reuse the one of an existing pdrs client ([`ApiClient::http`]). pdrs refuses
    /// answers that come from another scheme, host or port, but a client that follows redirects
    /// itself has sent the request there already: build yours with
    /// `.redirect(reqwest::redirect::Policy::none())`.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The base URL of `api`: the given one (with the document server's path), else the
    /// document's server in the chosen region.
    fn base_for(&self, api: Api) -> Result<reqwest::Url> {
        let server = api.server_url().ok_or_else(|| {
            Error::config(format!(
                "pdrs was built without {} (not found in the OpenAPI folder): give a base_url",
                api.file()
            ))
        });
        let base = match &self.base_url {
            Some(url) => {
                let path = server.ok().and_then(|s| reqwest::Url::parse(s).ok()).map(|u| u.path().to_string());
                format!("{}{}", url.trim_end_matches('/'), path.unwrap_or_default().trim_end_matches('/'))
            }
            None => self.effective_region()?.locate(server?),
        };
        crate::http::parse_base_url(&base)
    }

    /// The generic client for `api` with these settings.
    pub(crate) fn core(self, api: Api) -> Result<ApiClient> {
        let base_url = self.base_for(api)?;
        let http = match self.http {
            Some(http) => http,
            None => crate::http::client(self.timeout)?,
        };
        let mut extra = HeaderMap::new();
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::config(format!("invalid header name {name:?}")))?;
            let value =
                HeaderValue::from_str(value).map_err(|_| Error::config(format!("invalid value for header {name}")))?;
            extra.insert(name, value);
        }
        let user_agent = match &self.user_agent_suffix {
            Some(s) => format!("{DEFAULT_USER_AGENT} {s}"),
            None => DEFAULT_USER_AGENT.to_string(),
        };
        let pipeline = Pipeline::new(PipelineConfig {
            api,
            http,
            base_url,
            credential: self.credential,
            accept: api.accept(),
            user_agent,
            extra_headers: extra,
            from: self.from,
            retry: self.retry,
            max_body: self.max_body,
            limiter: self.rate_limit.and_then(|(rate, burst)| crate::pipeline::limiter(rate, burst)),
            authorizer: self.token_source.map(|source| source as Arc<dyn crate::auth::Authorizer>),
            pace: self.pace,
            counted_by: self.routing_key,
            on_wait: self.on_wait,
        })?;
        Ok(ApiClient::from_pipeline(pipeline))
    }
}
