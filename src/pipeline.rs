//! The request pipeline shared by typed and raw calls.
//!
//! Every request pdrs sends, from a generated builder's `.send()` or from the raw
//! [`RestClient::request`](crate::RestClient) escape hatch, goes through [`Pipeline::prepare`]
//! (headers, auth) and [`Pipeline::execute`] (transport). The generated clients reach it through
//! progenitor's `ClientHooks`, implemented by [`impl_hooks!`].

use crate::auth::Credential;
use crate::retry::{server_hint, RetryPolicy, RetryReason};
use crate::spec::{self, Api};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tracing::Instrument;

/// The `Accept` header of the REST API.
pub const REST_ACCEPT: &str = "application/vnd.pagerduty+json;version=2";

/// The default `User-Agent`: `pdrs/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("pdrs/", env!("CARGO_PKG_VERSION"));

/// Shared state of one configured client: cheap to clone, safe to share across tasks.
#[derive(Clone)]
pub struct Pipeline {
    shared: Arc<Shared>,
}

struct Shared {
    api: Api,
    http: reqwest::Client,
    base_url: reqwest::Url,
    credential: Credential,
    /// Headers sent on every request (Accept, User-Agent, Authorization, extras).
    headers: HeaderMap,
    /// `From`, changeable at run time.
    from: RwLock<Option<HeaderValue>>,
    retry: RetryPolicy,
    metrics: Mutex<HashMap<String, CallStats>>,
    limiter: Option<Limiter>,
    token_source: Option<Arc<crate::oauth::TokenSource>>,
}

/// Client-side token bucket shared by every clone of a client.
pub(crate) type Limiter = governor::DefaultDirectRateLimiter;

/// A token bucket of `per_minute` requests, bursting up to `burst`.
pub(crate) fn limiter(per_minute: u32, burst: u32) -> Option<Limiter> {
    let rate = std::num::NonZeroU32::new(per_minute)?;
    let burst = std::num::NonZeroU32::new(burst.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
    Some(governor::RateLimiter::direct(governor::Quota::per_minute(rate).allow_burst(burst)))
}

/// Calls made and time spent per `"METHOD canonical_path"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallStats {
    /// HTTP attempts made (retries count).
    pub calls: u64,
    /// Time spent in those attempts.
    pub time: Duration,
}

impl fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("api", &self.shared.api)
            .field("base_url", &self.shared.base_url.as_str())
            .field("credential", &self.shared.credential)
            .finish_non_exhaustive()
    }
}

/// Settings a [`Pipeline`] is built from.
pub(crate) struct PipelineConfig {
    pub api: Api,
    pub http: reqwest::Client,
    pub base_url: reqwest::Url,
    pub credential: Credential,
    pub accept: &'static str,
    pub user_agent: String,
    pub extra_headers: HeaderMap,
    pub from: Option<String>,
    pub retry: RetryPolicy,
    pub limiter: Option<Limiter>,
    pub token_source: Option<Arc<crate::oauth::TokenSource>>,
}

