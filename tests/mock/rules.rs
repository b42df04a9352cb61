//! pdrs-mock behaves as PagerDuty documents: one id space, PagerDuty's query rules, request
//! validation from the spec, error bodies with codes, bounds on every number.
#![cfg(feature = "mock")]

use pdrs::mock::{Faults, MockConfig, MockServer, Seed};
use serde_json::{json, Value};
use std::collections::HashSet;

/// A plain HTTP client (no pdrs retries or checks in the way): the reqwest client pdrs built,
/// which has its TLS provider installed.
fn http() -> reqwest::Client {
    pdrs::RestClient::builder("unused").build().unwrap().http().clone()
}

/// One request to the mock: status and JSON body (null when there is none).
async fn call(mock: &MockServer, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = http()
        .request(method, format!("{}{path}", mock.url()))
        .header("authorization", "Token token=mock-rules")
        .header("from", "me@example.com");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn get(mock: &MockServer, path: &str) -> (u16, Value) {
    call(mock, reqwest::Method::GET, path, None).await
}

fn errors(body: &Value) -> Vec<String> {
    body["error"]["errors"].as_array().into_iter().flatten().filter_map(|e| e.as_str().map(String::from)).collect()
}

#[tokio::test]
async fn created_ids_never_collide_with_seeded_created_or_deleted_ones() {
    let mock = MockServer::start().await.unwrap();
    let (_, seeded) = get(&mock, "/teams?limit=100").await;
    let mut seen: HashSet<String> =
        seeded["teams"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
    let mut deleted = Vec::new();
    for i in 0..60 {
        let (status, body) =
            call(&mock, reqwest::Method::POST, "/teams", Some(json!({"team": {"name": format!("T{i}")}}))).await;
        assert_eq!(status, 201);
        let id = body["team"]["id"].as_str().unwrap().to_string();
        assert!(seen.insert(id.clone()), "{id} issued twice");
        if i % 10 == 0 {
            assert_eq!(call(&mock, reqwest::Method::DELETE, &format!("/teams/{id}"), None).await.0, 204);
            deleted.push(id);
        }
    }
    // A state loaded with next_id 0 does not reissue what it holds, nor what was deleted.
    let mut state = mock.dump();
    state["next_id"] = json!(0);
    mock.load(&state).unwrap();
    for i in 0..60 {
        let (_, body) =
            call(&mock, reqwest::Method::POST, "/teams", Some(json!({"team": {"name": format!("U{i}")}}))).await;
        let id = body["team"]["id"].as_str().unwrap().to_string();
        assert!(seen.insert(id.clone()) && !deleted.contains(&id), "{id} reissued after a load");
    }
}

#[tokio::test]
async fn a_loaded_state_is_validated() {
    let mock = MockServer::start().await.unwrap();
    let twice = json!({"collections": {"/teams": [{"id": "PT1"}, {"id": "PT1"}]}});
    assert!(mock.load(&twice).is_err(), "duplicate ids");
    let not_objects = json!({"collections": {"/teams": [1, 2]}});
    assert!(mock.load(&not_objects).is_err());
    let bad_next = json!({"collections": {}, "next_id": "soon"});
    assert!(mock.load(&bad_next).is_err());
    // The HTTP endpoint is behind the same credential rule as the API.
    let anonymous = http().put(format!("{}/_mock/state", mock.url())).json(&json!({})).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let body: Value = anonymous.json().await.unwrap();
    assert!(body["error"]["code"].is_i64(), "{body}");
    let (status, dump) = get(&mock, "/_mock/state").await;
    assert_eq!(status, 200);
    assert!(dump["collections"]["/users"].is_array());
}

#[tokio::test]
async fn dates_in_pagerdutys_forms_filter_and_bad_ones_are_400() {
    // Incidents are one a minute up to the mock's clock: from 2026-01-01T00:00:00Z here.
    let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:30:00Z").unwrap().to_utc();
    let mock = MockServer::start_with(MockConfig::default().now(now).seed(Seed::empty().incidents(30))).await.unwrap();
    let ids = |body: &Value| body["incidents"].as_array().unwrap().len();
    let (status, body) =
        get(&mock, "/incidents?since=2026-01-01T00:10:00%2B0000&until=2026-01-01T00:20:00%2B0000&limit=100").await;
    assert_eq!((status, ids(&body)), (200, 10), "+0000 offsets, as python-pagerduty sends them");
    let (_, body) =
        get(&mock, "/incidents?since=2026-01-01T01:10:00%2B01:00&until=2026-01-01T00:20:00Z&limit=100").await;
    assert_eq!(ids(&body), 10, "other offsets");
    let (_, body) = get(&mock, "/incidents?since=2025-12-31&until=2026-01-02&limit=100").await;
    assert_eq!(ids(&body), 30, "plain dates");
    let (_, body) =
        get(&mock, "/incidents?since=2026-01-01T00:10:00Z&until=2026-01-01T00:20:00Z&date_range=all&limit=100").await;
    assert_eq!(ids(&body), 30, "date_range=all overrides since and until");
    for bad in ["since=yesterday", "until=2026-13-45", "since=2026-01-02&until=2026-01-01"] {
        let (status, body) = get(&mock, &format!("/incidents?{bad}")).await;
        assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(2001)), "{bad}: {body}");
        assert!(!errors(&body).is_empty(), "{bad}: the error names the parameter");
    }
}

