//! Fault injection: rate limits, server errors, latency, connection resets, truncated bodies.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;

/// PagerDuty's REST rate limit: requests per minute per API key.
pub const REST_RATE_LIMIT: u32 = 960;

/// The mock's limit of an operation the documents give a limit of its own
/// (`x-pd-operation-limit`: `POST /incidents`, `PUT /incidents`, `GET /oncalls`) per window:
/// PagerDuty does not publish the numbers.
pub const OPERATION_RATE_LIMIT: u32 = 240;

/// The mock's daily quota of analytics requests per API key (PagerDuty does not publish it).
pub const ANALYTICS_DAILY_QUOTA: u32 = 5_000;

/// PagerDuty's Events API rate limit: about 120 events a minute per routing key.
pub const EVENTS_RATE_LIMIT: u32 = 120;

/// Rate limits as PagerDuty applies them, and faults to inject (all off by default).
///
/// The REST API counts per API key in windows of a minute (on the mock's clock), as PagerDuty
/// does: every answer carries `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset`,
/// and past the limit the answer is a 429 code 2020. Operations with a limit of their own also
/// count apart and say so with `x-pd-operation-limit` (the `ratelimit-*` headers then give the
/// nearer limit); analytics requests also count against a daily quota (`daily-ratelimit-*`).
/// The Events API counts apart, per routing key.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Faults {
    /// REST requests per window per API key ([`REST_RATE_LIMIT`] by default; 0: no limit and
    /// no `ratelimit-*` headers).
    pub rate_limit: Option<u32>,
    /// Events per window per routing key ([`EVENTS_RATE_LIMIT`]; 0: none).
    pub events_rate_limit: u32,
    /// The rate-limit window (default one minute, as PagerDuty's).
    pub rate_window: Option<Duration>,
    /// Per window, requests per API key of an operation with a limit of its own
    /// ([`OPERATION_RATE_LIMIT`]; 0: none).
    pub operation_rate_limit: u32,
    /// Analytics requests per API key per day ([`ANALYTICS_DAILY_QUOTA`]; 0: none).
    pub analytics_daily_quota: u32,
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

impl Default for Faults {
    fn default() -> Self {
        Self {
            rate_limit: None,
            events_rate_limit: EVENTS_RATE_LIMIT,
            rate_window: None,
            operation_rate_limit: OPERATION_RATE_LIMIT,
            analytics_daily_quota: ANALYTICS_DAILY_QUOTA,
            error_rate: 0.0,
            error_statuses: Vec::new(),
            latency: Duration::ZERO,
            reset_rate: 0.0,
            truncate_rate: 0.0,
            seed: 0,
            webhook_duplicates: 0.0,
        }
    }
}

impl Faults {
    /// No faults; PagerDuty's rate limits.
    pub fn none() -> Self {
        Self::default()
    }

    /// 429 past `requests` per `window` per API key (0: no limit); the window is the Events
    /// API's too.
    pub fn rate_limit(mut self, requests: u32, window: Duration) -> Self {
        self.rate_limit = Some(requests);
        self.rate_window = Some(window);
        self
    }

    /// Events per window per routing key (0: none).
    pub fn events_rate_limit(mut self, events: u32) -> Self {
        self.events_rate_limit = events;
        self
    }

    /// No rate limits at all (nor `ratelimit-*` headers): for benchmarks of the mock itself.
    pub fn unlimited(mut self) -> Self {
        self.rate_limit = Some(0);
        self.events_rate_limit = 0;
        self.operation_rate_limit = 0;
        self.analytics_daily_quota = 0;
        self
    }

    /// Requests per window of each operation with a limit of its own (0: none).
    pub fn operation_rate_limit(mut self, requests: u32) -> Self {
        self.operation_rate_limit = requests;
        self
    }

    /// Analytics requests per API key per day (0: none).
    pub fn analytics_daily_quota(mut self, requests: u32) -> Self {
        self.analytics_daily_quota = requests;
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

/// What a request counts against: PagerDuty limits the REST API per key (some operations and
/// analytics apart as well) and the Events API apart.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Bucket<'a> {
    Rest {
        /// The API key (the `Authorization` header as sent).
        key: &'a str,
        /// The operation (`POST /incidents`), when it has a limit of its own.
        own_limit: Option<&'a str>,
        /// Whether it is an analytics request (daily quota).
        analytics: bool,
    },
    Events {
        /// The event's routing key.
        routing_key: &'a str,
    },
}

/// One counting window: when it began (on the mock's clock) and what it has counted.
#[derive(Clone, Copy)]
struct Window {
    begun: DateTime<Utc>,
    count: u32,
}

/// What one window says after counting a request: its limit, what is left, seconds to reset.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Count {
    limit: u32,
    remaining: u32,
    reset: u64,
    over: bool,
}

pub(crate) struct FaultState {
    faults: Faults,
    rng: fastrand::Rng,
    /// Counting windows by bucket name (`rest <key>`, `op <key> <operation>`, `day <key>`,
    /// `events <routing key>`).
    windows: HashMap<String, Window>,
    served: u64,
}

/// What to do to one request.
pub(crate) struct Decision {
    pub delay: Option<Duration>,
    early: Option<Response>,
    truncate: bool,
    /// The rate-limit headers of the answer.
    limit: Vec<(&'static str, String)>,
    /// How the journal names the fault, if one strikes.
    name: Option<&'static str>,
}

impl FaultState {
    pub fn new(faults: Faults) -> Self {
        let rng = fastrand::Rng::with_seed(faults.seed);
        Self { faults, rng, windows: HashMap::new(), served: 0 }
    }

