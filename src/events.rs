//! [`EventsClient`]: the Events API v2 (alerts and change events), typed from `events-v2.json`,
//! on the shared request pipeline.

use crate::auth::{Credential, Secret};
use crate::events_v2::prelude::*;
use crate::events_v2::types;
use crate::spec::Api;
use crate::{Error, Region, Result, RetryPolicy};
use serde_json::{Map, Value};
use std::time::Duration;

pub use types::PayloadSeverity as Severity;

/// Longest `summary` the Events API accepts.
pub const MAX_SUMMARY_CHARS: usize = 1024;
/// Largest event payload the Events API accepts.
pub const MAX_PAYLOAD_BYTES: usize = 512 * 1024;

impl Region {
    /// Base URL of the Events API in this region.
    pub fn events_url(self) -> &'static str {
        match self {
            Region::Us => "https://events.pagerduty.com",
            Region::Eu => "https://events.eu.pagerduty.com",
        }
    }
}

impl RetryPolicy {
    /// pdpyras's Events API defaults: 500 retried twice, 502 four times, 503 and 504 six times,
    /// 429 within the attempt cap; 400 never.
    pub fn events() -> Self {
        RetryPolicy::default()
            .max_attempts(7)
            .retry_status(500, 2)
            .retry_status(502, 4)
            .retry_status(503, 6)
            .retry_status(504, 6)
    }
}

/// A client for one integration's routing key.
#[derive(Clone, Debug)]
pub struct EventsClient {
    routing_key: Secret,
    api: crate::events_v2::Client,
}

/// Builds an [`EventsClient`].
#[derive(Debug)]
#[must_use]
pub struct EventsClientBuilder {
    routing_key: Secret,
    region: Region,
    base_url: Option<String>,
    retry: RetryPolicy,
    timeout: Duration,
}

impl EventsClientBuilder {
    /// The service region (ignored when [`base_url`](Self::base_url) is set).
    pub fn region(mut self, region: Region) -> Self {
        self.region = region;
        self
    }

    /// The Events API host, e.g. a mock server's (`/v2/...` is appended).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The retry policy (default [`RetryPolicy::events`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Timeout of each attempt (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the client; an empty routing key is refused here.
    pub fn build(self) -> Result<EventsClient> {
        if self.routing_key.expose().trim().is_empty() {
            return Err(Error::config("the routing key is empty"));
        }
        let mut inner = crate::RestClientBuilder::new(Credential::None).retry(self.retry).timeout(self.timeout);
        if let Some(url) = self.base_url {
            inner = inner.base_url(url);
        }
        let raw = inner.build_for(Api::EventsV2, &format!("{}/v2", self.region.events_url()), "application/json")?;
        Ok(EventsClient {
            routing_key: self.routing_key,
            api: crate::events_v2::Client::new_with_client(
                raw.base(),
                raw.pipeline().http().clone(),
                raw.pipeline().clone(),
            ),
        })
    }
}

impl EventsClient {
    /// A client for `routing_key` (an integration key) in the US region.
    pub fn new(routing_key: impl Into<Secret>) -> Result<Self> {
        Self::builder(routing_key).build()
    }

    /// A builder for `routing_key`.
    pub fn builder(routing_key: impl Into<Secret>) -> EventsClientBuilder {
        EventsClientBuilder {
            routing_key: routing_key.into(),
            region: Region::Us,
            base_url: None,
            retry: RetryPolicy::events(),
            timeout: Duration::from_secs(60),
        }
    }

    /// The typed Events API client underneath.
    pub fn api(&self) -> &crate::events_v2::Client {
        &self.api
    }

    /// Starts a trigger event; finish with [`Trigger::send`], which returns the dedup key.
    pub fn trigger(&self, summary: impl Into<String>, source: impl Into<String>) -> Trigger<'_> {
        Trigger {
            client: self,
            payload: types::Payload {
                summary: Some(summary.into()),
                source: Some(source.into()),
                severity: Some(Severity::Critical),
                ..Default::default()
            },
            dedup_key: None,
            images: Vec::new(),
            links: Vec::new(),
            client_name: None,
            client_url: None,
        }
    }

    /// Acknowledges the alert with this dedup key.
    pub async fn acknowledge(&self, dedup_key: &str) -> Result<String> {
        self.action(types::CreateV2EventBodyEventAction::Acknowledge, dedup_key).await
    }

    /// Resolves the alert with this dedup key.
    pub async fn resolve(&self, dedup_key: &str) -> Result<String> {
        self.action(types::CreateV2EventBodyEventAction::Resolve, dedup_key).await
    }

    async fn action(&self, action: types::CreateV2EventBodyEventAction, dedup_key: &str) -> Result<String> {
        if dedup_key.trim().is_empty() {
            return Err(Error::invalid(format!("{action} needs a dedup key")));
        }
        let body = types::CreateV2EventBody {
            event_action: Some(action),
            dedup_key: Some(dedup_key.to_string()),
            ..Default::default()
        };
        self.send_event(body).await
    }

    /// Sends a full event (the routing key is filled in); returns the dedup key.
    pub async fn send_event(&self, mut body: types::CreateV2EventBody) -> Result<String> {
        body.routing_key = Some(self.routing_key.expose().to_string());
        let size = serde_json::to_vec(&body).map(|b| b.len()).unwrap_or(0);
        if size > MAX_PAYLOAD_BYTES {
            return Err(Error::invalid(format!(
                "the event is {size} bytes; the Events API takes at most {MAX_PAYLOAD_BYTES}"
            )));
        }
        if let Some(summary) = body.payload.as_ref().and_then(|p| p.summary.as_ref()) {
            check_summary(summary)?;
        }
        let response = self.api.create_v2_event().body(body).send().await?.into_inner();
        response.dedup_key.ok_or_else(|| Error::MissingWrapper {
            expected: "dedup_key".into(),
            got: vec!["status".into(), "message".into()],
        })
    }

    /// Starts a change event; finish with [`ChangeEvent::submit`].
    pub fn change_event(&self, summary: impl Into<String>) -> ChangeEvent<'_> {
        ChangeEvent {
            client: self,
            payload: types::ChangeEventPayload { summary: Some(summary.into()), ..Default::default() },
            links: Vec::new(),
        }
    }
}

