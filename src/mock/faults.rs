//! Fault injection: rate limits, server errors, latency, connection resets, truncated bodies.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Faults to inject; all off by default.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Faults {
    /// Answer 429 (with `ratelimit-*` headers) past this many requests per window.
    pub rate_limit: Option<u32>,
    /// The rate-limit window (default one minute, as PagerDuty's).
    pub rate_window: Option<Duration>,
    /// Share of requests answered with a 5xx, 0.0 to 1.0.
    pub error_rate: f64,
    /// The 5xx statuses injected, one picked at random each time (default 500, 502, 503, 504).
    pub error_statuses: Vec<u16>,
    /// Latency added to every request.
    pub latency: Duration,
    /// Share of requests whose connection is reset before any response.
    pub reset_rate: f64,
    /// Share of responses whose body is cut off half way.
    pub truncate_rate: f64,
    /// Seed of the fault dice (runs are reproducible).
    pub seed: u64,
    /// Share of webhook deliveries sent twice (the same `X-Webhook-Id`), as PagerDuty may.
    pub webhook_duplicates: f64,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// 429 past `requests` per `window`.
    pub fn rate_limit(mut self, requests: u32, window: Duration) -> Self {
        self.rate_limit = Some(requests);
        self.rate_window = Some(window);
        self
    }

    /// A 5xx for this share of requests.
    pub fn error_rate(mut self, rate: f64) -> Self {
        self.error_rate = rate;
        self
    }

    /// The 5xx statuses `error_rate` injects (others than 500 to 599 are left out).
    pub fn error_statuses(mut self, statuses: &[u16]) -> Self {
        self.error_statuses = statuses.iter().copied().filter(|s| (500..600).contains(s)).collect();
        self
    }

    /// Latency per request.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Connection resets for this share of requests.
    pub fn reset_rate(mut self, rate: f64) -> Self {
        self.reset_rate = rate;
        self
    }

    /// Truncated bodies for this share of responses.
    pub fn truncate_rate(mut self, rate: f64) -> Self {
        self.truncate_rate = rate;
        self
    }

    /// Webhook deliveries sent twice for this share of them.
    pub fn webhook_duplicates(mut self, rate: f64) -> Self {
        self.webhook_duplicates = rate;
        self
    }

    /// The seed of the fault dice: the same seed strikes the same requests.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// Which rate-limit bucket a request counts against: PagerDuty limits the REST API per key and
/// the Events API per routing key, apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bucket {
    Rest = 0,
    Events = 1,
}

pub(crate) struct FaultState {
    faults: Faults,
    rng: fastrand::Rng,
    /// Per bucket: when its window started (on the mock's clock) and how many requests it has seen.
    windows: [(Option<DateTime<Utc>>, u32); 2],
    served: u64,
}

/// What to do to one request.
pub(crate) struct Decision {
    pub delay: Option<Duration>,
    early: Option<Response>,
    truncate: bool,
    limit: Option<(u32, u32, u64)>,
    /// How the journal names the fault, if one strikes.
    name: Option<&'static str>,
}

impl FaultState {
    pub fn new(faults: Faults) -> Self {
        let rng = fastrand::Rng::with_seed(faults.seed);
        Self { faults, rng, windows: [(None, 0); 2], served: 0 }
    }

    pub fn served(&self) -> u64 {
        self.served
    }

    /// The random faults for the next request, its rate-limit window read on the mock's clock
    /// (`now`, given when there is a rate limit): a test that moves the clock past a window
    /// starts a new one.
    pub fn next(&mut self, bucket: Bucket, now: Option<DateTime<Utc>>) -> Decision {
        self.served += 1;
        let f = &self.faults;
        let delay = (!f.latency.is_zero()).then_some(f.latency);
        let mut limit = None;
        if let (Some(max), Some(now)) = (f.rate_limit, now) {
            let window = f.rate_window.unwrap_or(Duration::from_secs(60));
            let span = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
            let (start, count) = &mut self.windows[bucket as usize];
            let begun = match *start {
                Some(begun) if now >= begun && now - begun < span => begun,
                _ => {
                    *count = 0;
                    *start = Some(now);
                    now
                }
            };
            *count = count.saturating_add(1);
            let left = (span - (now - begun)).to_std().unwrap_or_default();
            // Whole seconds, as PagerDuty sends them.
            let reset = left.as_secs_f64().ceil().max(1.0) as u64;
            let remaining = max.saturating_sub(*count);
            if *count > max {
                let mut response =
                    super::answer::error(StatusCode::TOO_MANY_REQUESTS, 2020, "Rate Limit Exceeded", vec![]);
                set_limit_headers(&mut response, max, 0, reset);
                return Decision {
                    delay,
                    early: Some(response),
                    truncate: false,
                    limit: None,
                    name: Some("rate limited"),
                };
            }
            limit = Some((max, remaining, reset));
        }
        if self.rng.f64() < f.reset_rate {
            return Decision { delay, early: Some(reset_response()), truncate: false, limit, name: Some("reset") };
        }
        if self.rng.f64() < f.error_rate {
            let statuses: &[u16] = if f.error_statuses.is_empty() { &[500, 502, 503, 504] } else { &f.error_statuses };
            let status = statuses[self.rng.usize(..statuses.len())];
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let response = server_error(status);
            return Decision { delay, early: Some(response), truncate: false, limit, name: Some("server error") };
        }
        let truncate = self.rng.f64() < f.truncate_rate;
        Decision { delay, early: None, truncate, limit, name: truncate.then_some("truncated") }
    }
}

/// A 5xx as PagerDuty answers one: code 2000 and the status's own reason.
pub(crate) fn server_error(status: StatusCode) -> Response {
    super::answer::error(status, 2000, status.canonical_reason().unwrap_or("Internal Server Error"), vec![])
}

fn set_limit_headers(response: &mut Response, limit: u32, remaining: u32, reset: u64) {
    let headers = response.headers_mut();
    headers.insert("ratelimit-limit", HeaderValue::from(limit));
    headers.insert("ratelimit-remaining", HeaderValue::from(remaining));
    headers.insert("ratelimit-reset", HeaderValue::from(reset));
}

/// A response whose body fails at once: the server drops the connection.
pub(crate) fn reset_response() -> Response {
    let stream =
        futures::stream::once(async { Err::<Vec<u8>, std::io::Error>(std::io::Error::other("injected reset")) });
    Response::builder()
        .status(StatusCode::OK)
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::OK.into_response())
}

impl Decision {
    /// How the journal names the fault that struck, if one did.
    pub fn name(&self) -> Option<String> {
        self.name.map(String::from)
    }

    pub fn early_response(&mut self) -> Option<Response> {
        self.early.take()
    }

    pub async fn apply(self, mut response: Response) -> Response {
        if let Some((limit, remaining, reset)) = self.limit {
            set_limit_headers(&mut response, limit, remaining, reset);
        }
        if !self.truncate {
            return response;
        }
        truncate(response).await
    }
}

/// An honest truncation: the status, the headers with the full `Content-Length`, and the first
/// half of the body go out; then the connection is closed.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts.headers.insert(axum::http::header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let half = bytes.slice(..bytes.len() / 2);
    let cut = futures::stream::unfold(0u8, move |step| {
        let half = half.clone();
        async move {
            match step {
                0 => Some((Ok(half), 1)),
                1 => {
                    // Let the server flush what it has before the connection is dropped.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    Some((Err(std::io::Error::other("injected truncation")), 2))
                }
                _ => None,
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(cut))
}
