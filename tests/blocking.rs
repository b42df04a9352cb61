//! The blocking facade: the same verbs, as plain calls and iterators.
#![cfg(feature = "blocking")]

use httpmock::prelude::*;
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
