//! `pdrs log-entries watch` and `pdrs incidents watch` through the binary against the mock:
//! changes made while it runs come out as JSON lines, each once; Ctrl-C and a closed pipe end
//! it with exit 0; `--checkpoint` resumes where the last run stopped.

use pdrs::mock::MockServer;
use pdrs::{EventsClient, RestClient};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Starts `pdrs <args>` against the mock with stdout piped; its lines arrive on the channel.
/// With `close_after`, the pipe is closed after that many lines (the reader goes away).
fn start(mock: &MockServer, args: &[&str], close_after: Option<usize>) -> (Child, mpsc::Receiver<String>) {
    let mut child = crate::runner::command(mock.url(), args)
        .env("PDRS_HINTS", "never")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for (n, line) in BufReader::new(stdout).lines().map_while(Result::ok).enumerate() {
            let _ = send.send(line);
            if close_after == Some(n + 1) {
                // Returning drops the pipe's read end: the reader is gone.
                return;
            }
        }
    });
    (child, lines)
}

/// Triggers `n` incidents (Events API) and acknowledges them (REST); returns their titles.
async fn churn(mock: &MockServer, tag: &str, n: usize) {
    let alerts = EventsClient::builder("0123456789abcdef0123456789abcdef").base_url(mock.url()).build().unwrap();
    let pd = RestClient::builder("t").base_url(mock.url()).default_from("user0@example.com").build().unwrap();
    for i in 0..n {
        let key = alerts.trigger(format!("{tag} {i}"), "db-1").dedup_key(format!("{tag}-{i}")).send().await.unwrap();
        let incidents: Vec<Value> =
            pd.list_all("/incidents", pdrs::ListOptions::new().param("incident_key", &key)).await.unwrap();
        let id = incidents[0]["id"].as_str().unwrap().to_string();
        let ack = json!({"incident": {"type": "incident_reference", "status": "acknowledged"}});
        let _: Value = pd.rput(&format!("/incidents/{id}"), &ack).await.unwrap();
    }
}

/// Lines until `n` were read (or 20 s pass).
fn read(lines: &mpsc::Receiver<String>, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut got = Vec::new();
    while got.len() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        let line =
            lines.recv_timeout(left).unwrap_or_else(|_| panic!("{} of {n} lines after 20 s: {got:?}", got.len()));
        got.push(serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}")));
    }
    got
}

/// Waits up to `within` for the process to end; its exit code.
fn ended(child: &mut Child, within: Duration) -> Option<i32> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("still running after {within:?}");
}

fn interrupt(child: &Child) {
    let status = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
}

fn ids(records: &[Value]) -> Vec<String> {
    records.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_entries_come_as_they_happen_until_the_pipe_closes() {
    let mock = MockServer::start().await.unwrap();
    let (mut child, lines) = start(&mock, &["log-entries", "watch", "--interval", "1"], Some(4));
    // Give the first poll time to fix where the watch starts.
    tokio::time::sleep(Duration::from_millis(300)).await;
    churn(&mock, "disk", 2).await;
    let got = tokio::task::spawn_blocking(move || (read(&lines, 4), lines)).await.unwrap();
    let (records, lines) = got;
    let kinds: Vec<&str> = records.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "trigger_log_entry").count(), 2, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "acknowledge_log_entry").count(), 2, "{kinds:?}");
    assert_eq!(ids(&records).iter().collect::<HashSet<_>>().len(), 4);
    // The reader goes away while nothing is being written: the watch ends at once, exit 0.
    drop(lines);
    let closed = Instant::now();
    assert_eq!(tokio::task::spawn_blocking(move || ended(&mut child, Duration::from_secs(5))).await.unwrap(), Some(0));
    assert!(closed.elapsed() < Duration::from_secs(3), "{:?}", closed.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_ends_a_watch_with_exit_0_and_a_checkpoint_resumes_it() {
    let mock = MockServer::start().await.unwrap();
    let dir = std::env::temp_dir().join(format!("pdrs-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("incidents.checkpoint");
    let file_arg = file.to_str().unwrap().to_string();
    let args = ["incidents", "watch", "--interval", "1", "--checkpoint", file_arg.as_str()];
    let (mut child, lines) = start(&mock, &args, None);
    tokio::time::sleep(Duration::from_millis(300)).await;
    churn(&mock, "first", 2).await;
    let (first, lines) = tokio::task::spawn_blocking(move || (read(&lines, 2), lines)).await.unwrap();
    interrupt(&child);
    assert_eq!(tokio::task::spawn_blocking(move || ended(&mut child, Duration::from_secs(5))).await.unwrap(), Some(0));
    drop(lines);
    assert!(file.exists(), "the checkpoint was stored");
    // While it was not running.
    churn(&mock, "second", 2).await;
    let (mut child, lines) = start(&mock, &args, None);
    let (second, lines) = tokio::task::spawn_blocking(move || (read(&lines, 2), lines)).await.unwrap();
    interrupt(&child);
    assert_eq!(tokio::task::spawn_blocking(move || ended(&mut child, Duration::from_secs(5))).await.unwrap(), Some(0));
    drop(lines);
    let titles: Vec<&str> = first.iter().chain(&second).map(|r| r["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["first 0", "first 1", "second 0", "second 1"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_watch_commands_are_in_the_help() {
    for group in ["incidents", "log-entries"] {
        let out = crate::runner::output("http://127.0.0.1:1", &[group, "--help"], &[], b"");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.lines().any(|l| l.trim() == "watch" || l.trim_start().starts_with("watch ")), "{group}: {help}");
    }
}
