//! A tour of pdrs against a local stand-in for PagerDuty (no account needed).
//!
//! Run with `cargo run --example quickstart`. With `PAGERDUTY_API_KEY` set, the same typed calls
//! go to the real API instead (read-only).

use httpmock::prelude::*;
use pdrs::prelude::*;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server;
    let pd = match std::env::var("PAGERDUTY_API_KEY") {
        Ok(key) => {
            println!("PAGERDUTY_API_KEY is set: reading from the real API");
            pdrs::RestClient::new(key)?
        }
        Err(_) => {
            server = MockServer::start_async().await;
            server
                .mock_async(|when, then| {
                    when.method(GET).path("/users").header("accept", pdrs::pipeline::REST_ACCEPT);
                    then.status(200).json_body(json!({
                        "users": [
                            {"id": "PAAAAAA", "type": "user", "name": "Ada Lovelace", "email": "ada@example.com", "role": "admin"},
                            {"id": "PBBBBBB", "type": "user", "name": "Grace Hopper", "email": "grace@example.com", "role": "some_future_role"}
                        ],
                        "limit": 25, "offset": 0, "more": false, "total": 2
                    }));
                })
                .await;
            println!("Started a local mock PagerDuty at {}", server.base_url());
            pdrs::RestClient::builder("example-token").base_url(server.base_url()).build()?
        }
    };

    let page = pd.api().list_users().limit(25).total(true).send().await?.into_inner();
    println!("list_users: {} users (total {:?}, more {:?})", page.users.len(), page.total, page.more);
    for user in &page.users {
        let name = user.name.as_deref().unwrap_or("?");
        let role = user.role.as_ref().map(|r| r.as_str()).unwrap_or("?");
        println!("  {} {name:<16} role={role}", user.id.as_deref().unwrap_or("?"));
    }

    let op = pdrs::spec::find("GET", "/users").expect("in the spec");
    println!("spec table: GET /users pages by {:?}, items in {:?}", op.paging, op.items);
    println!("spec table: {} operations across all documents", pdrs::spec::operations().len());
    Ok(())
}
