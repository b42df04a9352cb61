//! The request pipeline shared by typed and raw calls.
//!
//! Every request pdrs sends, from a generated builder's `.send()` (through `crate::typed`) or
//! from the raw [`RestClient::request`](crate::RestClient) escape hatch, goes through
//! [`Pipeline::prepare`] (headers, auth) and one send step (retries, limits, redirects, the call
//! deadline), whose every attempt reads the whole response, body included.

use crate::auth::{Authorizer, Credential};
use crate::budget::{Budget, Pause, Quota, Slot};
use crate::retry::{Failure, Outcome, RetryPolicy};
use crate::spec::{self, Api};
use crate::wait::{Wait, WaitObserver, WaitReason};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tracing::Instrument;

/// The default `User-Agent`: `pdrs/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("pdrs/", env!("CARGO_PKG_VERSION"));

/// Shared state of one configured client: cheap to clone, safe to share across tasks.
#[derive(Clone)]
pub struct Pipeline {
    shared: Arc<Shared>,
    retry: Arc<RetryPolicy>,
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
    max_body: u64,
    metrics: Mutex<HashMap<String, CallStats>>,
    limiter: Option<Limiter>,
    authorizer: Option<Arc<dyn Authorizer>>,
    /// What the server said is left of this credential's rate limit; `None` when not paced by it.
    budget: Option<Arc<Budget>>,
    on_wait: Option<WaitObserver>,
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
#[non_exhaustive]
pub struct CallStats {
    /// HTTP attempts made (retries count).
    pub calls: u64,
    /// Time spent in those attempts.
    pub time: Duration,
    /// Attempts answered 429 (rate limited).
    pub rate_limited: u64,
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
    pub max_body: u64,
    pub limiter: Option<Limiter>,
    pub authorizer: Option<Arc<dyn Authorizer>>,
    /// Whether requests are paced by the server's rate-limit headers.
    pub pace: bool,
    /// What the server counts requests by when no `Authorization` header says (the Events API's
    /// routing key): only hashed, for the budget's key.
    pub counted_by: Option<crate::Secret>,
    pub on_wait: Option<WaitObserver>,
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
        let budget = config.pace.then(|| {
            // Per credential and host: an authorizer's tokens change, the authorizer does not.
            let identity = match (&config.authorizer, headers.get(AUTHORIZATION), &config.counted_by) {
                (Some(source), _, _) => format!("{:p}", Arc::as_ptr(source)).into_bytes(),
                (None, Some(value), _) => value.as_bytes().to_vec(),
                (None, None, Some(key)) => key.expose().as_bytes().to_vec(),
                (None, None, None) => Vec::new(),
            };
            Budget::shared(crate::budget::key(&config.base_url.origin().ascii_serialization(), &identity))
        });
        Ok(Self {
            shared: Arc::new(Shared {
                api: config.api,
                http: config.http,
                base_url: config.base_url,
                credential: config.credential,
                headers,
                from: RwLock::new(from),
                max_body: config.max_body,
                metrics: Mutex::new(HashMap::new()),
                limiter: config.limiter,
                authorizer: config.authorizer,
                budget,
                on_wait: config.on_wait,
            }),
            retry: Arc::new(config.retry),
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
            // progenitor's own `Accept: application/json` gives way to the API's media type;
            // every other header set on the request itself wins over the defaults.
            if name == ACCEPT && operation.is_some() {
                headers.insert(name.clone(), value.clone());
            } else {
                headers.entry(name.clone()).or_insert_with(|| value.clone());
            }
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

    /// The retry policy calls of this pipeline use.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// A pipeline sharing everything with this one but the retry policy (and call deadline).
    pub(crate) fn with_retry(&self, policy: RetryPolicy) -> Self {
        Self { shared: self.shared.clone(), retry: Arc::new(policy) }
    }

    /// Calls made and time spent per `"METHOD canonical_path"` since the client was built.
    pub fn metrics(&self) -> HashMap<String, CallStats> {
        self.shared.metrics.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// What the server last said of this credential's rate-limit budgets: the general one
    /// first, then those of operations with a limit of their own. Empty before the first answer
    /// that tells, or when the client does not pace by them.
    pub fn quotas(&self) -> Vec<Quota> {
        self.shared.budget.as_ref().map(|b| b.quotas()).unwrap_or_default()
    }

    fn record(&self, key: &str, elapsed: Duration, status: Option<reqwest::StatusCode>) {
        let limited = u64::from(status == Some(reqwest::StatusCode::TOO_MANY_REQUESTS));
        let mut metrics = self.shared.metrics.lock().unwrap_or_else(|e| e.into_inner());
        let entry = match metrics.get_mut(key) {
            Some(entry) => entry,
            None => metrics.entry(key.to_string()).or_default(),
        };
        entry.calls += 1;
        entry.time += elapsed;
        entry.rate_limited += limited;
    }

    /// Tells a wait of the call `key` (to `tracing` and the observer).
    fn tell(
        &self,
        key: &str,
        reason: WaitReason,
        duration: Option<Duration>,
        attempt: u32,
        deadline: Instant,
        detail: Option<String>,
    ) {
        crate::wait::tell(
            self.shared.on_wait.as_ref(),
            Wait {
                reason,
                duration,
                operation: key.to_string(),
                attempt,
                max_attempts: self.retry.max_attempts,
                time_left: deadline.saturating_duration_since(Instant::now()),
                detail,
            },
        );
    }

    /// Sends a prepared request: each attempt is the whole exchange (status, headers and the
    /// body, read up to the body limit), retried as the [`RetryPolicy`] says, within the call
    /// deadline. Returns the final answer, whatever its status. `path` is the canonical path
    /// when known; else it is looked up in the operation table.
    pub(crate) async fn send(&self, request: reqwest::Request, path: Option<&'static str>) -> crate::Result<Answer> {
        let policy = self.retry.clone();
        let deadline = Instant::now() + policy.deadline;
        let seen = Mutex::new(Seen::default());
        let call = self.send_inner(request, path, &policy, deadline, &seen);
        match tokio::time::timeout(policy.deadline, call).await {
            Ok(result) => result,
            Err(_) => {
                let seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());
                Err(crate::Error::Timeout {
                    after: policy.deadline,
                    attempts: seen.attempts,
                    last: seen.last.map(Cow::into_owned),
                })
            }
        }
    }

    async fn send_inner(
        &self,
        mut request: reqwest::Request,
        path: Option<&'static str>,
        policy: &RetryPolicy,
        deadline: Instant,
        seen: &Mutex<Seen>,
    ) -> crate::Result<Answer> {
        let length = request.url().as_str().len();
        if length > crate::http::MAX_URL_LEN {
            return Err(crate::Error::invalid(format!(
                "the URL is {length} bytes, over the limit of {} (fewer query parameters, or a POST search)",
                crate::http::MAX_URL_LEN
            )));
        }
        if let Some(source) = &self.shared.authorizer {
            let value = source.authorization().await.map_err(|e| crate::Error::TokenRefresh(Box::new(e)))?;
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        let path = path
            .or_else(|| crate::target::canonical_path_in(self.shared.api, &self.shared.base_url, request.url()))
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
        let method = request.method().clone();
        // A streaming body cannot be cloned: such a request is sent once, without retries.
        let (template, mut single) = match request.try_clone() {
            Some(_) => (Some(request), None),
            None => (None, Some(request)),
        };
        let reusable = template.is_some();
        let attempt = |n: u32| {
            let this = single.take().or_else(|| template.as_ref().and_then(reqwest::Request::try_clone));
            let span = span.clone();
            let key = key.as_str();
            async move {
                let Some(this) = this else {
                    let error = crate::Error::invalid("a streaming body can be sent only once");
                    return Err(Attempt { failure: Failure::Final, error });
                };
                span.record("attempt", n);
                let mark = |last: Cow<'static, str>| {
                    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                    seen.attempts = n;
                    seen.last = Some(last);
                };
                mark("waiting for the rate limit's budget".into());
                let slot = self.pace(key, n, deadline).await;
                mark("no answer yet".into());
                let result = self.attempt(this, key, &span, n, deadline, slot).await;
                // A success ends the call: only a failed attempt's text is kept.
                match &result {
                    Ok(answer) if answer.status.is_success() => {}
                    Ok(answer) => mark(answer.status.to_string().into()),
                    Err(attempt) => mark(root_cause(&attempt.error).into()),
                }
                result
            }
        };
        let too_long = |result: Result<Answer, Attempt>, wait: Duration| {
            let api = result.ok().map(|a| Box::new(crate::error::api_error(a.status, a.request_id(), a.body)));
            Err(Attempt { failure: Failure::Final, error: crate::Error::RateLimited { retry_after: wait, api } })
        };
        let retry_policy = if reusable { policy.clone() } else { RetryPolicy::none().deadline(policy.deadline) };
        let before_wait = |next: u32, wait: Duration, reason: &crate::RetryReason| {
            let last = seen.lock().unwrap_or_else(|e| e.into_inner()).last.as_deref().map(String::from);
            self.tell(&key, WaitReason::Retry(reason.clone()), Some(wait), next, deadline, last);
        };
        let (result, made) =
            crate::retry::run(&retry_policy, &method, attempt, classify, too_long, before_wait, deadline)
                .instrument(span.clone())
                .await;
        match result {
            Ok(answer) => Ok(answer),
            Err(Attempt { error: crate::Error::Network(source), .. }) if made > 1 => {
                Err(crate::Error::RetriesExhausted { attempts: made, source })
            }
            Err(attempt) => Err(attempt.error),
        }
    }

    /// The slot of attempt `n` of the call `key` in the server's budget, after the wait the budget
    /// asks for (none when the client does not pace by it), then the fixed limiter's wait.
    async fn pace(&self, key: &str, n: u32, deadline: Instant) -> Option<Slot> {
        let slot = match &self.shared.budget {
            Some(budget) => {
                let on_pause = |pause| {
                    let (reason, duration) = match pause {
                        Pause::Reset(wait) => (WaitReason::RateLimitBudget, Some(wait)),
                        Pause::InFlight => (WaitReason::RequestsInFlight, None),
                    };
                    self.tell(key, reason, duration, n, deadline, None);
                };
                // A reset past the call's deadline is not waited for: the server's answer says more.
                let longest = self.retry.max_delay.min(deadline.saturating_duration_since(Instant::now()));
                Some(budget.reserve(key, longest, on_pause).await)
            }
            None => None,
        };
        if let Some(limiter) = &self.shared.limiter {
            limiter.until_ready().await;
        }
        slot
    }

    /// One attempt, its slot in the budget taken: the exchange, told after a second without a
    /// complete answer.
    async fn attempt(
        &self,
        request: reqwest::Request,
        key: &str,
        span: &tracing::Span,
        n: u32,
        deadline: Instant,
        slot: Option<Slot>,
    ) -> Result<Answer, Attempt> {
        let exchange = self.exchange(request, key, span, slot);
        // A server slow to answer is told once, after a second.
        tokio::pin!(exchange);
        tokio::select! {
            result = &mut exchange => return result,
            () = tokio::time::sleep(Duration::from_secs(1)) => {
                self.tell(key, WaitReason::NoAnswerYet, None, n, deadline, None);
            }
        }
        exchange.await
    }

    /// The exchange of one attempt: the request, the response's status and headers (what they
    /// say of the budget applied to `slot`), and its whole body.
    async fn exchange(
        &self,
        request: reqwest::Request,
        key: &str,
        span: &tracing::Span,
        slot: Option<Slot>,
    ) -> Result<Answer, Attempt> {
        let started = Instant::now();
        let sent_to = request.url().clone();
        let method = request.method().clone();
        let result = self.shared.http.execute(request).await;
        let mut response = match result {
            Ok(response) => response,
            Err(e) => {
                self.record(key, started.elapsed(), None);
                let attempt = Attempt::from_send(e);
                sent(&method, &sent_to, started, &attempt.error.to_string());
                return Err(attempt);
            }
        };
        if let Some(slot) = slot {
            slot.answered(response.headers());
        }
        // A caller-supplied client may follow redirects itself: refuse what came from elsewhere.
        if !crate::http::same_origin(&sent_to, response.url()) {
            self.record(key, started.elapsed(), None);
            let location = crate::http::display_url(response.url());
            return Err(Attempt { failure: Failure::Final, error: crate::Error::RedirectRefused { location } });
        }
        if response.status().is_redirection() {
            if let Some(location) = response.headers().get(reqwest::header::LOCATION) {
                let location = location.to_str().unwrap_or("");
                let target = sent_to.join(location).map(|u| crate::http::display_url(&u));
                self.record(key, started.elapsed(), None);
                let location = target.unwrap_or_else(|_| crate::error::sanitize(location, 200));
                return Err(Attempt { failure: Failure::Final, error: crate::Error::RedirectRefused { location } });
            }
        }
        span.record("status", response.status().as_u16());
        if let Some(id) = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()) {
            span.record("request_id", id);
        }
        let body = crate::http::read_body(&mut response, self.shared.max_body).await;
        self.record(key, started.elapsed(), Some(response.status()));
        sent(&method, &sent_to, started, response.status().as_str());
        let body = match body {
            Ok(body) => body,
            Err(crate::http::BodyError::Cut(e)) => {
                return Err(Attempt { failure: Failure::BodyCut, error: crate::Error::Network(e) })
            }
            Err(crate::http::BodyError::TooLarge(limit)) => {
                return Err(Attempt { failure: Failure::Final, error: crate::Error::BodyTooLarge { limit } })
            }
        };
        Ok(Answer { status: response.status(), headers: std::mem::take(response.headers_mut()), url: sent_to, body })
    }

    /// The API this pipeline talks to.
    pub fn api(&self) -> Api {
        self.shared.api
    }
}

/// One attempt as a `DEBUG` event of target `pdrs::request`: method, URL (with its query,
/// without credentials), what came of it (the status, or the failure) and the time it took.
/// Never a header or a body.
fn sent(method: &reqwest::Method, url: &reqwest::Url, started: Instant, outcome: &str) {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_fragment(None);
    tracing::debug!(
        target: "pdrs::request",
        "{method} {} -> {} in {} ms",
        crate::error::sanitize(shown.as_str(), 2000),
        crate::error::sanitize(outcome, 300),
        started.elapsed().as_millis()
    );
}

/// The innermost cause of an error (`Connection refused (os error 111)`), or the error itself.
fn root_cause(error: &crate::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    crate::error::sanitize(&cause.to_string(), 300)
}

/// What a call's attempts came to so far, for the error its deadline gives.
#[derive(Default)]
struct Seen {
    attempts: u32,
    /// Text only when an attempt failed: the steps of one in flight are fixed words.
    last: Option<Cow<'static, str>>,
}

/// A complete answer: status, headers and the whole body, read inside the attempt.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: reqwest::StatusCode,
    pub headers: HeaderMap,
    pub url: reqwest::Url,
    pub body: bytes::Bytes,
}

impl Answer {
    pub fn request_id(&self) -> Option<String> {
        self.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(String::from)
    }

