//! Retries: which failures are retried, how long to wait, and when to give up.
//!
//! [`RetryPolicy::decide`] is the pure decision step (what happened, the server's hint, the
//! attempt so far → retry after a wait, or give up); [`run`] is the loop around it that the
//! request pipeline uses for every call, typed or raw, of every API's client.

use crate::error::{transience, Transience};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// Why a request is being retried.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryReason {
    /// The API answered with this status (429, 5xx, or one in the per-status map).
    Status(u16),
    /// The request failed on the network (connect, reset, timeout, body cut short).
    Network,
}

/// Called before each wait: (attempt number that failed, wait, reason).
pub type RetryObserver = Arc<dyn Fn(u32, Duration, &RetryReason) + Send + Sync>;

/// When and how requests are retried, and how long one call may take in all.
///
/// Defaults: up to 5 attempts and 5 minutes of waiting; a call deadline of 10 minutes;
/// - 429 retried for every method, after the server's `Retry-After` (seconds or an HTTP date)
///   or `ratelimit-reset`, else exponential backoff with jitter; a hint longer than
///   [`max_delay`](Self::max_delay) (a daily quota, say) is not waited out but reported;
/// - 500, 502, 503 and 504, resets, timeouts and bodies cut short retried for idempotent
///   methods (GET, HEAD, PUT, DELETE, OPTIONS); POST and PATCH only when nothing reached the
///   server (connection refused), unless [`retry_post`](Self::retry_post);
/// - 401 never.
#[derive(Clone)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) max_total_wait: Duration,
    pub(crate) base_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) deadline: Duration,
    pub(crate) retry_post: bool,
    pub(crate) per_status: HashMap<u16, u32>,
    pub(crate) observer: Option<RetryObserver>,
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("max_total_wait", &self.max_total_wait)
            .field("deadline", &self.deadline)
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
            deadline: Duration::from_secs(600),
            retry_post: false,
            per_status: HashMap::new(),
            observer: None,
        }
    }
}

/// What one attempt came to, as the decision step sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Outcome<'a> {
    /// A complete response with this status and headers.
    Status(StatusCode, &'a HeaderMap),
    /// A failure.
    Failure(Failure),
}

/// How an attempt failed without a complete response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Nothing reached the server (connection refused, DNS, TLS handshake).
    Connect,
    /// The request may have reached the server (reset, timeout, no answer).
    Sent,
    /// The response began but its body was cut short.
    BodyCut,
    /// Something no retry can fix (a refused redirect, a body over the limit).
    Final,
}

/// The decision step's answer.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Decision {
    /// Wait, then try again.
    Retry(Duration, RetryReason),
    /// Return this outcome to the caller.
    GiveUp,
    /// A 429 whose hint is longer than the policy waits: return it, naming the wait.
    TooLongToWait(Duration),
}

