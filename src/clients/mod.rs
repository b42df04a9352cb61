//! The client of each PagerDuty API, each built by a [`ClientBuilder`](crate::ClientBuilder) on
//! the generic core ([`ApiClient`](crate::ApiClient)): REST, Events, SCIM, MCP, and the typed
//! clients of the integration services.

#[cfg(feature = "events")]
pub mod events;
mod integrations;
pub(crate) mod mcp;
pub(crate) mod rest;
pub(crate) mod schedules;
pub(crate) mod scim;
