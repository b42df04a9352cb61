//! Webhooks end to end with no account: a subscription on the mock, pointing at pdrs's receiver,
//! gets an Events API trigger and a REST acknowledgement as two typed events, each once, though
//! the mock sends every delivery twice.

use pdrs::mock::{Faults, MockConfig, MockServer};
use pdrs::webhooks::receiver::Receiver;
use pdrs::webhooks::EventType;
use pdrs::{EventsClient, RestClient};
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn a_trigger_and_an_acknowledgement_arrive_as_typed_events_each_once() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/pagerduty", listener.local_addr().unwrap());
    let mock =
        MockServer::start_with(MockConfig::default().faults(Faults::none().webhook_duplicates(1.0))).await.unwrap();
    let pd = RestClient::builder("any").base_url(mock.url()).default_from("user1@example.com").build().unwrap();
    let subscription: Value = pd
        .rpost(
            "/webhook_subscriptions",
            &json!({"type": "webhook_subscription", "delivery_method": {"type": "http_delivery_method", "url": url},
                    "events": ["incident.triggered", "incident.acknowledged"], "filter": {"type": "account_reference"}}),
        )
        .await
        .unwrap();
    let secret = subscription["delivery_method"]["secret"].as_str().unwrap().to_string();
    let stored: Value =
        pd.rget(format!("/webhook_subscriptions/{}", subscription["id"].as_str().unwrap())).await.unwrap();
    assert!(stored["delivery_method"].get("secret").is_none(), "the secret is shown on creation only");

    let (route, mut events) = Receiver::new(secret).queue(16);
    let server =
        tokio::spawn(async move { axum::serve(listener, axum::Router::new().route("/pagerduty", route)).await });

    let alerts = EventsClient::builder("0123456789abcdef0123456789abcdef").base_url(mock.url()).build().unwrap();
    let key = alerts.trigger("Disk full on db-1", "db-1").send().await.unwrap();
    let open: Vec<Value> =
        pd.list_all("/incidents", pdrs::ListOptions::new().param("incident_key", &key)).await.unwrap();
    let incident = open[0]["id"].as_str().unwrap().to_string();
    let _: Value = pd
        .rput(format!("/incidents/{incident}"), &json!({"type": "incident_reference", "status": "acknowledged"}))
        .await
        .unwrap();

    let first = tokio::time::timeout(Duration::from_secs(5), events.recv()).await.ok().flatten();
    let first = first.expect("the trigger's delivery");
    let second = tokio::time::timeout(Duration::from_secs(5), events.recv()).await.ok().flatten();
    let second = second.expect("the acknowledgement's delivery");
    assert_eq!(first.event_type, EventType::IncidentTriggered);
    assert_eq!(second.event_type, EventType::IncidentAcknowledged);
    assert_eq!(first.incident().and_then(|i| i.id).as_deref(), Some(incident.as_str()));
    assert_eq!(second.agent.as_ref().unwrap()["id"], "PU00001", "who acknowledged");
    // Every delivery came twice; the receiver took each once.
    let again = tokio::time::timeout(Duration::from_millis(500), events.recv()).await;
    assert!(again.is_err(), "a duplicate was handed on: {again:?}");
    server.abort();
}
