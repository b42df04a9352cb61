//! The paging engine: one loop per paging kind, each trusting only what the server actually
//! returned, never what was asked.
//!
//! - Records are yielded at most once: a record whose `id` was already yielded is dropped (pages
//!   shift when records are created during a listing).
//! - Offset paging advances by the number of new records that arrived (a server that clamps
//!   `limit`, pages short or slides back loses nothing); prefetch plans its offsets from the first page's real size
//!   and `total`, checks every page against the plan, and falls back to sequential paging from
//!   the first page that disagrees; when `total` drops between pages (records deleted), the page
//!   that shows it is read again from as far back as the records moved, so none is skipped.
//! - A page of nothing but records already yielded (the server ignores `offset`), `more: true`
//!   with no records, a cursor that repeats or cycles, and a run of empty pages each end the
//!   stream with [`Error::Paging`] naming the problem, after the records that did arrive.

use crate::error::PagingProblem;
use crate::listing::options::ListOptions;
use crate::listing::page::{record_id, Page, Record};
use crate::spec::OFFSET_CAP;
use crate::target::Target;
use crate::{ApiClient, Error, Result};
use futures::future::{BoxFuture, FutureExt};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::hash::BuildHasher;

/// Empty pages in a row (with a next cursor each) before a token listing gives up.
pub(crate) const MAX_EMPTY_PAGES: u32 = 5;

/// A source of pages: each call yields the next batch of new records, `None` at the end.
pub(crate) trait Pager: Send + 'static {
    fn next_batch(&mut self) -> BoxFuture<'_, Result<Option<Vec<Record>>>>;
}

/// The records of a pager as a stream that ends after the first error.
pub(crate) fn records<P: Pager>(pager: P) -> BoxStream<'static, Result<Record>> {
    stream::try_unfold(pager, |mut pager| async move {
        Ok::<_, Error>(pager.next_batch().await?.map(|batch| (batch, pager)))
    })
    .map_ok(|batch| stream::iter(batch.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}

/// What has been yielded: ids (hashed) for de-duplication, and the count.
pub(crate) struct Tracker {
    path: String,
    seen: HashSet<u64>,
    hasher: std::collections::hash_map::RandomState,
    yielded: u64,
    /// What reads past the 10,000 record cap (see [`Error::PaginationCap`]).
    cap_hint: String,
}

impl Tracker {
    pub fn new(path: &str) -> Self {
        Self {
            path: path.to_string(),
            seen: HashSet::new(),
            hasher: Default::default(),
            yielded: 0,
            cap_hint: String::new(),
        }
    }

    /// The advice the cap error gives.
    pub fn with_cap_hint(mut self, hint: String) -> Self {
        self.cap_hint = hint;
        self
    }

    /// Keeps the records not yet yielded; returns them and how many were dropped as repeats.
    pub fn admit(&mut self, items: Vec<Record>) -> (Vec<Record>, usize) {
        let before = items.len();
        let fresh: Vec<Record> = items
            .into_iter()
            .filter(|item| match record_id(item) {
                Some(id) => self.seen.insert(self.hasher.hash_one(&*id)),
                None => true,
            })
            .collect();
        self.yielded += fresh.len() as u64;
        let repeats = before - fresh.len();
        (fresh, repeats)
    }

    pub fn error(&self, problem: PagingProblem) -> Error {
        Error::Paging { path: self.path.clone(), yielded: self.yielded, problem }
    }

    pub fn cap(&self) -> Error {
        Error::PaginationCap { path: self.path.clone(), yielded: self.yielded, hint: self.cap_hint.clone() }
    }
}

/// A list the document does not page: one request, its records (each once), the end.
pub(crate) struct OnePage {
    client: ApiClient,
    target: Target,
    items: String,
    options: ListOptions,
    done: bool,
    tracker: Tracker,
}

impl OnePage {
    pub fn new(client: ApiClient, target: Target, items: String, options: ListOptions, path: &str) -> Self {
        Self { client, target, items, options, done: false, tracker: Tracker::new(path) }
    }
}

impl Pager for OnePage {
    fn next_batch(&mut self) -> BoxFuture<'_, Result<Option<Vec<Record>>>> {
        Box::pin(async move {
            if std::mem::replace(&mut self.done, true) {
                return Ok(None);
            }
            let mut request = self.client.request(reqwest::Method::GET, self.target.clone()).headers_of(&self.options);
            for (k, v) in self.options.without(&[]) {
                request = request.query(k, v);
            }
            let body = request.body().await?;
            let page = Page::parse(&body, &self.items)?;
            Ok(Some(self.tracker.admit(owned(page.records())).0))
        })
    }
}