#[tokio::test]
async fn total_cursors_and_numbers_follow_pagerdutys_rules() {
    let mock = MockServer::start().await.unwrap();
    for truthy in ["true", "1", "True"] {
        let (_, body) = get(&mock, &format!("/users?limit=1&total={truthy}")).await;
        assert_eq!(body["total"], 50, "total={truthy}");
    }
    let (_, body) = get(&mock, "/users?limit=1&total=false").await;
    assert!(body["total"].is_null());
    let (status, body) = get(&mock, "/audit/records?cursor=garbage").await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(2001)), "an unknown cursor: {body}");
    for bad in ["limit=abc", "offset=-1", "offset=18446744073709551616", "limit=0"] {
        let (status, _) = get(&mock, &format!("/users?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, body) = get(&mock, "/users?offset=18446744073709551615").await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(2002)), "past the offset cap, no overflow");
}

#[tokio::test]
async fn request_bodies_are_checked_against_the_spec() {
    let mock = MockServer::start().await.unwrap();
    let post = |body: Value| call(&mock, reqwest::Method::POST, "/users", Some(body));
    let (status, body) = post(json!({"user": {"email": "a@example.com"}})).await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(2001)));
    assert_eq!(errors(&body), ["user.name is required"]);
    let (status, body) = post(json!({"user": {"name": "A", "email": "a@example.com", "role": "superhero"}})).await;
    assert_eq!(status, 400);
    assert!(errors(&body)[0].starts_with("user.role must be one of admin"), "{body}");
    let (status, _) = post(json!({"user": {"name": "A", "email": "a@example.com", "role": "observer"}})).await;
    assert_eq!(status, 201, "`type` is implied by the endpoint");
    // Nested: a list of objects inside the entity.
    let policy = json!({"escalation_policy": {"name": "P", "escalation_rules": [
        {"escalation_delay_in_minutes": "soon", "targets": [{"id": "PU00001", "type": "user_reference"}]}]}});
    let (status, body) = call(&mock, reqwest::Method::POST, "/escalation_policies", Some(policy)).await;
    assert_eq!(status, 400);
    assert!(
        errors(&body)
            .iter()
            .any(|e| e == "escalation_policy.escalation_rules[0].escalation_delay_in_minutes must be of type integer"),
        "{body}"
    );
    // Seeded users hold roles the spec allows.
    let (_, users) = get(&mock, "/users?limit=100").await;
    let allowed = [
        "admin",
        "limited_user",
        "observer",
        "owner",
        "read_only_user",
        "restricted_access",
        "read_only_limited_user",
        "user",
    ];
    assert!(users["users"].as_array().unwrap().iter().all(|u| allowed.contains(&u["role"].as_str().unwrap())));
}

