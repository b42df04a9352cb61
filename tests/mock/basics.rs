//! The mock server: paging with the 10,000 cap, iter_history past it, validation, faults.
#![cfg(feature = "mock")]

use futures::StreamExt;
use pdrs::mock::{Faults, MockConfig, MockServer, Seed};
use pdrs::{Error, ListOptions, RestClient, RetryPolicy};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;

fn client(mock: &MockServer) -> RestClient {
    crate::support::client_with(mock.url(), pdrs::RetryPolicy::default())
}

#[tokio::test]
async fn iter_all_over_20000_users_yields_10000_then_the_cap_error() {
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty().users(20_000))).await.unwrap();
    let pd = client(&mock);
    let results: Vec<Result<Value, Error>> = pd.iter_all("/users", ListOptions::new()).collect().await;
    let ok: Vec<&Value> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(ok.len(), 10_000);
    let ids: HashSet<&str> = ok.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 10_000);
    assert!(matches!(results.last(), Some(Err(Error::PaginationCap { yielded: 10_000, .. }))));
}

#[tokio::test]
async fn the_mock_refuses_offsets_past_the_cap() {
    let mock = MockServer::start().await.unwrap();
    let err = client(&mock)
        .request(pdrs::Method::GET, "/users")
        .query("offset", 10_000)
        .query("limit", 25)
        .send()
        .await
        .unwrap_err();
    match err {
        Error::Api(e) => assert_eq!((e.status.as_u16(), e.code), (400, Some(2002))),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn iter_history_gets_every_incident_past_the_cap() {
    // Incidents are one a minute up to the mock's clock: from 2026-01-01 here.
    let since = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let now = since + chrono::Duration::minutes(12_500);
    let mock =
        MockServer::start_with(MockConfig::default().now(now).seed(Seed::empty().incidents(12_500))).await.unwrap();
    let pd = client(&mock);
    let until = since + chrono::Duration::days(30);
    let all: Vec<Value> =
        pd.iter_history("/incidents", since, until, ListOptions::new()).map(|r| r.unwrap()).collect().await;
    assert_eq!(all.len(), 12_500);
    let ids: HashSet<&str> = all.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 12_500);
}

#[tokio::test]
async fn crud_validation_and_unknown_paths() {
    let mock = MockServer::start().await.unwrap();
    let pd = client(&mock);
    let created: Value = pd.rpost("/teams", &json!({"name": "Ops", "description": "on call"})).await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert!(id.starts_with('P') && id.len() == 7, "{id}");
    assert!(created["self"].as_str().unwrap().ends_with(&format!("/teams/{id}")));
    let fetched: Value = pd.rget(format!("/teams/{id}")).await.unwrap();
    assert_eq!(fetched["name"], "Ops");
    let updated: Value = pd.rput(format!("/teams/{id}"), &json!({"name": "Ops 2"})).await.unwrap();
    assert_eq!(updated["name"], "Ops 2");
    pd.rdelete(format!("/teams/{id}")).await.unwrap();
    assert!(pd.rget::<Value>(format!("/teams/{id}")).await.unwrap_err().is_not_found());

    // A body that breaks the schema: 400 code 2001 naming the field.
    match pd.rpost::<Value>("/teams", &json!({"name": 42})).await.unwrap_err() {
        Error::Api(e) => {
            assert_eq!((e.status.as_u16(), e.code), (400, Some(2001)));
            assert!(e.errors.iter().any(|m| m.contains("team.name")), "{:?}", e.errors);
        }
        other => panic!("{other:?}"),
    }
    // Unknown path: 404 code 2100.
    match pd.jget::<Value>("/no/such/path").await.unwrap_err() {
        Error::Api(e) => assert_eq!((e.status.as_u16(), e.code), (404, Some(2100))),
        other => panic!("{other:?}"),
    }
    // No credential: 401.
    let anonymous = reqwest::Client::new().get(format!("{}/users", mock.url())).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    // `From` where the spec requires it.
    let err = pd.rpost::<Value>("/incidents", &json!({"type": "incident", "title": "x"})).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
}

#[tokio::test]
async fn events_change_the_state() {
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty())).await.unwrap();
    let events = pdrs::EventsClient::builder("0123456789abcdef0123456789abcdef").base_url(mock.url()).build().unwrap();
    let key = events.trigger("CPU on fire", "web-1").dedup_key("cpu-web-1").send().await.unwrap();
    let pd = client(&mock);
    let open: Vec<Value> = pd.list_all("/incidents", ListOptions::new()).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0]["status"].as_str(), open[0]["incident_key"].as_str()), (Some("triggered"), Some("cpu-web-1")));
    events.resolve(&key).await.unwrap();
    let after: Vec<Value> = pd.list_all("/incidents", ListOptions::new()).await.unwrap();
    assert_eq!(after[0]["status"], "resolved");
    let bad = events.trigger("", "web-1").send().await;
    assert!(bad.is_err());
    let dump = mock.dump();
    assert_eq!(dump["collections"]["/incidents"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn with_rate_limits_and_server_errors_every_record_arrives_once() {
    let faults = Faults::none().rate_limit(15, Duration::from_millis(400)).error_rate(0.2);
    let mock =
        MockServer::start_with(MockConfig::default().seed(Seed::empty().users(2_000)).faults(faults)).await.unwrap();
    let pd = RestClient::builder("mock-token-1234")
        .base_url(mock.url())
        .retry(
            RetryPolicy::default()
                .max_attempts(20)
                .retry_status(500, 10)
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_secs(1)),
        )
        .build()
        .unwrap();
    let all: Vec<Value> = pd.list_all("/users", ListOptions::new()).await.unwrap();
    assert_eq!(all.len(), 2_000);
    let ids: HashSet<&str> = all.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2_000);
    assert!(mock.request_count() > 20, "faults were injected: {} requests", mock.request_count());
}

#[tokio::test]
async fn operations_without_state_answer_from_the_spec_examples() {
    let mock = MockServer::start().await.unwrap();
    let pd = client(&mock);
    // GET /abilities is not a stateful collection: the spec's example comes back.
    let abilities: Value = pd.jget("/abilities").await.unwrap();
    assert!(abilities["abilities"].as_array().is_some_and(|a| !a.is_empty()), "{abilities}");
}
