//! [`EventsClient`]: the Events API v2 (alerts and change events) on the shared request
//! pipeline. Events are built from pdrs's own types of the wire format PagerDuty documents
//! ([`Event`], [`Payload`], [`ChangeEventBody`]), so the client works whatever revision of
//! `events-v2.json` the crate was generated from; the generated client is at
//! `EventsClient::api()` when the document is there.

use crate::auth::{Credential, Secret};
use crate::builder::{sealed, BuildClient, ClientBuilder};
use crate::spec::Api;
use crate::{ApiClient, Error, Result, RetryPolicy};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// Longest `summary` the Events API accepts.
pub const MAX_SUMMARY_CHARS: usize = 1024;
/// Largest event payload the Events API accepts.
pub const MAX_PAYLOAD_BYTES: usize = 512 * 1024;

/// How severe an alert is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// `critical` (the default).
    #[default]
    Critical,
    /// `error`.
    Error,
    /// `warning`.
    Warning,
    /// `info`.
    Info,
}

impl Severity {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "critical" => Ok(Severity::Critical),
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            _ => Err(Error::invalid(format!(
                "severity {:?}: expected critical, error, warning or info",
                crate::error::sanitize(text, 40)
            ))),
        }
    }
}

/// What an event does to its alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventAction {
    /// Open (or update) an alert.
    Trigger,
    /// Acknowledge the alert with the dedup key.
    Acknowledge,
    /// Resolve the alert with the dedup key.
    Resolve,
}

impl fmt::Display for EventAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EventAction::Trigger => "trigger",
            EventAction::Acknowledge => "acknowledge",
            EventAction::Resolve => "resolve",
        })
    }
}

/// An image shown with an alert.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Image {
    /// The image URL (HTTPS).
    pub src: String,
    /// Where a click on the image goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Alternative text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
}

/// A link shown with an alert or change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The URL.
    pub href: String,
    /// Its text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// The payload of a trigger event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    /// A brief text summary (at most 1,024 characters).
    pub summary: String,
    /// The affected system (a host name, say).
    pub source: String,
    /// How severe.
    pub severity: Severity,
    /// When it happened (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The affected component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// The logical group of components.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The class (type) of event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Free-form details.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub custom_details: Map<String, Value>,
}

/// An alert event as sent to `POST /v2/enqueue` (the routing key is filled in by the client).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// What the event does.
    pub event_action: EventAction,
    /// The alert's dedup key (required to acknowledge or resolve).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dedup_key: Option<String>,
    /// The payload (triggers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Payload>,
    /// Images (triggers only).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub images: Vec<Image>,
    /// Links (triggers only).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub links: Vec<Link>,
    /// The monitoring client's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The monitoring client's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_url: Option<String>,
}

/// The payload of a change event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangePayload {
    /// A brief text summary (at most 1,024 characters).
    pub summary: String,
    /// Where the change happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When the change happened (RFC 3339; default now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Free-form details.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub custom_details: Map<String, Value>,
}

/// A change event as sent to `POST /v2/change/enqueue` (routing key filled in by the client).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeEventBody {
    /// The payload.
    pub payload: ChangePayload,
    /// Links.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub links: Vec<Link>,
}

/// An event with its routing key, as it goes on the wire.
#[derive(Serialize)]
struct Routed<'a, T: Serialize> {
    routing_key: &'a str,
    #[serde(flatten)]
    event: &'a T,
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A client for one integration's routing key.
#[derive(Clone)]
pub struct EventsClient {
    routing_key: Secret,
    raw: ApiClient,
    #[cfg(pdrs_events_v2)]
    api: crate::events_v2::Client,
    #[cfg(pdrs_events_v1)]
    api_v1: crate::events_v1::Client,
}

impl fmt::Debug for EventsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventsClient")
            .field("routing_key", &self.routing_key)
            .field("base_url", &self.raw.pipeline().base_url().as_str())
            .finish_non_exhaustive()
    }
}

impl sealed::Sealed for EventsClient {}

/// Builds an [`EventsClient`]: the [`ClientBuilder`] of every client, holding the routing key.
pub type EventsClientBuilder = ClientBuilder<EventsClient>;

impl BuildClient for EventsClient {
    const API: Api = Api::EventsV2;

