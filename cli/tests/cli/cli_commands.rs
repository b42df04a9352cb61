//! The generated commands, output formats, profiles and webhook commands of the `pdrs` binary,
//! against the in-process mock server (and httpmock where nothing may be sent).

use pdrs::mock::{MockConfig, MockServer, Seed};
use serde_json::Value;
use std::process::{Command, Output, Stdio};

/// Runs `pdrs` with `args`, the API at `url`, `envs` added and `stdin` as standard input.
fn pdrs_with(url: &str, args: &[&str], envs: &[(&str, &str)], stdin: &[u8]) -> Output {
    crate::runner::output(url, args, envs, stdin)
}

async fn pdrs(url: &str, args: &[&str]) -> Output {
    crate::runner::run(url, args, &[]).await
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[tokio::test]
async fn a_generated_list_command_with_enum_and_array_flags_and_all() {
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty().incidents(240))).await.unwrap();
    let out = pdrs(
        mock.url(),
        &[
            "incidents",
            "list",
            "--statuses",
            "triggered",
            "--statuses",
            "acknowledged",
            "--urgencies",
            "high",
            "--date-range",
            "all",
            "--limit",
            "25",
            "--all",
            "-o",
            "jsonl",
        ],
    )
    .await;
    let records: Vec<Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // The same listing through the library: the command sent the same filters on every page.
    let pd = pdrs::RestClient::builder("t").base_url(mock.url()).build().unwrap();
    let expected: Vec<Value> = pd
        .list_all(
            "/incidents",
            pdrs::ListOptions::new()
                .param_list("statuses", ["triggered", "acknowledged"])
                .param_list("urgencies", ["high"])
                .param("date_range", "all"),
        )
        .await
        .unwrap();
    assert!(records.len() > 25, "more than one page: {}", records.len());
    assert_eq!(records, expected);

    // A value outside the spec's enum is a usage error, listing the allowed values.
    let out = pdrs(mock.url(), &["incidents", "list", "--statuses", "sleeping"]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("triggered, acknowledged, resolved"), "{err}");
    assert_eq!(err.lines().count(), 1, "every failure is one line: {err}");
}

#[test]
fn the_flags_go_on_every_page_as_the_spec_names_them() {
    let server = httpmock::MockServer::start();
    let page = |offset: u64, more: bool| {
        server.mock(move |when, then| {
            when.method(httpmock::Method::GET)
                .path("/incidents")
                .query_param("statuses[]", "triggered")
                .query_param("statuses[]", "acknowledged")
                .query_param("urgencies[]", "high")
                .query_param("since", "2026-11-01")
                .query_param("offset", offset.to_string());
            then.status(200).json_body(serde_json::json!({
                "incidents": [{"id": format!("PI{offset}")}], "more": more, "limit": 1, "offset": offset}));
        })
    };
    let (first, second) = (page(0, true), page(1, false));
    let args = [
        "incidents",
        "list",
        "--statuses",
        "triggered,acknowledged",
        "--urgencies",
        "high",
        "--since",
        "2026-11-01",
        "--limit",
        "1",
        "--all",
        "-o",
        "jsonl",
    ];
    let out = pdrs_with(&server.base_url(), &args, &[], b"");
    assert_eq!(stdout(&out), "{\"id\":\"PI0\"}\n{\"id\":\"PI1\"}\n");
    first.assert();
    second.assert();
    // A date that is not ISO 8601 is a usage error before anything is sent.
    let out = pdrs_with(&server.base_url(), &["incidents", "list", "--since", "last tuesday"], &[], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ISO 8601"));
}

#[test]
fn records_go_out_as_sent_and_records_spanning_lines_as_one_line_each() {
    let server = httpmock::MockServer::start();
    // A compact page whose records keep their own spacing and key order, then a pretty-printed one.
    let first = server.mock(|when, then| {
        when.method(httpmock::Method::GET).path("/users").query_param("offset", "0");
        then.status(200).header("content-type", "application/json").body(
            r#"{"users": [{"name": "Ann", "id": "P1", "n": 1.50}, {"id":"P2","tags":["a", "b"]}], "more": true}"#,
        );
    });
    let second = server.mock(|when, then| {
        when.method(httpmock::Method::GET).path("/users").query_param("offset", "2");
        then.status(200)
            .header("content-type", "application/json")
            .body("{\n  \"users\": [\n    {\n      \"id\": \"P3\",\n      \"note\": \"a\\nb\"\n    }\n  ],\n  \"more\": false\n}");
    });
    let out = pdrs_with(&server.base_url(), &["get", "/users", "--all", "-o", "jsonl"], &[], b"");
    assert_eq!(
        stdout(&out),
        "{\"name\": \"Ann\", \"id\": \"P1\", \"n\": 1.50}\n{\"id\":\"P2\",\"tags\":[\"a\", \"b\"]}\n{\"id\":\"P3\",\"note\":\"a\\nb\"}\n"
    );
    // As one JSON array: the same records, valid JSON.
    let out = pdrs_with(&server.base_url(), &["get", "/users", "--all", "-o", "json"], &[], b"");
    let all: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let ids: Vec<&str> = all.as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["P1", "P2", "P3"]);
    assert_eq!(all[2]["note"], "a\nb");
    first.assert_calls(2);
    second.assert_calls(2);
    // With --fields the records are read and projected.
    let out = pdrs_with(&server.base_url(), &["get", "/users", "--all", "-o", "jsonl", "--fields", "id"], &[], b"");
    assert_eq!(stdout(&out), "{\"id\":\"P1\"}\n{\"id\":\"P2\"}\n{\"id\":\"P3\"}\n");
}

