//! Pacing by the server's budget: 8 tasks each listing 5,000 users through one client against
//! a server allowing 120 requests a minute per API key, once paced by the `ratelimit-*` headers
//! (the default) and once not (`pace_by_server(false)`: a 429 and its hint, as other clients do).
//! Prints per run the 429s met, the time taken, and the time the budget allows: the windows
//! the requests need, less the last one's unused part.
//!
//! Run: `./scripts/bench-pacing.sh` (against the `pdrs-mock --rate-limit 120` binary), or
//! `cargo bench --bench pacing --features mock` (the same server in-process). The settings:
//! `PDRS_MOCK_URL` (a running mock with 5,000 users), `PACING_USERS` (5000), `PACING_TASKS`
//! (8), `PACING_LIMIT` (120) and, in-process only, `PACING_WINDOW_SECS` (60).

use futures::StreamExt;
use pdrs::mock::{Faults, MockConfig, MockServer, Seed};
use pdrs::{ListOptions, RestClient, RetryPolicy};
use std::time::{Duration, Instant};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Run {
    limited: u64,
    requests: u64,
    took: Duration,
}

/// The job: `tasks` tasks each listing every user through clones of one client for `token`.
async fn job(url: &str, token: &str, pace: bool, tasks: u64, users: u64) -> Run {
    let pd = RestClient::builder(token)
        .base_url(url)
        .pace_by_server(pace)
        .retry(RetryPolicy::default().max_attempts(50).max_total_wait(Duration::from_secs(3600)))
        .build()
        .unwrap();
    let started = Instant::now();
    let jobs = (0..tasks).map(|_| {
        let pd = pd.clone();
        tokio::spawn(async move {
            let mut listed = 0u64;
            let mut users = pd.iter_all::<serde_json::Value>("/users", ListOptions::new().page_size(100));
            while let Some(user) = users.next().await {
                user.expect("a user");
                listed += 1;
            }
            listed
        })
    });
    for listed in futures::future::join_all(jobs).await {
        assert_eq!(listed.unwrap(), users, "every user listed");
    }
    let took = started.elapsed();
    let limited = pd.api_rate_limited().values().sum();
    let requests = pd.api_call_counts().values().sum();
    Run { limited, requests, took }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (users, tasks, limit) =
        (setting("PACING_USERS", 5000), setting("PACING_TASKS", 8), setting("PACING_LIMIT", 120));
    let window = Duration::from_secs(setting("PACING_WINDOW_SECS", 60));
    let (_mock, url) = match std::env::var("PDRS_MOCK_URL") {
        Ok(url) => (None, url),
        Err(_) => {
            let faults = Faults::none().rate_limit(limit as u32, window);
            let config = MockConfig::default().seed(Seed::empty().users(users as usize)).faults(faults);
            let mock = MockServer::start_with(config).await.unwrap();
            let url = mock.url().to_string();
            (Some(mock), url)
        }
    };
    println!("{tasks} tasks x {users} users, {limit} requests per {} s per API key", window.as_secs());
    // Each run has its own key, so its own budget.
    for (name, token, pace) in
        [("paced by the headers", "bench-paced", true), ("429 and retry", "bench-unpaced", false)]
    {
        let run = job(&url, token, pace, tasks, users).await;
        // The windows the requests need: all but the last are waited out whole.
        let answered = run.requests - run.limited;
        let allowed = window * ((answered.saturating_sub(1) / limit) as u32);
        println!(
            "{name}: {answered} requests answered, {} answered 429, {:.1} s; the budget allows {:.1} s ({:+.1} %)",
            run.limited,
            run.took.as_secs_f64(),
            allowed.as_secs_f64(),
            (run.took.as_secs_f64() / allowed.as_secs_f64().max(0.001) - 1.0) * 100.0
        );
    }
}
