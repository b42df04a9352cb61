//! Sync users from a CSV file (name, email, role) with `persist`: each user is found by email and
//! created or updated only where it differs, so a second run changes nothing. The run counts the
//! writes it made from the client's own call counts.
//!
//!     cargo run --example sync_users --features mock                       # examples/users.csv, twice, on the mock
//!     PAGERDUTY_API_KEY=... PAGERDUTY_FROM=you@example.com cargo run --example sync_users --features mock -- team.csv

mod support;

use serde_json::json;

/// Creates or updates each user of the CSV file at `path`; returns how many rows it read.
async fn sync(pd: &pdrs::RestClient, path: &str) -> Result<usize, Box<dyn std::error::Error>> {
    let mut rows = 0;
    for row in csv::Reader::from_path(path)?.records() {
        let row = row?;
        let (name, email, role) = (&row[0], &row[1], &row[2]);
        let user = json!({"type": "user", "name": name, "email": email, "role": role});
        pd.persist("/users", "email", &user, true).await?;
        rows += 1;
    }
    Ok(rows)
}

/// Writes (POST and PUT) the client has sent so far.
fn writes(pd: &pdrs::RestClient) -> u64 {
    pd.api_call_counts()
        .iter()
        .filter(|(call, _)| call.starts_with("POST") || call.starts_with("PUT"))
        .map(|(_, n)| n)
        .sum()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (pd, _mock) = support::connect().await?;
    let path = support::argument().unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/users.csv").to_string());
    for run in 1..=2 {
        let before = writes(&pd);
        let rows = sync(&pd, &path).await?;
        println!("run {run}: {rows} users in {path}, {} created or updated", writes(&pd) - before);
    }
    Ok(())
}