#[tokio::test]
async fn error_bodies_carry_codes_and_injected_statuses_are_chosen() {
    let mock = MockServer::start().await.unwrap();
    let unauthorized = http().get(format!("{}/users", mock.url())).send().await.unwrap();
    assert_eq!(unauthorized.status().as_u16(), 401);
    let body: Value = unauthorized.json().await.unwrap();
    assert_eq!(body["error"]["code"], 2006);
    let faults = Faults::none().error_rate(1.0).error_statuses(&[503]);
    let failing = MockServer::start_with(MockConfig::default().faults(faults)).await.unwrap();
    let (status, body) = get(&failing, "/users").await;
    assert_eq!((status, body["error"]["code"].as_i64()), (503, Some(2000)), "{body}");
}

#[tokio::test]
async fn the_events_api_has_its_own_rate_limit_bucket() {
    let faults = Faults::none().rate_limit(2, std::time::Duration::from_secs(60));
    let mock = MockServer::start_with(MockConfig::default().faults(faults)).await.unwrap();
    for _ in 0..2 {
        assert_eq!(get(&mock, "/users?limit=1").await.0, 200);
    }
    assert_eq!(get(&mock, "/users?limit=1").await.0, 429, "the REST bucket is spent");
    let event = json!({"routing_key": "R0UT1NGKEY00000000000000000000", "event_action": "trigger",
                       "payload": {"summary": "s", "source": "h", "severity": "info"}});
    let (status, _) = call(&mock, reqwest::Method::POST, "/v2/enqueue", Some(event)).await;
    assert_eq!(status, 202, "the Events API counts apart");
}

#[tokio::test]
async fn incidents_are_full_records_with_log_entries_and_notes() {
    let mock = MockServer::start().await.unwrap();
    let event = json!({"routing_key": "R0UT1NGKEY00000000000000000000", "event_action": "trigger", "dedup_key": "disk-1",
                       "payload": {"summary": "Disk full", "source": "db-1", "severity": "warning"}});
    assert_eq!(call(&mock, reqwest::Method::POST, "/v2/enqueue", Some(event)).await.0, 202);
    let (_, listed) = get(&mock, "/incidents?date_range=all&limit=100&incident_key=disk-1").await;
    let opened =
        listed["incidents"].as_array().unwrap().iter().find(|i| i["incident_key"] == "disk-1").unwrap().clone();
    for field in ["incident_number", "service", "escalation_policy", "html_url", "created_at", "updated_at"] {
        assert!(!opened[field].is_null(), "{field} missing: {opened}");
    }
    assert_eq!(opened["urgency"], "low", "a warning opens a low-urgency incident");
    assert_eq!(opened["assignments"][0]["assignee"]["type"], "user_reference");
    let id = opened["id"].as_str().unwrap().to_string();

    let (status, created) = call(
        &mock,
        reqwest::Method::POST,
        "/incidents",
        Some(json!({"incident": {"type": "incident", "title": "API made", "service": {"id": "PS00002", "type": "service_reference"}}})),
    )
    .await;
    assert_eq!(status, 201);
    let created = &created["incident"];
    assert_eq!(created["status"], "triggered");
    assert_eq!(created["service"]["id"], "PS00002");
    assert_eq!(created["incident_number"].as_u64(), opened["incident_number"].as_u64().map(|n| n + 1));

    // Acknowledge, note and resolve: each shows in the incident's log and notes.
    let ack =
        json!({"routing_key": "R0UT1NGKEY00000000000000000000", "event_action": "acknowledge", "dedup_key": "disk-1"});
    call(&mock, reqwest::Method::POST, "/v2/enqueue", Some(ack)).await;
    let (status, _) = call(
        &mock,
        reqwest::Method::POST,
        &format!("/incidents/{id}/notes"),
        Some(json!({"note": {"content": "on it"}})),
    )
    .await;
    let documented = pdrs::spec::find("POST", "/incidents/{id}/notes").unwrap().success;
    assert_eq!(status, documented, "the document's success status");
    let reassign = json!({"incident": {"type": "incident_reference", "escalation_level": 2}});
    let (status, _) = call(&mock, reqwest::Method::PUT, &format!("/incidents/{id}"), Some(reassign)).await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &mock,
        reqwest::Method::PUT,
        &format!("/incidents/{id}"),
        Some(json!({"incident": {"type": "incident_reference", "status": "resolved"}})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, log) = get(&mock, &format!("/incidents/{id}/log_entries?limit=100")).await;
    let kinds: Vec<&str> = log["log_entries"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["trigger_log_entry", "acknowledge_log_entry", "annotate_log_entry", "assign_log_entry", "resolve_log_entry"]
    );
    let (_, notes) = get(&mock, &format!("/incidents/{id}/notes")).await;
    assert_eq!(notes["notes"][0]["content"], "on it", "{notes}");
    let (_, after) = get(&mock, &format!("/incidents/{id}")).await;
    assert_eq!(after["incident"]["status"], "resolved");
    // Seeded log entries belong to their incidents too.
    let (_, seeded) = get(&mock, "/incidents/PI00000/log_entries").await;
    assert_eq!(seeded["log_entries"].as_array().map(Vec::len), Some(1), "{seeded}");
}

