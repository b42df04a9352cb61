//! The paging engine against randomly misbehaving servers (clamped, short, sliding and repeated
//! pages, lying totals, ignored offsets; repeated, cycling and stalling cursors). Properties:
//! the listing terminates, never yields a record twice, and either yields every record in
//! order or ends with a typed paging error; it never ends quietly with records missing.

use crate::support::{client, drain, json, serve, Seen};
use pdrs::{Error, ListOptions, RestClient};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug)]
struct Misbehaviour {
    records: u64,
    clamp: u64,
    /// Per request: records held back from the end of the page (at least one is sent).
    short: Vec<u64>,
    /// Per request: the page starts this many records before the asked offset.
    slide: Vec<u64>,
    /// `total` as reported: the truth plus this (saturating).
    total_delta: i64,
    /// From this request on, `offset` is ignored.
    ignore_offset_from: Option<u64>,
    concurrency: usize,
    limit: u64,
}

fn misbehaviour() -> impl Strategy<Value = Misbehaviour> {
    (
        0u64..400,
        1u64..130,
        prop::collection::vec(prop_oneof![3 => Just(0u64), 1 => 1u64..40], 1..16),
        prop::collection::vec(prop_oneof![4 => Just(0u64), 1 => 1u64..30], 1..16),
        -500i64..500,
        prop::option::weighted(0.15, 1u64..6),
        1usize..5,
        prop_oneof![Just(100u64), 1u64..150],
    )
        .prop_map(|(records, clamp, short, slide, total_delta, ignore_offset_from, concurrency, limit)| {
            Misbehaviour { records, clamp, short, slide, total_delta, ignore_offset_from, concurrency, limit }
        })
}

fn id(i: u64) -> String {
    format!("P{i:06}")
}

fn check(ids: &[String], error: Option<Error>, records: u64) -> Result<(), TestCaseError> {
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    prop_assert_eq!(unique.len(), ids.len(), "a record came twice");
    match error {
        None => {
            let expected: Vec<String> = (0..records).map(id).collect();
            prop_assert_eq!(ids, &expected[..], "ended without error but records are missing or out of order");
        }
        Some(Error::Paging { .. }) | Some(Error::PaginationCap { .. }) => {}
        Some(other) => prop_assert!(false, "not a paging error: {other:?}"),
    }
    Ok(())
}

async fn collect(pd: &RestClient, path: &str, options: ListOptions) -> (Vec<String>, Option<Error>) {
    drain(pd.iter_all::<Value>(path, options)).await
}

proptest! {
    #![proptest_config(crate::support::proptest_config(96, "paging_properties"))]

    #[test]
    fn offset_paging_terminates_without_duplicates_or_silent_loss(m in misbehaviour()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let requests = Arc::new(AtomicU64::new(0));
        let (ids, error) = runtime.block_on(async {
            let counter = requests.clone();
            let b = m.clone();
            let server = serve(move |req: &Seen| {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let pick = |v: &Vec<u64>| v[(n as usize) % v.len()];
                let limit: u64 = req.param("limit").and_then(|l| l.parse().ok()).unwrap_or(25);
                let mut offset: u64 = req.param("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
                if b.ignore_offset_from.is_some_and(|from| n >= from) {
                    offset = 0;
                }
                let start = offset.saturating_sub(pick(&b.slide));
                let size = limit.min(b.clamp).saturating_sub(pick(&b.short)).max(1);
                let end = (start + size).min(b.records);
                let users: Vec<Value> = (start.min(end)..end).map(|i| json!({"id": id(i)})).collect();
                let total = req.param("total").map(|_| (b.records as i64 + b.total_delta).max(0));
                json(200, json!({"users": users, "more": end < b.records, "total": total, "offset": offset}))
            })
            .await;
            let options = ListOptions::new().concurrency(m.concurrency).param("limit", m.limit);
            collect(&client(&server.url), "/users", options).await
        });
        check(&ids, error, m.records)?;
        // Bounded: every request but the failing one brought at least one new record.
        prop_assert!(requests.load(Ordering::SeqCst) <= m.records + 2 + 4 * m.concurrency as u64);
    }

    #[test]
    fn cursor_paging_terminates_without_duplicates_or_silent_loss(
        records in 0u64..300,
        page in 1u64..60,
        repeat_at in prop::option::weighted(0.3, 0u64..8),
        cycle_to in prop::option::weighted(0.3, 0u64..4),
        stall_from in prop::option::weighted(0.3, 0u64..8),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let requests = Arc::new(AtomicU64::new(0));
        let (ids, error) = runtime.block_on(async {
            let counter = requests.clone();
            let server = serve(move |req: &Seen| {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                // The cursor is the page number; misbehaviours bend it.
                let at: u64 = req.param("cursor").and_then(|c| c.trim_start_matches('c').parse().ok()).unwrap_or(0);
                if stall_from.is_some_and(|s| at >= s) {
                    // Fresh cursors, no records, forever.
                    return json(200, json!({"records": [], "next_cursor": format!("c{}", 1000 + n)}));
                }
                let start = at * page;
                let end = (start + page).min(records);
                let items: Vec<Value> = (start.min(end)..end).map(|i| json!({"id": id(i)})).collect();
                let mut next = (end < records).then(|| at + 1);
                if repeat_at == Some(at) {
                    next = Some(at);
                }
                if let (Some(to), Some(_)) = (cycle_to, next) {
                    if at >= to + 2 {
                        next = Some(to);
                    }
                }
                json(200, json!({"records": items, "next_cursor": next.map(|c| format!("c{c}"))}))
            })
            .await;
            collect(&client(&server.url), "/audit/records", ListOptions::new()).await
        });
        check(&ids, error, records)?;
        prop_assert!(requests.load(Ordering::SeqCst) <= records / page + 4 + pdrs_max_empty());
    }
}

fn pdrs_max_empty() -> u64 {
    5
}
