//! Retry policy: which failures are retried, how long to wait, and when to give up.

use reqwest::{Method, StatusCode};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Why a request is being retried.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryReason {
    /// The API answered with this status (429, 5xx, or one in the per-status map).
    Status(u16),
    /// The request failed on the network (connect, reset, timeout).
    Network,
}

/// Called before each wait: (attempt number that failed, wait, reason).
pub type RetryObserver = Arc<dyn Fn(u32, Duration, &RetryReason) + Send + Sync>;

/// When and how requests are retried.
///
/// Defaults: up to 5 attempts in all and 5 minutes of waiting; 429 retried for every method,
/// honouring `ratelimit-reset` / `Retry-After`; 502, 503 and 504 and network errors retried for
/// idempotent methods (not POST, unless [`retry_post`](Self::retry_post)); 401 never.
#[derive(Clone)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) max_total_wait: Duration,
    pub(crate) base_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) retry_post: bool,
    pub(crate) per_status: HashMap<u16, u32>,
    pub(crate) observer: Option<RetryObserver>,
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("max_total_wait", &self.max_total_wait)
            .field("retry_post", &self.retry_post)
            .field("per_status", &self.per_status)
            .finish_non_exhaustive()
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            max_total_wait: Duration::from_secs(300),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            retry_post: false,
            per_status: HashMap::new(),
            observer: None,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Cap on the sum of all waits of one request.
    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// First backoff delay (doubled at each attempt, with jitter) when the server gives no hint.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Longest single wait.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Also retry POST on network errors and 5xx (only safe for idempotent POSTs).
    pub fn retry_post(mut self, yes: bool) -> Self {
        self.retry_post = yes;
        self
    }

    /// Retry this status up to `times` times (like pdpyras's `retry` map), for every method.
    pub fn retry_status(mut self, status: u16, times: u32) -> Self {
        self.per_status.insert(status, times);
        self
    }

    /// Calls `f(failed_attempt, wait, reason)` before each wait (for logging or metrics).
    pub fn on_retry(mut self, f: impl Fn(u32, Duration, &RetryReason) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(f));
        self
    }

    fn idempotent_or_allowed(&self, method: &Method) -> bool {
        *method != Method::POST && *method != Method::PATCH || self.retry_post
    }

    /// Whether a response with `status` to `method` is retried, given how often this status was
    /// already retried.
    pub(crate) fn retries_status(&self, method: &Method, status: StatusCode, times_so_far: u32) -> bool {
        let code = status.as_u16();
        if code == 401 {
            return false;
        }
        if let Some(&limit) = self.per_status.get(&code) {
            return times_so_far < limit;
        }
        match code {
            429 => true,
            502..=504 => self.idempotent_or_allowed(method),
            _ => false,
        }
    }

    /// Whether a network failure of `method` is retried.
    pub(crate) fn retries_network(&self, method: &Method) -> bool {
        self.idempotent_or_allowed(method)
    }

    /// Backoff for the `attempt`-th failure (1-based) without a server hint: exponential with
    /// full jitter between half and all of the delay.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        let jitter = 0.5 + fastrand::f64() * 0.5;
        capped.mul_f64(jitter)
    }

    pub(crate) fn notify(&self, attempt: u32, wait: Duration, reason: &RetryReason) {
        if let Some(observer) = &self.observer {
            observer(attempt, wait, reason);
        }
    }
}

/// The server's hint of when to retry: `ratelimit-reset` or `Retry-After`, in seconds.
pub(crate) fn server_hint(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    ["ratelimit-reset", "retry-after"].iter().find_map(|name| {
        let text = headers.get(*name)?.to_str().ok()?.trim();
        let secs: f64 = text.parse().ok()?;
        (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
    })
}
