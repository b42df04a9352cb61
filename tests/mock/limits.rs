//! pdrs-mock's limits as PagerDuty's: the REST rate limit per API key with `ratelimit-*` on
//! every answer, operations with limits of their own, the daily analytics quota, and request
//! bodies larger than PagerDuty takes.

use pdrs::mock::{Faults, MockConfig, MockServer, REST_RATE_LIMIT};
use pdrs::RestClient;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A request with this token: status and headers.
async fn send(
    mock: &MockServer,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap) {
    let http = RestClient::builder("unused").build().unwrap().http().clone();
    let mut request = http
        .request(method, format!("{}{path}", mock.url()))
        .header("authorization", format!("Token token={token}"))
        .header("from", "me@example.com");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.headers().clone())
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.parse().ok()
}

#[tokio::test]
async fn every_rest_answer_tells_the_budget_of_its_own_key() {
    let mock = MockServer::start().await.unwrap();
    for n in 1..=3 {
        let (status, headers) = send(&mock, "key-a", reqwest::Method::GET, "/users?limit=1", None).await;
        assert_eq!(status, 200);
        assert_eq!(header(&headers, "ratelimit-limit"), Some(u64::from(REST_RATE_LIMIT)));
        assert_eq!(header(&headers, "ratelimit-remaining"), Some(u64::from(REST_RATE_LIMIT) - n));
        assert!(header(&headers, "ratelimit-reset").is_some_and(|r| (1..=60).contains(&r)));
    }
    // Another key counts apart; a 404 is counted and told too.
    let (status, headers) = send(&mock, "key-b", reqwest::Method::GET, "/users/PNOPE", None).await;
    assert_eq!(status, 404);
    assert_eq!(header(&headers, "ratelimit-remaining"), Some(u64::from(REST_RATE_LIMIT) - 1));
}

#[tokio::test]
async fn past_the_limit_a_429_until_the_window_turns() {
    let faults = Faults::none().rate_limit(2, Duration::from_secs(60));
    let mock = MockServer::start_with(MockConfig::default().faults(faults)).await.unwrap();
    for _ in 0..2 {
        assert_eq!(send(&mock, "key-a", reqwest::Method::GET, "/users?limit=1", None).await.0, 200);
    }
    let (status, headers) = send(&mock, "key-a", reqwest::Method::GET, "/users?limit=1", None).await;
    assert_eq!(status, 429);
    assert_eq!(header(&headers, "ratelimit-remaining"), Some(0));
    assert_eq!(send(&mock, "key-b", reqwest::Method::GET, "/users?limit=1", None).await.0, 200, "per key");
    mock.advance(chrono::Duration::seconds(61));
    assert_eq!(send(&mock, "key-a", reqwest::Method::GET, "/users?limit=1", None).await.0, 200);
}

#[tokio::test]
async fn operations_with_a_limit_of_their_own_count_apart() {
    let faults = Faults::none().operation_rate_limit(2);
    let mock = MockServer::start_with(MockConfig::default().faults(faults)).await.unwrap();
    let own = pdrs::spec::find("GET", "/oncalls").map(|op| op.own_rate_limit);
    assert_eq!(own, Some(true), "the document marks GET /oncalls");
    for left in [1, 0] {
        let (status, headers) = send(&mock, "key-a", reqwest::Method::GET, "/oncalls", None).await;
        assert_eq!(status, 200);
        assert!(headers.contains_key("x-pd-operation-limit"));
        // The nearer limit is the operation's.
        assert_eq!(header(&headers, "ratelimit-limit"), Some(2));
        assert_eq!(header(&headers, "ratelimit-remaining"), Some(left));
    }
    assert_eq!(send(&mock, "key-a", reqwest::Method::GET, "/oncalls", None).await.0, 429);
    let (status, headers) = send(&mock, "key-a", reqwest::Method::GET, "/users?limit=1", None).await;
    assert_eq!(status, 200, "other operations are not held back");
    assert!(!headers.contains_key("x-pd-operation-limit"));
}

