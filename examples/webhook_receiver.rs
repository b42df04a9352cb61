//! A webhook receiver on axum: every delivery's `X-PagerDuty-Signature` verified over the raw
//! body before anything is read, the event decoded into pdrs's typed webhook events.
//!
//! With `PAGERDUTY_WEBHOOK_SECRET` set, it listens on `PORT` (8787) for PagerDuty's deliveries:
//!     PAGERDUTY_WEBHOOK_SECRET=... PORT=8787 cargo run --example webhook_receiver --features mock
//! Without it, it starts on a free port and sends itself one signed and one forged delivery:
//!     cargo run --example webhook_receiver --features mock

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use pdrs::webhooks;
use std::sync::Arc;

/// Answers one delivery: 401 when no signature matches, 400 when the body is no event, else
/// prints the event and answers 204 (PagerDuty wants an answer within 5 seconds).
async fn receive(secret: Arc<String>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers.get("x-pagerduty-signature").and_then(|v| v.to_str().ok());
    if let Err(refused) = webhooks::verify(&secret, &body, signature) {
        eprintln!("refused a delivery: {refused}");
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(delivery) = webhooks::parse(&body) else { return StatusCode::BAD_REQUEST };
    let event = delivery.event;
    let title = event.incident().and_then(|incident| incident.title).unwrap_or_default();
    println!("{} {} {} {title}", event.event_type, event.resource_type.as_deref().unwrap_or("-"), event.id);
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let from_pagerduty = std::env::var("PAGERDUTY_WEBHOOK_SECRET").ok();
    let secret = Arc::new(from_pagerduty.clone().unwrap_or_else(|| "example-secret".to_string()));
    let port =
        if from_pagerduty.is_some() { std::env::var("PORT").unwrap_or_else(|_| "8787".into()) } else { "0".into() };
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app =
        axum::Router::new().route("/pagerduty", post(move |h: HeaderMap, b: Bytes| receive(secret.clone(), h, b)));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    println!("receiving webhooks at {url}/pagerduty");
    if from_pagerduty.is_some() {
        return Ok(server.await??);
    }

    // No account: deliver to ourselves, once signed with the secret and once forged.
    let body = serde_json::json!({"event": {
        "id": "01DEMO", "event_type": "incident.triggered", "resource_type": "incident",
        "occurred_at": "2026-01-01T00:00:00Z",
        "data": {"id": "PI1", "type": "incident", "title": "Disk full on db-1", "status": "triggered"}
    }});
    let bytes = serde_json::to_vec(&body)?;
    let sender = pdrs::RestClient::builder("unused").base_url(&url).build()?;
    for signature in [webhooks::sign("example-secret", &bytes), webhooks::sign("a-guess", &bytes)] {
        let sent = sender
            .request(pdrs::Method::POST, "/pagerduty")
            .header("X-PagerDuty-Signature", &signature)
            .json_body(&body)
            .send()
            .await;
        println!(
            "delivery signed {}…: {}",
            &signature[..10],
            match sent {
                Ok(answer) => answer.status().to_string(),
                Err(error) => error.status().map_or(error.to_string(), |s| s.to_string()),
            }
        );
    }
    Ok(())
}