    pub fn served(&self) -> u64 {
        self.served
    }

    /// Counts a request in the window `name` of `span` allowing `max`, at `now`.
    fn count(&mut self, name: String, max: u32, span: chrono::Duration, now: DateTime<Utc>) -> Count {
        let window = self.windows.entry(name).or_insert(Window { begun: now, count: 0 });
        // A window ends `span` after it began; a clock moved back starts a new one too.
        if now < window.begun || now - window.begun >= span {
            *window = Window { begun: now, count: 0 };
        }
        window.count = window.count.saturating_add(1);
        let left = (span - (now - window.begun)).to_std().unwrap_or_default();
        // Whole seconds, rounded up, as PagerDuty sends them.
        let reset = left.as_secs_f64().ceil().max(1.0) as u64;
        Count { limit: max, remaining: max.saturating_sub(window.count), reset, over: window.count > max }
    }

    /// The random faults for the next request and its rate-limit counts, read on the mock's
    /// clock (`now`): a test that moves the clock past a window starts a new one.
    pub fn next(&mut self, bucket: Bucket<'_>, now: DateTime<Utc>) -> Decision {
        self.served += 1;
        let f = &self.faults;
        let delay = (!f.latency.is_zero()).then_some(f.latency);
        let window = f.rate_window.unwrap_or(Duration::from_secs(60));
        let span = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
        let (rest_limit, own, daily, events) = (
            f.rate_limit.unwrap_or(REST_RATE_LIMIT),
            f.operation_rate_limit,
            f.analytics_daily_quota,
            f.events_rate_limit,
        );
        let mut headers = Vec::new();
        let mut over = false;
        match bucket {
            Bucket::Rest { key, own_limit, analytics } => {
                let general = (rest_limit > 0).then(|| self.count(format!("rest {key}"), rest_limit, span, now));
                let operation = own_limit
                    .filter(|_| own > 0)
                    .map(|operation| self.count(format!("op {key} {operation}"), own, span, now));
                if operation.is_some() {
                    headers.push(("x-pd-operation-limit", own.to_string()));
                }
                over = general.is_some_and(|c| c.over) || operation.is_some_and(|c| c.over);
                let nearest = match (general, operation) {
                    (Some(g), Some(o)) => Some(if o.remaining <= g.remaining { o } else { g }),
                    (g, o) => g.or(o),
                };
                if let Some(n) = nearest {
                    n.tell(&mut headers);
                }
                if analytics && daily > 0 {
                    let day = self.count(format!("day {key}"), daily, chrono::Duration::days(1), now);
                    over |= day.over;
                    headers.push(("daily-ratelimit-limit", day.limit.to_string()));
                    headers.push(("daily-ratelimit-remaining", day.remaining.to_string()));
                    headers.push(("daily-ratelimit-reset", day.reset.to_string()));
                }
            }
            Bucket::Events { routing_key } => {
                if events > 0 {
                    let n = self.count(format!("events {routing_key}"), events, span, now);
                    over = n.over;
                    n.tell(&mut headers);
                }
            }
        }
        if over {
            let mut response = super::answer::error(StatusCode::TOO_MANY_REQUESTS, 2020, "Rate Limit Exceeded", vec![]);
            set_headers(&mut response, &headers);
            return Decision::early(delay, response, "rate limited");
        }
        let f = &self.faults;
        if self.rng.f64() < f.reset_rate {
            return Decision::early(delay, reset_response(), "reset");
        }
        if self.rng.f64() < f.error_rate {
            let statuses: &[u16] = if f.error_statuses.is_empty() { &[500, 502, 503, 504] } else { &f.error_statuses };
            let status = statuses[self.rng.usize(..statuses.len())];
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = server_error(status);
            set_headers(&mut response, &headers);
            return Decision::early(delay, response, "server error");
        }
        let truncate = self.rng.f64() < f.truncate_rate;
        Decision { delay, early: None, truncate, limit: headers, name: truncate.then_some("truncated") }
    }
}

/// A 5xx as PagerDuty answers one: code 2000 and the status's own reason.
pub(crate) fn server_error(status: StatusCode) -> Response {
    super::answer::error(status, 2000, status.canonical_reason().unwrap_or("Internal Server Error"), vec![])
}

fn set_headers(response: &mut Response, headers: &[(&'static str, String)]) {
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, value);
        }
    }
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

impl Count {
    /// This count as PagerDuty tells it: `ratelimit-limit`, `-remaining`, `-reset`.
    fn tell(&self, headers: &mut Vec<(&'static str, String)>) {
        headers.push(("ratelimit-limit", self.limit.to_string()));
        headers.push(("ratelimit-remaining", self.remaining.to_string()));
        headers.push(("ratelimit-reset", self.reset.to_string()));
    }
}

impl Decision {
    /// An answer given before the request is handled (the journal names it `name`).
    fn early(delay: Option<Duration>, response: Response, name: &'static str) -> Self {
        Decision { delay, early: Some(response), truncate: false, limit: Vec::new(), name: Some(name) }
    }

    /// How the journal names the fault that struck, if one did.
    pub fn name(&self) -> Option<String> {
        self.name.map(String::from)
    }

    pub fn early_response(&mut self) -> Option<Response> {
        self.early.take()
    }

    pub async fn apply(self, mut response: Response) -> Response {
        set_headers(&mut response, &self.limit);
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
