//! `pdrs-mock`: a spec-driven, stateful PagerDuty server for tests.
//!
//! Every REST path of the operation table answers: collections page the way the spec says
//! (offset with the 10,000 cap, cursor), single resources get/put/delete, POST creates, bodies
//! are wrapped as the spec says and validated against its field types; the Events API
//! (`/v2/enqueue`, `/v2/change/enqueue`) triggers, acknowledges and resolves incidents in the
//! same state. Seed data is deterministic; faults (rate limits, 5xx, latency, resets, truncated
//! bodies) are opt-in.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = pdrs::mock::MockServer::start().await?;
//! let pd = pdrs::RestClient::builder("any-token").base_url(mock.url()).build()?;
//! let users: Vec<serde_json::Value> = pd.list_all("/users", pdrs::ListOptions::new()).await?;
//! # Ok(()) }
//! ```

mod analytics;
mod answer;
mod control;
mod credentials;
mod deliveries;
mod documented;
mod events;
mod example_state;
mod faults;
mod incidents;
mod journal;
mod listing;
mod query;
mod rest;
mod script;
mod seed;
mod shared;
mod store;
mod validate;

pub use faults::{Faults, ANALYTICS_DAILY_QUOTA, EVENTS_RATE_LIMIT, OPERATION_RATE_LIMIT, REST_RATE_LIMIT};
pub use journal::Recorded;
pub use script::{FaultKind, Script};
pub use seed::{Seed, SeedIncident};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use shared::Shared;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use store::Store;

/// Mock server settings.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct MockConfig {
    /// Seed data sizes.
    pub seed: Seed,
    /// Fault injection (all off by default).
    pub faults: Faults,
    /// The base URL clients reach the mock at, when that is not where it listens (behind a
    /// TLS proxy): the links in its answers (`self`) use it.
    pub public_url: Option<String>,
    /// How long a connection may sit idle (no request begun) before the mock closes it.
    pub idle_timeout: Option<std::time::Duration>,
    /// What time the mock's clock starts at (default: when it starts). Seed times are
    /// relative to it, so a fixed `now` gives the same data on every run.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

impl MockConfig {
    /// Seed data sizes.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Fault injection.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Writes links in answers with `url` as the base (see [`MockConfig::public_url`]).
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into().trim_end_matches('/').to_string());
        self
    }

    /// Closes connections idle for longer than `timeout` (default [`DEFAULT_IDLE_TIMEOUT`]).
    pub fn idle_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Starts the mock's clock at `now` instead of the current time.
    pub fn now(mut self, now: chrono::DateTime<chrono::Utc>) -> Self {
        self.now = Some(now);
        self
    }
}

/// How long a connection may wait between requests (or before its first) before the mock
/// closes it, unless [`MockConfig::idle_timeout`] says otherwise.
pub const DEFAULT_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The largest request body the mock reads (a whole state for `PUT /_mock/state`).
const MAX_BODY: usize = 256 * 1024 * 1024;

/// The largest Events API request body taken: PagerDuty's 512 KB event limit.
pub const EVENTS_MAX_BODY: usize = 512 * 1024;

/// The largest REST request body taken (PagerDuty publishes no number; its largest documented
/// writes, 250 incidents at once, are far below it).
pub const REST_MAX_BODY: usize = 1024 * 1024;

