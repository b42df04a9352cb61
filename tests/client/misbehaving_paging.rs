//! The paging engine against servers that misbehave on purpose: clamped, short and repeated
//! pages, lying totals, ignored offsets, repeated and cycling cursors, endless empty pages.

use crate::support::{client, drain, json, serve, Reply, Seen};
use futures::TryStreamExt;
use pdrs::{Error, ListOptions, PagingProblem, RestClient};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn user(i: u64) -> Value {
    json!({"id": format!("P{i:06}"), "type": "user"})
}

/// How an offset server misbehaves.
#[derive(Clone, Copy, Default)]
struct Offsets {
    records: u64,
    /// Most records a page holds, whatever `limit` says.
    clamp: Option<u64>,
    /// Every page this many records short (at least one record), `more` still honest.
    short_by: u64,
    /// `total` reported as this instead of the truth.
    total: Option<u64>,
    /// `offset` ignored: every page starts at 0.
    ignore_offset: bool,
}

fn param(req: &Seen, key: &str) -> Option<u64> {
    req.param(key).and_then(|v| v.parse().ok())
}

fn offset_server(behaviour: Offsets) -> impl Fn(&Seen) -> Reply + Send + Sync + 'static {
    move |req: &Seen| {
        let limit = param(req, "limit").unwrap_or(25);
        let offset = if behaviour.ignore_offset { 0 } else { param(req, "offset").unwrap_or(0) };
        let mut size = limit.min(behaviour.clamp.unwrap_or(u64::MAX));
        size = size.saturating_sub(behaviour.short_by).max(1);
        let end = (offset + size).min(behaviour.records);
        let users: Vec<Value> = (offset.min(end)..end).map(user).collect();
        let total = req.param("total").map(|_| behaviour.total.unwrap_or(behaviour.records));
        json(
            200,
            json!({"users": users, "limit": size, "offset": offset, "more": end < behaviour.records, "total": total}),
        )
    }
}

async fn ids(pd: &RestClient, options: ListOptions) -> (Vec<String>, Option<Error>) {
    drain(pd.iter_all::<Value>("/users", options)).await
}

/// An offset server whose collection is `before` for the first request and `after` from then on
/// (records created or deleted during the listing); it reports `total` on every page.
async fn changing_server(before: Vec<Value>, after: Vec<Value>) -> crate::support::Scripted {
    let calls = AtomicUsize::new(0);
    serve(move |req: &Seen| {
        let all = if calls.fetch_add(1, Ordering::SeqCst) == 0 { &before } else { &after };
        let offset = param(req, "offset").unwrap_or(0) as usize;
        let limit = param(req, "limit").unwrap_or(25) as usize;
        let end = (offset + limit).min(all.len());
        let page = all[offset.min(end)..end].to_vec();
        json(200, json!({"users": page, "more": end < all.len(), "total": all.len()}))
    })
    .await
}

fn expected(n: u64) -> Vec<String> {
    (0..n).map(|i| format!("P{i:06}")).collect()
}

#[tokio::test]
async fn prefetch_plans_from_the_real_page_size_when_the_server_clamps_limit() {
    let server = serve(offset_server(Offsets { records: 2000, clamp: Some(100), ..Default::default() })).await;
    let pd = client(&server.url);
    let (got, err) = ids(&pd, ListOptions::new().concurrency(4).param("limit", 500)).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(got, expected(2000));
    assert!(server.requests().len() <= 21, "{} requests", server.requests().len());
}

#[tokio::test]
async fn short_pages_lose_nothing_sequentially_or_with_prefetch() {
    for concurrency in [1, 3] {
        let server = serve(offset_server(Offsets { records: 650, short_by: 7, ..Default::default() })).await;
        let (got, err) = ids(&client(&server.url), ListOptions::new().concurrency(concurrency)).await;
        assert!(err.is_none(), "{err:?}");
        assert_eq!(got, expected(650), "concurrency {concurrency}");
    }
}

#[tokio::test]
async fn a_lying_total_neither_loses_records_nor_invents_a_cap() {
    for total in [300, 5000, 20_000] {
        let server = serve(offset_server(Offsets { records: 1200, total: Some(total), ..Default::default() })).await;
        let (got, err) = ids(&client(&server.url), ListOptions::new().concurrency(4)).await;
        assert!(err.is_none(), "total {total}: {err:?}");
        assert_eq!(got, expected(1200), "total {total}");
    }
}

#[tokio::test]
async fn limit_zero_with_prefetch_does_not_panic() {
    let server = serve(offset_server(Offsets { records: 40, ..Default::default() })).await;
    let (got, err) = ids(&client(&server.url), ListOptions::new().concurrency(2).param("limit", 0)).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(got, expected(40));
}

