//! Typed paging: a generated builder's `stream()` lists every page with the builder's typed
//! query, on the same paging engine as `iter_all` (offset, cursor and analytics operations).

use crate::support::{client, json, serve, Seen};
use futures::TryStreamExt;
use pdrs::prelude::*;
use pdrs::rest::types;
use pdrs::{Error, PagingProblem};
use serde_json::{json, Value};

#[cfg(feature = "mock")]
#[tokio::test]
async fn an_offset_operation_streams_typed_records_from_the_mock() {
    use pdrs::mock::{MockConfig, MockServer, Seed};
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty().users(730))).await.unwrap();
    let pd = client(mock.url());
    let users: Vec<types::User> = pd.api().list_users().limit(100).stream().try_collect().await.unwrap();
    assert_eq!(users.len(), 730);
    let mut ids: Vec<&str> = users.iter().filter_map(|u| u.id.as_deref()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 730, "each user once");
    assert_eq!(pd.api_call_counts().get("GET /users"), Some(&8));
}

#[tokio::test]
async fn the_typed_query_applies_to_every_page() {
    let server = serve(|req: &Seen| {
        let offset: u64 = req.param("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        assert_eq!(req.param("statuses[]").as_deref(), Some("triggered"), "{}", req.target);
        let incidents: Vec<Value> =
            (offset..(offset + 2).min(5)).map(|i| json!({"id": format!("PI{i}"), "status": "triggered"})).collect();
        json(200, json!({"incidents": incidents, "more": offset + 2 < 5}))
    })
    .await;
    let pd = client(&server.url);
    let incidents: Vec<types::Incident> = pd
        .api()
        .list_incidents()
        .statuses(vec![types::ListIncidentsStatusesItem::Triggered])
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = incidents.into_iter().filter_map(|i| i.id).collect();
    assert_eq!(ids, ["PI0", "PI1", "PI2", "PI3", "PI4"]);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_cursor_operation_streams_and_keeps_the_engine_checks() {
    let server = serve(|req: &Seen| {
        let (records, next) = match req.param("cursor").as_deref() {
            None => (vec![json!({"id": "R1"}), json!({"id": "R2"})], json!("c1")),
            Some("c1") => (vec![json!({"id": "R3"})], json!("c1")), // repeats its cursor
            _ => (vec![], Value::Null),
        };
        json(200, json!({"records": records, "next_cursor": next}))
    })
    .await;
    let pd = client(&server.url);
    let mut stream = pd.api().list_audit_records().stream();
    let mut ids = Vec::new();
    let err = loop {
        match stream.try_next().await {
            Ok(Some(record)) => ids.push(record.id.unwrap_or_default()),
            Ok(None) => panic!("a repeated cursor must not end quietly"),
            Err(e) => break e,
        }
    };
    assert_eq!(ids, ["R1", "R2", "R3"]);
    assert!(matches!(err, Error::Paging { problem: PagingProblem::CursorRepeated(_), .. }), "{err:?}");
}

#[tokio::test]
async fn an_analytics_operation_pages_by_starting_after_with_its_filters() {
    let server = serve(|req: &Seen| {
        let body: Value = serde_json::from_str(&req.body).unwrap();
        assert_eq!(body["filters"]["urgency"], "high", "{body}");
        assert_eq!(body["limit"], 2);
        match body.get("starting_after").and_then(Value::as_str) {
            None => json(200, json!({"data": [{"id": "A1"}, {"id": "A2"}], "more": true, "last": "A2"})),
            Some("A2") => json(200, json!({"data": [{"id": "A3"}], "more": false, "last": "A3"})),
            Some(other) => panic!("unexpected starting_after {other}"),
        }
    })
    .await;
    let pd = client(&server.url);
    let body = types::GetAnalyticsIncidentsBody {
        filters: Some(types::GetAnalyticsIncidentsBodyFilters { urgency: Some("high".into()), ..Default::default() }),
        limit: std::num::NonZeroU64::new(2),
        ..Default::default()
    };
    let rows: Vec<types::AnalyticsRawIncident> =
        pd.api().get_analytics_incidents().body(body).stream().try_collect().await.unwrap();
    let ids: Vec<&str> = rows.iter().filter_map(|r| r.id.as_deref()).collect();
    assert_eq!(ids, ["A1", "A2", "A3"]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn headers_set_on_the_builder_go_with_every_page() {
    let server = serve(|req: &Seen| {
        assert_eq!(req.header("x-early-access"), Some("ip-allow-lists"), "{}", req.target);
        let (records, next) = match req.param("cursor").as_deref() {
            None => (vec![json!({"id": "A1"})], json!("c1")),
            Some("c1") => (vec![json!({"id": "A2"})], Value::Null),
            other => panic!("unexpected cursor {other:?}"),
        };
        json(200, json!({"records": records, "next_cursor": next}))
    })
    .await;
    let pd = client(&server.url);
    let records: Vec<types::AuditRecord> = pd
        .api()
        .list_ip_allow_list_audit_records()
        .id("PIPAL1")
        .x_early_access(types::ListIpAllowListAuditRecordsXEarlyAccess::IpAllowLists)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = records.into_iter().filter_map(|r| r.id).collect();
    assert_eq!(ids, ["A1", "A2"]);
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|r| r.header("accept") == Some("application/vnd.pagerduty+json;version=2")));
}
