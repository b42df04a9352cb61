//! Pacing by the server's rate-limit budget: concurrent tasks sharing a client meet no 429 when
//! the budget is known, and the headers absent, lying or absurd leave today's behaviour.

use crate::support::{serve, Reply};
use futures::future::join_all;
use pdrs::mock::{Faults, MockConfig, MockServer};
use pdrs::{RestClient, RetryPolicy, Wait, WaitReason};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Told = Arc<Mutex<Vec<Wait>>>;

fn client(url: &str, pace: bool) -> (RestClient, Told) {
    let told: Told = Arc::default();
    let log = told.clone();
    let pd = RestClient::builder("token-pacing-1234")
        .base_url(url)
        .retry(RetryPolicy::default().max_attempts(20).base_delay(Duration::from_millis(50)))
        .pace_by_server(pace)
        .on_wait(move |wait| log.lock().unwrap().push(wait.clone()))
        .build()
        .unwrap();
    (pd, told)
}

/// `tasks` tasks, each getting `each` users through clones of one client.
async fn hammer(pd: &RestClient, tasks: usize, each: usize) -> Duration {
    let started = Instant::now();
    let jobs = (0..tasks).map(|t| {
        let pd = pd.clone();
        async move {
            for i in 0..each {
                let id = format!("PU{:05}", (t * each + i) % 20);
                let _: Value = pd.rget(&format!("/users/{id}")).await.unwrap();
            }
        }
    });
    join_all(jobs).await;
    started.elapsed()
}

async fn limited_mock(per_window: u32, window: Duration) -> MockServer {
    let config = MockConfig::default().faults(Faults::none().rate_limit(per_window, window));
    MockServer::start_with(config).await.unwrap()
}

fn answered_429(mock: &MockServer) -> usize {
    mock.requests().iter().filter(|r| r.status == 429).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tasks_meet_no_429_when_the_budget_is_known() {
    let mock = limited_mock(10, Duration::from_secs(1)).await;
    let (pd, told) = client(mock.url(), true);
    let took = hammer(&pd, 4, 10).await;
    assert_eq!(answered_429(&mock), 0, "paced requests met a 429");
    assert!(pd.api_rate_limited().is_empty(), "{:?}", pd.api_rate_limited());
    assert_eq!(mock.request_count(), 40);
    // Forty requests at ten a window: three resets waited for, and not much more.
    assert!(took >= Duration::from_secs(3), "{took:?}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    let told = told.lock().unwrap();
    assert!(told.iter().any(|w| w.reason == WaitReason::RateLimitBudget), "{told:?}");
    let quota = pd.quota().expect("the mock reports its budget");
    assert_eq!(quota.limit, Some(10));
    assert!(quota.remaining < 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_pacing_the_same_job_meets_429s_and_counts_them() {
    let mock = limited_mock(10, Duration::from_secs(1)).await;
    let (pd, _) = client(mock.url(), false);
    hammer(&pd, 4, 10).await;
    let limited = answered_429(&mock);
    assert!(limited > 0, "the server's limit was never met: the paced test proves nothing");
    assert_eq!(pd.api_rate_limited().get("GET /users/{id}").copied(), Some(limited as u64));
    assert_eq!(pd.quota(), None);
}

/// A server answering every request 200 with these rate-limit headers.
async fn constant(headers: Vec<(&'static str, String)>) -> crate::support::Scripted {
    serve(move |_| Reply::Http(200, headers.clone(), r#"{"user":{"id":"PU00000"}}"#.into())).await
}

#[tokio::test]
async fn a_remaining_that_never_decreases_paces_nothing() {
    let server = constant(vec![
        ("ratelimit-limit", "5".into()),
        ("ratelimit-remaining", "3".into()),
        ("ratelimit-reset", "60".into()),
    ])
    .await;
    let (pd, told) = client(&server.url, true);
    let took = tokio::time::timeout(Duration::from_secs(20), hammer(&pd, 4, 10)).await.expect("a hang");
    assert_eq!(server.count(), 40);
    assert!(took < Duration::from_secs(5), "{took:?}");
    let told = told.lock().unwrap();
    assert!(!told.iter().any(|w| w.reason == WaitReason::RateLimitBudget), "{told:?}");
}

#[tokio::test]
async fn resets_past_absent_or_absurd_are_not_waited_for() {
    for reset in ["-5", "0", "abc", "1e300", "86400"] {
        let server = constant(vec![("ratelimit-remaining", "0".into()), ("ratelimit-reset", reset.into())]).await;
        let (pd, told) = client(&server.url, true);
        let took = tokio::time::timeout(Duration::from_secs(20), hammer(&pd, 2, 5)).await.expect("a hang");
        assert_eq!(server.count(), 10, "reset {reset}");
        assert!(took < Duration::from_secs(3), "reset {reset}: {took:?}");
        let told = told.lock().unwrap();
        assert!(!told.iter().any(|w| w.reason == WaitReason::RateLimitBudget), "reset {reset}: {told:?}");
    }
    for remaining in ["-1", "abc", "1e300"] {
        let server = constant(vec![("ratelimit-remaining", remaining.into()), ("ratelimit-reset", "60".into())]).await;
        let (pd, _) = client(&server.url, true);
        let took = tokio::time::timeout(Duration::from_secs(20), hammer(&pd, 2, 5)).await.expect("a hang");
        assert!(took < Duration::from_secs(3), "remaining {remaining}: {took:?}");
    }
}

#[tokio::test]
async fn clients_of_one_token_share_the_budget() {
    let mock = limited_mock(3, Duration::from_secs(1)).await;
    let (first, _) = client(mock.url(), true);
    let (second, told) = client(mock.url(), true);
    for _ in 0..3 {
        let _: Value = first.rget("/users/PU00000").await.unwrap();
    }
    // The second client never sent anything, yet knows the budget is spent.
    let _: Value = second.rget("/users/PU00001").await.unwrap();
    assert_eq!(answered_429(&mock), 0);
    assert!(told.lock().unwrap().iter().any(|w| w.reason == WaitReason::RateLimitBudget));
}

#[tokio::test]
async fn a_reset_past_the_calls_deadline_is_not_waited_for() {
    let server = constant(vec![("ratelimit-remaining", "0".into()), ("ratelimit-reset", "30".into())]).await;
    let pd = RestClient::builder("token-pacing-1234")
        .base_url(&server.url)
        .retry(RetryPolicy::default().deadline(Duration::from_secs(5)))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..3 {
        let _: Value = pd.rget("/users/PU00000").await.unwrap();
    }
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(server.count(), 3);
}