impl Pipeline {
    pub(crate) fn new(config: PipelineConfig) -> crate::Result<Self> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(config.accept));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_str(&config.user_agent).map_err(|_| crate::Error::config("invalid User-Agent"))?,
        );
        if let Some(auth) = config.credential.header()? {
            headers.insert(AUTHORIZATION, auth);
        }
        for (name, value) in &config.extra_headers {
            headers.insert(name.clone(), value.clone());
        }
        let from = config.from.as_deref().map(header_value).transpose()?;
        Ok(Self {
            shared: Arc::new(Shared {
                api: config.api,
                http: config.http,
                base_url: config.base_url,
                credential: config.credential,
                headers,
                from: RwLock::new(from),
                retry: config.retry,
                metrics: Mutex::new(HashMap::new()),
                limiter: config.limiter,
                token_source: config.token_source,
            }),
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &reqwest::Url {
        &self.shared.base_url
    }

    /// The underlying HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.shared.http
    }

    /// Sets (or clears) the `From` header sent on every request.
    pub fn set_default_from(&self, from: Option<&str>) -> crate::Result<()> {
        let value = from.map(header_value).transpose()?;
        *self.shared.from.write().unwrap_or_else(|e| e.into_inner()) = value;
        Ok(())
    }

    /// Adds the pipeline's headers to a request and removes progenitor's defaults
    /// (`api-version`, `Accept: application/json`). `operation` is the generated method name
    /// when the call is typed.
    pub fn prepare(&self, request: &mut reqwest::Request, operation: Option<&str>) -> crate::Result<()> {
        let headers = request.headers_mut();
        headers.remove(HeaderName::from_static("api-version"));
        for (name, value) in &self.shared.headers {
            headers.insert(name.clone(), value.clone());
        }
        let from = self.shared.from.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(from) = from {
            headers.entry(HeaderName::from_static("from")).or_insert(from);
        }
        let raw_type =
            operation.and_then(|name| spec::by_name(self.shared.api, name)).and_then(|op| op.raw_content_type);
        if let Some(media) = raw_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(media));
        }
        Ok(())
    }

    /// Sends a prepared request, retrying as the [`RetryPolicy`] says. The body is resent intact
    /// on every attempt; a streaming body (which cannot be cloned) is sent once.
    pub async fn execute(&self, request: reqwest::Request) -> reqwest::Result<reqwest::Response> {
        self.execute_counted(request, None).await.0
    }

    /// [`execute`](Self::execute) for a typed call: metrics are keyed by the operation's path.
    pub async fn execute_operation(
        &self,
        request: reqwest::Request,
        operation: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let path = spec::by_name(self.shared.api, operation).map(|op| op.path);
        self.execute_counted(request, path).await.0
    }

    /// Calls made and time spent per `"METHOD canonical_path"` since the client was built.
    pub fn metrics(&self) -> HashMap<String, CallStats> {
        self.shared.metrics.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn record(&self, key: &str, elapsed: Duration) {
        let mut metrics = self.shared.metrics.lock().unwrap_or_else(|e| e.into_inner());
        let entry = metrics.entry(key.to_string()).or_default();
        entry.calls += 1;
        entry.time += elapsed;
    }

    /// [`execute`](Self::execute), also returning how many attempts were made. `path` is the
    /// canonical path when known; else it is looked up in the operation table.
    pub(crate) async fn execute_counted(
        &self,
        request: reqwest::Request,
        path: Option<&'static str>,
    ) -> (reqwest::Result<reqwest::Response>, u32) {
        let path = path
            .or_else(|| crate::target::canonical_path(&self.shared.base_url, request.url()))
            .map(String::from)
            .unwrap_or_else(|| request.url().path().to_string());
        let key = format!("{} {}", request.method(), path);
        let span = tracing::info_span!(
            "pdrs.request",
            method = %request.method(),
            path = %path,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let mut request = request;
        if let Some(source) = &self.shared.token_source {
            match source.authorization().await {
                Ok(value) => {
                    request.headers_mut().insert(AUTHORIZATION, value);
                }
                Err(e) => tracing::warn!(error = %e, "could not refresh the OAuth token; sending the current one"),
            }
        }
        let policy = &self.shared.retry;
        let method = request.method().clone();
        let mut retried: HashMap<u16, u32> = HashMap::new();
        let mut waited = Duration::ZERO;
        let mut attempt = 0u32;
        let span_in = span.clone();
        async move {
            loop {
                attempt += 1;
                let Some(this) = request.try_clone() else {
                    let started = std::time::Instant::now();
                    let result = self.shared.http.execute(request).await;
                    self.record(&key, started.elapsed());
                    return (result, attempt);
                };
                span_in.record("attempt", attempt);
                if let Some(limiter) = &self.shared.limiter {
                    limiter.until_ready().await;
                }
                let started = std::time::Instant::now();
                let result = self.shared.http.execute(this).await;
                self.record(&key, started.elapsed());
                if let Ok(response) = &result {
                    span_in.record("status", response.status().as_u16());
                    if let Some(id) = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()) {
                        span_in.record("request_id", id);
                    }
                }
                let (wait, reason) = match &result {
                    Ok(response) => {
                        let status = response.status();
                        let so_far = retried.entry(status.as_u16()).or_default();
                        if !policy.retries_status(&method, status, *so_far) {
                            return (result, attempt);
                        }
                        *so_far += 1;
                        let wait = server_hint(response.headers()).unwrap_or_else(|| policy.backoff(attempt));
                        (wait, RetryReason::Status(status.as_u16()))
                    }
                    Err(e)
                        if (e.is_connect() || e.is_timeout() || e.is_request() || e.is_body())
                            && policy.retries_network(&method) =>
                    {
                        (policy.backoff(attempt), RetryReason::Network)
                    }
                    Err(_) => return (result, attempt),
                };
                let wait = wait.min(policy.max_delay);
                if attempt >= policy.max_attempts || waited + wait > policy.max_total_wait {
                    return (result, attempt);
                }
                tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, ?reason, "retrying");
                policy.notify(attempt, wait, &reason);
                drop(result);
                tokio::time::sleep(wait).await;
                waited += wait;
            }
        }
        .instrument(span)
        .await
    }

    /// The API this pipeline talks to.
    pub fn api(&self) -> Api {
        self.shared.api
    }
}

fn header_value(text: &str) -> crate::Result<HeaderValue> {
    HeaderValue::from_str(text).map_err(|_| crate::Error::config(format!("{text:?} is not a valid header value")))
}

/// Implements progenitor's `ClientHooks` for a generated `Client` by delegating to its
/// [`Pipeline`]; invoked at the end of every generated module.
macro_rules! impl_hooks {
    ($client:ty) => {
        impl progenitor_client::ClientHooks<$crate::pipeline::Pipeline> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), progenitor_client::Error<E>> {
                self.inner
                    .prepare(request, Some(info.operation_id))
                    .map_err(|e| progenitor_client::Error::Custom(e.to_string()))
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                self.inner.execute_operation(request, info.operation_id).await
            }
        }
    };
}
pub(crate) use impl_hooks;