#[tokio::test]
async fn a_get_by_id_prints_the_entity() {
    let mock = MockServer::start().await.unwrap();
    let out = pdrs(mock.url(), &["users", "get", "PU00003", "-o", "json"]).await;
    let user: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(user["email"], "user3@example.com");
    let out = pdrs(mock.url(), &["users", "get", "PNOSUCH"]).await;
    assert_eq!(out.status.code(), Some(4), "not found");
}

#[test]
fn a_body_that_does_not_fit_is_refused_before_sending() {
    let server = httpmock::MockServer::start();
    let any = server.mock(|_, then| {
        then.status(201).json_body(serde_json::json!({"user": {"id": "PX"}}));
    });
    let out = pdrs_with(
        &server.base_url(),
        &["users", "create", "--data", r#"{"name": 5, "email": "a@example.com"}"#],
        &[],
        b"",
    );
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("user.name must be of type string"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(any.calls(), 0, "nothing was sent");
    // The same body, fixed, read from standard input, goes out wrapped.
    let out = pdrs_with(
        &server.base_url(),
        &["users", "create", "--data", "@-", "-o", "json"],
        &[("PAGERDUTY_FROM", "me@example.com")],
        br#"{"name": "Ann", "email": "a@example.com"}"#,
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"],
        "PX",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(any.calls(), 1);
}

#[tokio::test]
async fn table_json_and_csv_of_one_listing() {
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty().users(3))).await.unwrap();
    let table = stdout(&pdrs(mock.url(), &["users", "list", "-o", "table"]).await);
    assert_eq!(
        table,
        "ID       NAME    EMAIL              ROLE\n\
         PU00000  User 0  user0@example.com  admin\n\
         PU00001  User 1  user1@example.com  user\n\
         PU00002  User 2  user2@example.com  limited_user\n"
    );
    let csv = stdout(&pdrs(mock.url(), &["users", "list", "-o", "csv"]).await);
    assert_eq!(
        csv,
        "id,name,email,role\nPU00000,User 0,user0@example.com,admin\nPU00001,User 1,user1@example.com,user\nPU00002,User 2,user2@example.com,limited_user\n"
    );
    // Piped without -o: JSON.
    let json: Value = serde_json::from_str(&stdout(&pdrs(mock.url(), &["users", "list"]).await)).unwrap();
    let ids: Vec<&str> = json.as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["PU00000", "PU00001", "PU00002"]);
}

#[tokio::test]
async fn fields_pick_nested_paths() {
    let mock = MockServer::start().await.unwrap();
    let args = ["incidents", "list", "--date-range", "all", "--limit", "2", "--fields", "id,service.id,status"];
    let csv = stdout(&pdrs(mock.url(), &[&args[..], &["-o", "csv"]].concat()).await);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "id,service.id,status");
    assert!(lines[1].starts_with("PI00000,PS0"), "{csv}");
    let jsonl = stdout(&pdrs(mock.url(), &[&args[..], &["-o", "jsonl"]].concat()).await);
    let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first.as_object().unwrap().keys().collect::<Vec<_>>(), ["id", "service.id", "status"]);
}

#[tokio::test]
async fn a_profile_chosen_by_flag_overrides_the_environment() {
    let mock = MockServer::start().await.unwrap();
    let dir = std::env::temp_dir().join(format!("pdrs-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(&config, format!("[profiles.mock]\ntoken = \"profile-token-123456\"\nurl = \"{}\"\n", mock.url()))
        .unwrap();
    let config = config.to_str().unwrap().to_string();
    let run = move |args: Vec<&'static str>| {
        let config = config.clone();
        // The environment points at a closed port; only the profile knows the mock.
        tokio::task::spawn_blocking(move || pdrs_with("http://127.0.0.1:9", &args, &[("PDRS_CONFIG", &config)], b""))
    };
    let out = run(vec!["users", "get", "PU00001", "--profile", "mock", "-o", "json"]).await.unwrap();
    assert_eq!(serde_json::from_str::<Value>(&stdout(&out)).unwrap()["id"], "PU00001");
    let out = run(vec!["users", "get", "PU00001", "--attempts", "1"]).await.unwrap();
    assert_eq!(out.status.code(), Some(6), "without the profile the environment's closed port is used");
    let out = run(vec!["config", "--profile", "mock", "-o", "json"]).await.unwrap();
    let shown = stdout(&out);
    assert!(shown.contains("…3456 (profile mock)") && !shown.contains("profile-token-123456"), "{shown}");
    assert!(shown.contains(&format!("{} (profile mock)", mock.url())), "{shown}");
    let out = run(vec!["config", "--profile", "nosuch"]).await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no profile \"nosuch\""));
}

