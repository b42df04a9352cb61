//! Webhook deliveries, as PagerDuty sends them: a v3 subscription created on the mock
//! (`POST /webhook_subscriptions`, its secret in the create answer only) receives a signed
//! delivery when an incident it covers changes (triggered, acknowledged, resolved, reopened,
//! annotated, reassigned), retried on a failure with the same `X-Webhook-Id`, and sent twice
//! when [`Faults::webhook_duplicates`](super::Faults::webhook_duplicates) says so.

use super::store::{Outgoing, Store};
use serde_json::{json, Value};
use std::time::Duration;

/// How many times a delivery is tried before it is given up.
const ATTEMPTS: u32 = 5;

/// A new subscription's secret.
pub(crate) fn new_secret() -> String {
    let mut rng = fastrand::Rng::new();
    (0..32).map(|_| format!("{:x}", rng.u8(0..16))).collect()
}

/// Queues a delivery of `event_type` about `incident` for every active subscription that
/// wants it (its `events`) and covers it (its `filter`: the account, or the incident's service).
pub(crate) fn emit(store: &mut Store, event_type: &str, incident: &Value) {
    let subscriptions: Vec<Value> = store.list("/webhook_subscriptions").to_vec();
    for subscription in subscriptions {
        let wants = subscription["events"].as_array().is_some_and(|e| e.iter().any(|t| t == event_type));
        let active = subscription.get("active").and_then(Value::as_bool) != Some(false);
        let covers = match subscription["filter"]["type"].as_str() {
            Some("service_reference") => subscription["filter"]["id"] == incident["service"]["id"],
            _ => true,
        };
        let (Some(id), Some(url)) = (subscription["id"].as_str(), subscription["delivery_method"]["url"].as_str())
        else {
            continue;
        };
        let Some(secret) = store.webhook_secrets.get(id).cloned() else { continue };
        if !(wants && active && covers) {
            continue;
        }
        let event_id = store.new_id();
        let body = json!({"event": {
            "id": event_id, "event_type": event_type, "resource_type": "incident",
            "occurred_at": store.clock.stamp(), "agent": store.actor, "client": null, "data": incident,
        }});
        let body = serde_json::to_vec(&body).unwrap_or_default();
        store.outbox.push(Outgoing {
            url: url.to_string(),
            webhook_id: format!("wh-{event_id}"),
            subscription: id.to_string(),
            signature: crate::webhooks::sign(&secret, &body),
            body,
        });
    }
}

/// Sends the deliveries that come on `queue`, one after another, each tried until a 2xx (at
/// most [`ATTEMPTS`] times); `duplicates` is the share sent a second time after a success.
pub(crate) async fn send(mut queue: tokio::sync::mpsc::UnboundedReceiver<Outgoing>, duplicates: f64, seed: u64) {
    let Ok(http) = crate::http::client(Duration::from_secs(5)) else { return };
    let mut dice = fastrand::Rng::with_seed(seed);
    while let Some(delivery) = queue.recv().await {
        let times = if dice.f64() < duplicates { 2 } else { 1 };
        for _ in 0..times {
            for attempt in 0..ATTEMPTS {
                let sent = http
                    .post(&delivery.url)
                    .header(crate::webhooks::SIGNATURE_HEADER, &delivery.signature)
                    .header("X-Webhook-Id", &delivery.webhook_id)
                    .header("X-Webhook-Subscription", &delivery.subscription)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "PagerDuty-Webhook/V3.0 (pdrs-mock)")
                    .body(delivery.body.clone())
                    .send()
                    .await;
                if sent.is_ok_and(|answer| answer.status().is_success()) || attempt + 1 == ATTEMPTS {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
            }
        }
    }
}
