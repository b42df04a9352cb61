//! The blocking facade: the same verbs, as plain calls and iterators.
#![cfg(feature = "blocking")]

use httpmock::prelude::*;
use pdrs::prelude::*;
use pdrs::ListOptions;
use serde_json::{json, Value};

#[test]
fn blocking_rget_and_iter_all() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/services/PSVC").header("authorization", "Token token=blocking-token-1");
        then.status(200).json_body(json!({"service": {"id": "PSVC", "name": "Web"}}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/services").query_param("offset", "0");
        then.status(200).json_body(json!({"services": [{"id": "A"}, {"id": "B"}], "more": true}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/services").query_param("offset", "2");
        then.status(200).json_body(json!({"services": [{"id": "C"}], "more": false}));
    });
    let pd = pdrs::blocking::RestClient::from_async(
        pdrs::RestClient::builder("blocking-token-1").base_url(server.base_url()),
    )
    .unwrap();
    let service: Value = pd.rget("/services/PSVC").unwrap();
    assert_eq!(service["name"], "Web");
    let ids: Vec<String> = pd
        .iter_all::<Value>("/services", ListOptions::new())
        .unwrap()
        .map(|s| s.unwrap()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["A", "B", "C"]);
}

#[test]
fn blocking_events_trigger_and_resolve() {
    let server = MockServer::start();
    let trigger = server.mock(|when, then| {
        when.method(POST)
            .path("/v2/enqueue")
            .json_body_includes(r#"{"event_action": "trigger", "payload": {"severity": "warning"}}"#);
        then.status(202).json_body(json!({"status": "success", "dedup_key": "k1"}));
    });
    let resolve = server.mock(|when, then| {
        when.method(POST).path("/v2/enqueue").json_body_includes(r#"{"event_action": "resolve", "dedup_key": "k1"}"#);
        then.status(202).json_body(json!({"status": "success", "dedup_key": "k1"}));
    });
    let events = pdrs::blocking::EventsClient::from_async(
        pdrs::EventsClient::builder("rk-0123456789").base_url(server.base_url()),
    )
    .unwrap();
    let key = events.trigger_with("Disk", "db-1", |t| t.severity(pdrs::events::Severity::Warning)).unwrap();
    assert_eq!(key, "k1");
    assert_eq!(events.resolve(&key).unwrap(), "k1");
    trigger.assert();
    resolve.assert();
}

#[test]
fn blocking_parity_raw_patch_totals_history_and_typed_calls() {
    let server = MockServer::start();
    let patch = server.mock(|when, then| {
        when.method(PATCH).path("/teams/PT1").json_body(json!({"team": {"name": "Ops 2"}}));
        then.status(200).json_body(json!({"team": {"id": "PT1", "name": "Ops 2"}}));
    });
    let raw = server.mock(|when, then| {
        when.method(GET).path("/beta/things").header("x-early-access", "things");
        then.status(200).json_body(json!({"things": [1, 2]}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/incidents").query_param("total", "true").query_param("limit", "1");
        then.status(200).json_body(json!({"incidents": [{"id": "I1"}], "total": 3, "more": true}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/incidents").query_param("offset", "0").query_param("limit", "100");
        then.status(200).json_body(json!({"incidents": [{"id": "I1"}, {"id": "I2"}, {"id": "I3"}], "more": false}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/users");
        then.status(200).json_body(json!({"users": [{"id": "PU1", "email": "a@example.com"}], "more": false}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/incidents/PI1/notes");
        then.status(200).json_body(json!({"notes": [{"id": "N1", "content": "looking"}]}));
    });
    server.mock(|when, then| {
        when.method(POST).path("/analytics/raw/incidents").json_body(json!({"filters": {}, "limit": 100}));
        then.status(200).json_body(json!({"data": [{"id": "A1"}], "more": false, "last": "A1"}));
    });
    let pd = pdrs::blocking::RestClient::from_async(
        pdrs::RestClient::builder("blocking-token-1").base_url(server.base_url()),
    )
    .unwrap();
    let team: Value = pd.rpatch("/teams/PT1", &json!({"name": "Ops 2"})).unwrap();
    assert_eq!(team["name"], "Ops 2");
    let body = pd.request(pdrs::Method::GET, "/beta/things", |r| r.header("X-EARLY-ACCESS", "things")).unwrap();
    assert_eq!(body["things"], json!([1, 2]));
    assert_eq!(pd.get_total("/incidents", ListOptions::new()).unwrap(), 3);
    let since = chrono::Utc::now() - chrono::Duration::days(7);
    let history: Vec<Value> = pd
        .iter_history("/incidents", since, chrono::Utc::now(), ListOptions::new())
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(history.len(), 3);
    let users = pd.block_on(pd.api().list_users().send()).unwrap().into_inner();
    assert_eq!(users.users.len(), 1);
    let by_email = pd.dict_all("/users", "email", ListOptions::new()).unwrap();
    assert_eq!(by_email["a@example.com"]["id"], "PU1");
    let notes = pd.list_incident_notes("PI1").unwrap();
    assert_eq!(notes[0]["content"], "looking");
    let raw_incidents: Vec<Value> =
        pd.iter_analytics("/analytics/raw/incidents", json!({})).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(raw_incidents, [json!({"id": "A1"})]);
    let strict = pd.with_retry(pdrs::RetryPolicy::none());
    let err = strict.rget::<Value>("/teams/PT1").unwrap_err();
    assert!(err.is_not_found(), "no mock for GET /teams/PT1, so httpmock answers 404: {err:?}");
    patch.assert();
    raw.assert();
}

#[test]
fn blocking_watch_from_a_time_in_the_past() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mock = runtime.block_on(pdrs::mock::MockServer::start()).unwrap();
    let since = mock.now() - chrono::Duration::days(1);
    let pd = pdrs::blocking::RestClient::from_async(pdrs::RestClient::builder("blocking-token-1").base_url(mock.url()))
        .unwrap();
    let options = pdrs::WatchOptions::new().since(since).interval(std::time::Duration::from_millis(50));
    let entries: Vec<pdrs::Watched> = pd.watch_log_entries(options).take(20).map(Result::unwrap).collect();
    let ids: std::collections::HashSet<&str> = entries.iter().map(|w| w.record["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 20);
    let times: Vec<&str> = entries.iter().map(|w| w.record["created_at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|t| t[0] <= t[1]), "{times:?}");
    assert!(pd.quota().is_some_and(|q| q.limit == Some(u64::from(pdrs::mock::REST_RATE_LIMIT))));
}