#[tokio::test]
async fn analytics_raw_incidents_are_computed_and_end() {
    use futures::TryStreamExt;
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty().incidents(57))).await.unwrap();
    let pd = pdrs::RestClient::builder("t").base_url(mock.url()).build().unwrap();
    let rows: Vec<Value> = pd.iter_analytics("/analytics/raw/incidents", json!({})).try_collect().await.unwrap();
    assert_eq!(rows.len(), 57, "every incident once, and the listing ends");
    assert_eq!(
        (rows[0]["id"].as_str(), rows[56]["id"].as_str()),
        (Some("PI00056"), Some("PI00000")),
        "newest first by default"
    );
    let (_, ascending) =
        call(&mock, reqwest::Method::POST, "/analytics/raw/incidents", Some(json!({"order": "asc", "limit": 2}))).await;
    assert_eq!(ascending["data"][0]["id"], "PI00000", "{ascending}");
    let high: Vec<Value> =
        pd.iter_analytics("/analytics/raw/incidents", json!({"urgency": "high"})).try_collect().await.unwrap();
    assert_eq!(high.len(), 29);
    let (status, body) = call(
        &mock,
        reqwest::Method::POST,
        "/analytics/raw/incidents",
        Some(json!({"filters": {}, "limit": 10, "starting_after": "PNOSUCH"})),
    )
    .await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(2001)));
}

#[tokio::test]
async fn example_answers_are_resolved_final_and_local() {
    let mock = MockServer::start().await.unwrap();
    // Under a record the mock does not hold: 404, not an example.
    let (status, body) = get(&mock, "/users/PNOSUCH/contact_methods").await;
    assert_eq!((status, body["error"]["code"].as_i64()), (404, Some(2100)));
    // Served from the spec's example: no unresolved reference, no link to the real API. The
    // orchestrations listed are held, so their ids answer and others do not.
    let (_, listed) = get(&mock, "/event_orchestrations").await;
    let id = listed["orchestrations"][0]["id"].as_str().expect("seeded orchestrations").to_string();
    assert_eq!(get(&mock, "/event_orchestrations/PNOSUCH/global").await.0, 404);
    for leaf in ["global", "router", "unrouted"] {
        let path = format!("/event_orchestrations/{id}/{leaf}");
        let (status, body) = get(&mock, &path).await;
        let text = body.to_string();
        assert_eq!(status, 200, "{path}");
        assert!(!text.contains("\"$ref\""), "{path}: {text}");
        assert!(!text.contains("https://api.pagerduty.com"), "{path}: {text}");
    }
}

