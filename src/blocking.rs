//! A blocking facade over [`RestClient`](crate::RestClient) for scripts that do not want async.
//!
//! ```no_run
//! let pd = pdrs::blocking::RestClient::new("my-api-key")?;
//! for user in pd.iter_all::<serde_json::Value>("/users", pdrs::ListOptions::new())? {
//!     println!("{}", user?["name"]);
//! }
//! # Ok::<(), pdrs::Error>(())
//! ```

use crate::{ListOptions, Result, Target};
use futures::stream::BoxStream;
use futures::StreamExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

/// The blocking client: the same pipeline and generic verbs, each call run to completion on a
/// private runtime. Do not use it from inside an async runtime.
#[derive(Clone, Debug)]
pub struct RestClient {
    inner: crate::RestClient,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl RestClient {
    /// A client for the US region with an API token.
    pub fn new(token: impl Into<crate::Secret>) -> Result<Self> {
        Self::from_async(crate::RestClient::builder(token))
    }

    /// Builds from an async builder (all its settings apply).
    pub fn from_async(builder: crate::RestClientBuilder) -> Result<Self> {
        let runtime = runtime()?;
        let inner = {
            let _guard = runtime.enter();
            builder.build()?
        };
        Ok(Self { inner, runtime: Arc::new(runtime) })
    }

    /// The async client underneath.
    pub fn async_client(&self) -> &crate::RestClient {
        &self.inner
    }

    /// GET, returning the decoded body.
    pub fn jget<T: DeserializeOwned>(&self, target: impl Into<Target>) -> Result<T> {
        self.runtime.block_on(self.inner.jget(target))
    }

    /// POST a JSON body, returning the decoded body.
    pub fn jpost<T: DeserializeOwned>(&self, target: impl Into<Target>, body: &impl Serialize) -> Result<T> {
        self.runtime.block_on(self.inner.jpost(target, body))
    }

    /// PUT a JSON body, returning the decoded body.
    pub fn jput<T: DeserializeOwned>(&self, target: impl Into<Target>, body: &impl Serialize) -> Result<T> {
        self.runtime.block_on(self.inner.jput(target, body))
    }

    /// GET an entity, unwrapped.
    pub fn rget<T: DeserializeOwned>(&self, target: impl Into<Target>) -> Result<T> {
        self.runtime.block_on(self.inner.rget(target))
    }

    /// POST an entity, wrapped and unwrapped.
    pub fn rpost<T: DeserializeOwned>(&self, target: impl Into<Target>, body: &impl Serialize) -> Result<T> {
        self.runtime.block_on(self.inner.rpost(target, body))
    }

    /// PUT an entity, wrapped and unwrapped.
    pub fn rput<T: DeserializeOwned>(&self, target: impl Into<Target>, body: &impl Serialize) -> Result<T> {
        self.runtime.block_on(self.inner.rput(target, body))
    }

    /// DELETE.
    pub fn rdelete(&self, target: impl Into<Target>) -> Result<()> {
        self.runtime.block_on(self.inner.rdelete(target))
    }

    /// PATCH a JSON body, returning the decoded body.
    pub fn jpatch<T: DeserializeOwned>(&self, target: impl Into<Target>, body: &impl Serialize) -> Result<T> {
        self.runtime.block_on(self.inner.jpatch(target, body))
    }

    /// PATCH an entity, wrapped and unwrapped.
    pub fn rpatch<T: DeserializeOwned>(&self, target: impl Into<Target>, body: &impl Serialize) -> Result<T> {
        self.runtime.block_on(self.inner.rpatch(target, body))
    }

    /// A raw request (any method, any path) sent to completion: query, headers and a JSON body
    /// are set on the async [`RawRequest`](crate::RawRequest) the closure receives, e.g.
    /// `pd.request(Method::GET, "/beta/things", |r| r.header("X-EARLY-ACCESS", "things"))`.
    pub fn request(
        &self,
        method: crate::Method,
        target: impl Into<Target>,
        build: impl FnOnce(crate::RawRequest<'_>) -> crate::RawRequest<'_>,
    ) -> Result<Value> {
        self.runtime.block_on(build(self.inner.request(method, target)).json())
    }

    /// The typed client of every REST operation; run its calls with [`block_on`](Self::block_on):
    /// `pd.block_on(pd.api().list_users().limit(10).send())`.
    #[cfg(pdrs_rest)]
    pub fn api(&self) -> &crate::rest::Client {
        self.inner.api()
    }

    /// Runs a future (a typed call, say) to completion on this client's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The total number of records of an offset-paged list.
    pub fn get_total(&self, path: &str, options: ListOptions) -> Result<u64> {
        self.runtime.block_on(self.inner.get_total(path, options))
    }

    /// Every record of a time-ranged list past the 10,000 record cap, as an iterator (see
    /// [`crate::ApiClient::iter_history`]).
    pub fn iter_history<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        since: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
        options: ListOptions,
    ) -> Result<Iter<T>> {
        let _guard = self.runtime.enter();
        Ok(Iter { stream: self.inner.iter_history(path, since, until, options), runtime: self.runtime.clone() })
    }

    /// Every record of a list, as an iterator (see [`crate::ApiClient::iter_all`]).
    pub fn iter_all<T: DeserializeOwned + Send + 'static>(&self, path: &str, options: ListOptions) -> Result<Iter<T>> {
        let _guard = self.runtime.enter();
        Ok(Iter { stream: self.inner.iter_all(path, options), runtime: self.runtime.clone() })
    }

