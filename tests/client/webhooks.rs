//! Webhook v3 signature verification and payloads.

use hmac::{Hmac, Mac};
use pdrs::webhooks::{self, EventType, WebhookError};
use sha2::Sha256;

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

const BODY: &[u8] = br#"{"event":{"id":"01ABC","event_type":"incident.triggered","resource_type":"incident","occurred_at":"2026-11-28T12:00:00Z","data":{"id":"PINC","type":"incident","title":"Disk full"}}}"#;

#[test]
fn a_matching_signature_verifies() {
    let header = format!("v1={}", hmac_hex("s3cret", BODY));
    assert_eq!(webhooks::verify("s3cret", BODY, Some(&header)), Ok(()));
    assert_eq!(webhooks::sign("s3cret", BODY), header);
}

#[test]
fn any_of_several_signatures_may_match() {
    let header = format!("v1={},v1={}", hmac_hex("old-secret", BODY), hmac_hex("s3cret", BODY));
    assert_eq!(webhooks::verify("s3cret", BODY, Some(&header)), Ok(()));
}

#[test]
fn tampered_missing_and_malformed_are_refused() {
    let header = format!("v1={}", hmac_hex("s3cret", BODY));
    let mut tampered = BODY.to_vec();
    tampered[20] ^= 1;
    assert_eq!(webhooks::verify("s3cret", &tampered, Some(&header)), Err(WebhookError::Mismatch));
    assert_eq!(webhooks::verify("s3cret", BODY, None), Err(WebhookError::MissingSignature));
    assert_eq!(webhooks::verify("s3cret", BODY, Some("v1=nothex")), Err(WebhookError::Malformed));
    assert_eq!(webhooks::verify("s3cret", BODY, Some("sha256=abcd")), Err(WebhookError::Malformed));
}

#[test]
fn payloads_decode_with_open_event_types() {
    let event = webhooks::parse(BODY).unwrap().event;
    assert_eq!(event.event_type, EventType::IncidentTriggered);
    assert_eq!(event.incident().unwrap().title.as_deref(), Some("Disk full"));
    let future = br#"{"event":{"id":"1","event_type":"incident.teleported","data":{}}}"#;
    assert_eq!(webhooks::parse(future).unwrap().event.event_type, EventType::Unknown("incident.teleported".into()));
}
