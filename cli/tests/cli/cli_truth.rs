//! The `pdrs` binary tells the truth: failed writes, closed pipes, empty bodies, wrong wrappers,
//! bad flags, hostile server text and oversized input all end the run as they should.

use crate::support::{json, scripted, Reply};
use pdrs::mock::{MockConfig, MockServer, Seed};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `pdrs args` with the REST and Events APIs at `url`.
fn command(url: &str, args: &[&str]) -> Command {
    let mut cmd = crate::runner::command(url, args);
    cmd.env("PAGERDUTY_EVENTS_URL", url);
    cmd
}

async fn run(url: &str, args: &[&str]) -> Output {
    let mut cmd = command(url, args);
    tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[tokio::test]
async fn a_full_disk_is_a_failure() {
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty().users(300))).await.unwrap();
    let mut cmd = command(mock.url(), &["get", "/users", "--all"]);
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    cmd.stdout(full);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1);
}

#[tokio::test]
async fn a_closed_pipe_stops_the_paging_at_once() {
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty().users(20_000))).await.unwrap();
    let mut cmd = command(mock.url(), &["get", "/users", "--all"]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let status = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        assert!(first.contains("\"id\""));
        drop(lines); // the reader goes away, as `| head -1` does
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "pdrs kept running after the pipe closed");
            std::thread::sleep(Duration::from_millis(20));
        }
    })
    .await
    .unwrap();
    assert_eq!(status.code(), Some(0), "a closed pipe ends the run quietly");
    // 100 pages of 100 are needed for everything; the run stopped long before.
    assert!(mock.request_count() < 50, "{} requests", mock.request_count());
}

#[tokio::test]
async fn empty_bodies_where_json_was_expected_are_errors() {
    let server = scripted(vec![Reply::Http(200, vec![], String::new()), Reply::Http(204, vec![], String::new())]).await;
    for _ in 0..2 {
        let out = run(&server.url, &["get", "/users/PABC"]).await;
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("empty body"), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
}

#[tokio::test]
async fn get_unwraps_by_the_spec_not_by_guessing() {
    let server = scripted(vec![
        json(200, json!({"usr": {}})),
        json(200, json!({"user": {"id": "PABC"}})),
        json(200, json!({"anything": {"x": 1}})),
    ])
    .await;
    let out = run(&server.url, &["get", "/users/X1"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("\"user\"") && stderr(&out).contains("usr"), "{}", stderr(&out));
    let out = run(&server.url, &["get", "/users/PABC"]).await;
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(), json!({"id": "PABC"}));
    // A path the spec does not know is printed as it came.
    let out = run(&server.url, &["get", "/beta/unknown"]).await;
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(), json!({"anything": {"x": 1}}));
}

#[tokio::test]
async fn enum_flags_are_checked_before_sending() {
    let server = scripted(vec![]).await;
    let out = run(
        &server.url,
        &[
            "events",
            "trigger",
            "--routing-key",
            "R0123456789",
            "--summary",
            "s",
            "--source",
            "h",
            "--severity",
            "bogus",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("critical"), "the allowed values are listed: {}", stderr(&out));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn server_text_is_escaped_and_shortened() {
    let message = format!("\x1b]0;owned\x07\x1b[31m{}", "A".repeat(10 * 1024 * 1024));
    let server = scripted(vec![Reply::Http(400, vec![], json!({"error": {"message": message}}).to_string())]).await;
    let out = run(&server.url, &["get", "/users"]).await;
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    assert!(text.len() < 2500, "{} bytes", text.len());
    assert_eq!(text.lines().count(), 1);
}

#[tokio::test]
async fn an_oversized_url_is_a_clear_usage_error() {
    let server = scripted(vec![]).await;
    let param = format!("query={}", "x".repeat(20_000));
    let out = run(&server.url, &["get", "/users", "-p", &param]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("over the limit") && stderr(&out).len() < 400, "{}", stderr(&out));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn data_from_an_endless_file_is_bounded() {
    let server = scripted(vec![]).await;
    let started = Instant::now();
    let out = run(&server.url, &["post", "/teams", "--data", "@/dev/zero"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("larger than"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(server.requests().is_empty());
}
