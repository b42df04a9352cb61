//! Watching live: `watch_log_entries` against the mock while incidents are triggered (Events
//! API), acknowledged and resolved (REST) during the watch, through 5xx answers, resets and
//! cut bodies, and resumed from a checkpoint: each entry once, in order.

use futures::StreamExt;
use pdrs::mock::{Faults, MockConfig, MockServer};
use pdrs::{Checkpoint, EventsClient, RestClient, RetryPolicy, WatchOptions, Watched};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;

fn fast() -> WatchOptions {
    WatchOptions::new().interval(Duration::from_millis(50)).idle_interval(Duration::from_millis(200))
}

fn client(mock: &MockServer) -> RestClient {
    RestClient::builder("token-watch")
        .base_url(mock.url())
        .default_from("user0@example.com")
        .retry(RetryPolicy::default().max_attempts(10).base_delay(Duration::from_millis(5)))
        .build()
        .unwrap()
}

/// Triggers `n` incidents through the Events API, acknowledges and resolves them through REST.
async fn churn(mock: &MockServer, pd: &RestClient, tag: &str, n: usize) {
    let alerts = EventsClient::builder("0123456789abcdef0123456789abcdef")
        .base_url(mock.url())
        .retry(RetryPolicy::events().base_delay(Duration::from_millis(5)).retry_post(true))
        .build()
        .unwrap();
    for i in 0..n {
        alerts.trigger(format!("{tag} {i}"), "db-1").dedup_key(format!("{tag}-{i}")).send().await.unwrap();
    }
    let incidents: Vec<Value> = pd.list_all("/incidents", pdrs::ListOptions::new()).await.unwrap();
    for incident in incidents.iter().filter(|i| i["title"].as_str().is_some_and(|t| t.starts_with(tag))) {
        let id = incident["id"].as_str().unwrap();
        for status in ["acknowledged", "resolved"] {
            let change = json!({"incident": {"type": "incident_reference", "status": status}});
            let _: Value = pd.rput(&format!("/incidents/{id}"), &change).await.unwrap();
        }
    }
}

/// The ids of the log entries the mock holds, created from `from` on.
fn held(mock: &MockServer, from: &str) -> HashSet<String> {
    let state = mock.dump();
    state["collections"]["/log_entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["created_at"].as_str().unwrap_or("") >= from)
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

/// Takes records from the watch until `want` ids were delivered (or 20 s pass).
async fn take(
    watch: &mut futures::stream::BoxStream<'static, pdrs::Result<Watched>>,
    want: &HashSet<String>,
    got: &mut Vec<Watched>,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !want.iter().all(|id| got.iter().any(|w| w.record["id"] == id.as_str())) {
        match tokio::time::timeout_at(deadline, watch.next()).await {
            Ok(Some(Ok(watched))) => got.push(watched),
            Ok(Some(Err(e))) => assert!(e.is_retryable(), "{e}"),
            Ok(None) => panic!("the watch ended"),
            Err(_) => panic!("{} of {} entries after 20 s", got.len(), want.len()),
        }
    }
}

/// Nothing more is delivered for a while (a few polls).
async fn assert_nothing_more(watch: &mut futures::stream::BoxStream<'static, pdrs::Result<Watched>>) {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(800);
    while let Ok(next) = tokio::time::timeout_at(deadline, watch.next()).await {
        match next {
            Some(Ok(more)) => panic!("delivered again or out of place: {}", more.record),
            Some(Err(e)) => assert!(e.is_retryable(), "{e}"),
            None => panic!("the watch ended"),
        }
    }
}

fn assert_once_in_order(got: &[Watched]) {
    let ids: Vec<&str> = got.iter().map(|w| w.record["id"].as_str().unwrap()).collect();
    let unique: HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an entry delivered twice: {ids:?}");
    let times: Vec<&str> = got.iter().map(|w| w.record["created_at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "out of order: {times:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_change_made_during_a_watch_arrives_once_in_order_through_faults() {
    let faults = Faults::none().error_rate(0.2).reset_rate(0.05).truncate_rate(0.05).seed(29);
    let mock = MockServer::start_with(MockConfig::default().faults(faults)).await.unwrap();
    let pd = client(&mock);
    let start = mock.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let before = held(&mock, "");
    let mut watch = pd.watch_log_entries(fast());
    churn(&mock, &pd, "storm", 5).await;
    let want: HashSet<String> = held(&mock, &start).difference(&before).cloned().collect();
    assert_eq!(want.len(), 15, "a trigger, an acknowledgement and a resolution each");
    let mut got = Vec::new();
    take(&mut watch, &want, &mut got).await;
    assert_nothing_more(&mut watch).await;
    assert_once_in_order(&got);
    let delivered: HashSet<String> = got.iter().map(|w| w.record["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(delivered, want, "only what happened during the watch");
    let faulted = mock.requests().iter().filter(|r| r.fault.is_some()).count();
    assert!(faulted > 0, "no fault struck: the test proves nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_resumed_from_a_checkpoint_misses_nothing_and_repeats_nothing() {
    let mock = MockServer::start().await.unwrap();
    let pd = client(&mock);
    let start = mock.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let before = held(&mock, "");
    let mut watch = pd.watch_log_entries(fast());
    churn(&mock, &pd, "first", 3).await;
    let first: HashSet<String> = held(&mock, &start).difference(&before).cloned().collect();
    let mut got = Vec::new();
    take(&mut watch, &first, &mut got).await;
    // Acknowledge a part of what came, then "crash": the rest of the queue is lost with it.
    got.truncate(4);
    let checkpoint: Checkpoint = got.last().unwrap().checkpoint.clone();
    drop(watch);
    let stored = serde_json::to_string(&checkpoint).unwrap();
    churn(&mock, &pd, "second", 3).await;
    let resumed = serde_json::from_str(&stored).unwrap();
    let mut watch = pd.watch_log_entries(fast().resume(resumed));
    let all: HashSet<String> = held(&mock, &start).difference(&before).cloned().collect();
    take(&mut watch, &all, &mut got).await;
    assert_nothing_more(&mut watch).await;
    assert_once_in_order(&got);
    assert_eq!(got.len(), all.len());
}

#[tokio::test]
async fn a_watch_ends_on_an_error_no_retry_fixes() {
    let mock = MockServer::start().await.unwrap();
    let pd = RestClient::builder("").base_url(mock.url()).build().unwrap();
    let mut watch = pd.watch_incidents(fast());
    let first = tokio::time::timeout(Duration::from_secs(10), watch.next()).await.unwrap();
    assert!(first.is_some_and(|r| r.is_err_and(|e| e.is_unauthorized())));
    assert!(tokio::time::timeout(Duration::from_secs(10), watch.next()).await.unwrap().is_none());
}