/// A running mock server; stops when dropped.
pub struct MockServer {
    url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
    /// Sends webhook deliveries.
    sender: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// Starts a server with default seed data on `127.0.0.1` and a free port; fails only when
    /// no port can be bound.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(MockConfig::default()).await
    }

    /// Starts a server with `config` on `127.0.0.1` and a free port.
    pub async fn start_with(config: MockConfig) -> std::io::Result<Self> {
        Self::bind(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a server on `addr`.
    pub async fn bind(config: MockConfig, addr: SocketAddr) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let base = config.public_url.clone().unwrap_or_else(|| url.clone());
        let (outbox, queue) = tokio::sync::mpsc::unbounded_channel();
        let sender = tokio::spawn(deliveries::send(queue, config.faults.webhook_duplicates, config.faults.seed));
        let shared = Arc::new(Shared {
            store: Mutex::new(seed::store(
                &config.seed,
                &base,
                store::Clock::starting(config.now.unwrap_or_else(chrono::Utc::now)),
            )),
            faults: Mutex::new(faults::FaultState::new(config.faults.clone())),
            scripts: Mutex::new(script::Scripts::default()),
            journal: Mutex::new(journal::Journal::default()),
            expected: Mutex::new(Vec::new()),
            deliveries: outbox,
            base_url: base,
        });
        // Room for whole states on `PUT /_mock/state`, and a bound all the same.
        let app = axum::Router::new()
            .fallback(handle)
            .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
            .with_state(shared.clone());
        let idle = config.idle_timeout.unwrap_or(DEFAULT_IDLE_TIMEOUT);
        let task = tokio::spawn(serve(listener, app, idle));
        Ok(Self { url, shared, task, sender })
    }

    /// The base URL (`http://127.0.0.1:PORT`), for `RestClient::builder(..).base_url(..)` and
    /// `EventsClient::builder(..).base_url(..)`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The whole state as JSON (collections by path, change events).
    pub fn dump(&self) -> serde_json::Value {
        self.shared.store.lock().unwrap_or_else(|e| e.into_inner()).dump()
    }

    /// Replaces the state with a [`dump`](Self::dump).
    pub fn load(&self, state: &serde_json::Value) -> crate::Result<()> {
        let mut store = Store::load(state).map_err(crate::Error::config)?;
        let mut held = self.shared.store.lock().unwrap_or_else(|e| e.into_inner());
        store.clock = held.clock;
        *held = store;
        Ok(())
    }

    /// Requests served so far (the mock's own `/_mock/*` endpoints not counted).
    pub fn request_count(&self) -> u64 {
        self.shared.faults.lock().unwrap_or_else(|e| e.into_inner()).served()
    }

    /// Every request received so far, oldest first (the last 100,000; `/_mock/*` not
    /// included): method, path, operation, query, headers (credentials redacted), body, the
    /// status answered and the fault applied.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.journal().entries.iter().cloned().collect()
    }

    /// The requests to one operation (`"POST"`, `"/incidents/{id}/notes"`).
    pub fn requests_to(&self, method: &str, operation: &str) -> Vec<Recorded> {
        self.shared.journal().entries.iter().filter(|r| r.is(method, operation)).cloned().collect()
    }

    /// How many requests one operation received.
    pub fn calls(&self, method: &str, operation: &str) -> usize {
        self.shared.journal().entries.iter().filter(|r| r.is(method, operation)).count()
    }

    /// Empties the journal (and the expectations).
    pub fn clear_requests(&self) {
        let mut journal = self.shared.journal();
        journal.entries.clear();
        journal.dropped = 0;
        self.shared.expected.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Expects `count` requests to one operation by the time [`verify`](Self::verify) is called.
    pub fn expect(&self, method: &str, operation: &str, count: usize) {
        self.shared.expected.lock().unwrap_or_else(|e| e.into_inner()).push((
            method.to_ascii_uppercase(),
            operation.to_string(),
            count,
        ));
    }

    /// Checks every expectation: an error naming each operation whose count differs.
    pub fn verify(&self) -> Result<(), String> {
        let expected = self.shared.expected.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let wrong: Vec<String> = expected
            .iter()
            .filter_map(|(method, operation, count)| {
                let got = self.calls(method, operation);
                (got != *count).then(|| format!("{method} {operation}: expected {count} requests, got {got}"))
            })
            .collect();
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(wrong.join("; "))
        }
    }

    /// Adds a scripted fault (see [`Script`]); the random faults of [`Faults`] stay as they are.
    pub fn script(&self, script: Script) {
        self.shared.scripts.lock().unwrap_or_else(|e| e.into_inner()).add(script);
    }

    /// Removes every scripted fault not yet spent.
    pub fn clear_scripts(&self) {
        self.shared.scripts.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The mock's clock: what it stamps records with and reads windows by.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.shared.now()
    }

    /// Sets the mock's clock (it runs on from there).
    pub fn set_now(&self, now: chrono::DateTime<chrono::Utc>) {
        self.shared.store.lock().unwrap_or_else(|e| e.into_inner()).clock.set(now);
    }

    /// Moves the mock's clock forward (or back, with a negative duration).
    pub fn advance(&self, by: chrono::Duration) {
        let mut store = self.shared.store.lock().unwrap_or_else(|e| e.into_inner());
        let now = store.clock.now();
        store.clock.set(now + by);
    }

    /// Adds one record to a collection of a running mock (`"/incidents"`, `"/services"`...):
    /// an `id` is issued when it has none, `self` is written; returns the record as held.
    pub fn insert(&self, collection: &str, record: serde_json::Value) -> crate::Result<serde_json::Value> {
        let mut store = self.shared.store.lock().unwrap_or_else(|e| e.into_inner());
        store::insert_record(&mut store, &self.shared.base_url, collection, record).map_err(crate::Error::config)
    }

    /// The documented query parameters of the REST listings that this mock does not apply, as
    /// (path, parameter): expansions (`include[]`), `time_zone` (it writes times in UTC)...
    pub fn ignored_filters() -> Vec<(&'static str, &'static str)> {
        crate::spec::operations()
            .iter()
            .filter(|op| {
                op.api == crate::spec::Api::Rest && op.method == "GET" && op.paging != crate::spec::Paging::None
            })
            .flat_map(|op| listing::ignored(op).into_iter().map(move |param| (op.path, param)))
            .collect()
    }

    /// Waits until the server stops (for the `pdrs-mock` binary).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
        self.sender.abort();
    }
}