/// One classic page as received.
pub(crate) struct OffsetPage {
    pub items: Vec<Record>,
    /// `more`, or (when absent) whether the page was full.
    pub more: bool,
    pub total: Option<u64>,
}

/// Reads one classic page: `limit`, `offset` and (if asked) `total=true` on top of the options.
async fn fetch_offset(
    client: ApiClient,
    target: Target,
    items: String,
    options: ListOptions,
    offset: u64,
    limit: u64,
    total: bool,
) -> Result<OffsetPage> {
    let mut request = client.request(reqwest::Method::GET, target).headers_of(&options);
    for (k, v) in options.without(&["offset", "limit", "total"]) {
        request = request.query(k, v);
    }
    request = request.query("limit", limit).query("offset", offset);
    if total {
        request = request.query("total", "true");
    }
    let body = request.body().await?;
    let page = Page::parse(&body, &items)?;
    let records = owned(page.records());
    let more = match page.field::<bool>("more") {
        Some(more) => more,
        // No `more` (not PagerDuty's shape): a full page may have a successor; ask.
        None => records.len() as u64 >= limit && !records.is_empty(),
    };
    let total = page.field::<u64>("total");
    Ok(OffsetPage { items: records, more, total })
}

/// The records of a page, copied out of its body.
pub(crate) fn owned(records: &[&RawValue]) -> Vec<Record> {
    records.iter().map(|record| (*record).to_owned()).collect()
}

type Planned = BoxStream<'static, Result<(u64, OffsetPage)>>;

/// Classic `limit`/`offset` paging, sequential or with prefetch.
pub(crate) struct OffsetPager {
    client: ApiClient,
    target: Target,
    items: String,
    options: ListOptions,
    start: u64,
    offset: u64,
    limit: u64,
    concurrency: usize,
    first: bool,
    done: bool,
    last_total: Option<u64>,
    rewound: bool,
    planned: Option<Planned>,
    tracker: Tracker,
}

impl OffsetPager {
    /// A pager over `target`; `cap_hint` is what its cap error advises.
    pub fn new(
        client: ApiClient,
        target: Target,
        items: String,
        options: ListOptions,
        path: &str,
        cap_hint: String,
    ) -> Self {
        let start = options.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        let limit = options.page_size_or_limit().unwrap_or(100).max(1);
        let concurrency = options.concurrency_or_one();
        Self {
            client,
            target,
            items,
            options,
            start,
            offset: start,
            limit,
            concurrency,
            first: true,
            done: false,
            last_total: None,
            rewound: false,
            planned: None,
            tracker: Tracker::new(path).with_cap_hint(cap_hint),
        }
    }

