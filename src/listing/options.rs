//! [`ListOptions`]: what a listing asks for (query parameters, headers, page size, `total`,
//! prefetch), and [`TotalWatch`], its `total` as it goes.

/// Options of a listing: query parameters, page size, `total=true`.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct ListOptions {
    params: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    page_size: Option<u64>,
    total: bool,
    concurrency: usize,
    watch: Option<TotalWatch>,
}

/// The `total` of a listing as it goes: give it to [`ListOptions::watch_total`] and read it
/// while the stream runs (for a progress bar, say). It holds the latest `total` a page
/// reported, which can change while the collection does. Cheap to clone; clones share the value.
#[derive(Clone, Debug, Default)]
pub struct TotalWatch(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl TotalWatch {
    const UNKNOWN: u64 = 0;

    /// A watch with no total yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The latest `total` a page reported, if any has (offset listings with `total=true`).
    pub fn get(&self) -> Option<u64> {
        match self.0.load(std::sync::atomic::Ordering::Relaxed) {
            Self::UNKNOWN => None,
            stored => Some(stored - 1),
        }
    }

    fn set(&self, total: u64) {
        self.0.store(total.saturating_add(1), std::sync::atomic::Ordering::Relaxed);
    }
}

impl ListOptions {
    /// Empty options (page size 100).
    pub fn new() -> Self {
        Self::default()
    }

    /// A query parameter (repeat the call for several values of one key).
    pub fn param(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.params.push((key.into(), value.to_string()));
        self
    }

    /// A list parameter, sent as `key[]=v` per value.
    pub fn param_list<I: IntoIterator<Item = V>, V: ToString>(mut self, key: &str, values: I) -> Self {
        let key = list_key(key);
        self.params.extend(values.into_iter().map(|v| (key.clone(), v.to_string())));
        self
    }

    /// A header sent with every page request (e.g. `X-EARLY-ACCESS`); a default header of the
    /// client with the same name is replaced.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The headers sent with every page request.
    pub(crate) fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Records per request (`limit`), default 100.
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size.max(1));
        self
    }

    /// Ask for `total` (offset paging), at the cost of a slower first page.
    pub fn total(mut self, yes: bool) -> Self {
        self.total = yes;
        self
    }

    /// Asks for `total` and reports it to `watch` as each page arrives.
    pub fn watch_total(mut self, watch: &TotalWatch) -> Self {
        self.total = true;
        self.watch = Some(watch.clone());
        self
    }

    /// Passes a page's `total` on to the watch, if there is one.
    pub(crate) fn report_total(&self, total: u64) {
        if let Some(watch) = &self.watch {
            watch.set(total);
        }
    }

    /// Fetch up to `n` offset pages at once (offset paging only). The first page asks for
    /// `total`; the rest are requested concurrently and still yielded in order. Requests stay
    /// bounded by the client's rate limiter and retry policy.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The page size asked for: [`page_size`](Self::page_size), else a numeric `limit` param.
    pub(crate) fn page_size_or_limit(&self) -> Option<u64> {
        self.page_size.or_else(|| self.get("limit").and_then(|l| l.trim().parse().ok()))
    }

    pub(crate) fn concurrency_or_one(&self) -> usize {
        self.concurrency.max(1)
    }

    /// Whether `total=true` was asked for (by [`total`](Self::total) or a `total` param).
    pub(crate) fn wants_total(&self) -> bool {
        self.total || self.get("total").is_some_and(crate::spec::query_true)
    }

    pub(crate) fn without(&self, keys: &[&str]) -> Vec<(String, String)> {
        self.params.iter().filter(|(k, _)| !keys.contains(&k.as_str())).cloned().collect()
    }
}

/// The query key of a list parameter: `statuses` and `statuses[]` both give `statuses[]`.
pub(crate) fn list_key(key: &str) -> String {
    if key.ends_with("[]") {
        key.to_string()
    } else {
        format!("{key}[]")
    }
}