#[tokio::test]
async fn documented_default_windows_and_widest_ranges_apply() {
    // 50,000 incidents one a minute up to 2026-06-01: the last month holds those after
    // 2026-05-01T00:00 (the clock has run on a little since the start, so the one at exactly
    // that minute is out): 44,639.
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().to_utc();
    let mock =
        MockServer::start_with(MockConfig::default().now(now).seed(Seed::empty().incidents(50_000))).await.unwrap();
    let total = |body: &Value| body["total"].as_u64();
    let (status, body) = get(&mock, "/incidents?total=true&limit=1").await;
    assert_eq!((status, total(&body)), (200, Some(44_639)), "the default window is the last month");
    let (_, body) = get(&mock, "/incidents?total=true&limit=1&date_range=all").await;
    assert_eq!(total(&body), Some(50_000), "date_range=all drops the default");
    let (_, body) = get(&mock, "/incidents?total=true&limit=1&until=2026-05-01T00:00:00Z").await;
    assert_eq!(total(&body), Some(50_000 - 44_640), "until alone: the month before it");
    let (_, body) = get(&mock, "/incidents?total=true&limit=1&since=2026-05-31T00:00:00Z").await;
    assert_eq!(total(&body), Some(24 * 60), "since alone: the month after it");
    let (status, body) = get(&mock, "/incidents?since=2025-06-01&until=2026-01-01").await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(2001)), "over six months: {body}");

    // Audit records: the last 24 hours by execution_time, at most 31 days.
    let mock = MockServer::start_with(MockConfig::default().now(now).seed(Seed::empty())).await.unwrap();
    let mut state = mock.dump();
    let at = |hours: i64| (now - chrono::Duration::hours(hours)).to_rfc3339();
    state["collections"]["/audit/records"] = json!([
        {"id": "A1", "execution_time": at(2)}, {"id": "A2", "execution_time": at(30)}, {"id": "A3", "execution_time": at(24 * 20)}
    ]);
    let (status, _) = call(&mock, reqwest::Method::PUT, "/_mock/state", Some(state)).await;
    assert_eq!(status, 204);
    let ids = |body: &Value| -> Vec<String> {
        body["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
    };
    let (status, body) = get(&mock, "/audit/records").await;
    assert_eq!((status, ids(&body)), (200, vec!["A1".to_string()]), "{body}");
    let (_, body) = get(&mock, &format!("/audit/records?since={}", at(24 * 21).replace('+', "%2B"))).await;
    assert_eq!(ids(&body), ["A1", "A2", "A3"], "since alone runs to now");
    let (status, body) = get(&mock, "/audit/records?since=2026-04-01T00:00:00Z&until=2026-05-15T00:00:00Z").await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(2001)), "over 31 days: {body}");
}

