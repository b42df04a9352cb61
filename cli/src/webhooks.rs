//! `pdrs webhooks verify` and `pdrs webhooks listen`: PagerDuty's v3 webhook signatures checked
//! on the command line and by a local receiver.

use pdrs::webhooks::{self, WebhookError};
use serde_json::{json, Value};
use std::io::Write;
use std::sync::Arc;

/// One line describing a verified delivery: event type, resource, summary.
pub fn describe(body: &[u8]) -> Value {
    match webhooks::parse(body) {
        Ok(payload) => {
            let event = payload.event;
            json!({
                "event_type": event.event_type.as_str(),
                "resource_type": event.resource_type,
                "id": event.data.get("id"),
                "summary": event.data.get("summary").or_else(|| event.data.get("title")),
                "occurred_at": event.occurred_at,
                "event": event.id,
            })
        }
        Err(e) => json!({ "error": e.to_string() }),
    }
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

struct Receiver {
    secret: String,
    style: Style,
}

/// Receives deliveries on `addr` until interrupted: each verified one is printed, each refused
/// one answered 401 and reported on stderr. Prints `listening on http://ADDR` to stderr first.
pub async fn listen(addr: std::net::SocketAddr, secret: String, style: Style) -> std::io::Result<()> {
    use axum::{body::Bytes, extract::State, http::HeaderMap, http::StatusCode};
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    let receiver = Arc::new(Receiver { secret, style });
    async fn deliver(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> (StatusCode, &'static str) {
        let signature = headers.get("x-pagerduty-signature").and_then(|v| v.to_str().ok());
        match webhooks::verify(&r.secret, &body, signature) {
            Ok(()) => {
                let text = line(r.style, &describe(&body));
                let mut out = std::io::stdout().lock();
                // A closed stdout must not take the receiver down mid-delivery; it is reported.
                if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
                    eprintln!("pdrs: cannot write a delivery to the output: {e}");
                }
                (StatusCode::OK, "ok\n")
            }
            Err(e) => {
                eprintln!("pdrs: refused a delivery: {e}");
                (StatusCode::UNAUTHORIZED, "invalid signature\n")
            }
        }
    }
    let app = axum::Router::new()
        .fallback(axum::routing::post(deliver))
        .layer(axum::extract::DefaultBodyLimit::max(webhooks::MAX_BODY_BYTES))
        .with_state(receiver);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _interrupted = tokio::signal::ctrl_c().await;
        })
        .await
}