fn check_summary(summary: &str) -> Result<()> {
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
    payload: types::Payload,
    dedup_key: Option<String>,
    images: Vec<types::ImagesItem>,
    links: Vec<types::LinksItem>,
    client_name: Option<String>,
    client_url: Option<String>,
}

impl Trigger<'_> {
    /// Severity (default critical).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.payload.severity = Some(severity);
        self
    }

    /// Dedup key: events with the same key update one alert.
    pub fn dedup_key(mut self, key: impl Into<String>) -> Self {
        self.dedup_key = Some(key.into());
        self
    }

    /// When the event happened (RFC 3339).
    pub fn timestamp(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.payload.timestamp = Some(Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
        self
    }

    /// The affected component.
    pub fn component(mut self, component: impl Into<String>) -> Self {
        self.payload.component = Some(component.into());
        self
    }

    /// The logical group of components.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.payload.group = Some(group.into());
        self
    }

    /// The class (type) of event.
    pub fn class(mut self, class: impl Into<String>) -> Self {
        self.payload.class = Some(class.into());
        self
    }

    /// One custom detail (merged with others).
    pub fn custom_detail(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.payload.custom_details.insert(key.into(), value.into());
        self
    }

    /// Custom details (merged with those already set).
    pub fn custom_details(mut self, details: Map<String, Value>) -> Self {
        self.payload.custom_details.extend(details);
        self
    }

    /// An image shown with the alert.
    pub fn image(mut self, src: impl Into<String>, href: Option<&str>, alt: Option<&str>) -> Self {
        self.images.push(types::ImagesItem {
            src: Some(src.into()),
            href: href.map(String::from),
            alt: alt.map(String::from),
        });
        self
    }

    /// A link shown with the alert.
    pub fn link(mut self, href: impl Into<String>, text: Option<&str>) -> Self {
        self.links.push(types::LinksItem { href: Some(href.into()), text: text.map(String::from) });
        self
    }

    /// The monitoring client's name and URL.
    pub fn client(mut self, name: impl Into<String>, url: Option<&str>) -> Self {
        self.client_name = Some(name.into());
        self.client_url = url.map(String::from);
        self
    }

    /// Sends the event; returns the dedup key PagerDuty uses for the alert.
    pub async fn send(self) -> Result<String> {
        let summary = self.payload.summary.as_deref().unwrap_or_default();
        if summary.trim().is_empty() {
            return Err(Error::invalid("a trigger needs a summary"));
        }
        let body = types::CreateV2EventBody {
            event_action: Some(types::CreateV2EventBodyEventAction::Trigger),
            dedup_key: self.dedup_key,
            payload: Some(self.payload),
            images: (!self.images.is_empty()).then(|| self.images.into()),
            links: (!self.links.is_empty()).then(|| self.links.into()),
            client: self.client_name,
            client_url: self.client_url,
            routing_key: None,
        };
        self.client.send_event(body).await
    }
}

/// A change event being built.
#[must_use]
pub struct ChangeEvent<'a> {
    client: &'a EventsClient,
    payload: types::ChangeEventPayload,
    links: Vec<types::LinksItem>,
}

impl ChangeEvent<'_> {
    /// Where the change happened.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.payload.source = Some(source.into());
        self
    }

    /// When the change happened (default: now, UTC).
    pub fn timestamp(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.payload.timestamp = Some(Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
        self
    }

    /// One custom detail.
    pub fn custom_detail(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.payload.custom_details.insert(key.into(), value.into());
        self
    }

    /// A link shown with the change.
    pub fn link(mut self, href: impl Into<String>, text: Option<&str>) -> Self {
        self.links.push(types::LinksItem { href: Some(href.into()), text: text.map(String::from) });
        self
    }

    /// Submits the change event.
    pub async fn submit(mut self) -> Result<()> {
        check_summary(self.payload.summary.as_deref().unwrap_or_default())?;
        if self.payload.timestamp.is_none() {
            self.payload.timestamp =
                Some(Value::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
        }
        let body = types::CreateChangeEventBody {
            routing_key: Some(self.client.routing_key.expose().to_string()),
            payload: Some(self.payload),
            links: (!self.links.is_empty()).then(|| self.links.into()),
            images: None,
        };
        self.client.api.create_change_event().body(body).send().await?;
        Ok(())
    }
}
