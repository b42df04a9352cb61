//! A webhook receiver for axum (feature `receiver`): every delivery's signature checked against
//! the subscription's secrets (two at once while one is rotated), its body bounded, its event
//! typed, deliveries PagerDuty sends again (same `X-Webhook-Id`) handled once, and an answer
//! within PagerDuty's 5 seconds whatever the handler does.
//!
//! Two ways to consume events:
//! - [`Receiver::handler`]: an async function per event. It has [`deadline`](Receiver::deadline)
//!   (4 s) to finish; a 2xx goes back when it does (500 when it fails, so PagerDuty retries), or
//!   `202 Accepted` at the deadline while it runs on. [`Receiver::drain`] waits for those.
//! - [`Receiver::queue`]: verified events go to a bounded queue and are acknowledged on
//!   receipt; a full queue answers 503 (PagerDuty retries), never a silent drop. The queue
//!   holds every acknowledged event until it is read, after the server stops too.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use pdrs::webhooks::receiver::Receiver;
//!
//! let receiver = Receiver::new("whsec-current").also_accept("whsec-previous");
//! let route = receiver.handler(|event| async move {
//!     println!("{} {}", event.event_type, event.id);
//!     Ok::<(), std::io::Error>(())
//! });
//! let app = axum::Router::new().route("/pagerduty", route);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8787").await?;
//! axum::serve(listener, app).await
//! # }
//! ```

use super::{parse, verify, Event};
use crate::Secret;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{post, MethodRouter};
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The largest delivery body taken by default: PagerDuty guarantees deliveries up to 55 KB.
pub const DEFAULT_MAX_BODY: usize = 256 * 1024;

/// How many deliveries are remembered for de-duplication by default.
pub const DEFAULT_REMEMBER: usize = 10_000;

/// How long a handler has by default before the delivery is answered `202 Accepted`: under
/// PagerDuty's 5 seconds.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(4);

/// A webhook receiver's settings; [`handler`](Self::handler) or [`queue`](Self::queue) makes
/// the route.
#[derive(Clone)]
pub struct Receiver {
    secrets: Vec<Secret>,
    max_body: usize,
    remember: usize,
    deadline: Duration,
    running: Arc<Running>,
    on_refused: Option<Report>,
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("secrets", &self.secrets.len())
            .field("max_body", &self.max_body)
            .field("remember", &self.remember)
            .field("deadline", &self.deadline)
            .finish()
    }
}

/// What reports a refused delivery's reason.
type Report = Arc<dyn Fn(&str) + Send + Sync>;

/// Handlers still running past their deadline.
#[derive(Default)]
struct Running {
    count: AtomicUsize,
    done: tokio::sync::Notify,
}

impl Receiver {
    /// A receiver for the subscription whose secret is `secret`.
    pub fn new(secret: impl Into<Secret>) -> Self {
        Self {
            secrets: vec![secret.into()],
            max_body: DEFAULT_MAX_BODY,
            remember: DEFAULT_REMEMBER,
            deadline: DEFAULT_DEADLINE,
            running: Arc::default(),
            on_refused: None,
        }
    }

    /// Calls `report` with the reason of each delivery refused (a signature that does not
    /// match, a body that is no event), for a log or a metric.
    pub fn on_refused(mut self, report: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.on_refused = Some(Arc::new(report));
        self
    }