#[tokio::test]
async fn a_spent_daily_analytics_quota_is_reported_at_once() {
    let faults = Faults::none().analytics_daily_quota(2);
    let mock = MockServer::start_with(MockConfig::default().faults(faults)).await.unwrap();
    let path = "/analytics/raw/incidents";
    let filters = json!({"filters": {}});
    for left in [1, 0] {
        let (status, headers) = send(&mock, "key-a", reqwest::Method::POST, path, Some(filters.clone())).await;
        assert_eq!(status, 200);
        assert_eq!(header(&headers, "daily-ratelimit-remaining"), Some(left));
        assert!(header(&headers, "daily-ratelimit-reset").is_some_and(|r| r > 3600));
    }
    // Through the client: no waiting out a day, no retrying; the error says how long.
    let pd = RestClient::builder("key-a").base_url(mock.url()).build().unwrap();
    let started = Instant::now();
    let err = pd.request(pdrs::Method::POST, path).json_body(&filters).send().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(err.is_rate_limited(), "{err}");
    assert!(
        matches!(err, pdrs::Error::RateLimited { retry_after, .. } if retry_after > Duration::from_secs(3600)),
        "{err:?}"
    );
    assert_eq!(mock.calls("POST", path), 3, "not retried");
    // The rest of the API is not held back.
    assert_eq!(send(&mock, "key-a", reqwest::Method::GET, "/users?limit=1", None).await.0, 200);
}

#[tokio::test]
async fn updates_are_partial_as_pagerduty_applies_them() {
    let mock = MockServer::start().await.unwrap();
    let pd = RestClient::builder("key-a").base_url(mock.url()).build().unwrap();
    let before: Value = pd.rget("/users/PU00000").await.unwrap();
    let after: Value = pd.rput("/users/PU00000", &json!({"user": {"name": "Renamed"}})).await.unwrap();
    assert_eq!(after["name"], "Renamed");
    assert_eq!(after["email"], before["email"], "a field left out stays");
    let read: Value = pd.rget("/users/PU00000").await.unwrap();
    assert_eq!(read, after);
    // What is sent is still checked.
    let (status, _) =
        send(&mock, "key-a", reqwest::Method::PUT, "/users/PU00000", Some(json!({"user": {"role": "emperor"}}))).await;
    assert_eq!(status, 400);
    // A creation still needs what the document requires.
    let (status, _) = send(&mock, "key-a", reqwest::Method::POST, "/users", Some(json!({"user": {"name": "X"}}))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn bodies_larger_than_pagerduty_takes_are_refused_with_413() {
    let mock =
        MockServer::start_with(MockConfig::default().seed(pdrs::mock::Seed::default().users(6000))).await.unwrap();
    let big = json!({"user": {"name": "x".repeat(pdrs::mock::REST_MAX_BODY), "email": "a@example.com"}});
    let (status, _) = send(&mock, "key-a", reqwest::Method::POST, "/users", Some(big)).await;
    assert_eq!(status, 413);
    let event = json!({"routing_key": "R0UT1NGKEY00000000000000000000", "event_action": "trigger",
                       "payload": {"summary": "s", "source": "h", "severity": "info",
                                   "custom_details": {"blob": "y".repeat(pdrs::mock::EVENTS_MAX_BODY)}}});
    let (status, _) = send(&mock, "key-a", reqwest::Method::POST, "/v2/enqueue", Some(event)).await;
    assert_eq!(status, 413);
    // The state endpoint takes a whole state, larger than any request.
    let state = mock.dump();
    assert!(state.to_string().len() > pdrs::mock::REST_MAX_BODY, "the state is small: the test proves nothing");
    let (status, _) = send(&mock, "key-a", reqwest::Method::PUT, "/_mock/state", Some(state)).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn the_events_api_counts_per_routing_key_and_its_clients_pace_by_it() {
    let faults = Faults::none().events_rate_limit(2).rate_limit(pdrs::mock::REST_RATE_LIMIT, Duration::from_secs(1));
    let mock = MockServer::start_with(MockConfig::default().faults(faults)).await.unwrap();
    let event = |key: &str| {
        json!({"routing_key": key, "event_action": "trigger",
               "payload": {"summary": "s", "source": "h", "severity": "info"}})
    };
    let (a, b) = ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    for left in [1, 0] {
        let (status, headers) = send(&mock, "x", reqwest::Method::POST, "/v2/enqueue", Some(event(a))).await;
        assert_eq!(status, 202);
        assert_eq!(header(&headers, "ratelimit-remaining"), Some(left));
    }
    assert_eq!(send(&mock, "x", reqwest::Method::POST, "/v2/enqueue", Some(event(a))).await.0, 429);
    assert_eq!(send(&mock, "x", reqwest::Method::POST, "/v2/enqueue", Some(event(b))).await.0, 202, "per key");
    // A client of a third key waits for its window instead of meeting a 429; another key's
    // spent budget does not hold it back.
    let c = "cccccccccccccccccccccccccccccccc";
    let alerts = pdrs::EventsClient::builder(c).base_url(mock.url()).build().unwrap();
    let started = Instant::now();
    for i in 0..5 {
        alerts.trigger(format!("event {i}"), "db-1").send().await.unwrap();
    }
    assert!(started.elapsed() >= Duration::from_secs(1), "five events at two a second: {:?}", started.elapsed());
    let refused = mock.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(refused, 1, "only the one sent by hand");
}
