//! The webhook receiver against deliveries as PagerDuty sends them, and as it should not: twice,
//! tampered, oversized, during a secret rotation, to a slow handler, to a full queue, and
//! across a shutdown.

use pdrs::webhooks::receiver::{Deliveries, Receiver};
use pdrs::webhooks::sign;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Serves `route` at `/pagerduty` on a free port; returns its URL and the server's task.
async fn serve(route: axum::routing::MethodRouter) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/pagerduty", listener.local_addr().unwrap());
    let app = axum::Router::new().route("/pagerduty", route);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

fn delivery(id: &str) -> serde_json::Value {
    json!({"event": {"id": id, "event_type": "incident.triggered", "resource_type": "incident",
        "data": {"id": "PI1", "type": "incident", "title": "disk full"}}})
}

/// POSTs `body` with the signature of `signed` under `secret` (and the `X-Webhook-Id`); returns
/// the status.
async fn send_signed(
    url: &str,
    secret: &str,
    webhook_id: &str,
    signed: &serde_json::Value,
    body: &serde_json::Value,
) -> u16 {
    let (base, path) = url.rsplit_once('/').unwrap();
    let client = pdrs::RestClient::builder("unused").base_url(base).retry(pdrs::RetryPolicy::none()).build().unwrap();
    let signature = sign(secret, &serde_json::to_vec(signed).unwrap());
    let sent = client
        .request(pdrs::Method::POST, format!("/{path}").as_str())
        .header("X-PagerDuty-Signature", signature)
        .header("X-Webhook-Id", webhook_id)
        .json_body(body)
        .send()
        .await;
    match sent {
        Ok(answer) => answer.status().as_u16(),
        Err(error) => error.status().map(|s| s.as_u16()).unwrap_or_else(|| panic!("{error}")),
    }
}

async fn send(url: &str, secret: &str, webhook_id: &str, body: &serde_json::Value) -> u16 {
    send_signed(url, secret, webhook_id, body, body).await
}

fn counting() -> (Arc<AtomicUsize>, impl Fn(pdrs::webhooks::Event) -> std::future::Ready<Result<(), String>> + Clone) {
    let handled = Arc::new(AtomicUsize::new(0));
    let counter = handled.clone();
    (handled, move |_event| {
        counter.fetch_add(1, Ordering::SeqCst);
        std::future::ready(Ok(()))
    })
}

#[tokio::test]
async fn a_delivery_sent_twice_is_handled_once_and_a_tampered_or_oversized_one_refused() {
    let (handled, handler) = counting();
    let receiver = Receiver::new("secret-now").max_body(4096);
    let (url, _server) = serve(receiver.handler(handler)).await;
    let body = delivery("E1");
    assert_eq!(send(&url, "secret-now", "W1", &body).await, 204);
    assert_eq!(send(&url, "secret-now", "W1", &body).await, 200, "a retry of a handled delivery is acknowledged");
    assert_eq!(handled.load(Ordering::SeqCst), 1);
    assert_eq!(send(&url, "a-guess", "W2", &body).await, 401);
    let mut tampered = body.clone();
    tampered["event"]["data"]["title"] = json!("all is well");
    assert_eq!(send_signed(&url, "secret-now", "W4", &body, &tampered).await, 401);
    let huge = json!({"event": {"id": "E9", "event_type": "incident.triggered", "data": {"title": " ".repeat(5000)}}});
    assert_eq!(send(&url, "secret-now", "W3", &huge).await, 413);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn both_secrets_are_accepted_while_one_is_rotated() {
    let (handled, handler) = counting();
    let receiver = Receiver::new("new-secret").also_accept("old-secret");
    let (url, _server) = serve(receiver.handler(handler)).await;
    assert_eq!(send(&url, "old-secret", "W1", &delivery("E1")).await, 204);
    assert_eq!(send(&url, "new-secret", "W2", &delivery("E2")).await, 204);
    assert_eq!(send(&url, "neither", "W3", &delivery("E3")).await, 401);
    assert_eq!(handled.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_slow_handler_is_answered_within_the_deadline_and_drained_on_shutdown() {
    let done = Arc::new(AtomicUsize::new(0));
    let finished = done.clone();
    let receiver = Receiver::new("s").deadline(Duration::from_millis(100));
    let route = receiver.handler(move |_event| {
        let finished = finished.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(600)).await;
            finished.fetch_add(1, Ordering::SeqCst);
            Ok::<(), String>(())
        }
    });
    let (url, server) = serve(route).await;
    let started = std::time::Instant::now();
    assert_eq!(send(&url, "s", "W1", &delivery("E1")).await, 202);
    assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
    assert_eq!(done.load(Ordering::SeqCst), 0);
    server.abort();
    receiver.drain().await;
    assert_eq!(done.load(Ordering::SeqCst), 1, "the acknowledged event was handled before shutdown ended");
}

#[tokio::test]
async fn a_full_queue_answers_503_and_the_retry_is_handled_once() {
    let receiver = Receiver::new("s");
    let (route, mut deliveries): (_, Deliveries) = receiver.queue(1);
    let (url, server) = serve(route).await;
    assert_eq!(send(&url, "s", "W1", &delivery("E1")).await, 202);
    assert_eq!(send(&url, "s", "W2", &delivery("E2")).await, 503, "full: PagerDuty will retry");
    assert_eq!(deliveries.recv().await.unwrap().id, "E1");
    assert_eq!(send(&url, "s", "W2", &delivery("E2")).await, 202, "the retry is taken");
    assert_eq!(send(&url, "s", "W2", &delivery("E2")).await, 200, "and not taken twice");
    // Shutdown loses nothing acknowledged: the queue holds it until it is read.
    server.abort();
    let _ = server.await;
    assert_eq!(deliveries.recv().await.unwrap().id, "E2");
}