#[tokio::test]
async fn a_server_that_ignores_offset_is_named_not_repeated() {
    let server = serve(offset_server(Offsets { records: 10_000, ignore_offset: true, ..Default::default() })).await;
    let (got, err) = ids(&client(&server.url), ListOptions::new()).await;
    assert_eq!(got, expected(100), "the first page once");
    match err {
        Some(Error::Paging { problem: PagingProblem::OffsetIgnored { offset: 100 }, yielded: 100, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn more_true_with_no_records_is_an_error() {
    let server = serve(|req: &Seen| {
        let offset = param(req, "offset").unwrap_or(0);
        let users: Vec<Value> = if offset == 0 { (0..10).map(user).collect() } else { vec![] };
        json(200, json!({"users": users, "more": true}))
    })
    .await;
    let (got, err) = ids(&client(&server.url), ListOptions::new()).await;
    assert_eq!(got.len(), 10);
    assert!(matches!(err, Some(Error::Paging { problem: PagingProblem::MoreWithoutRecords, .. })), "{err:?}");
}

#[tokio::test]
async fn records_shifting_during_a_listing_come_once() {
    // Five records are created at the front after the first page: the second page repeats
    // five records already read, which are dropped, and nothing is skipped.
    let after: Vec<Value> = (0..5).map(|i| json!({"id": format!("NEW{i}")})).chain((0..300).map(user)).collect();
    let server = changing_server((0..300).map(user).collect(), after).await;
    let (got, err) = ids(&client(&server.url), ListOptions::new()).await;
    assert!(err.is_none(), "{err:?}");
    let users: Vec<String> = got.iter().filter(|id| id.starts_with('P')).cloned().collect();
    assert_eq!(users, expected(300));
    let mut unique = got.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), got.len(), "no duplicates");
}

fn audit(i: u64) -> Value {
    json!({"id": format!("R{i}")})
}

async fn records(pd: &RestClient) -> (Vec<String>, Option<Error>) {
    drain(pd.iter_all::<Value>("/audit/records", ListOptions::new())).await
}

#[tokio::test]
async fn a_repeated_cursor_and_page_come_once_then_an_error() {
    let server = serve(|_: &Seen| json(200, json!({"records": [audit(1), audit(2)], "next_cursor": "A"}))).await;
    let (got, err) = records(&client(&server.url)).await;
    assert_eq!(got, ["R1", "R2"]);
    assert!(
        matches!(err, Some(Error::Paging { problem: PagingProblem::CursorRepeated(ref c), .. }) if c == "A"),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn cycling_cursors_stop() {
    let server = serve(|req: &Seen| {
        let (page, next) = match req.param("cursor").as_deref() {
            None => (1, "A"),
            Some("A") => (2, "B"),
            _ => (3, "A"),
        };
        json(200, json!({"records": [audit(page)], "next_cursor": next}))
    })
    .await;
    let (got, err) = records(&client(&server.url)).await;
    assert_eq!(got, ["R1", "R2", "R3"]);
    assert!(matches!(err, Some(Error::Paging { problem: PagingProblem::CursorRepeated(_), .. })), "{err:?}");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn fresh_cursors_with_empty_pages_forever_stop() {
    let n = Arc::new(AtomicUsize::new(0));
    let counter = n.clone();
    let server = serve(move |_: &Seen| {
        let i = counter.fetch_add(1, Ordering::SeqCst);
        json(200, json!({"records": [], "next_cursor": format!("c{i}")}))
    })
    .await;
    let (got, err) = records(&client(&server.url)).await;
    assert!(got.is_empty());
    assert!(matches!(err, Some(Error::Paging { problem: PagingProblem::EmptyPages(5), .. })), "{err:?}");
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn analytics_paging_checks_its_tokens_too() {
    let server = serve(|_: &Seen| json(200, json!({"data": [{"id": "I1"}], "more": true, "last": "I1"}))).await;
    let pd = client(&server.url);
    let mut stream = pd.iter_analytics::<Value>("/analytics/raw/incidents", json!({}));
    assert_eq!(stream.try_next().await.unwrap().unwrap()["id"], "I1");
    let err = stream.try_next().await.unwrap_err();
    assert!(matches!(err, Error::Paging { problem: PagingProblem::CursorRepeated(_), .. }), "{err:?}");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn iterating_a_single_resource_is_its_own_error() {
    let server = serve(|_: &Seen| json(200, json!({}))).await;
    let err = client(&server.url).list_all::<Value>("/users/PABC", ListOptions::new()).await.unwrap_err();
    assert!(matches!(err, Error::NotPaged(_)), "{err:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn records_deleted_during_a_listing_do_not_hide_others() {
    // After the first page, its first five records are deleted: the rest shift five places
    // towards the start. `total` drops by five, so pdrs steps back and misses nothing.
    let server = changing_server((0..300).map(user).collect(), (5..300).map(user).collect()).await;
    let (got, err) = ids(&client(&server.url), ListOptions::new().total(true)).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(got, expected(300), "records read before the deletion are kept, none after it skipped");
}