    fn from_core(raw: ApiClient, routing_key: Option<Secret>) -> Result<Self> {
        let routing_key = routing_key.unwrap_or_else(|| Secret::new(""));
        if routing_key.expose().trim().is_empty() {
            return Err(Error::config("the routing key is empty"));
        }
        Ok(EventsClient {
            routing_key,
            #[cfg(pdrs_events_v2)]
            api: raw.typed(crate::events_v2::Client::new_with_client),
            #[cfg(pdrs_events_v1)]
            api_v1: raw.typed(crate::events_v1::Client::new_with_client),
            raw,
        })
    }
}

impl EventsClient {
    /// A client for `routing_key` (an integration key) in the US region.
    pub fn new(routing_key: impl Into<Secret>) -> Result<Self> {
        Self::builder(routing_key).build()
    }

    /// A builder for `routing_key`, retrying with [`RetryPolicy::events`]. The Events API
    /// takes no `Authorization` header: the key travels in each event's body, and only to the
    /// configured host.
    pub fn builder(routing_key: impl Into<Secret>) -> EventsClientBuilder {
        ClientBuilder::starting(Credential::None).routing_key(routing_key.into()).retry(RetryPolicy::events())
    }

    /// The typed Events API client generated from `events-v2.json`, on the same pipeline.
    #[cfg(pdrs_events_v2)]
    pub fn api(&self) -> &crate::events_v2::Client {
        &self.api
    }

    /// The typed client of the legacy Events API v1 (`events-v1.json`), on the same pipeline.
    #[cfg(pdrs_events_v1)]
    pub fn api_v1(&self) -> &crate::events_v1::Client {
        &self.api_v1
    }

    /// Starts a trigger event; finish with [`Trigger::send`], which returns the dedup key.
    pub fn trigger(&self, summary: impl Into<String>, source: impl Into<String>) -> Trigger<'_> {
        Trigger {
            client: self,
            event: Event {
                event_action: EventAction::Trigger,
                dedup_key: None,
                payload: Some(Payload { summary: summary.into(), source: source.into(), ..Default::default() }),
                images: Vec::new(),
                links: Vec::new(),
                client: None,
                client_url: None,
            },
        }
    }

    /// Acknowledges the alert with this dedup key.
    pub async fn acknowledge(&self, dedup_key: &str) -> Result<String> {
        self.action(EventAction::Acknowledge, dedup_key).await
    }

    /// Resolves the alert with this dedup key.
    pub async fn resolve(&self, dedup_key: &str) -> Result<String> {
        self.action(EventAction::Resolve, dedup_key).await
    }

    async fn action(&self, action: EventAction, dedup_key: &str) -> Result<String> {
        if dedup_key.trim().is_empty() {
            return Err(Error::invalid(format!("{action} needs a dedup key")));
        }
        let event = Event {
            event_action: action,
            dedup_key: Some(dedup_key.to_string()),
            payload: None,
            images: Vec::new(),
            links: Vec::new(),
            client: None,
            client_url: None,
        };
        self.send_event(&event).await
    }

    /// Checks and sends any event (the routing key is filled in); returns the dedup key.
    pub async fn send_event(&self, event: &Event) -> Result<String> {
        if let Some(payload) = &event.payload {
            check_summary(&payload.summary)?;
        }
        if event.event_action != EventAction::Trigger && event.dedup_key.as_deref().unwrap_or("").trim().is_empty() {
            return Err(Error::invalid(format!("{} needs a dedup key", event.event_action)));
        }
        let body = self.routed(event)?;
        let response: Value = self.raw.request(reqwest::Method::POST, "/enqueue").json_body(&body).json().await?;
        match response.get("dedup_key").and_then(Value::as_str) {
            Some(key) => Ok(key.to_string()),
            None => Err(Error::missing_wrapper("dedup_key", &response)),
        }
    }

    /// The event with its routing key, refused when over the Events API's size limit.
    fn routed<T: Serialize>(&self, event: &T) -> Result<Value> {
        let body = serde_json::to_value(Routed { routing_key: self.routing_key.expose(), event })
            .map_err(|e| Error::invalid(format!("the event does not serialize: {e}")))?;
        let size = body.to_string().len();
        if size > MAX_PAYLOAD_BYTES {
            return Err(Error::invalid(format!(
                "the event is {size} bytes; the Events API takes at most {MAX_PAYLOAD_BYTES}"
            )));
        }
        Ok(body)
    }

    /// Starts a change event; finish with [`ChangeEvent::send`].
    pub fn change_event(&self, summary: impl Into<String>) -> ChangeEvent<'_> {
        ChangeEvent {
            client: self,
            body: ChangeEventBody {
                payload: ChangePayload { summary: summary.into(), ..Default::default() },
                links: Vec::new(),
            },
        }
    }

    /// Checks and sends a change event (the routing key is filled in; the timestamp defaults
    /// to now).
    pub async fn send_change(&self, body: &ChangeEventBody) -> Result<()> {
        check_summary(&body.payload.summary)?;
        let mut body = body.clone();
        body.payload.timestamp.get_or_insert_with(now_rfc3339);
        let routed = self.routed(&body)?;
        self.raw.request(reqwest::Method::POST, "/change/enqueue").json_body(&routed).send().await?;
        Ok(())
    }
}

