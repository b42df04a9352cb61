//! Watching a listing live: `watch_log_entries`, `watch_incidents` and the `watch` they are
//! built on. Each poll lists the records created since the newest one delivered, less an
//! overlap (records PagerDuty shows a little after their `created_at`, clocks a little apart),
//! and delivers those not delivered yet, oldest first, each with the [`Checkpoint`] to resume
//! from after it.

use crate::listing::options::ListOptions;
use crate::{ApiClient, Result};
use chrono::{DateTime, Duration as Span, Timelike, Utc};
use futures::stream::{self, BoxStream, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

/// Where a watch stands: store it after handling a record, and a watch resumed from it
/// ([`WatchOptions::resume`]) delivers every record after that one and none before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Where the watch began: records created before it are not delivered.
    pub not_before: DateTime<Utc>,
    /// The newest `created_at` delivered (or the time the watch began).
    pub since: DateTime<Utc>,
    /// The records delivered within the overlap before `since`, by id, with their `created_at`:
    /// those the next poll lists again and skips.
    pub seen: BTreeMap<String, DateTime<Utc>>,
}

impl Checkpoint {
    /// A checkpoint delivering what is created from `since` on.
    pub fn at(since: DateTime<Utc>) -> Self {
        Self { not_before: since, since, seen: BTreeMap::new() }
    }

    /// Notes a delivered record and forgets those too old for the next poll to list.
    fn deliver(&mut self, id: String, created_at: DateTime<Utc>, overlap: Span) {
        self.since = self.since.max(created_at);
        self.seen.insert(id, created_at);
        let horizon = self.since - overlap;
        self.seen.retain(|_, at| *at >= horizon);
    }
}

/// A record a watch delivers, with the checkpoint to store once it is handled.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Watched {
    /// The record as the API gave it.
    pub record: Value,
    /// Where the watch stands after this record.
    pub checkpoint: Checkpoint,
}

/// How a watch polls: its filters, where it starts, how often it asks.
#[derive(Clone, Debug)]
#[must_use]
pub struct WatchOptions {
    params: Vec<(String, String)>,
    start: Option<Checkpoint>,
    interval: Duration,
    idle_interval: Duration,
    overlap: Duration,
    page_size: u64,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            params: Vec::new(),
            start: None,
            interval: Duration::from_secs(5),
            idle_interval: Duration::from_secs(30),
            overlap: Duration::from_secs(120),
            page_size: 100,
        }
    }
}

impl WatchOptions {
    /// Defaults: from now on, a poll every 5 s while records come, backing off to one every
    /// 30 s while none do, an overlap of two minutes.
    pub fn new() -> Self {
        Self::default()
    }

    /// A filter of the listing (`statuses[]`, `service_ids[]`, `is_overview`...); repeat a list
    /// parameter for each value. `since`, `until`, `limit` and `offset` are the watch's own.
    pub fn param(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.params.push((key.into(), value.to_string()));
        self
    }

    /// Resumes after the record this checkpoint was delivered with.
    pub fn resume(mut self, checkpoint: Checkpoint) -> Self {
        self.start = Some(checkpoint);
        self
    }

    /// Delivers what was created from `since` on (instead of from now on).
    pub fn since(mut self, since: DateTime<Utc>) -> Self {
        self.start = Some(Checkpoint::at(since));
        self
    }

    /// The time between polls while records come (at least 10 ms).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval.max(Duration::from_millis(10));
        self
    }

    /// The longest time between polls while none do (the interval doubles up to it).
    pub fn idle_interval(mut self, interval: Duration) -> Self {
        self.idle_interval = interval;
        self
    }

    /// How far before the newest record delivered each poll looks again.
    pub fn overlap(mut self, overlap: Duration) -> Self {
        self.overlap = overlap;
        self
    }

    /// Records per page of each poll (1 to 100).
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = size.clamp(1, 100);
        self
    }
}

/// The widest `since`..`until` window one poll asks for: PagerDuty's listings take a month.
const WINDOW_DAYS: i64 = 30;

/// A watch between polls.
struct State {
    client: ApiClient,
    path: String,
    options: WatchOptions,
    checkpoint: Checkpoint,
    /// Records of the last poll not delivered yet, oldest first.
    queue: VecDeque<(String, DateTime<Utc>, Value)>,
    /// The wait before the next poll (none before the first).
    wait: Option<Duration>,
    /// After an error no retry fixes.
    done: bool,
}

