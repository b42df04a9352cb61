//! The mock as a test double: the request journal and expectations, scripted faults per
//! route, the mock's own clock, typed seeding, who acted, and the filters of the listings
//! people use.

use chrono::{Duration, TimeZone, Utc};
use pdrs::mock::{FaultKind, Faults, MockConfig, MockServer, Script, Seed, SeedIncident};
use pdrs::{ListOptions, RestClient, RetryPolicy};
use serde_json::{json, Value};

const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn now() -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(NOW, 0).unwrap()
}

async fn mock(seed: Seed) -> MockServer {
    MockServer::start_with(MockConfig::default().seed(seed).now(now())).await.unwrap()
}

/// A client acting as the seeded `User 1`, retrying quickly.
fn client(mock: &MockServer) -> RestClient {
    RestClient::builder("journal-token-1234")
        .base_url(mock.url())
        .default_from("user1@example.com")
        .retry(RetryPolicy::default().max_attempts(4).base_delay(std::time::Duration::from_millis(1)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_journal_records_paths_counts_from_bodies_and_redacts_credentials() {
    let mock = mock(Seed::default()).await;
    let pd = client(&mock);
    mock.expect("POST", "/incidents/{id}/notes", 2);
    mock.expect("GET", "/users", 1);
    for incident in ["PI00000", "PI00001"] {
        let _: Value = pd.rpost(format!("/incidents/{incident}/notes"), &json!({"content": "on it"})).await.unwrap();
    }
    let _: Vec<Value> = pd.list_all("/users", ListOptions::new().page_size(100)).await.unwrap();
    assert_eq!(mock.verify(), Ok(()));
    let notes = mock.requests_to("POST", "/incidents/{id}/notes");
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[1].path, "/incidents/PI00001/notes");
    assert_eq!(notes[0].header("from"), Some("user1@example.com"));
    assert_eq!(notes[0].body, json!({"note": {"content": "on it"}}));
    assert_eq!(notes[0].status, 200, "the status the document gives");
    let every = mock.requests();
    assert!(every.iter().all(|r| r.header("authorization") == Some("<redacted>")), "{every:?}");
    assert!(!format!("{every:?}").contains("journal-token"));
    assert_eq!(every.last().unwrap().query, [("limit".to_string(), "100".to_string()), ("offset".into(), "0".into())]);

    // A count that differs is named.
    mock.expect("DELETE", "/users/{id}", 1);
    let wrong = mock.verify().unwrap_err();
    assert!(wrong.contains("DELETE /users/{id}: expected 1 requests, got 0"), "{wrong}");

    // Over HTTP too, and it empties.
    let over_http: Value = reqwest_get(&mock, "/_mock/requests").await;
    assert_eq!(over_http["requests"].as_array().unwrap().len(), every.len());
    mock.clear_requests();
    assert!(mock.requests().is_empty());
}

/// A GET of one of the mock's own endpoints, as JSON.
async fn reqwest_get(mock: &MockServer, path: &str) -> Value {
    let pd = RestClient::builder("any").base_url(mock.url()).build().unwrap();
    pd.request(pdrs::Method::GET, path).json().await.unwrap()
}

#[tokio::test]
async fn a_503_twice_then_200_on_one_route_while_others_stay_clean() {
    let mock = mock(Seed::default()).await;
    let pd = client(&mock);
    mock.script(Script::on("GET", "/users/{id}", FaultKind::Status { status: 503 }).times(2));
    let _: Value = pd.rget("/teams/PT00000").await.unwrap();
    let user: Value = pd.rget("/users/PU00001").await.unwrap();
    assert_eq!(user["id"], "PU00001");
    let calls = mock.requests_to("GET", "/users/{id}");
    let statuses: Vec<u16> = calls.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    assert_eq!(calls[0].fault.as_deref(), Some("scripted 503"));
    assert_eq!(mock.calls("GET", "/teams/{id}"), 1, "the other route was clean");
    // The /_mock/ endpoints are never faulted.
    mock.script(Script::any(FaultKind::Status { status: 500 }).times(10));
    assert!(reqwest_get(&mock, "/_mock/clock").await["now"].is_string());
    mock.clear_scripts();
}

#[tokio::test]
async fn a_lost_answer_after_a_write_the_record_exists_and_the_client_saw_an_error() {
    let mock = mock(Seed::default()).await;
    let pd = client(&mock);
    mock.script(Script::on("POST", "/teams", FaultKind::LostAnswer));
    let err = pd.rpost::<Value>("/teams", &json!({"name": "Night shift"})).await.unwrap_err();
    assert!(!err.is_retryable() || err.status().is_none(), "{err}");
    assert_eq!(mock.calls("POST", "/teams"), 1, "a POST whose answer was lost is not sent again");
    let held = mock.dump()["collections"]["/teams"].clone();
    assert!(held.as_array().unwrap().iter().any(|t| t["name"] == "Night shift"), "the write landed");
    // Scripted over HTTP: a reset before the write changes nothing.
    let body = json!({"method": "POST", "path": "/teams", "fault": {"kind": "reset"}});
    pd.request(pdrs::Method::POST, "/_mock/faults").json_body(&body).send().await.unwrap();
    assert!(pd.rpost::<Value>("/teams", &json!({"name": "Day shift"})).await.is_err());
    let held = mock.dump()["collections"]["/teams"].clone();
    assert!(!held.as_array().unwrap().iter().any(|t| t["name"] == "Day shift"), "nothing was written");
}

#[tokio::test]
async fn the_clock_moves_across_a_default_window_and_a_rate_limit_window() {
    let seed = Seed::empty().services(1).incident(SeedIncident::new("old one").created_at(now() - Duration::days(20)));
    let faults = Faults::none().rate_limit(2, std::time::Duration::from_millis(200));
    let mock = MockServer::start_with(MockConfig::default().seed(seed).faults(faults).now(now())).await.unwrap();
    let pd = client(&mock);
    // Incidents list the last month by default: the old one is there, then not after 20 days.
    let listed: Vec<Value> = pd.list_all("/incidents", ListOptions::new()).await.unwrap();
    assert_eq!(listed.len(), 1);
    mock.advance(Duration::days(20));
    let listed: Vec<Value> = pd.list_all("/incidents", ListOptions::new()).await.unwrap();
    assert!(listed.is_empty(), "{listed:?}");
    assert_eq!(mock.now().date_naive(), (now() + Duration::days(20)).date_naive());

    // Past two requests in a window a 429; the clock moved past the window, the next request
    // passes: the test waits for no real window.
    // (Not paced by the mock's headers: this client is to meet the limit.)
    let once = RestClient::builder("any")
        .base_url(mock.url())
        .retry(RetryPolicy::none())
        .pace_by_server(false)
        .build()
        .unwrap();
    mock.advance(Duration::seconds(1));
    let started = std::time::Instant::now();
    let answers: Vec<pdrs::Result<Value>> =
        futures::future::join_all((0..3).map(|_| once.rget::<Value>("/services/PS00000"))).await;
    let limited: Vec<&pdrs::Error> = answers.iter().filter_map(|a| a.as_ref().err()).collect();
    assert_eq!(limited.len(), 1, "{answers:?}");
    assert!(limited[0].is_rate_limited(), "{}", limited[0]);
    let refused = mock.requests().into_iter().rev().find(|r| r.status == 429).unwrap();
    assert_eq!(refused.fault.as_deref(), Some("rate limited"));
    mock.advance(Duration::seconds(1));
    let _: Value = once.rget("/services/PS00000").await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_millis(500), "{:?}", started.elapsed());

    // Set over HTTP.
    let body = json!({"now": "2027-01-01T00:00:00Z"});
    pd.request(pdrs::Method::POST, "/_mock/clock").json_body(&body).send().await.unwrap();
    assert_eq!(mock.now().date_naive().to_string(), "2027-01-01");
}

#[tokio::test]
async fn every_seeded_collection_is_typed_and_a_record_goes_in_on_a_running_mock() {
    let seed = Seed::empty()
        .users(3)
        .teams(2)
        .escalation_policies(2)
        .services(4)
        .schedules(2)
        .incidents(6)
        .log_entries(6)
        .incident(
            SeedIncident::new("disk full")
                .status("acknowledged")
                .urgency("low")
                .service(3)
                .created_at(now() - Duration::hours(2)),
        );
    let mock = mock(seed).await;
    let state = mock.dump();
    let count = |path: &str| state["collections"][path].as_array().map_or(0, Vec::len);
    assert_eq!(
        [
            count("/users"),
            count("/teams"),
            count("/escalation_policies"),
            count("/services"),
            count("/schedules"),
            count("/incidents"),
            count("/log_entries")
        ],
        [3, 2, 2, 4, 2, 7, 6]
    );
    assert_eq!(state["format"], 1);
    let given = state["collections"]["/incidents"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (given["title"].as_str(), given["status"].as_str(), given["urgency"].as_str()),
        (Some("disk full"), Some("acknowledged"), Some("low"))
    );
    assert_eq!(given["service"]["id"], "PS00003");
    assert_eq!(given["created_at"], "2025-12-31T22:00:00Z");

    let inserted = mock.insert("/services", json!({"type": "service", "name": "Billing"})).unwrap();
    let pd = client(&mock);
    let read: Value = pd.rget(format!("/services/{}", inserted["id"].as_str().unwrap())).await.unwrap();
    assert_eq!(read["name"], "Billing");
    assert!(mock.insert("/services", json!({"id": inserted["id"], "name": "again"})).is_err(), "an id twice");
    // POST /incidents takes an age and a status (a mock's extension, for tests).
    let opened: Value = pd
        .rpost(
            "/incidents",
            &json!({"type": "incident", "title": "t", "service": {"id": "PS00000", "type": "service_reference"},
            "created_at": "2025-12-01T00:00:00Z", "status": "resolved"}),
        )
        .await
        .unwrap();
    assert_eq!(
        (opened["created_at"].as_str(), opened["status"].as_str()),
        (Some("2025-12-01T00:00:00Z"), Some("resolved"))
    );
}

#[tokio::test]
async fn the_state_records_who_acted() {
    let mock = mock(Seed::default()).await;
    let pd = client(&mock);
    let change = json!({"type": "incident_reference", "status": "acknowledged"});
    let acked: Value = pd.rput("/incidents/PI00000", &change).await.unwrap();
    assert_eq!(acked["acknowledgements"][0]["acknowledger"]["id"], "PU00001");
    assert_eq!(acked["type"], "incident", "an update keeps the record's own type");
    let note: Value = pd.rpost("/incidents/PI00000/notes", &json!({"content": "mine"})).await.unwrap();
    assert_eq!(note["user"]["id"], "PU00001");
    let entries = mock.dump()["collections"]["/log_entries"].clone();
    let ours: Vec<&Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["incident"]["id"] == "PI00000" && e["agent"].is_object())
        .collect();
    assert!(ours.len() >= 2, "{ours:?}");
    assert!(ours.iter().all(|e| e["agent"]["id"] == "PU00001"));
}

