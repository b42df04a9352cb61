//! [`ApiClient::iter_history`]: every record of a time-ranged listing, past the 10,000 record cap
//! of classic paging, by splitting the time range.

use crate::listing::advice::{filters_hint, takes};
use crate::listing::engine::Tracker;
use crate::listing::options::ListOptions;
use crate::listing::page::{decode, Record};
use crate::spec::{Paging, OFFSET_CAP};
use crate::{ApiClient, Error, Result};
use futures::stream::{self, BoxStream, StreamExt};
use serde::de::DeserializeOwned;

impl ApiClient {
    /// Every record of a time-ranged list (`/incidents`, `/log_entries`, `/change_events`,
    /// `/oncalls`, `/audit/records`...) between `since` and `until`, past the 10,000 record cap
    /// of classic paging: windows holding more than 10,000 records (counted with `total=true`)
    /// are split in two, recursively, and read in order. Records come in window order, each once
    /// (records on a window boundary are de-duplicated by `id`). Cursor endpoints have no cap and
    /// are read in one pass.
    pub fn iter_history<T>(
        &self,
        path: &str,
        since: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
        options: ListOptions,
    ) -> BoxStream<'static, Result<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        struct State {
            client: ApiClient,
            path: String,
            options: ListOptions,
            cursor_paged: bool,
            windows: Vec<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
            current: Option<BoxStream<'static, Result<Record>>>,
            /// Records on a window's boundary come in both windows: each is yielded once.
            tracker: Tracker,
        }
        let plan = self.plan(path).and_then(|plan| {
            if takes(plan.op, "since") && takes(plan.op, "until") {
                Ok(plan)
            } else {
                let path = crate::error::sanitize(path, 200);
                Err(Error::invalid(format!(
                    "{path} takes no since and until to split by time; {}",
                    filters_hint(plan.op)
                )))
            }
        });
        let (cursor_paged, hint) = match plan {
            Ok(plan) => (plan.op.paging == Paging::Cursor, format!("within one second; {}", filters_hint(plan.op))),
            Err(e) => return stream::once(async { Err(e) }).boxed(),
        };
        let state = State {
            client: self.clone(),
            path: path.to_string(),
            options,
            cursor_paged,
            windows: vec![(since, until)],
            current: None,
            tracker: Tracker::new(path).with_cap_hint(hint),
        };
        let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        stream::try_unfold(state, move |mut s| async move {
            loop {
                if let Some(current) = s.current.as_mut() {
                    match current.next().await {
                        Some(Ok(record)) => match s.tracker.admit(vec![record]).0.pop() {
                            Some(record) => return Ok(Some((record, s))),
                            None => continue,
                        },
                        Some(Err(e)) => return Err(e),
                        None => s.current = None,
                    }
                }
                let Some((from, to)) = s.windows.pop() else { return Ok(None) };
                let ranged = s.options.clone().param("since", stamp(from)).param("until", stamp(to));
                let fits = s.cursor_paged || s.client.get_total(&s.path, ranged.clone()).await? <= OFFSET_CAP;
                if fits {
                    s.current = Some(s.client.iter_all::<Record>(&s.path, ranged));
                    continue;
                }
                let span = to - from;
                if span <= chrono::Duration::seconds(1) {
                    return Err(s.tracker.cap());
                }
                let mid = from + chrono::Duration::seconds(span.num_seconds() / 2);
                // Last pushed is read first: the earlier half.
                s.windows.push((mid, to));
                s.windows.push((from, mid));
            }
        })
        .map(|r| r.and_then(decode))
        .boxed()
    }
}
