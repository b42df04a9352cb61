//! The Events API v2 client: exact bodies, validation, retries.

use crate::support::{json, scripted, Reply};
use chrono::{TimeZone, Utc};
use pdrs::events::Severity;
use pdrs::{Error, EventsClient, RetryPolicy};
use serde_json::{json, Value};
use std::time::Duration;

fn events_client(url: &str) -> EventsClient {
    EventsClient::builder("R0UT1NGKEY0123456789012345678901")
        .base_url(url)
        .retry(RetryPolicy::events().base_delay(Duration::from_millis(2)))
        .build()
        .unwrap()
}

fn accepted(dedup: &str) -> Reply {
    json(202, json!({"status": "success", "message": "Event processed", "dedup_key": dedup}))
}

fn body(seen: &crate::support::Seen) -> Value {
    serde_json::from_str(&seen.body).unwrap()
}

#[tokio::test]
async fn trigger_body_is_exact() {
    let server = scripted(vec![accepted("dk-1")]).await;
    let events = events_client(&server.url);
    let key = events
        .trigger("Disk full on db-1", "db-1.example.com")
        .severity(Severity::Warning)
        .custom_detail("free_bytes", 1024)
        .image("https://example.com/graph.png", Some("https://example.com/graph"), Some("graph"))
        .send()
        .await
        .unwrap();
    assert_eq!(key, "dk-1");
    let seen = &server.requests()[0];
    assert_eq!((seen.method.as_str(), seen.target.as_str()), ("POST", "/v2/enqueue"));
    assert_eq!(seen.header("authorization"), None);
    assert_eq!(
        body(seen),
        json!({
            "event_action": "trigger",
            "routing_key": "R0UT1NGKEY0123456789012345678901",
            "payload": {"summary": "Disk full on db-1", "source": "db-1.example.com", "severity": "warning",
                        "custom_details": {"free_bytes": 1024}},
            "images": [{"src": "https://example.com/graph.png", "href": "https://example.com/graph", "alt": "graph"}]
        })
    );
}

#[tokio::test]
async fn resolve_and_acknowledge_bodies() {
    let server = scripted(vec![accepted("dk-9"), accepted("dk-9")]).await;
    let events = events_client(&server.url);
    events.acknowledge("dk-9").await.unwrap();
    events.resolve("dk-9").await.unwrap();
    let seen = server.requests();
    assert_eq!(
        body(&seen[0]),
        json!({"event_action": "acknowledge", "dedup_key": "dk-9", "routing_key": "R0UT1NGKEY0123456789012345678901"})
    );
    assert_eq!(
        body(&seen[1]),
        json!({"event_action": "resolve", "dedup_key": "dk-9", "routing_key": "R0UT1NGKEY0123456789012345678901"})
    );
}

#[tokio::test]
async fn change_events_with_and_without_timestamp() {
    let server = scripted(vec![accepted(""), accepted("")]).await;
    let events = events_client(&server.url);
    events
        .change_event("Deployed v42")
        .source("ci")
        .timestamp(Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap())
        .custom_detail("build", 42)
        .link("https://ci.example.com/42", Some("build 42"))
        .send()
        .await
        .unwrap();
    events.change_event("Config change").send().await.unwrap();
    let seen = server.requests();
    assert_eq!(seen[0].target, "/v2/change/enqueue");
    assert_eq!(
        body(&seen[0]),
        json!({
            "routing_key": "R0UT1NGKEY0123456789012345678901",
            "payload": {"summary": "Deployed v42", "source": "ci", "timestamp": "2026-11-28T12:00:00Z", "custom_details": {"build": 42}},
            "links": [{"href": "https://ci.example.com/42", "text": "build 42"}]
        })
    );
    let second = body(&seen[1]);
    let stamp = second["payload"]["timestamp"].as_str().unwrap();
    let parsed = chrono::DateTime::parse_from_rfc3339(stamp).unwrap();
    assert_eq!(parsed.offset().local_minus_utc(), 0);
    assert!((Utc::now() - parsed.with_timezone(&Utc)).num_seconds().abs() < 60);
}

#[tokio::test]
async fn retries_429_but_never_400() {
    let server =
        scripted(vec![Reply::Http(429, vec![("retry-after", "0".into())], String::new()), accepted("dk-2")]).await;
    let events = events_client(&server.url);
    assert_eq!(events.trigger("s", "src").send().await.unwrap(), "dk-2");
    assert_eq!(server.requests().len(), 2);

    let invalid = json!({"status": "invalid event", "message": "Event object is invalid", "errors": ["'payload.summary' is missing"]});
    let server = scripted(vec![json(400, invalid), accepted("never")]).await;
    let events = events_client(&server.url);
    match events.trigger("s", "src").send().await.unwrap_err() {
        Error::Api(e) => {
            assert_eq!(e.status.as_u16(), 400);
            assert_eq!(e.message.as_deref(), Some("Event object is invalid"));
            assert_eq!(e.errors, vec!["'payload.summary' is missing".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn bad_gateway_gives_up_after_the_configured_attempts() {
    let bad = || json(502, json!({"status": "error"}));
    let server = scripted(vec![bad(), bad(), bad(), bad(), bad(), accepted("late")]).await;
    let events = events_client(&server.url);
    let err = events.trigger("s", "src").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    // 502 is retried 4 times: 5 attempts in all.
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn validation_happens_before_sending() {
    let server = scripted(vec![]).await;
    let events = events_client(&server.url);
    assert!(EventsClient::builder("  ").build().is_err());
    assert!(events.trigger("x".repeat(1025), "src").send().await.is_err());
    assert!(events.trigger("big", "src").custom_detail("blob", "y".repeat(600 * 1024)).send().await.is_err());
    assert!(events.resolve("").await.is_err());
    assert!(events.acknowledge(" ").await.is_err());
    assert!(server.requests().is_empty());
}
