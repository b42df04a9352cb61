//! Mock server throughput: list pages (`GET /users?limit=100&offset=N`) over 10,000 seeded users,
//! from 8 concurrent keep-alive clients for 5 seconds.
//!
//! Run: `cargo bench --bench mock`.

use pdrs::mock::{Faults, MockConfig, MockServer, Seed};
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // Throughput, not PagerDuty's rate limit: no limits.
    let config = MockConfig::default().seed(Seed::empty().users(10_000)).faults(Faults::none().unlimited());
    let mock = MockServer::start_with(config).await.unwrap();
    let url = mock.url().to_string();
    // pdrs's own HTTP client (rustls with the ring provider), without its pipeline.
    let http = pdrs::RestClient::builder("bench").base_url(&url).build().unwrap().http().clone();
    let deadline = Instant::now() + Duration::from_secs(5);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..8u64 {
        let url = url.clone();
        let http = http.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = 0u64;
            let mut offset = worker * 100;
            while Instant::now() < deadline {
                let response = http
                    .get(format!("{url}/users?limit=100&offset={offset}"))
                    .header("authorization", "Token token=bench")
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success());
                response.bytes().await.unwrap();
                done += 1;
                offset = (offset + 800) % 9_900;
            }
            done
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "mock list pages (100 users each): {total} requests in {secs:.1} s = {:.0} requests/s",
        total as f64 / secs
    );
}
