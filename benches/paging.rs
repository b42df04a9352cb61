//! Paging throughput: `iter_all` over 10,000 users of about 1.1 KB (the shape of PagerDuty's
//! user records: references to contact methods, notification rules and teams) from a local
//! HTTP/1.1 server, as `serde_json::Value`, as raw records ([`pdrs::Record`]) and as the
//! generated `types::User`; sequentially and with concurrent prefetch, without and with 25 ms of
//! latency per request.
//!
//! Run: `cargo bench --bench paging`. Prints wall time per case and the client process's peak
//! RSS: the server runs in a child process (this same binary with `--serve <delay ms>`, which
//! prints its URL and serves until killed; `scripts/bench-cli.sh` uses it too), so its pages do
//! not count.

use futures::StreamExt;
use pdrs::rest::types;
use pdrs::{ListOptions, Record, RestClient, RetryPolicy};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const RECORDS: usize = 10_000;
const PAGE: usize = 100;

/// One user record, shaped like PagerDuty's.
fn user(i: usize) -> Value {
    let id = format!("PU{i:05}");
    let reference = |kind: &str, prefix: &str, n: usize| {
        json!({"id": format!("{prefix}{i:05}{n}"), "type": kind, "summary": "Default",
               "self": format!("https://api.pagerduty.com/users/{id}/{prefix}{i:05}{n}"), "html_url": null})
    };
    json!({"id": id, "type": "user", "name": format!("User {i}"), "summary": format!("User {i}"),
           "email": format!("user{i}@example.com"), "time_zone": "Europe/Berlin", "color": "purple",
           "role": "user", "avatar_url": format!("https://secure.gravatar.com/avatar/{i:032x}.png?d=mm&r=PG"),
           "description": "On-call engineer for the payments platform; escalation contact for database incidents.",
           "invitation_sent": false, "job_title": "Site Reliability Engineer",
           "self": format!("https://api.pagerduty.com/users/{id}"),
           "html_url": format!("https://example.pagerduty.com/users/{id}"),
           "contact_methods": (0..1).map(|n| reference("email_contact_method_reference", "PC", n)).collect::<Vec<_>>(),
           "notification_rules": (0..1).map(|n| reference("assignment_notification_rule_reference", "PN", n)).collect::<Vec<_>>(),
           "teams": [{"id": format!("PT{:05}", i % 50), "type": "team_reference", "summary": format!("Team {}", i % 50),
                      "self": format!("https://api.pagerduty.com/teams/PT{:05}", i % 50), "html_url": null}]})
}

/// Pre-serialized pages: `pages[offset / PAGE]`.
fn pages() -> Vec<Vec<u8>> {
    (0..RECORDS / PAGE)
        .map(|p| {
            let users: Vec<Value> = (p * PAGE..(p + 1) * PAGE).map(user).collect();
            let body = json!({"users": users, "offset": p * PAGE, "limit": PAGE, "total": RECORDS,
                              "more": (p + 1) * PAGE < RECORDS})
            .to_string();
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len())
                .into_bytes()
        })
        .collect()
}

/// A keep-alive server answering `GET /users?...offset=N...` from `pages`, after `delay`.
async fn serve(delay: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let pages = Arc::new(pages());
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let pages = pages.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                while let Ok(Some(request_line)) = lines.next_line().await {
                    while let Ok(Some(header)) = lines.next_line().await {
                        if header.is_empty() {
                            break;
                        }
                    }
                    let offset: usize = request_line
                        .split(['?', '&', ' '])
                        .find_map(|kv| kv.strip_prefix("offset="))
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    let page = &pages[(offset / PAGE).min(pages.len() - 1)];
                    if write.write_all(page).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// Starts this binary as the server (`--serve <delay ms>`) and returns (child, base URL).
fn spawn_server(delay: Duration) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--serve", &delay.as_millis().to_string()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    (child, line.trim().to_string())
}

/// Lists every user as `T` and prints the time taken.
async fn run<T: serde::de::DeserializeOwned + Send + 'static>(name: &str, delay: Duration, concurrency: usize) {
    let (mut server, url) = spawn_server(delay);
    let pd = RestClient::builder("bench-token-0000").base_url(url).retry(RetryPolicy::none()).build().unwrap();
    let started = Instant::now();
    let mut n = 0usize;
    let mut stream = pd.iter_all::<T>("/users", ListOptions::new().page_size(PAGE as u64).concurrency(concurrency));
    while let Some(record) = stream.next().await {
        record.unwrap();
        n += 1;
    }
    assert_eq!(n, RECORDS);
    println!("{name:<48} {:>8.3} s  ({n} records)", started.elapsed().as_secs_f64());
    let _ = server.kill();
    let _ = server.wait();
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        let delay = Duration::from_millis(args.get(i + 1).and_then(|d| d.parse().ok()).unwrap_or(0));
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async {
            let url = serve(delay).await;
            println!("{url}");
            std::future::pending::<()>().await;
        });
        return;
    }
    // `cargo bench` passes `--bench`; nothing else to parse.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        run::<Value>("Value, sequential, no latency", Duration::ZERO, 1).await;
        run::<Record>("Record (raw), sequential, no latency", Duration::ZERO, 1).await;
        run::<types::User>("types::User, sequential, no latency", Duration::ZERO, 1).await;
        run::<Value>("Value, sequential, 25 ms per request", Duration::from_millis(25), 1).await;
        run::<Value>("Value, prefetch x8, 25 ms per request", Duration::from_millis(25), 8).await;
        run::<types::User>("types::User, prefetch x8, 25 ms per request", Duration::from_millis(25), 8).await;
    });
    println!("peak RSS of the client process: {:.1} MiB", peak_rss_mib());
}