#[tokio::test]
async fn oncalls_maintenance_windows_and_sort_by_filter_as_documented() {
    let mock = mock(Seed::default()).await;
    let pd = client(&mock);
    let oncalls = |query: &'static [(&'static str, &'static str)]| {
        let pd = pd.clone();
        async move {
            let mut options = ListOptions::new();
            for (k, v) in query {
                options = options.param(*k, *v);
            }
            pd.list_all::<Value>("/oncalls", options).await.unwrap()
        }
    };
    let by_policy = oncalls(&[("escalation_policy_ids[]", "PE00001")]).await;
    assert_eq!(by_policy.len(), 1);
    assert_eq!(by_policy[0]["escalation_policy"]["id"], "PE00001");
    assert_eq!(oncalls(&[("schedule_ids[]", "PC00002")]).await.len(), 1);
    assert_eq!(oncalls(&[("user_ids[]", "PU00003")]).await[0]["user"]["id"], "PU00003");
    assert!(oncalls(&[("since", "2026-02-01T00:00:00Z"), ("until", "2026-02-02T00:00:00Z")]).await.is_empty());

    // Maintenance windows by the mock's clock: one open now, one in the future.
    for (start, end) in [(-1, 1), (2, 3)] {
        let window = json!({"type": "maintenance_window", "start_time": (now() + Duration::hours(start)).to_rfc3339(),
            "end_time": (now() + Duration::hours(end)).to_rfc3339(), "services": [{"id": "PS00000", "type": "service_reference"}]});
        let _: Value = pd.rpost("/maintenance_windows", &window).await.unwrap();
    }
    let windows = |filter: &'static str| {
        let pd = pd.clone();
        async move {
            pd.list_all::<Value>("/maintenance_windows", ListOptions::new().param("filter", filter)).await.unwrap()
        }
    };
    let open = windows("open").await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(windows("future").await.len(), 1);
    mock.advance(Duration::hours(4));
    assert!(windows("open").await.is_empty());

    let newest: Vec<Value> = pd
        .list_all("/incidents", ListOptions::new().param("sort_by", "created_at:desc").param("date_range", "all"))
        .await
        .unwrap();
    let stamps: Vec<&str> = newest.iter().filter_map(|i| i["created_at"].as_str()).collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]), "{stamps:?}");
}