#[tokio::test]
async fn bulk_incident_updates_and_merges_change_state_all_or_nothing() {
    let mock = MockServer::start().await.unwrap();
    let put = |path: &'static str, body: Value| {
        let mock = &mock;
        async move { call(mock, reqwest::Method::PUT, path, Some(body)).await }
    };
    let status_of = |id: &'static str| {
        let mock = &mock;
        async move { get(mock, &format!("/incidents/{id}")).await.1["incident"]["status"].clone() }
    };
    // PI00000 and PI00003 are triggered in the seed.
    let (status, body) = put(
        "/incidents",
        json!({"incidents": [{"id": "PI00000", "type": "incident_reference", "status": "acknowledged"},
                             {"id": "PI00003", "type": "incident_reference", "status": "resolved", "urgency": "low"}]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["incidents"].as_array().map(Vec::len), Some(2));
    assert_eq!(status_of("PI00000").await, "acknowledged");
    assert_eq!(status_of("PI00003").await, "resolved");
    let (_, log) = get(&mock, "/incidents/PI00003/log_entries").await;
    let kinds: Vec<&str> = log["log_entries"].as_array().unwrap().iter().filter_map(|e| e["type"].as_str()).collect();
    assert!(kinds.contains(&"resolve_log_entry"), "{kinds:?}");

    // One unknown id: nothing changes.
    let (status, _) = put(
        "/incidents",
        json!({"incidents": [{"id": "PI00006", "type": "incident_reference", "status": "resolved"},
                             {"id": "PNOSUCH", "type": "incident_reference", "status": "resolved"}]}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(status_of("PI00006").await, "triggered", "all or nothing");
    // More than 250: 413.
    let many: Vec<Value> = (0..251).map(|_| json!({"id": "PI00006", "type": "incident_reference"})).collect();
    assert_eq!(put("/incidents", json!({ "incidents": many })).await.0, 413);

    // Merge: the sources are resolved, saying so, and their alerts move to the target.
    let (_, alerts) = get(&mock, "/incidents/PI00009/alerts").await;
    let moved = alerts["alerts"].as_array().map(Vec::len).unwrap_or(0);
    assert!(moved > 0, "the seed holds alerts for the first incidents");
    let (_, before) = get(&mock, "/incidents/PI00006/alerts").await;
    let held = before["alerts"].as_array().map(Vec::len).unwrap_or(0);
    let (status, body) =
        put("/incidents/PI00006/merge", json!({"source_incidents": [{"id": "PI00009", "type": "incident_reference"}]}))
            .await;
    assert_eq!((status, body["incident"]["id"].as_str()), (200, Some("PI00006")), "{body}");
    assert_eq!(status_of("PI00009").await, "resolved");
    let (_, after) = get(&mock, "/incidents/PI00006/alerts").await;
    assert_eq!(after["alerts"].as_array().map(Vec::len), Some(held + moved));
    let (_, log) = get(&mock, "/incidents/PI00009/log_entries").await;
    assert!(log.to_string().contains("merging into incident #7"), "{log}");
    let (status, _) =
        put("/incidents/PI00006/merge", json!({"source_incidents": [{"id": "PNOSUCH", "type": "incident_reference"}]}))
            .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn idle_connections_are_closed_and_busy_ones_kept() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let config = MockConfig::default().seed(Seed::empty()).idle_timeout(std::time::Duration::from_millis(600));
    let mock = MockServer::start_with(config).await.unwrap();
    let addr = mock.url().trim_start_matches("http://").to_string();
    let request = b"GET /users HTTP/1.1\r\nhost: mock\r\nauthorization: Token token=x\r\n\r\n";
    // Answer one request, then read until the response is whole (its JSON body ends the data).
    async fn exchange(stream: &mut tokio::net::TcpStream, request: &[u8]) -> String {
        stream.write_all(request).await.unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !seen.ends_with(b"}") {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed mid-answer");
            seen.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&seen).into_owned()
    }
    // Busy: requests 300 ms apart keep the connection for longer than the idle timeout.
    let mut busy = tokio::net::TcpStream::connect(&addr).await.unwrap();
    for _ in 0..4 {
        assert!(exchange(&mut busy, request).await.starts_with("HTTP/1.1 200"));
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    // Idle after a request: closed (a read sees the end) within a few timeouts.
    let mut buf = [0u8; 64];
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), busy.read(&mut buf)).await;
    assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "an idle keep-alive connection is closed: {closed:?}");
    // Silent from the start: closed too.
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), silent.read(&mut buf)).await;
    assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "a connection that never sends is closed: {closed:?}");
}

#[tokio::test]
async fn filters_apply_only_where_the_operation_takes_them_and_links_use_the_public_url() {
    let config = MockConfig::default().public_url("https://pd.example.test/");
    let mock = MockServer::start_with(config).await.unwrap();
    let count = |body: &Value, key: &str| body[key].as_array().map(Vec::len).unwrap_or(0);
    // GET /users takes `query`; GET /incidents does not, and PagerDuty ignores it there (as
    // pdpyras's find relies on).
    let (_, users) = get(&mock, "/users?query=user3%40example.com").await;
    assert_eq!(count(&users, "users"), 1, "{users}");
    let (_, incidents) = get(&mock, "/incidents?query=seed-4&limit=100").await;
    assert_eq!(count(&incidents, "incidents"), 100, "`query` is not a filter of incidents");
    let (_, keyed) = get(&mock, "/incidents?incident_key=seed-4").await;
    assert_eq!(count(&keyed, "incidents"), 1, "`incident_key` is");
    assert!(users["users"][0]["self"].as_str().unwrap().starts_with("https://pd.example.test/users/"), "{users}");
}