/// Accepts connections and serves each over HTTP/1.1 with keep-alive; a connection that does
/// not begin a request (its first or its next) within `idle` is closed, so idle clients do not
/// hold the mock's sockets.
async fn serve(listener: tokio::net::TcpListener, app: axum::Router, idle: std::time::Duration) {
    let service = hyper_util::service::TowerToHyperService::new(app);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors or similar: wait a little rather than spin.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(idle)
                .keep_alive(true)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The REST operations with a rate limit of their own, looked up once (not through the whole
/// operation table on every request).
fn limited_apart() -> &'static [&'static crate::spec::Operation] {
    static OPERATIONS: std::sync::OnceLock<Vec<&'static crate::spec::Operation>> = std::sync::OnceLock::new();
    OPERATIONS.get_or_init(|| {
        crate::spec::operations().iter().filter(|op| op.api == crate::spec::Api::Rest && op.own_rate_limit).collect()
    })
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // The mock's own endpoints: never faulted, not in the journal.
    if uri.path().starts_with("/_mock/") {
        return control::handle(&shared, &method, &uri, &headers, &body);
    }
    let events = uri.path().starts_with("/v2/");
    let limit = if events { EVENTS_MAX_BODY } else { REST_MAX_BODY };
    if body.len() > limit {
        // Refused before it is read as a request: not journaled, nothing counted.
        return answer::error(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            2001,
            "Request Entity Too Large",
            vec![format!("the request body is {} bytes; at most {limit} are taken", body.len())],
        );
    }
    let path = uri.path().trim_end_matches('/');
    let operation = if events {
        Some(uri.path().to_string())
    } else {
        crate::spec::template_of(crate::spec::Api::Rest, path).map(String::from)
    };
    let mut entry = Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        operation: operation.clone(),
        query: rest::query_pairs(&uri),
        headers: journal::headers(&headers),
        body: journal::body(&body),
        status: 0,
        fault: None,
    };
    // Rate limits count on the mock's clock.
    let now = shared.now();
    let scripted = shared.scripts.lock().unwrap_or_else(|e| e.into_inner()).strike(
        method.as_str(),
        uri.path(),
        operation.as_deref(),
    );
    let key = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let own_limit = operation.as_deref().filter(|_| !events).and_then(|template| {
        let own = limited_apart().iter().any(|op| op.method == method.as_str() && op.path == template);
        own.then(|| format!("{method} {template}"))
    });
    let routing_key = events
        .then(|| serde_json::from_slice::<serde_json::Value>(&body).ok())
        .flatten()
        .and_then(|event| event.get("routing_key")?.as_str().map(String::from))
        .unwrap_or_default();
    let bucket = if events {
        faults::Bucket::Events { routing_key: &routing_key }
    } else {
        faults::Bucket::Rest { key, own_limit: own_limit.as_deref(), analytics: path.starts_with("/analytics/") }
    };
    let mut fault = shared.faults.lock().unwrap_or_else(|e| e.into_inner()).next(bucket, now);
    let early = match &scripted {
        Some(kind) => {
            entry.fault = Some(kind.name());
            if let Some(delay) = kind.delay() {
                tokio::time::sleep(delay).await;
            }
            script::early_response(kind)
        }
        None => {
            if let Some(delay) = fault.delay {
                tokio::time::sleep(delay).await;
            }
            entry.fault = fault.name();
            fault.early_response()
        }
    };
    if let Some(response) = early {
        entry.status = response.status().as_u16();
        shared.journal().push(entry);
        return response;
    }
    let response = if events {
        events::handle(&shared, &method, &uri, &body)
    } else {
        rest::handle(&shared, &method, &uri, &headers, &body)
    };
    entry.status = response.status().as_u16();
    shared.journal().push(entry);
    if scripted == Some(FaultKind::LostAnswer) {
        // The request was handled (a write landed); its answer never arrives.
        return faults::reset_response();
    }
    fault.apply(response).await
}
