//! The `pdrs` binary against the in-process mock server.

use pdrs::mock::{MockConfig, MockServer, Seed};
use serde_json::Value;
use std::collections::HashSet;
use std::process::Output;

/// `pdrs args` with the REST and Events APIs on `mock`.
async fn pdrs(mock: &MockServer, args: &[&str]) -> Output {
    crate::runner::run(mock.url(), args, &[("PAGERDUTY_EVENTS_URL", mock.url())]).await
}

#[tokio::test]
async fn get_all_prints_every_user_once_as_json_lines() {
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty().users(730))).await.unwrap();
    let out = pdrs(&mock, &["get", "/users", "--all"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let users: Vec<Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(users.len(), 730);
    let ids: HashSet<&str> = users.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 730);

    let out = pdrs(&mock, &["get", "/users", "--all", "--concurrency", "4"]).await;
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 730);
}

#[tokio::test]
async fn get_one_unwraps_and_missing_is_a_not_found_exit() {
    let mock = MockServer::start().await.unwrap();
    let out = pdrs(&mock, &["get", "/users/PU00003"]).await;
    assert!(out.status.success());
    let user: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(user["email"], "user3@example.com");

    let out = pdrs(&mock, &["get", "/users/NOPE"]).await;
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("404") && stderr.contains("Not Found"), "{stderr}");
}

#[tokio::test]
async fn post_then_events_trigger_and_resolve() {
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty())).await.unwrap();
    let out = pdrs(&mock, &["post", "/teams", "--data", r#"{"name": "SRE"}"#]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let team: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(team["name"], "SRE");

    let key = "0123456789abcdef0123456789abcdef";
    let out = pdrs(
        &mock,
        &[
            "events",
            "trigger",
            "--routing-key",
            key,
            "--summary",
            "Disk full",
            "--source",
            "db-1",
            "--dedup-key",
            "disk-db-1",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "disk-db-1");
    let incidents = &mock.dump()["collections"]["/incidents"];
    assert_eq!(incidents[0]["status"], "triggered");

    let out = pdrs(&mock, &["events", "resolve", "--routing-key", key, "--dedup-key", "disk-db-1"]).await;
    assert!(out.status.success());
    assert_eq!(mock.dump()["collections"]["/incidents"][0]["status"], "resolved");
}

#[tokio::test]
async fn an_empty_token_is_no_token_and_nothing_is_sent() {
    let mock = MockServer::start().await.unwrap();
    // `PAGERDUTY_API_KEY=` (set, empty) and `--token ""` alike.
    for (args, envs) in [
        (vec!["users", "list"], vec![("PAGERDUTY_API_KEY", "")]),
        (vec!["get", "/users", "--token", ""], vec![("PAGERDUTY_API_KEY", " ")]),
    ] {
        let out = crate::runner::run(mock.url(), &args, &envs).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("no API token: set PAGERDUTY_API_KEY"), "{args:?}: {stderr}");
    }
    assert_eq!(mock.request_count(), 0, "a request was sent without a token");
}

#[tokio::test]
async fn events_go_where_the_rest_url_goes_when_it_is_not_pagerduty() {
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty())).await.unwrap();
    let key = "0123456789abcdef0123456789abcdef";
    // Only the REST URL is set (PAGERDUTY_API_URL, by the runner): no Events URL anywhere.
    let args =
        ["events", "trigger", "--routing-key", key, "--summary", "Disk full", "--source", "db-1", "--attempts", "1"];
    let out = crate::runner::run(mock.url(), &args, &[]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(mock.request_count(), 1, "the event did not arrive at the REST URL's host");
    assert_eq!(mock.dump()["collections"]["/incidents"][0]["status"], "triggered");

    let out = crate::runner::run(mock.url(), &["config", "-o", "json"], &[]).await;
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let setting = |name: &str| rows.as_array().unwrap().iter().find(|r| r["setting"] == name).unwrap()["value"].clone();
    assert_eq!(setting("events_url"), format!("{} (follows url)", mock.url()));
    assert_eq!(setting("url"), format!("{} ($PAGERDUTY_API_URL)", mock.url()));
}

#[tokio::test]
async fn events_honour_the_retry_flags_and_a_failure_names_the_address() {
    // A port nothing listens on: connection refused, retried `--attempts` times.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let args =
        ["events", "trigger", "--routing-key", "0123456789abcdef0123456789abcdef", "--summary", "s", "--source", "x"];
    let started = std::time::Instant::now();
    let out = crate::runner::run(&url, &[&args[..], &["--attempts", "2", "--retry-base-ms", "1"]].concat(), &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(stderr.contains("gave up after 2 attempts"), "{stderr}");
    assert!(stderr.contains(&format!("{url}/v2/enqueue")), "the error names no address: {stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}