const DELIVERY: &str = r#"{"event":{"id":"E1","event_type":"incident.triggered","resource_type":"incident","occurred_at":"2026-11-29T00:00:00Z","data":{"id":"PI1","title":"disk full"}}}"#;

#[test]
fn webhooks_verify_accepts_a_signed_body_and_refuses_a_tampered_one() {
    let signature = pdrs::webhooks::sign("s3cret", DELIVERY.as_bytes());
    let args = ["webhooks", "verify", "--secret", "s3cret", "--signature", &signature, "-o", "json"];
    let out = pdrs_with("http://127.0.0.1:9", &args, &[], DELIVERY.as_bytes());
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["event_type"], "incident.triggered");
    assert_eq!(shown["summary"], "disk full");
    let tampered = DELIVERY.replace("disk full", "all fine");
    let out = pdrs_with("http://127.0.0.1:9", &args, &[], tampered.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no signature matches"));
}

#[test]
fn webhooks_listen_prints_signed_deliveries_and_refuses_bad_ones() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_pdrs"))
        .args(["webhooks", "listen", "--secret", "s3cret", "--port", "0"])
        .env("PDRS_CONFIG", "/nonexistent/pdrs-config.toml")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    let url = first.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{first}")).to_string();
    let http = raw_http::poster();
    let signature = pdrs::webhooks::sign("s3cret", DELIVERY.as_bytes());
    let good = http(&url, DELIVERY, &signature);
    let bad = http(&url, DELIVERY, "v1=0000000000000000000000000000000000000000000000000000000000000000");
    assert_eq!((good, bad), (204, 401));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line, "incident.triggered\tincident\tPI1\tdisk full\n");
    let mut report = String::new();
    stderr.read_line(&mut report).unwrap();
    assert!(report.contains("refused a delivery"), "{report}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A tiny blocking POST over a raw socket (the test needs no HTTP client of its own).
mod raw_http {
    pub fn poster() -> impl Fn(&str, &str, &str) -> u16 {
        |url: &str, body: &str, signature: &str| {
            use std::io::{Read, Write};
            let addr = url.trim_start_matches("http://");
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            write!(
                stream,
                "POST /hook HTTP/1.1\r\nHost: {addr}\r\nX-PagerDuty-Signature: {signature}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            answer.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
        }
    }
}

#[test]
fn help_lists_the_groups_and_an_operation_shows_the_spec() {
    let out = pdrs_with("http://127.0.0.1:9", &["--help"], &[], b"");
    let help = stdout(&out);
    for group in ["incidents", "schedules", "on-calls", "users", "escalation-policies", "scim"] {
        assert!(help.lines().any(|l| l.trim_start().starts_with(group)), "{group} missing:\n{help}");
    }
    let out = pdrs_with("http://127.0.0.1:9", &["incidents", "list", "--help"], &[], b"");
    let help = stdout(&out);
    assert!(help.contains("List existing incidents"), "{help}");
    assert!(help.contains("[possible values: triggered, acknowledged, resolved]"), "{help}");
    assert!(help.contains("GET /incidents"), "{help}");
}

#[test]
fn every_generated_command_is_valid_and_completions_cover_them() {
    // Building the completions builds (and, in a debug build, checks) every command.
    let out = pdrs_with("http://127.0.0.1:9", &["completions", "bash"], &[], b"");
    let script = stdout(&out);
    assert!(script.contains("list-notes") && script.contains("create-contact-method"), "generated commands completed");
    let out = pdrs_with("http://127.0.0.1:9", &["man"], &[], b"");
    assert!(stdout(&out).starts_with(".ie"), "a roff man page");
}

#[test]
fn command_names_keep_the_groups_words_and_say_which_is_the_bulk_one() {
    let help = |group: &str| stdout(&pdrs_with("http://127.0.0.1:9", &[group, "--help"], &[], b""));
    let commands = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix("  "))
            .filter_map(|l| l.split_whitespace().next())
            .map(String::from)
            .collect()
    };
    let incidents = commands(&help("incidents"));
    for expected in ["list", "get", "update", "bulk-update", "create-note", "list-notes"] {
        assert!(incidents.iter().any(|c| c == expected), "incidents has no {expected}: {incidents:?}");
    }
    assert!(!incidents.iter().any(|c| c == "update-incidents"), "{incidents:?}");
    let schedules = commands(&help("schedules-v3"));
    assert!(schedules.iter().any(|c| c == "create"), "{schedules:?}");
    assert!(schedules.iter().any(|c| c == "list-audit-records"), "{schedules:?}");
    assert!(!schedules.iter().any(|c| c.ends_with("-v3")), "{schedules:?}");
}