/// The attempt so far: how many were made, how much was waited, and per status how often.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub attempts: u32,
    pub waited: Duration,
    pub per_status: HashMap<u16, u32>,
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// pdpyras's Events API defaults: 500 retried twice, 502 four times, 503 and 504 six times,
    /// 429 within the attempt cap; 400 never.
    pub fn events() -> Self {
        RetryPolicy::default()
            .max_attempts(7)
            .retry_status(500, 2)
            .retry_status(502, 4)
            .retry_status(503, 6)
            .retry_status(504, 6)
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

    /// Longest single wait. A server hint longer than this is reported
    /// ([`Error::RateLimited`](crate::Error::RateLimited)), not waited out.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest one call may take, attempts and waits included (default 10 minutes); past it
    /// the call ends with [`Error::Timeout`](crate::Error::Timeout).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Also retry POST and PATCH on 5xx and on failures after sending (only safe when the call
    /// is idempotent, e.g. it carries a dedup key).
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
        let idempotent = matches!(*method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS);
        idempotent || self.retry_post
    }

    /// The decision step: after attempt number `progress.attempts` ended in `outcome`, retry
    /// (after how long) or give up. Pure but for the jitter of the backoff; `now` reads
    /// `Retry-After` dates.
    pub(crate) fn decide(
        &self,
        method: &Method,
        outcome: Outcome<'_>,
        progress: &Progress,
        now: SystemTime,
    ) -> Decision {
        let (wait, reason) = match outcome {
            Outcome::Status(status, headers) => {
                let code = status.as_u16();
                let so_far = progress.per_status.get(&code).copied().unwrap_or(0);
                let retry = match (code, self.per_status.get(&code)) {
                    (401, _) => false,
                    (_, Some(&limit)) => so_far < limit,
                    (_, None) => match transience(code) {
                        Transience::Transient => true,
                        Transience::TransientIfIdempotent => self.idempotent_or_allowed(method),
                        Transience::Permanent => false,
                    },
                };
                if !retry {
                    return Decision::GiveUp;
                }
                // `ratelimit-reset` tells when the rate-limit window turns: a hint for a 429 only
                // (PagerDuty sends it on every answer); `Retry-After` is one for any status.
                let hint = if code == 429 { server_hint(headers, now) } else { retry_after(headers, now) };
                if code == 429 {
                    if let Some(daily) = daily_quota_spent(headers) {
                        // The day's quota is used up (analytics): retrying would spin for hours.
                        return Decision::TooLongToWait(daily.max(hint.unwrap_or_default()));
                    }
                    if let Some(hint) = hint.filter(|h| *h > self.max_delay) {
                        return Decision::TooLongToWait(hint);
                    }
                }
                // A hint of no wait (a date in the past, `0`) is taken as none: retrying at once,
                // again and again, would hammer a server that keeps refusing.
                let hint = hint.filter(|h| !h.is_zero());
                (hint.unwrap_or_else(|| self.backoff(progress.attempts)), RetryReason::Status(code))
            }
            Outcome::Failure(Failure::Final) => return Decision::GiveUp,
            Outcome::Failure(Failure::Connect) => (self.backoff(progress.attempts), RetryReason::Network),
            Outcome::Failure(Failure::Sent | Failure::BodyCut) => {
                if !self.idempotent_or_allowed(method) {
                    return Decision::GiveUp;
                }
                (self.backoff(progress.attempts), RetryReason::Network)
            }
        };
        let wait = wait.min(self.max_delay);
        if progress.attempts >= self.max_attempts || progress.waited + wait > self.max_total_wait {
            return Decision::GiveUp;
        }
        Decision::Retry(wait, reason)
    }

    /// Backoff for the `attempt`-th failure (1-based) without a server hint: exponential with
    /// jitter between half and all of the delay.
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

/// The loop around [`RetryPolicy::decide`]: runs `attempt` until it succeeds, the policy gives
/// up, or the next wait would end past `deadline` (then the last outcome is returned, so that the
/// caller reports what it saw rather than a bare timeout). `classify` tells the decision step what
/// an attempt came to; `before_wait` is told of each wait as it begins.
pub(crate) async fn run<T, E, A, Fut>(
    policy: &RetryPolicy,
    method: &Method,
    mut attempt: A,
    classify: impl Fn(&Result<T, E>) -> Option<Outcome<'_>>,
    too_long: impl Fn(Result<T, E>, Duration) -> Result<T, E>,
    before_wait: impl Fn(u32, Duration, &RetryReason),
    deadline: Instant,
) -> (Result<T, E>, u32)
where
    A: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut progress = Progress::default();
    loop {
        progress.attempts += 1;
        let result = attempt(progress.attempts).await;
        let Some(outcome) = classify(&result) else { return (result, progress.attempts) };
        let decision = policy.decide(method, outcome, &progress, SystemTime::now());
        if let Outcome::Status(status, _) = outcome {
            *progress.per_status.entry(status.as_u16()).or_default() += 1;
        }
        match decision {
            Decision::GiveUp => return (result, progress.attempts),
            Decision::TooLongToWait(wait) => return (too_long(result, wait), progress.attempts),
            Decision::Retry(wait, _) if Instant::now() + wait >= deadline => return (result, progress.attempts),
            Decision::Retry(wait, reason) => {
                policy.notify(progress.attempts, wait, &reason);
                before_wait(progress.attempts + 1, wait, &reason);
                drop(result);
                tokio::time::sleep(wait).await;
                progress.waited += wait;
            }
        }
    }
}