    /// Accepts deliveries signed with `secret` too (the old one while the secret is rotated).
    pub fn also_accept(mut self, secret: impl Into<Secret>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// The largest body taken (larger: 413).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How many deliveries are remembered to drop the ones PagerDuty sends again.
    pub fn remember(mut self, deliveries: usize) -> Self {
        self.remember = deliveries.max(1);
        self
    }

    /// How long a handler has before the delivery is answered `202 Accepted`.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The route (`POST`) that hands each verified event, once, to `handle`.
    pub fn handler<F, Fut, E>(&self, handle: F) -> MethodRouter
    where
        F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: std::fmt::Display + Send + 'static,
    {
        let state = Arc::new(State::new(self));
        let (deadline, running) = (self.deadline, self.running.clone());
        post(move |headers: HeaderMap, body: Bytes| {
            let (state, handle, running) = (state.clone(), handle.clone(), running.clone());
            async move {
                let (id, event) = match state.admit(&headers, &body) {
                    Ok(admitted) => admitted,
                    Err(status) => return status,
                };
                running.count.fetch_add(1, Ordering::SeqCst);
                let task = tokio::spawn(async move {
                    let outcome = handle(event).await.map_err(|e| e.to_string());
                    if running.count.fetch_sub(1, Ordering::SeqCst) == 1 {
                        running.done.notify_waiters();
                    }
                    outcome
                });
                match tokio::time::timeout(deadline, task).await {
                    Ok(Ok(Ok(()))) => StatusCode::NO_CONTENT,
                    // Failed or panicked: PagerDuty sends it again, and it is handled again.
                    Ok(_) => {
                        state.forget(&id);
                        StatusCode::INTERNAL_SERVER_ERROR
                    }
                    Err(_) => StatusCode::ACCEPTED,
                }
            }
        })
        .layer(DefaultBodyLimit::max(self.max_body))
    }

    /// The route (`POST`) that puts each verified event, once, in a queue of `capacity`, and the
    /// queue. A delivery is acknowledged when its event is queued; a full queue answers 503.
    pub fn queue(&self, capacity: usize) -> (MethodRouter, Deliveries) {
        let (send, receive) = tokio::sync::mpsc::channel(capacity.max(1));
        let state = Arc::new(State::new(self));
        let route = post(move |headers: HeaderMap, body: Bytes| {
            let (state, send) = (state.clone(), send.clone());
            async move {
                let (id, event) = match state.admit(&headers, &body) {
                    Ok(admitted) => admitted,
                    Err(status) => return status,
                };
                match send.try_send(event) {
                    Ok(()) => StatusCode::ACCEPTED,
                    Err(_) => {
                        state.forget(&id);
                        StatusCode::SERVICE_UNAVAILABLE
                    }
                }
            }
        })
        .layer(DefaultBodyLimit::max(self.max_body));
        (route, Deliveries { receive })
    }

    /// Waits until every handler that outlived its deadline has finished (for a graceful
    /// shutdown: stop the server, then drain).
    pub async fn drain(&self) {
        loop {
            let done = self.running.done.notified();
            if self.running.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            done.await;
        }
    }
}

/// The events a [`Receiver::queue`] acknowledged, in the order they came.
#[derive(Debug)]
pub struct Deliveries {
    receive: tokio::sync::mpsc::Receiver<Event>,
}

impl Deliveries {
    /// The next event; `None` once the route is gone (the server stopped) and every
    /// acknowledged event has been read.
    pub async fn recv(&mut self) -> Option<Event> {
        self.receive.recv().await
    }
}

/// What one route shares across deliveries: the secrets and the deliveries seen.
struct State {
    secrets: Vec<Secret>,
    seen: Mutex<Seen>,
    on_refused: Option<Report>,
}

/// The deliveries seen lately, by id, at most `capacity`.
struct Seen {
    ids: HashSet<String>,
    order: VecDeque<String>,
    capacity: usize,
}

impl State {
    fn new(receiver: &Receiver) -> Self {
        let seen = Seen { ids: HashSet::new(), order: VecDeque::new(), capacity: receiver.remember };
        Self { secrets: receiver.secrets.clone(), seen: Mutex::new(seen), on_refused: receiver.on_refused.clone() }
    }

    /// A delivery to handle, by its id: verified against any secret (else 401), decoded (else
    /// 400), and not one seen before (else 200, handled already).
    fn admit(&self, headers: &HeaderMap, body: &Bytes) -> Result<(String, Event), StatusCode> {
        let signature = headers.get(super::SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
        let refuse = |reason: &str, status| {
            if let Some(report) = &self.on_refused {
                report(reason);
            }
            status
        };
        // Accepted when any secret verifies it; else refused with the first secret's reason.
        let mut verdicts = self.secrets.iter().map(|secret| verify(secret.expose(), body, signature));
        let first = verdicts.next().unwrap_or(Err(super::WebhookError::EmptySecret));
        if let Err(reason) = first {
            if !verdicts.any(|verdict| verdict.is_ok()) {
                return Err(refuse(&reason.to_string(), StatusCode::UNAUTHORIZED));
            }
        }
        let event = parse(body).map_err(|e| refuse(&e.to_string(), StatusCode::BAD_REQUEST))?.event;
        let id = headers
            .get("x-webhook-id")
            .and_then(|v| v.to_str().ok())
            .map(String::from)
            .unwrap_or_else(|| event.id.clone());
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.ids.insert(id.clone()) {
            return Err(StatusCode::OK);
        }
        seen.order.push_back(id.clone());
        while seen.order.len() > seen.capacity {
            if let Some(oldest) = seen.order.pop_front() {
                seen.ids.remove(&oldest);
            }
        }
        Ok((id, event))
    }

    /// Forgets a delivery that was not acknowledged, so that PagerDuty's retry is handled.
    fn forget(&self, id: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.ids.remove(id);
        seen.order.retain(|held| held != id);
    }
}
