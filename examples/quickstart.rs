//! A tour of pdrs. With no account needed: it starts the embedded mock PagerDuty (`pdrs::mock`)
//! and runs typed calls, the generic verbs, paging over thousands of records, `persist` and an
//! Events API trigger/resolve against it. With `PAGERDUTY_API_KEY` set, it runs the read-only part
//! against the real API instead.
//!
//! Run: `cargo run --example quickstart --features mock`

use futures::TryStreamExt;
use pdrs::mock::{MockConfig, MockServer, Seed};
use pdrs::prelude::*;
use pdrs::{EventsClient, ListOptions, RestClient};
use serde_json::{json, Value};
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Ok(key) = std::env::var("PAGERDUTY_API_KEY") {
        println!("PAGERDUTY_API_KEY is set: read-only tour of the real API");
        return read_only(&RestClient::new(key)?).await;
    }
    let mock =
        MockServer::start_with(MockConfig::default().seed(Seed::default().users(5_000).incidents(1_500))).await?;
    println!("Started the embedded mock PagerDuty at {} (5,000 users, 1,500 incidents)\n", mock.url());
    let pd = RestClient::builder("any-token").base_url(mock.url()).default_from("me@example.com").build()?;
    read_only(&pd).await?;

    println!("\n== Writes");
    let team =
        pd.persist("/teams", "name", &json!({"name": "Platform", "description": "builds the platform"}), true).await?;
    println!("persist /teams name=Platform -> created {}", team["id"]);
    let same =
        pd.persist("/teams", "name", &json!({"name": "Platform", "description": "builds the platform"}), true).await?;
    println!("persist again, nothing changed -> left alone ({})", same["id"]);
    let changed =
        pd.persist("/teams", "name", &json!({"name": "Platform", "description": "runs the platform"}), true).await?;
    println!("persist with a new description -> updated: {}", changed["description"]);

    println!("\n== Events API");
    let events = EventsClient::builder("0123456789abcdef0123456789abcdef").base_url(mock.url()).build()?;
    let key = events.trigger("Disk 95% full on db-1", "db-1.example.com").custom_detail("free_gb", 3).send().await?;
    let open: Vec<Value> = pd.list_all("/incidents", ListOptions::new().param_list("statuses", ["triggered"])).await?;
    let incident = open.iter().find(|i| i["incident_key"] == key.as_str()).ok_or("the trigger made no incident")?;
    println!("trigger -> dedup key {key}; incident {} is {}", incident["id"], incident["status"]);
    events.resolve(&key).await?;
    let after: Value = pd.rget(incident["self"].as_str().unwrap_or_default()).await?;
    println!("resolve -> incident {} is {}", after["id"], after["status"]);

    println!("\n== Metrics (calls per canonical path)");
    for (key, calls) in pd.api_call_counts() {
        println!("  {calls:>4}  {key}");
    }
    Ok(())
}

async fn read_only(pd: &RestClient) -> Result<(), Box<dyn std::error::Error>> {
    println!("== Typed calls (generated from PagerDuty's OpenAPI documents)");
    let page = pd.api().list_users().limit(3).total(true).send().await?.into_inner();
    println!("list_users: {} of {:?} users on the first page", page.users.len(), page.total);
    for user in &page.users {
        let role = user.role.as_ref().map(|r| r.as_str()).unwrap_or("?");
        println!("  {} {:<12} role={role}", user.id.as_deref().unwrap_or("?"), user.name.as_deref().unwrap_or("?"));
    }

    println!("\n== Generic verbs");
    if let Some(first) = page.users.first().and_then(|u| u.id.clone()) {
        let user: Value = pd.rget(format!("/users/{first}")).await?;
        println!("rget /users/{first} -> {} <{}>", user["name"], user["email"]);
    }
    let started = Instant::now();
    let users: Vec<Value> = pd.iter_all("/users", ListOptions::new().concurrency(4)).try_collect().await?;
    println!(
        "iter_all /users -> {} users in {:.2} s (4 pages at a time, in order)",
        users.len(),
        started.elapsed().as_secs_f64()
    );
    let total = pd.get_total("/incidents", ListOptions::new()).await?;
    println!("get_total /incidents -> {total}");
    let op = pdrs::spec::find("GET", "/audit/records").ok_or("not in the spec")?;
    println!("spec: GET /audit/records pages by {:?}, items in {:?}", op.paging, op.items);
    Ok(())
}