    fn fetch(&self, offset: u64, limit: u64, total: bool) -> BoxFuture<'static, Result<OffsetPage>> {
        Box::pin(fetch_offset(
            self.client.clone(),
            self.target.clone(),
            self.items.clone(),
            self.options.clone(),
            offset,
            limit,
            total,
        ))
    }

    /// Takes one page read at `self.offset`. The offset advances by the records that were new:
    /// a page that repeats records (the collection grew in front of us, or the server slid
    /// back) is read on from the first record not yet seen, so nothing is skipped.
    fn accept(&mut self, page: OffsetPage) -> Result<Vec<Record>> {
        if let Some(total) = page.total {
            self.options.report_total(total);
        }
        if let (Some(before), Some(now)) = (self.last_total, page.total) {
            if now < before {
                // Records were deleted: the rest shifted towards the start, past this page's
                // window. Drop the page and read again from as far back as they moved.
                self.last_total = Some(now);
                self.offset = self.offset.saturating_sub(before - now).max(self.start);
                self.rewound = true;
                return Ok(Vec::new());
            }
        }
        let n = page.items.len() as u64;
        if n == 0 && page.more {
            return Err(self.tracker.error(PagingProblem::MoreWithoutRecords));
        }
        let (fresh, repeats) = self.tracker.admit(page.items);
        let rewound = std::mem::replace(&mut self.rewound, false);
        if n > 0 && fresh.is_empty() && self.offset > self.start && !rewound {
            return Err(self.tracker.error(PagingProblem::OffsetIgnored { offset: self.offset }));
        }
        self.offset += if rewound && fresh.is_empty() { n } else { n - repeats as u64 };
        self.last_total = page.total.or(self.last_total);
        self.done = !page.more;
        Ok(fresh)
    }

    /// Plans the pages after the first from its real size and `total`.
    fn plan(&mut self, page_size: u64) {
        let Some(total) = self.last_total else { return };
        let end = total.min(OFFSET_CAP);
        if page_size == 0 || self.offset >= end {
            return;
        }
        let starts: Vec<u64> = (self.offset..end).step_by(page_size as usize).collect();
        let fetches: Vec<_> = starts
            .into_iter()
            .map(|start| {
                let fetch = self.fetch(start, page_size.min(end - start), false);
                async move {
                    // Each page is read and parsed on a task of its own: on a multi-threaded
                    // runtime that runs while the caller works through the pages before it.
                    // Dropping the listing drops the handle, which cancels the task.
                    let page = match tokio::runtime::Handle::try_current() {
                        Ok(runtime) => {
                            let (task, handle) = fetch.remote_handle();
                            runtime.spawn(task);
                            handle.await
                        }
                        Err(_) => fetch.await,
                    };
                    page.map(|page| (start, page))
                }
            })
            .collect();
        self.planned = Some(stream::iter(fetches).buffered(self.concurrency).boxed());
    }

    async fn next(&mut self) -> Result<Option<Vec<Record>>> {
        loop {
            if self.done {
                return Ok(None);
            }
            if let Some(planned) = self.planned.as_mut() {
                match planned.next().await {
                    Some(Ok((at, page))) if at == self.offset => return self.accept(page).map(Some),
                    // The plan no longer matches what arrived: sequential from here.
                    Some(Ok(_)) | None => self.planned = None,
                    Some(Err(e)) => return Err(e),
                }
                continue;
            }
            let room = OFFSET_CAP.saturating_sub(self.offset);
            if room == 0 {
                return Err(self.tracker.cap());
            }
            let first = std::mem::replace(&mut self.first, false);
            let prefetch = first && self.concurrency > 1;
            let page = self.fetch(self.offset, self.limit.min(room), self.options.wants_total() || prefetch).await?;
            let size = page.items.len() as u64;
            let batch = self.accept(page)?;
            if prefetch && !self.done {
                self.plan(size);
            }
            return Ok(Some(batch));
        }
    }
}

impl Pager for OffsetPager {
    fn next_batch(&mut self) -> BoxFuture<'_, Result<Option<Vec<Record>>>> {
        Box::pin(self.next())
    }
}

/// How a token listing asks for the next page.
#[derive(Clone)]
pub(crate) enum TokenKind {
    /// GET with the token as query parameter `param`; the next one in `field` of the body.
    Query { param: &'static str, field: &'static str },
    /// POST `{filters, limit, starting_after}`; the next token is `last` while `more` is true
    /// (the analytics raw data endpoints).
    Analytics { filters: Value },
}

