//! Webhooks v3: signature verification and typed event payloads.
//!
//! PagerDuty signs each delivery with `X-PagerDuty-Signature: v1=<hex HMAC-SHA256(secret, body)>`,
//! several comma-separated signatures during a secret rotation. [`verify`] accepts the delivery
//! when any `v1` signature matches, comparing in constant time over the raw body.
//!
//! ```no_run
//! # fn handle(secret: &str, body: &[u8], header: Option<&str>) -> Result<(), pdrs::webhooks::WebhookError> {
//! pdrs::webhooks::verify(secret, body, header)?;
//! let event = pdrs::webhooks::parse(body)?;
//! if event.event.event_type == pdrs::webhooks::EventType::IncidentTriggered {
//!     println!("triggered: {:?}", event.event.data["title"]);
//! }
//! # Ok(()) }
//! ```

#[cfg(feature = "receiver")]
pub mod receiver;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The signature header's name.
pub const SIGNATURE_HEADER: &str = "X-PagerDuty-Signature";

/// Largest body [`verify`] accepts (deliveries are far smaller).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// No `X-PagerDuty-Signature` header.
    #[error("missing X-PagerDuty-Signature header")]
    MissingSignature,
    /// The header holds no well-formed `v1=<64 hex digits>` signature.
    #[error("malformed X-PagerDuty-Signature header")]
    Malformed,
    /// No signature matches the body and secret.
    #[error("no signature matches the body")]
    Mismatch,
    /// The body is larger than [`MAX_BODY_BYTES`].
    #[error("body of {0} bytes is over the size cap")]
    TooLarge(usize),
    /// The secret is empty.
    #[error("the webhook secret is empty")]
    EmptySecret,
    /// The body is not a webhook event.
    #[error("cannot decode the webhook payload: {}", crate::sanitize(.0, 300))]
    Payload(String),
}

/// Verifies a delivery: `header` is the `X-PagerDuty-Signature` value (or `None` when absent).
pub fn verify(secret: &str, body: &[u8], header: Option<&str>) -> Result<(), WebhookError> {
    if secret.is_empty() {
        return Err(WebhookError::EmptySecret);
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(WebhookError::TooLarge(body.len()));
    }
    let header = header.ok_or(WebhookError::MissingSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| WebhookError::EmptySecret)?;
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    let mut well_formed = false;
    let mut matched = subtle::Choice::from(0);
    for part in header.split(',') {
        let Some(hex_sig) = part.trim().strip_prefix("v1=") else { continue };
        let Ok(sig) = hex::decode(hex_sig) else { continue };
        if sig.len() != expected.len() {
            continue;
        }
        well_formed = true;
        matched |= sig.ct_eq(&expected);
    }
    if !well_formed {
        return Err(WebhookError::Malformed);
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(WebhookError::Mismatch)
    }
}

/// The signature header value PagerDuty would send for `body` (for tests and mock servers).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any size");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A webhook v3 delivery.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct WebhookPayload {
    /// The event.
    pub event: Event,
}

/// One webhook event.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Event {
    /// Event id.
    pub id: String,
    /// What happened.
    pub event_type: EventType,
    /// The kind of resource (`incident`, `service`).
    #[serde(default)]
    pub resource_type: Option<String>,
    /// When it happened.
    #[serde(default)]
    pub occurred_at: Option<String>,
    /// Who did it.
    #[serde(default)]
    pub agent: Option<Value>,
    /// The client that did it.
    #[serde(default)]
    pub client: Option<Value>,
    /// The resource (incident, service...) as sent.
    #[serde(default)]
    pub data: Value,
}

impl Event {
    /// The data as a REST incident, for `incident.*` events (feature `incidents`; present when
    /// the REST document describes `Incident`).
    #[cfg(all(feature = "incidents", pdrs_has_rest_incident))]
    pub fn incident(&self) -> Option<crate::rest::types::Incident> {
        (self.resource_type.as_deref() == Some("incident"))
            .then(|| serde_json::from_value(self.data.clone()).ok())
            .flatten()
    }

    /// The data as a REST service, for `service.*` events (feature `services`; present when
    /// the REST document describes `Service`).
    #[cfg(all(feature = "services", pdrs_has_rest_service))]
    pub fn service(&self) -> Option<crate::rest::types::Service> {
        (self.resource_type.as_deref() == Some("service"))
            .then(|| serde_json::from_value(self.data.clone()).ok())
            .flatten()
    }
}

macro_rules! event_types {
    ($($variant:ident => $wire:literal,)*) => {
        /// Webhook v3 event types; values this version does not know are kept in `Unknown`.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventType {
            $(
                #[doc = concat!("`", $wire, "`")]
                $variant,
            )*
            /// An event type this version of pdrs does not know.
            Unknown(String),
        }

        impl EventType {
            /// The wire name.
            pub fn as_str(&self) -> &str {
                match self { $(EventType::$variant => $wire,)* EventType::Unknown(s) => s }
            }

            fn parse(s: &str) -> Self {
                match s { $($wire => EventType::$variant,)* other => EventType::Unknown(other.to_string()) }
            }
        }

        /// Any wire name: one this version does not know is `Unknown`.
        impl std::str::FromStr for EventType {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(s))
            }
        }

        /// The wire name (`incident.triggered`).
        impl std::fmt::Display for EventType {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

event_types! {
    IncidentAcknowledged => "incident.acknowledged",
    IncidentAnnotated => "incident.annotated",
    IncidentConferenceBridgeUpdated => "incident.conference_bridge.updated",
    IncidentCustomFieldValuesUpdated => "incident.custom_field_values.updated",
    IncidentDelegated => "incident.delegated",
    IncidentEscalated => "incident.escalated",
    IncidentPriorityUpdated => "incident.priority_updated",
    IncidentReassigned => "incident.reassigned",
    IncidentReopened => "incident.reopened",
    IncidentResolved => "incident.resolved",
    IncidentResponderAdded => "incident.responder.added",
    IncidentResponderReplied => "incident.responder.replied",
    IncidentStatusUpdatePublished => "incident.status_update_published",
    IncidentTriggered => "incident.triggered",
    IncidentUnacknowledged => "incident.unacknowledged",
    IncidentWorkflowStarted => "incident.workflow.started",
    IncidentWorkflowCompleted => "incident.workflow.completed",
    ServiceCreated => "service.created",
    ServiceDeleted => "service.deleted",
    ServiceUpdated => "service.updated",
    Pagey => "pagey.ping",
}

impl Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        Ok(EventType::parse(&s))
    }
}

/// Decodes a delivery's body (verify it first).
pub fn parse(body: &[u8]) -> Result<WebhookPayload, WebhookError> {
    serde_json::from_slice(body).map_err(|e| WebhookError::Payload(e.to_string()))
}