/// The documented filters of the listings people use that the mock does not apply, each with
/// why that is harmless to a client under test.
const EXPLAINED: &[(&str, &str, &str)] = &[
    ("/escalation_policies", "include[]", "expansions: the mock answers references, which every include only adds to"),
    ("/incidents", "include[]", "expansions"),
    ("/log_entries", "include[]", "expansions"),
    ("/maintenance_windows", "include[]", "expansions"),
    ("/oncalls", "include[]", "expansions"),
    ("/schedules", "include[]", "expansions"),
    ("/services", "include[]", "expansions"),
    ("/users", "include[]", "expansions"),
    ("/schedules", "include_next_oncall_for_user", "an expansion of each schedule"),
    ("/incidents", "time_zone", "the mock writes every time in UTC: the same instants"),
    ("/log_entries", "time_zone", "the same instants, in UTC"),
    ("/oncalls", "time_zone", "the same instants, in UTC"),
    ("/schedules", "time_zone", "the same instants, in UTC"),
    ("/services", "time_zone", "the same instants, in UTC"),
    (
        "/audit/records",
        "root_resource_types[]",
        "audit records are the document's examples, not records of the mock's own changes",
    ),
    ("/audit/records", "actor_type", "audit records are the document's examples"),
    ("/audit/records", "actor_id", "audit records are the document's examples"),
    ("/audit/records", "method_type", "audit records are the document's examples"),
    ("/audit/records", "method_truncated_token", "audit records are the document's examples"),
    ("/audit/records", "actions[]", "audit records are the document's examples"),
];

#[test]
fn every_documented_filter_of_the_listings_people_use_applies_or_is_explained() {
    let used = [
        "/incidents",
        "/oncalls",
        "/log_entries",
        "/users",
        "/services",
        "/escalation_policies",
        "/schedules",
        "/teams",
        "/maintenance_windows",
        "/audit/records",
    ];
    let ignored: Vec<(&str, &str)> =
        MockServer::ignored_filters().into_iter().filter(|(path, _)| used.contains(path)).collect();
    let unexplained: Vec<String> = ignored
        .iter()
        .filter(|(path, param)| !EXPLAINED.iter().any(|(p, q, _)| p == path && q == param))
        .map(|(path, param)| format!("{path} {param}"))
        .collect();
    assert!(unexplained.is_empty(), "documented filters the mock ignores, unexplained: {unexplained:?}");
    let stale: Vec<String> =
        EXPLAINED.iter().filter(|(p, q, _)| !ignored.contains(&(*p, *q))).map(|(p, q, _)| format!("{p} {q}")).collect();
    assert!(stale.is_empty(), "explained but applied (or not documented): {stale:?}");
}