/// `statuses[]`, `urgencies[]`, `service_ids[]` and `query` keep exactly the records that match,
/// alone and together (checked against the unfiltered listing), and a listing without filters
/// keeps every record.
#[tokio::test]
async fn listing_filters_keep_exactly_the_matching_records() {
    let mock = MockServer::start().await.unwrap();
    let listed = |body: &Value, field: &str| -> Vec<String> {
        body[field].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
    };
    let (status, body) = get(&mock, "/incidents?date_range=all&limit=100&total=true").await;
    assert_eq!(status, 200);
    let all = body["incidents"].as_array().unwrap().clone();
    assert_eq!((all.len(), body["total"].as_u64()), (100, Some(100)));
    let service = all[1]["service"]["id"].as_str().unwrap().to_string();
    type Keep = Box<dyn Fn(&Value) -> bool>;
    let cases: Vec<(String, Keep)> = vec![
        ("statuses[]=triggered".into(), Box::new(|i| i["status"] == "triggered")),
        (
            "statuses[]=triggered&statuses[]=resolved".into(),
            Box::new(|i| i["status"] == "triggered" || i["status"] == "resolved"),
        ),
        ("urgencies[]=low".into(), Box::new(|i| i["urgency"] == "low")),
        (
            format!("service_ids[]={service}"),
            Box::new({
                let s = service.clone();
                move |i| i["service"]["id"] == s.as_str()
            }),
        ),
        (
            format!("statuses[]=acknowledged&urgencies[]=high&service_ids[]={service}"),
            Box::new({
                let s = service.clone();
                move |i| i["status"] == "acknowledged" && i["urgency"] == "high" && i["service"]["id"] == s.as_str()
            }),
        ),
        ("statuses[]=nonesuch".into(), Box::new(|_| false)),
    ];
    for (filter, keep) in cases {
        let (status, body) = get(&mock, &format!("/incidents?date_range=all&limit=100&total=true&{filter}")).await;
        assert_eq!(status, 200, "{filter}");
        let wanted: Vec<String> =
            all.iter().filter(|i| keep(i)).map(|i| i["id"].as_str().unwrap().to_string()).collect();
        assert_eq!(listed(&body, "incidents"), wanted, "{filter}");
        assert_eq!(body["total"].as_u64(), Some(wanted.len() as u64), "{filter}");
    }
    // `query` on users matches name or email, case-insensitively.
    let (_, users) = get(&mock, "/users?limit=100").await;
    let users = users["users"].as_array().unwrap().clone();
    assert_eq!(users.len(), 50);
    let name = users[7]["name"].as_str().unwrap().to_uppercase();
    let (_, found) = get(&mock, &format!("/users?limit=100&query={}", name.replace(' ', "%20"))).await;
    let wanted: Vec<String> = users
        .iter()
        .filter(|u| u["name"].as_str().unwrap().to_lowercase().contains(&name.to_lowercase()))
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!wanted.is_empty());
    assert_eq!(listed(&found, "users"), wanted);
}

/// Offset paging without filters: the page is the slice at `offset`, `more` says whether
/// records follow, `total` counts them all; past the end an empty page.
#[tokio::test]
async fn offset_pages_without_filters_are_slices_of_the_collection() {
    let mock = MockServer::start().await.unwrap();
    let (_, all) = get(&mock, "/incidents?date_range=all&limit=100").await;
    let all: Vec<Value> = all["incidents"].as_array().unwrap().clone();
    assert_eq!(all.len(), 100);
    for (offset, limit, more) in [
        (0, 25, true),
        (90, 10, false),
        (95, 10, false),
        (99, 1, false),
        (98, 1, true),
        (100, 5, false),
        (400, 5, false),
    ] {
        let (status, body) =
            get(&mock, &format!("/incidents?date_range=all&offset={offset}&limit={limit}&total=true")).await;
        assert_eq!(status, 200);
        let expected: Vec<Value> = all.iter().skip(offset).take(limit).cloned().collect();
        assert_eq!(body["incidents"].as_array().unwrap(), &expected, "offset {offset} limit {limit}");
        assert_eq!((body["more"].as_bool(), body["total"].as_u64()), (Some(more), Some(100)), "offset {offset}");
        assert_eq!((body["offset"].as_u64(), body["limit"].as_u64()), (Some(offset as u64), Some(limit as u64)));
    }
    let (_, body) = get(&mock, "/incidents?date_range=all&offset=10&limit=10").await;
    assert_eq!(body["total"], Value::Null, "total only when asked");
    assert_eq!(body["more"], true);
}

