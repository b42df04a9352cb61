#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![doc = include_str!("../README.md")]
//!
//! ## The crate
//!
//! A typed Rust SDK for PagerDuty's public APIs, generated at build time from PagerDuty's own
//! OpenAPI documents, with a small generic layer (in the spirit of pdpyras) on one shared
//! request pipeline.
//!
//! - [`RestClient`]: the REST API; [`RestClient::api`] gives the typed builder calls of every
//!   operation (`pd.api().list_users().limit(25).send().await`).
//! - [`spec`]: every operation of every document as data (paths, wrappers, pagination kinds).
//! - Errors: typed and raw calls return one [`Error`]; retries, limits and the host guard are
//!   the same for both (see [`RetryPolicy`]).
//! - Paging guarantees ([`RestClient::iter_all`] and every other listing): each record at most
//!   once (repeats dropped by `id`), offsets planned from what the server returned, and a typed
//!   [`Error::Paging`] or [`Error::PaginationCap`], never a silent stop, when pages do not add
//!   up (an ignored offset, `more` without records, a repeated or cycling cursor, endless empty
//!   pages).
//! - Generated modules, one per document and feature: [`rest`], `events_v2`, `events_v1`,
//!   `scim`, `slack`, `jira_cloud`, `jira_server`, `ms_teams`, `mcp`.

mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
mod error;
#[cfg(feature = "events")]
pub mod events;
mod http;
mod integrations;
#[cfg(feature = "mock")]
pub mod mock;
pub mod oauth;
mod open_enum;
mod pager;
mod paging;
pub mod pipeline;
#[cfg(test)]
mod proptests;
mod raw;
mod retry;
pub mod spec;
mod target;
mod url;
pub mod webhooks;

pub use auth::{Credential, Secret};
pub use client::{Region, RestClient, RestClientBuilder};
pub use error::{from_typed, sanitize, ApiError, Error, PagingProblem, Result};
#[cfg(feature = "events")]
pub use events::EventsClient;
pub use integrations::{McpClient, ScimClient};
pub use paging::{ListOptions, OFFSET_CAP};
pub use raw::RawRequest;
/// Re-exported for [`RestClient::request`].
pub use reqwest::Method;
pub use retry::{RetryObserver, RetryPolicy, RetryReason};
pub use target::{canonical_path, Target};

macro_rules! generated_module {
    ($(#[$doc:meta])* $name:ident, $cfg:ident, $file:literal) => {
        $(#[$doc])*
        #[cfg($cfg)]
        #[allow(missing_docs, unused_imports, dead_code, clippy::all, clippy::pedantic, rustdoc::all)]
        pub mod $name {
            include!(concat!(env!("OUT_DIR"), "/", $file));
        }
    };
}

generated_module!(
    /// The REST API (`rest.json`): types and one client trait per tag.
    rest, pdrs_rest, "rest.rs"
);
generated_module!(
    /// Events API v2 (`events-v2.json`).
    events_v2, pdrs_events_v2, "events_v2.rs"
);
generated_module!(
    /// Events API v1 (`events-v1.json`).
    events_v1, pdrs_events_v1, "events_v1.rs"
);
generated_module!(
    /// SCIM user provisioning (`scim.json`).
    scim, pdrs_scim, "scim.rs"
);
generated_module!(
    /// The Slack integration service (`integration-slack-service.json`).
    slack, pdrs_slack, "slack.rs"
);
generated_module!(
    /// The Jira Cloud integration (`integration-jira-cloud.json`).
    jira_cloud, pdrs_jira_cloud, "jira_cloud.rs"
);
generated_module!(
    /// The Jira Server integration service (`integration-jira-service.json`).
    jira_server, pdrs_jira_server, "jira_server.rs"
);
generated_module!(
    /// The Microsoft Teams integration service (`integration-ms-teams-service.json`).
    ms_teams, pdrs_ms_teams, "ms_teams.rs"
);
generated_module!(
    /// PagerDuty's MCP server (`mcp.json`).
    mcp, pdrs_mcp, "mcp.rs"
);

/// The client traits of every generated module, for builder calls (`pd.api().list_users()`).
pub mod prelude {
    #[cfg(pdrs_rest)]
    pub use crate::rest::prelude::*;
}