/// Paging by a token handed back by the server (cursor, `after`, analytics `starting_after`).
pub(crate) struct TokenPager {
    client: ApiClient,
    target: Target,
    items: String,
    options: ListOptions,
    kind: TokenKind,
    token: Option<Option<Value>>,
    tokens_seen: HashSet<String>,
    empty_run: u32,
    pending: Option<Error>,
    tracker: Tracker,
}

impl TokenPager {
    pub fn new(
        client: ApiClient,
        target: Target,
        items: String,
        options: ListOptions,
        kind: TokenKind,
        path: &str,
    ) -> Self {
        let start = match &kind {
            TokenKind::Query { param, .. } => options.get(param).map(|t| Value::String(t.to_string())),
            TokenKind::Analytics { .. } => None,
        };
        let mut tokens_seen = HashSet::new();
        if let Some(t) = &start {
            tokens_seen.insert(t.to_string());
        }
        Self {
            client,
            target,
            items,
            options,
            kind,
            token: Some(start),
            tokens_seen,
            empty_run: 0,
            pending: None,
            tracker: Tracker::new(path),
        }
    }

    /// One page: its records and the next token (`None` at the end).
    async fn page(&self, token: Option<&Value>) -> Result<(Vec<Record>, Option<Value>)> {
        let limit = self.options.page_size_or_limit().unwrap_or(100).max(1);
        match &self.kind {
            TokenKind::Query { param, field } => {
                let mut request =
                    self.client.request(reqwest::Method::GET, self.target.clone()).headers_of(&self.options);
                for (k, v) in self.options.without(&[param, "limit"]) {
                    request = request.query(k, v);
                }
                request = request.query("limit", limit);
                if let Some(token) = token {
                    request =
                        request.query(*param, token.as_str().map(String::from).unwrap_or_else(|| token.to_string()));
                }
                let body = request.body().await?;
                let page = Page::parse(&body, &self.items)?;
                let next = page.field::<Value>(field).filter(|v| !v.is_null() && v.as_str() != Some(""));
                Ok((owned(page.records()), next))
            }
            TokenKind::Analytics { filters } => {
                let mut request = json!({ "filters": filters, "limit": limit.min(1000) });
                if let Some(token) = token {
                    request["starting_after"] = token.clone();
                }
                let body = self
                    .client
                    .request(reqwest::Method::POST, self.target.clone())
                    .headers_of(&self.options)
                    .json_body(&request)
                    .body()
                    .await?;
                let page = Page::parse(&body, &self.items)?;
                let more = page.field::<bool>("more").unwrap_or(false);
                let next = if more {
                    match page.field::<Value>("last").filter(|v| !v.is_null()) {
                        Some(last) => Some(last),
                        None => return Err(self.tracker.error(PagingProblem::MoreWithoutRecords)),
                    }
                } else {
                    None
                };
                Ok((owned(page.records()), next))
            }
        }
    }

    async fn next(&mut self) -> Result<Option<Vec<Record>>> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        let Some(current) = self.token.take() else { return Ok(None) };
        let (records, next) = self.page(current.as_ref()).await?;
        let (fresh, _) = self.tracker.admit(records);
        if let Some(next) = next {
            let key = next.to_string();
            if !self.tokens_seen.insert(key) {
                let shown = next.as_str().map(String::from).unwrap_or_else(|| next.to_string());
                self.pending = Some(self.tracker.error(PagingProblem::CursorRepeated(shown)));
            } else if fresh.is_empty() {
                self.empty_run += 1;
                if self.empty_run >= MAX_EMPTY_PAGES {
                    self.pending = Some(self.tracker.error(PagingProblem::EmptyPages(self.empty_run)));
                } else {
                    self.token = Some(Some(next));
                }
            } else {
                self.empty_run = 0;
                self.token = Some(Some(next));
            }
        }
        Ok(Some(fresh))
    }
}

impl Pager for TokenPager {
    fn next_batch(&mut self) -> BoxFuture<'_, Result<Option<Vec<Record>>>> {
        Box::pin(self.next())
    }
}
