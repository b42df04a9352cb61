//! `pdrs webhooks verify` and `pdrs webhooks listen`: PagerDuty's v3 webhook signatures checked
//! on the command line and by a local receiver.

use pdrs::webhooks::{self, WebhookError};
use serde_json::{json, Value};
use std::io::Write;

/// One line describing a verified delivery: event type, resource, summary.
pub fn describe(body: &[u8]) -> Value {
    match webhooks::parse(body) {
        Ok(payload) => describe_event(&payload.event),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

/// What is printed of an event: type, resource, id, summary, when, the event's id.
fn describe_event(event: &webhooks::Event) -> Value {
    json!({
        "event_type": event.event_type.as_str(),
        "resource_type": event.resource_type,
        "id": event.data.get("id"),
        "summary": event.data.get("summary").or_else(|| event.data.get("title")),
        "occurred_at": event.occurred_at,
        "event": event.id,
    })
}

/// Checks a body read from standard input against `signature`.
pub fn verify(secret: &str, signature: &str, body: &[u8]) -> Result<Value, WebhookError> {
    webhooks::verify(secret, body, Some(signature))?;
    Ok(describe(body))
}

/// What the receiver prints for each delivery.
#[derive(Clone, Copy)]
pub enum Style {
    /// `event_type resource id summary` on one line.
    Line,
    /// One JSON object per line.
    Json,
}

/// Formats one delivery for stdout.
pub fn line(style: Style, described: &Value) -> String {
    match style {
        Style::Json => described.to_string(),
        Style::Line => {
            let field = |k: &str| described.get(k).and_then(Value::as_str).unwrap_or("-").to_string();
            format!("{}\t{}\t{}\t{}", field("event_type"), field("resource_type"), field("id"), field("summary"))
        }
    }
}

/// Receives deliveries on `addr` until interrupted, on pdrs's webhook receiver: each verified
/// one is printed once (PagerDuty's repeats dropped), each refused one answered 401 and reported
/// on stderr. Prints `listening on http://ADDR` to stderr first.
pub async fn listen(addr: std::net::SocketAddr, secret: String, style: Style) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    let receiver = webhooks::receiver::Receiver::new(secret)
        .max_body(webhooks::MAX_BODY_BYTES)
        .on_refused(|reason| eprintln!("pdrs: refused a delivery: {reason}"));
    let route = receiver.handler(move |event| {
        let text = line(style, &describe_event(&event));
        let mut out = std::io::stdout().lock();
        // A closed stdout must not take the receiver down mid-delivery; it is reported.
        if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
            eprintln!("pdrs: cannot write a delivery to the output: {e}");
        }
        std::future::ready(Ok::<(), std::convert::Infallible>(()))
    });
    let app = axum::Router::new().fallback_service(route);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _interrupted = tokio::signal::ctrl_c().await;
        })
        .await?;
    receiver.drain().await;
    Ok(())
}
