//! The CLI for a day's work, through the binary against the mock: shortcuts (ack, resolve,
//! note, reassign, oncall, maintenance), mistakes caught before anything is sent, output that
//! says what it left out, relative times, 404s that say what was missing, `-v` and `--dry-run`.

use pdrs::mock::{MockConfig, MockServer, Seed};
use serde_json::Value;
use std::process::Output;

/// `pdrs args` against `mock` with `From` set, JSON out.
async fn pdrs(mock: &MockServer, args: &[&str]) -> Output {
    crate::runner::run(mock.url(), args, &[("PAGERDUTY_FROM", "me@example.com")]).await
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn seeded() -> MockServer {
    MockServer::start_with(MockConfig::default().seed(Seed::default().incidents(20))).await.unwrap()
}

#[tokio::test]
async fn ack_note_reassign_and_resolve_by_id() {
    let mock = seeded().await;
    let incident = |id: &str| {
        let state = mock.dump();
        state["collections"]["/incidents"].as_array().unwrap().iter().find(|i| i["id"] == id).cloned().unwrap()
    };
    let acked = json(&pdrs(&mock, &["incidents", "ack", "PI00000", "PI00003"]).await);
    assert_eq!(acked.as_array().unwrap().len(), 2);
    assert!(acked.as_array().unwrap().iter().all(|i| i["status"] == "acknowledged"), "{acked}");
    assert_eq!(incident("PI00003")["status"], "acknowledged");

    let noted = json(&pdrs(&mock, &["incidents", "note", "PI00000", "-m", "looking into it"]).await);
    assert_eq!(noted[0]["content"], "looking into it");
    let notes = json(&pdrs(&mock, &["incidents", "list-notes", "PI00000"]).await);
    assert!(notes.as_array().unwrap().iter().any(|n| n["content"] == "looking into it"), "{notes}");

    let user = mock.dump()["collections"]["/users"][1]["id"].as_str().unwrap().to_string();
    json(&pdrs(&mock, &["incidents", "reassign", "PI00000", "--user", &user]).await);
    assert_eq!(incident("PI00000")["assignments"][0]["assignee"]["id"], user.as_str());

    json(&pdrs(&mock, &["incidents", "resolve", "PI00000"]).await);
    assert_eq!(incident("PI00000")["status"], "resolved");

    // Without a `From` user nothing is sent, and the error says where to give one.
    let before = mock.request_count();
    let out = crate::runner::run(mock.url(), &["incidents", "ack", "PI00006"], &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--from") && stderr(&out).contains("PAGERDUTY_FROM"), "{}", stderr(&out));
    assert_eq!(mock.request_count(), before);
}

#[tokio::test]
async fn oncall_by_policy_name_and_maintenance_start_and_end() {
    let mock = seeded().await;
    let policy = mock.dump()["collections"]["/escalation_policies"][1].clone();
    let rows = json(&pdrs(&mock, &["oncall", policy["name"].as_str().unwrap()]).await);
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    // Only that policy's on-calls, each with who and until when.
    let oncalls = mock.dump()["collections"]["/oncalls"].clone();
    let expected = oncalls.as_array().unwrap().iter().filter(|o| o["escalation_policy"]["id"] == policy["id"]).count();
    assert_eq!(rows.len(), expected);
    assert!(rows.iter().all(|r| r["user"]["id"].is_string() && r["end"].is_string()), "{rows:?}");

    let service = mock.dump()["collections"]["/services"][2].clone();
    let window = json(&pdrs(&mock, &["maintenance", "start", service["name"].as_str().unwrap(), "--for", "30m"]).await);
    assert_eq!(window["services"][0]["id"], service["id"]);
    let (start, end) = (window["start_time"].as_str().unwrap(), window["end_time"].as_str().unwrap());
    let span = pdrs::time::parse(end).unwrap() - pdrs::time::parse(start).unwrap();
    assert_eq!(span.num_minutes(), 30);
    let id = window["id"].as_str().unwrap();
    json(&pdrs(&mock, &["maintenance", "end", id]).await);
    assert!(mock.dump()["collections"]["/maintenance_windows"].as_array().unwrap().iter().all(|w| w["id"] != id));
}

#[tokio::test]
async fn body_mistakes_are_caught_before_sending() {
    let mock = seeded().await;
    let before = mock.request_count();
    let update = |data: &'static str| ["incidents", "update", "PI00000", "--data", data];
    // A misspelled key: exit 2, the key and the nearest known one named.
    let out = pdrs(&mock, &update(r#"{"type": "incident_reference", "statsu": "acknowledged"}"#)).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("incident.statsu") && stderr(&out).contains("did you mean incident.status"),
        "{}",
        stderr(&out)
    );
    // An enum value and a date inside the body, checked as flags are.
    let out = pdrs(&mock, &update(r#"{"type": "incident_reference", "status": "acked"}"#)).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("incident.status must be one of"), "{}", stderr(&out));
    let window = r#"{"start_time": "tomorrow-ish", "end_time": "+1h", "services": [{"id": "PS00000", "type": "service_reference"}]}"#;
    let out = pdrs(&mock, &["maintenance-windows", "create", "--data", window]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("maintenance_window.start_time must be an ISO 8601 date-time"), "{}", stderr(&out));
    // An unknown --fields path names the fields the records have.
    let out = pdrs(&mock, &["users", "list", "--fields", "id,nmae"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--fields nmae") && stderr(&out).contains("name"), "{}", stderr(&out));
    assert_eq!(mock.request_count(), before + 1, "only the listing was sent");
    // A beta field goes out when asked for.
    let out = pdrs(
        &mock,
        &[
            "incidents",
            "update",
            "PI00000",
            "--allow-unknown-fields",
            "--data",
            r#"{"type": "incident_reference", "beta_field": 1}"#,
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
}

#[tokio::test]
async fn relative_times_in_flags_and_bodies_and_a_dry_run_sends_nothing() {
    let mock = seeded().await;
    let out = pdrs(&mock, &["incidents", "list", "--since", "-24h", "--until", "now", "--dry-run"]).await;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{}", stderr(&out));
    let url = text.lines().next().unwrap();
    assert!(url.starts_with(&format!("GET {}/incidents?", mock.url())), "{text}");
    let query: std::collections::HashMap<String, String> =
        url::Url::parse(url.trim_start_matches("GET ")).unwrap().query_pairs().into_owned().collect();
    let (since, until) = (pdrs::time::parse(&query["since"]).unwrap(), pdrs::time::parse(&query["until"]).unwrap());
    assert_eq!((until - since).num_hours(), 24);

    let window =
        r#"{"start_time": "now", "end_time": "+2h", "services": [{"id": "PS00000", "type": "service_reference"}]}"#;
    let out = pdrs(&mock, &["maintenance-windows", "create", "--data", window, "--dry-run"]).await;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.starts_with(&format!("POST {}/maintenance_windows\nFrom: me@example.com\n", mock.url())), "{text}");
    let body: Value = serde_json::from_str(text.split_once("\n\n").unwrap().1).unwrap();
    let window = &body["maintenance_window"];
    let span = pdrs::time::parse(window["end_time"].as_str().unwrap()).unwrap()
        - pdrs::time::parse(window["start_time"].as_str().unwrap()).unwrap();
    assert_eq!(span.num_hours(), 2);
    assert!(!text.contains("cli-token"), "the credential is never shown: {text}");
    assert_eq!(mock.request_count(), 0, "a dry run sent a request");
}

#[tokio::test]
async fn output_says_what_it_left_out() {
    let mock = seeded().await;
    // A page of a longer listing: the hint on stderr (forced; a terminal gets it by itself).
    let out =
        crate::runner::run(mock.url(), &["incidents", "list", "--limit", "5", "--total"], &[("PDRS_HINTS", "always")])
            .await;
    assert!(out.status.success());
    assert!(stderr(&out).contains("showed 5 of 20; --all lists every record"), "{}", stderr(&out));
    // JSON lines are one record per line, a page's records included.
    let out = pdrs(&mock, &["incidents", "list", "--limit", "3", "-o", "jsonl"]).await;
    let lines: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l["id"].is_string()));
    // A bulk answer is unwrapped like a single one.
    let data = r#"[{"id": "PI00000", "type": "incident_reference", "status": "acknowledged"}]"#;
    let out = pdrs(&mock, &["incidents", "bulk-update", "--data", data, "-o", "csv", "--fields", "id,status"]).await;
    assert_eq!(String::from_utf8_lossy(&out.stdout), "id,status\nPI00000,acknowledged\n", "{}", stderr(&out));
    // A note's table shows its content.
    pdrs(&mock, &["incidents", "note", "PI00000", "-m", "disk full"]).await;
    let out = pdrs(&mock, &["incidents", "list-notes", "PI00000", "-o", "csv"]).await;
    let header = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().to_string();
    assert!(header.contains("content"), "{header}");
}

#[tokio::test]
async fn a_404_says_what_was_not_found_and_verbose_shows_each_request() {
    let mock = seeded().await;
    let out = pdrs(&mock, &["incidents", "get", "PNOPE"]).await;
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr(&out).starts_with("pdrs: no incident PNOPE"), "{}", stderr(&out));
    let out = pdrs(&mock, &["get", "/nothing/here"]).await;
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr(&out).starts_with("pdrs: no such path: /nothing/here"), "{}", stderr(&out));

    let out = pdrs(&mock, &["-v", "users", "list", "--limit", "2"]).await;
    assert!(out.status.success());
    let line = stderr(&out);
    assert!(line.contains(&format!("GET {}/users?limit=2 -> 200 in ", mock.url())), "{line}");
    assert!(!line.contains("cli-token"), "{line}");
}

#[test]
fn a_subcommands_help_names_the_global_options_in_one_line() {
    let out = crate::runner::output("http://127.0.0.1:9", &["incidents", "list", "--help"], &[], b"");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Global options: --token, --url"), "{help}");
    assert!(!help.contains("[env: PAGERDUTY_API_KEY]"), "{help}");
    let out = crate::runner::output("http://127.0.0.1:9", &["--help"], &[], b"");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--token") && help.contains("[env: PAGERDUTY_API_KEY]"), "{help}");
}

#[test]
fn example_prints_a_body_to_start_from() {
    let out = crate::runner::output("http://127.0.0.1:9", &["maintenance-windows", "create", "--example"], &[], b"");
    let body = json(&out);
    let window = &body["maintenance_window"];
    assert_eq!(window["start_time"], "<date-time>");
    assert!(window["services"][0]["id"].is_string(), "{body}");
    assert_eq!(window["type"], "maintenance_window");
}

#[tokio::test]
async fn an_update_names_only_what_changes() {
    let mock = seeded().await;
    let out = pdrs(&mock, &["users", "update", "PU00000", "--data", r#"{"name": "Renamed"}"#]).await;
    let user = json(&out);
    assert_eq!(user["name"], "Renamed");
    assert_eq!(user["email"], "user0@example.com", "a field left out stays");
    // What is sent is still checked before sending.
    let out = pdrs(&mock, &["users", "update", "PU00000", "--data", r#"{"role": "emperor"}"#]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
