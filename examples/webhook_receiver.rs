//! A webhook receiver on axum with pdrs's receiver: signatures checked (two secrets while one is
//! rotated), the body bounded, PagerDuty's repeated deliveries dropped, an answer within the 5
//! seconds PagerDuty waits, each event typed.
//!
//! With `PAGERDUTY_WEBHOOK_SECRET` set, it listens on `PORT` (8787) for PagerDuty's deliveries:
//!     PAGERDUTY_WEBHOOK_SECRET=... PORT=8787 cargo run --example webhook_receiver --features mock
//! Without it, the embedded mock PagerDuty delivers to it: a subscription is created on the mock,
//! an alert triggered through the Events API and the incident acknowledged through REST.
//!     cargo run --example webhook_receiver --features mock

use pdrs::webhooks::receiver::Receiver;
use serde_json::{json, Value};

/// What the application does with each event: print it.
async fn on_event(event: pdrs::webhooks::Event) -> Result<(), std::convert::Infallible> {
    let title = event.incident().and_then(|incident| incident.title).unwrap_or_default();
    println!("received {} {} {title}", event.event_type, event.resource_type.as_deref().unwrap_or("-"));
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Ok(secret) = std::env::var("PAGERDUTY_WEBHOOK_SECRET") {
        let port = std::env::var("PORT").unwrap_or_else(|_| "8787".into());
        let listener = tokio::net::TcpListener::bind(format!("0.0.0.0:{port}")).await?;
        println!("receiving PagerDuty's webhooks at http://{}/pagerduty", listener.local_addr()?);
        let receiver = Receiver::new(secret);
        let app = axum::Router::new().route("/pagerduty", receiver.handler(on_event));
        axum::serve(listener, app).await?;
        return Ok(());
    }

    // No account: the embedded mock delivers to a receiver on a free port.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/pagerduty", listener.local_addr()?);
    let mock = pdrs::mock::MockServer::start().await?;
    let pd = pdrs::RestClient::builder("any-token").base_url(mock.url()).default_from("user1@example.com").build()?;
    let subscription: Value = pd
        .rpost(
            "/webhook_subscriptions",
            &json!({"type": "webhook_subscription", "delivery_method": {"type": "http_delivery_method", "url": url},
                    "events": ["incident.triggered", "incident.acknowledged"], "filter": {"type": "account_reference"}}),
        )
        .await?;
    let secret = subscription["delivery_method"]["secret"].as_str().ok_or("no secret in the answer")?.to_string();
    println!("subscription {} delivers to {url}", subscription["id"].as_str().unwrap_or("-"));

    let (route, mut deliveries) = Receiver::new(secret).queue(16);
    tokio::spawn(async move { axum::serve(listener, axum::Router::new().route("/pagerduty", route)).await });

    let events = pdrs::EventsClient::builder("0123456789abcdef0123456789abcdef").base_url(mock.url()).build()?;
    let key = events.trigger("Disk full on db-1", "db-1.example.com").send().await?;
    let open: Vec<Value> = pd.list_all("/incidents", pdrs::ListOptions::new().param("incident_key", &key)).await?;
    let incident = open.first().and_then(|i| i["id"].as_str()).ok_or("the trigger opened no incident")?.to_string();
    let _: Value = pd
        .rput(format!("/incidents/{incident}"), &json!({"type": "incident_reference", "status": "acknowledged"}))
        .await?;

    for _ in 0..2 {
        let event = tokio::time::timeout(std::time::Duration::from_secs(5), deliveries.recv())
            .await?
            .ok_or("the receiver stopped")?;
        on_event(event).await?;
    }
    Ok(())
}