    /// New records of a listing as they come, each once, oldest first, with the checkpoint to
    /// resume from (see [`crate::ApiClient::watch`]); `next()` blocks until the next one.
    pub fn watch(&self, path: &str, options: crate::WatchOptions) -> Iter<crate::Watched> {
        let _guard = self.runtime.enter();
        Iter { stream: self.inner.watch(path, options), runtime: self.runtime.clone() }
    }

    /// Every change of every incident as PagerDuty logs it, as it comes (see [`Self::watch`]).
    pub fn watch_log_entries(&self, options: crate::WatchOptions) -> Iter<crate::Watched> {
        self.watch("/log_entries", options)
    }

    /// New incidents as they open (see [`Self::watch`]).
    pub fn watch_incidents(&self, options: crate::WatchOptions) -> Iter<crate::Watched> {
        self.watch("/incidents", options)
    }

    /// What the server last said of this credential's rate-limit budget (see
    /// [`crate::ApiClient::quota`]).
    pub fn quota(&self) -> Option<crate::Quota> {
        self.inner.quota()
    }

    /// Every record of a list, collected.
    pub fn list_all<T: DeserializeOwned + Send + 'static>(&self, path: &str, options: ListOptions) -> Result<Vec<T>> {
        self.runtime.block_on(self.inner.list_all(path, options))
    }

    /// Every record of a list, keyed by `by` (see [`crate::ApiClient::dict_all`]).
    pub fn dict_all(
        &self,
        path: &str,
        by: &str,
        options: ListOptions,
    ) -> Result<std::collections::BTreeMap<String, Value>> {
        self.runtime.block_on(self.inner.dict_all(path, by, options))
    }

    /// Analytics raw data, paged by `starting_after` (see [`crate::ApiClient::iter_analytics`]).
    pub fn iter_analytics<T: DeserializeOwned + Send + 'static>(&self, path: &str, filters: Value) -> Result<Iter<T>> {
        let _guard = self.runtime.enter();
        Ok(Iter { stream: self.inner.iter_analytics(path, filters), runtime: self.runtime.clone() })
    }

    /// Every note of an incident.
    pub fn list_incident_notes(&self, incident_id: &str) -> Result<Vec<Value>> {
        self.runtime.block_on(self.inner.list_incident_notes(incident_id))
    }

    /// A client sharing this one's connections and runtime, with another retry policy.
    pub fn with_retry(&self, policy: crate::RetryPolicy) -> Self {
        Self { inner: self.inner.with_retry(policy), runtime: self.runtime.clone() }
    }

    /// The first record whose `attribute` equals `query`, case-insensitively.
    pub fn find(&self, path: &str, query: &str, attribute: &str) -> Result<Option<Value>> {
        self.runtime.block_on(self.inner.find(path, query, attribute))
    }

    /// Create or update a record (see [`crate::ApiClient::persist`]).
    pub fn persist(&self, path: &str, attribute: &str, values: &Value, update: bool) -> Result<Value> {
        self.runtime.block_on(self.inner.persist(path, attribute, values, update))
    }
}

/// The private runtime a blocking client runs its calls on.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::Error::config(format!("cannot start a runtime: {e}")))
}

/// A blocking iterator over a paged list.
pub struct Iter<T> {
    stream: BoxStream<'static, Result<T>>,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl<T> Iterator for Iter<T> {
    type Item = Result<T>;
    fn next(&mut self) -> Option<Result<T>> {
        self.runtime.block_on(self.stream.next())
    }
}

/// A blocking Events API v2 client (see [`crate::EventsClient`]).
#[cfg(feature = "events")]
#[derive(Clone, Debug)]
pub struct EventsClient {
    inner: crate::EventsClient,
    runtime: Arc<tokio::runtime::Runtime>,
}

#[cfg(feature = "events")]
impl EventsClient {
    /// A client for `routing_key` in the US region.
    pub fn new(routing_key: impl Into<crate::Secret>) -> Result<Self> {
        Self::from_async(crate::EventsClient::builder(routing_key))
    }

    /// Builds from an async builder (all its settings apply).
    pub fn from_async(builder: crate::clients::events::EventsClientBuilder) -> Result<Self> {
        let runtime = runtime()?;
        let inner = {
            let _guard = runtime.enter();
            builder.build()?
        };
        Ok(Self { inner, runtime: Arc::new(runtime) })
    }

    /// Triggers an alert with the default severity (critical); returns the dedup key.
    pub fn trigger(&self, summary: &str, source: &str) -> Result<String> {
        self.runtime.block_on(self.inner.trigger(summary, source).send())
    }

    /// Triggers an alert built with the async builder, e.g.
    /// `events.trigger_with(|t| t.severity(Severity::Warning).dedup_key("disk"))`.
    pub fn trigger_with(
        &self,
        summary: &str,
        source: &str,
        build: impl FnOnce(crate::clients::events::Trigger<'_>) -> crate::clients::events::Trigger<'_>,
    ) -> Result<String> {
        self.runtime.block_on(build(self.inner.trigger(summary, source)).send())
    }

    /// Acknowledges an alert.
    pub fn acknowledge(&self, dedup_key: &str) -> Result<String> {
        self.runtime.block_on(self.inner.acknowledge(dedup_key))
    }

    /// Resolves an alert.
    pub fn resolve(&self, dedup_key: &str) -> Result<String> {
        self.runtime.block_on(self.inner.resolve(dedup_key))
    }

    /// Submits a change event (timestamp: now).
    pub fn change_event(&self, summary: &str, source: Option<&str>) -> Result<()> {
        let mut change = self.inner.change_event(summary);
        if let Some(s) = source {
            change = change.source(s);
        }
        self.runtime.block_on(change.send())
    }
}