impl State {
    fn overlap(&self) -> Span {
        Span::from_std(self.options.overlap).unwrap_or(Span::MAX)
    }

    /// One poll: the records of the window not delivered yet, queued oldest first. Returns
    /// whether any came.
    async fn poll(&mut self) -> Result<bool> {
        let since = self.checkpoint.since - self.overlap();
        let until = since + Span::days(WINDOW_DAYS);
        let mut options = ListOptions::new()
            .page_size(self.options.page_size)
            .param("since", since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .param("until", until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        for (key, value) in &self.options.params {
            options = options.param(key.clone(), value);
        }
        let records: Vec<Value> = self.client.list_all(&self.path, options).await?;
        let mut fresh: Vec<(String, DateTime<Utc>, Value)> = records
            .into_iter()
            .filter_map(|record| {
                let id = record.get("id")?.as_str()?.to_string();
                // A record without a readable `created_at` is taken as of the window's start.
                let at = record
                    .get("created_at")
                    .and_then(Value::as_str)
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map_or(since, |t| t.with_timezone(&Utc));
                Some((id, at, record))
            })
            .filter(|(id, at, _)| *at >= self.checkpoint.not_before && !self.checkpoint.seen.contains_key(id))
            .collect();
        fresh.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        fresh.dedup_by(|a, b| a.0 == b.0);
        let any = !fresh.is_empty();
        self.queue.extend(fresh);
        // A window wholly in the past, listed whole: nothing older than its end (less the
        // overlap) is to come.
        if !any && until < Utc::now() - self.overlap() {
            self.checkpoint.since = self.checkpoint.since.max(until);
            let horizon = self.checkpoint.since - self.overlap();
            self.checkpoint.seen.retain(|_, at| *at >= horizon);
        }
        Ok(any)
    }
}

impl ApiClient {
    /// Watches a listing live: polls `path` (a listing that takes `since` and `until` and whose
    /// records carry `id` and `created_at`, as `/log_entries` and `/incidents` do) and delivers
    /// each record once, oldest first, with the checkpoint to resume from after it; it ends
    /// only on an error no retry fixes (a 400, a refused token), after yielding it. Failures the
    /// pipeline's retries could not fix (a long outage) are yielded and the watch goes on.
    ///
    /// A record PagerDuty shows later than the overlap after its `created_at` is not seen. A
    /// watch from now on starts at this machine's clock (to the second): records whose
    /// `created_at` is before it, by the server's clock, are not delivered.
    pub fn watch(&self, path: &str, options: WatchOptions) -> BoxStream<'static, Result<Watched>> {
        // From now on: from the start of this second, as `created_at` is written to the second.
        let now = || Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now);
        let checkpoint = options.start.clone().unwrap_or_else(|| Checkpoint::at(now()));
        let state = State {
            client: self.clone(),
            path: path.to_string(),
            options,
            checkpoint,
            queue: VecDeque::new(),
            wait: None,
            done: false,
        };
        stream::unfold(state, |mut state| async move {
            loop {
                if state.done {
                    return None;
                }
                if let Some((id, at, record)) = state.queue.pop_front() {
                    let overlap = state.overlap();
                    state.checkpoint.deliver(id, at, overlap);
                    let checkpoint = state.checkpoint.clone();
                    return Some((Ok(Watched { record, checkpoint }), state));
                }
                if let Some(wait) = state.wait {
                    tokio::time::sleep(wait).await;
                }
                let (interval, idle) = (state.options.interval, state.options.idle_interval);
                match state.poll().await {
                    Ok(true) => state.wait = Some(interval),
                    Ok(false) => {
                        let next = state.wait.map_or(interval, |w| (w * 2).min(idle.max(interval)));
                        state.wait = Some(next);
                    }
                    Err(error) => {
                        state.done = !error.is_retryable();
                        state.wait = Some(idle.max(interval));
                        return Some((Err(error), state));
                    }
                }
            }
        })
        .boxed()
    }

    /// Watches `/log_entries` (every change of every incident, as PagerDuty logs it): see
    /// [`watch`](Self::watch).
    pub fn watch_log_entries(&self, options: WatchOptions) -> BoxStream<'static, Result<Watched>> {
        self.watch("/log_entries", options)
    }

    /// Watches `/incidents` for new incidents: see [`watch`](Self::watch).
    pub fn watch_incidents(&self, options: WatchOptions) -> BoxStream<'static, Result<Watched>> {
        self.watch("/incidents", options)
    }
}