/// When `daily-ratelimit-remaining` is 0: the wait until the daily quota resets (at least a
/// second when the reset is not given).
pub(crate) fn daily_quota_spent(headers: &HeaderMap) -> Option<Duration> {
    if header_text(headers, "daily-ratelimit-remaining")?.parse::<f64>().ok()? > 0.0 {
        return None;
    }
    let reset = header_text(headers, "daily-ratelimit-reset").and_then(seconds).unwrap_or(Duration::ZERO);
    Some(reset.max(Duration::from_secs(1)))
}

/// The longest wait a server's hint stands for (about 31 years): longer ones are taken as this,
/// so that a caller adding the wait to a clock cannot overflow it.
pub(crate) const MAX_HINT: Duration = Duration::from_secs(1_000_000_000);

/// The server's hint of when to retry: `Retry-After` (seconds or an HTTP date), else
/// `ratelimit-reset` (seconds), at most [`MAX_HINT`]. Negative, non-numeric or non-finite values
/// are no hint.
pub(crate) fn server_hint(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    retry_after(headers, now).or_else(|| header_text(headers, "ratelimit-reset").and_then(seconds))
}

/// `Retry-After` (seconds or an HTTP date), at most [`MAX_HINT`].
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let t = header_text(headers, "retry-after")?;
    if let Some(d) = seconds(t) {
        return Some(d);
    }
    let at = httpdate::parse_http_date(t).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO).min(MAX_HINT))
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// A number of seconds: negative, non-numeric or non-finite is none; at most [`MAX_HINT`].
fn seconds(text: &str) -> Option<Duration> {
    let secs: f64 = text.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(MAX_HINT.as_secs_f64())))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    /// A header map of these pairs (for the unit tests of what answers' headers say).
    pub(crate) fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    fn progress(attempts: u32) -> Progress {
        Progress { attempts, ..Progress::default() }
    }

    fn status(policy: &RetryPolicy, method: Method, code: u16, h: &HeaderMap, attempts: u32) -> Decision {
        let outcome = Outcome::Status(StatusCode::from_u16(code).unwrap(), h);
        policy.decide(&method, outcome, &progress(attempts), SystemTime::now())
    }

    #[test]
    fn idempotent_methods_retry_server_errors_post_does_not() {
        let p = RetryPolicy::default();
        let none = HeaderMap::new();
        for code in [500, 502, 503, 504] {
            for m in [Method::GET, Method::PUT, Method::DELETE, Method::HEAD] {
                assert!(
                    matches!(status(&p, m, code, &none, 1), Decision::Retry(_, RetryReason::Status(c)) if c == code)
                );
            }
            assert_eq!(status(&p, Method::POST, code, &none, 1), Decision::GiveUp);
            assert_eq!(status(&p, Method::PATCH, code, &none, 1), Decision::GiveUp);
            assert!(matches!(status(&p.clone().retry_post(true), Method::POST, code, &none, 1), Decision::Retry(..)));
        }
        for code in [400, 401, 403, 404, 409, 501] {
            assert_eq!(status(&p, Method::GET, code, &none, 1), Decision::GiveUp);
        }
    }

    #[test]
    fn rate_limits_retry_every_method_after_the_hint() {
        let p = RetryPolicy::default();
        let h = headers(&[("ratelimit-reset", "7")]);
        assert_eq!(
            status(&p, Method::POST, 429, &h, 1),
            Decision::Retry(Duration::from_secs(7), RetryReason::Status(429))
        );
        let h = headers(&[("retry-after", "2"), ("ratelimit-reset", "9")]);
        assert_eq!(
            status(&p, Method::GET, 429, &h, 1),
            Decision::Retry(Duration::from_secs(2), RetryReason::Status(429))
        );
    }

    #[test]
    fn an_absurd_hint_is_reported_not_waited_out() {
        let p = RetryPolicy::default();
        let h = headers(&[("ratelimit-reset", "86400")]);
        assert_eq!(status(&p, Method::GET, 429, &h, 1), Decision::TooLongToWait(Duration::from_secs(86400)));
        // A silly hint on a 503 is capped instead.
        let h = headers(&[("retry-after", "86400")]);
        assert_eq!(status(&p, Method::GET, 503, &h, 1), Decision::Retry(p.max_delay, RetryReason::Status(503)));
        // Garbage is no hint: backoff.
        for bad in ["-5", "NaN", "inf", "soon", "", "0", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            let h = headers(&[("retry-after", bad)]);
            assert!(
                matches!(status(&p, Method::GET, 429, &h, 1), Decision::Retry(d, _) if d <= p.base_delay && !d.is_zero())
            );
        }
    }

    #[test]
    fn ratelimit_reset_is_a_hint_for_a_429_only() {
        // PagerDuty sends `ratelimit-reset` on every answer: a 503 carrying it is backed off.
        let p = RetryPolicy::default();
        let h = headers(&[("ratelimit-reset", "60")]);
        assert!(matches!(status(&p, Method::GET, 503, &h, 1), Decision::Retry(d, _) if d <= p.base_delay));
        assert_eq!(
            status(&p, Method::GET, 429, &h, 1),
            Decision::Retry(Duration::from_secs(60), RetryReason::Status(429))
        );
    }

    #[test]
    fn a_spent_daily_quota_is_reported() {
        let p = RetryPolicy::default();
        let h =
            headers(&[("ratelimit-reset", "1"), ("daily-ratelimit-remaining", "0"), ("daily-ratelimit-reset", "3600")]);
        assert_eq!(status(&p, Method::GET, 429, &h, 1), Decision::TooLongToWait(Duration::from_secs(3600)));
        let h = headers(&[("ratelimit-reset", "1"), ("daily-ratelimit-remaining", "12")]);
        assert_eq!(
            status(&p, Method::GET, 429, &h, 1),
            Decision::Retry(Duration::from_secs(1), RetryReason::Status(429))
        );
    }

    #[test]
    fn retry_after_as_an_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(server_hint(&headers(&[("retry-after", &later)]), now), Some(Duration::from_secs(30)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(server_hint(&headers(&[("retry-after", &past)]), now), Some(Duration::ZERO));
    }

    #[test]
    fn failures_by_kind() {
        let p = RetryPolicy::default();
        let d = |m: Method, f: Failure| p.decide(&m, Outcome::Failure(f), &progress(1), SystemTime::now());
        assert!(matches!(d(Method::POST, Failure::Connect), Decision::Retry(_, RetryReason::Network)));
        assert_eq!(d(Method::POST, Failure::Sent), Decision::GiveUp);
        assert_eq!(d(Method::PATCH, Failure::BodyCut), Decision::GiveUp);
        assert!(matches!(d(Method::GET, Failure::BodyCut), Decision::Retry(..)));
        assert!(matches!(d(Method::DELETE, Failure::Sent), Decision::Retry(..)));
        assert_eq!(d(Method::GET, Failure::Final), Decision::GiveUp);
    }

    #[test]
    fn bounded_by_attempts_and_total_wait() {
        let p = RetryPolicy::default().max_attempts(3);
        let none = HeaderMap::new();
        assert!(matches!(status(&p, Method::GET, 503, &none, 2), Decision::Retry(..)));
        assert_eq!(status(&p, Method::GET, 503, &none, 3), Decision::GiveUp);
        let p = RetryPolicy::default().max_total_wait(Duration::from_secs(10));
        let h = headers(&[("retry-after", "4")]);
        let spent = Progress { attempts: 1, waited: Duration::from_secs(7), ..Progress::default() };
        let outcome = Outcome::Status(StatusCode::SERVICE_UNAVAILABLE, &h);
        assert_eq!(p.decide(&Method::GET, outcome, &spent, SystemTime::now()), Decision::GiveUp);
    }

    #[test]
    fn the_per_status_map_counts_each_status() {
        let p = RetryPolicy::default().retry_status(404, 2).retry_status(503, 0);
        let none = HeaderMap::new();
        let mut prog = progress(1);
        let outcome = Outcome::Status(StatusCode::NOT_FOUND, &none);
        assert!(matches!(p.decide(&Method::POST, outcome, &prog, SystemTime::now()), Decision::Retry(..)));
        prog.per_status.insert(404, 2);
        assert_eq!(p.decide(&Method::POST, outcome, &prog, SystemTime::now()), Decision::GiveUp);
        assert_eq!(status(&p, Method::GET, 503, &none, 1), Decision::GiveUp);
    }
}