    /// The answer itself when its status is a success (any 2xx), else its error: the one rule
    /// by which typed and raw calls read a status.
    pub fn into_result(self) -> crate::Result<Self> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(self.into_error())
        }
    }

    /// The error of a non-2xx answer.
    pub fn into_error(self) -> crate::Error {
        let host = self.url.host_str().unwrap_or("").to_string();
        let request_id = self.request_id();
        crate::error::from_parts(self.status, host, request_id, self.body)
    }

    /// As a `reqwest::Response` whose body is already in memory.
    pub fn into_response(self) -> reqwest::Response {
        use reqwest::ResponseBuilderExt;
        let mut builder = ::http::Response::builder().status(self.status).url(self.url);
        if let Some(headers) = builder.headers_mut() {
            *headers = self.headers;
        }
        match builder.body(self.body) {
            Ok(response) => response.into(),
            Err(_) => ::http::Response::new(bytes::Bytes::new()).into(),
        }
    }
}

/// What an attempt came to, for the retry decision: `None` for success.
fn classify(result: &Result<Answer, Attempt>) -> Option<Outcome<'_>> {
    match result {
        Ok(answer) if answer.status.is_success() => None,
        Ok(answer) => Some(Outcome::Status(answer.status, &answer.headers)),
        Err(attempt) => Some(Outcome::Failure(attempt.failure)),
    }
}

/// A failed attempt: how it failed (for the retry decision) and the error to report.
struct Attempt {
    failure: Failure,
    error: crate::Error,
}

impl Attempt {
    fn from_send(e: reqwest::Error) -> Self {
        if let Some(location) = crate::http::refused_redirect(&e) {
            return Attempt { failure: Failure::Final, error: crate::Error::RedirectRefused { location } };
        }
        let failure = if e.is_connect() {
            Failure::Connect
        } else if e.is_builder() || e.is_redirect() {
            Failure::Final
        } else {
            Failure::Sent
        };
        // The error names the address it could not reach (scheme, host, port and path: no
        // credentials or query, which may carry secrets).
        let shown = e.url().map(|url| {
            let mut shown = url.clone();
            shown.set_query(None);
            shown.set_fragment(None);
            let _ = shown.set_username("");
            let _ = shown.set_password(None);
            shown
        });
        let e = match shown {
            Some(url) => e.with_url(url),
            None => e.without_url(),
        };
        Attempt { failure, error: crate::Error::Network(e) }
    }
}

fn header_value(text: &str) -> crate::Result<HeaderValue> {
    HeaderValue::from_str(text).map_err(|_| crate::Error::config(format!("{text:?} is not a valid header value")))
}