mod any_query {
    //! pdrs-mock answers any query string on its listings with a page or a 400 naming the
    //! problem: never a 5xx, a dropped connection or a body that is not JSON.
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    /// One mock (default seed) on a runtime of its own, shared by every case.
    fn mock() -> &'static (tokio::runtime::Runtime, MockServer) {
        static MOCK: OnceLock<(tokio::runtime::Runtime, MockServer)> = OnceLock::new();
        MOCK.get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
            let mock = runtime.block_on(MockServer::start()).unwrap();
            (runtime, mock)
        })
    }

    fn pair() -> impl Strategy<Value = (String, String)> {
        let key = prop_oneof![
            Just("limit"),
            Just("offset"),
            Just("total"),
            Just("cursor"),
            Just("since"),
            Just("until"),
            Just("date_range"),
            Just("statuses[]"),
            Just("urgencies[]"),
            Just("service_ids[]"),
            Just("query"),
            Just("incident_key"),
            Just("time_zone"),
            Just("include[]"),
        ];
        let value = prop_oneof![
            "-?[0-9]{0,25}",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:?[0-9]{2})?)?",
            "c[0-9]{0,22}",
            ".{0,24}",
            Just("all".to_string()),
            Just("true".to_string()),
        ];
        (key.prop_map(String::from), value)
    }

    proptest! {
        #![proptest_config(crate::support::proptest_config(200, "mock_queries"))]

        #[test]
        fn a_listing_answers_a_page_or_a_400(
            path in prop_oneof![Just("/users"), Just("/incidents"), Just("/log_entries"), Just("/services"), Just("/audit/records"), Just("/teams")],
            pairs in prop::collection::vec(pair(), 0..6),
        ) {
            let (runtime, mock) = mock();
            let query = serde_urlencoded::to_string(&pairs).unwrap();
            let (status, body) = runtime.block_on(get(mock, &format!("{path}?{query}")));
            prop_assert!(status == 200 || status == 400, "{status} for {path}?{query}: {body}");
            let field = path.rsplit('/').next().unwrap();
            if status == 200 {
                prop_assert!(body[field].is_array(), "{path}?{query}: {body}");
            } else {
                // The 400 names the problem: one of the parameters sent is in its message or errors.
                let text = format!("{} {}", body["error"]["message"].as_str().unwrap_or(""), errors(&body).join(" "))
                    .to_lowercase();
                let named = pairs.iter().any(|(key, _)| text.contains(&key.trim_end_matches("[]").to_lowercase()));
                prop_assert!(named, "{path}?{query}: the 400 names no parameter sent: {body}");
            }
        }
    }

    /// JSON of the shapes the mock's writes take, mostly wrong: keys from the entities it
    /// knows, values of any type, references with and without ids.
    fn body() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            ".{0,16}".prop_map(Value::String),
            "(PU0000[0-9]|P[A-Z0-9]{6})".prop_map(|id| json!({"id": id, "type": "user_reference"})),
        ];
        let key = prop_oneof![
            Just("user"),
            Just("team"),
            Just("incident"),
            Just("type"),
            Just("name"),
            Just("email"),
            Just("title"),
            Just("service"),
            Just("role"),
            Just("time_zone"),
            Just("urgency"),
            Just("status"),
            Just("body"),
            Just("description"),
            Just("escalation_policy"),
        ];
        leaf.prop_recursive(3, 24, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::btree_map(key.clone().prop_map(String::from), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(crate::support::proptest_config(200, "mock_writes"))]

        /// Any JSON body on the mock's writes gets a 2xx or a 4xx with an error body: never a
        /// 5xx, a dropped connection or a body that is not JSON.
        #[test]
        fn a_write_answers_a_record_or_a_4xx(
            target in prop_oneof![
                Just((reqwest::Method::POST, "/users")),
                Just((reqwest::Method::POST, "/teams")),
                Just((reqwest::Method::POST, "/incidents")),
                Just((reqwest::Method::PUT, "/users/PU00001")),
                Just((reqwest::Method::PUT, "/incidents")),
            ],
            sent in body(),
        ) {
            let (runtime, mock) = mock();
            let (method, path) = target;
            let (status, answer) = runtime.block_on(call(mock, method.clone(), path, Some(sent.clone())));
            prop_assert!((200..500).contains(&status), "{status} for {method} {path} {sent}: {answer}");
            if status >= 400 {
                prop_assert!(answer["error"]["message"].is_string(), "{method} {path} {sent}: {answer}");
            }
        }
    }
}