fn check_summary(summary: &str) -> Result<()> {
    if summary.trim().is_empty() {
        return Err(Error::invalid("an event needs a summary"));
    }
    let chars = summary.chars().count();
    if chars > MAX_SUMMARY_CHARS {
        return Err(Error::invalid(format!(
            "the summary is {chars} characters; the Events API takes at most {MAX_SUMMARY_CHARS}"
        )));
    }
    Ok(())
}

/// A trigger event being built.
#[must_use]
pub struct Trigger<'a> {
    client: &'a EventsClient,
    event: Event,
}

impl Trigger<'_> {
    fn payload(&mut self) -> &mut Payload {
        self.event.payload.get_or_insert_with(Payload::default)
    }

    /// Severity (default critical).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.payload().severity = severity;
        self
    }

    /// Dedup key: events with the same key update one alert.
    pub fn dedup_key(mut self, key: impl Into<String>) -> Self {
        self.event.dedup_key = Some(key.into());
        self
    }

    /// When the event happened (RFC 3339).
    pub fn timestamp(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.payload().timestamp = Some(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        self
    }

    /// The affected component.
    pub fn component(mut self, component: impl Into<String>) -> Self {
        self.payload().component = Some(component.into());
        self
    }

    /// The logical group of components.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.payload().group = Some(group.into());
        self
    }

    /// The class (type) of event.
    pub fn class(mut self, class: impl Into<String>) -> Self {
        self.payload().class = Some(class.into());
        self
    }

    /// One custom detail (merged with others).
    pub fn custom_detail(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.payload().custom_details.insert(key.into(), value.into());
        self
    }

    /// Custom details (merged with those already set).
    pub fn custom_details(mut self, details: Map<String, Value>) -> Self {
        self.payload().custom_details.extend(details);
        self
    }

    /// An image shown with the alert.
    pub fn image(mut self, src: impl Into<String>, href: Option<&str>, alt: Option<&str>) -> Self {
        self.event.images.push(Image { src: src.into(), href: href.map(String::from), alt: alt.map(String::from) });
        self
    }

    /// A link shown with the alert.
    pub fn link(mut self, href: impl Into<String>, text: Option<&str>) -> Self {
        self.event.links.push(Link { href: href.into(), text: text.map(String::from) });
        self
    }

    /// The monitoring client's name and URL.
    pub fn client(mut self, name: impl Into<String>, url: Option<&str>) -> Self {
        self.event.client = Some(name.into());
        self.event.client_url = url.map(String::from);
        self
    }

    /// Sends the event; returns the dedup key PagerDuty uses for the alert.
    pub async fn send(self) -> Result<String> {
        self.client.send_event(&self.event).await
    }
}

/// A change event being built.
#[must_use]
pub struct ChangeEvent<'a> {
    client: &'a EventsClient,
    body: ChangeEventBody,
}

impl ChangeEvent<'_> {
    /// Where the change happened.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.body.payload.source = Some(source.into());
        self
    }

    /// When the change happened (default: now, UTC).
    pub fn timestamp(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.body.payload.timestamp = Some(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        self
    }

    /// One custom detail.
    pub fn custom_detail(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body.payload.custom_details.insert(key.into(), value.into());
        self
    }

    /// A link shown with the change.
    pub fn link(mut self, href: impl Into<String>, text: Option<&str>) -> Self {
        self.body.links.push(Link { href: href.into(), text: text.map(String::from) });
        self
    }

    /// Sends the change event.
    pub async fn send(self) -> Result<()> {
        self.client.send_change(&self.body).await
    }
}
