#![forbid(unsafe_code)]
#![warn(missing_docs)]
//! A Rust SDK for PagerDuty's public APIs: typed clients generated at build time from PagerDuty's
//! OpenAPI documents, a generic layer in the spirit of pdpyras for everything else, and one
//! request pipeline under both.
//!
#![cfg_attr(
    not(pdrs_rest),
    doc = "<div class=\"warning\">This build found no OpenAPI documents, so the typed modules \
           (<code>pdrs::rest</code>, <code>pdrs::scim</code>...) are absent from this page. They are \
           generated in your own build: see <a href=\"#the-documents\">The documents</a>.</div>\n\n"
)]
//! ```no_run
//! use pdrs::prelude::*;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let pd = pdrs::RestClient::builder("my-api-key").build()?;
//! let page = pd.api().list_users().limit(25).send().await?.into_inner();
//! let on_call: Vec<serde_json::Value> = pd.list_all("/oncalls", pdrs::ListOptions::new()).await?;
//! # Ok(()) }
//! ```
//!
//! ## Where things are
//!
//! - [`RestClient`]: the REST API. `RestClient::api()` gives the typed builder call of every
//!   operation (`pd.api().list_users().limit(25).send().await`), and the client dereferences to
//!   [`ApiClient`], the generic verbs: [`ApiClient::rget`], [`ApiClient::iter_all`],
//!   [`ApiClient::find`], [`ApiClient::persist`], [`ApiClient::iter_history`],
//!   [`ApiClient::request`] for any path.
//! - `EventsClient` (feature `events`), [`ScimClient`], [`McpClient`], and the integration
//!   services' clients from [`RestClientBuilder`]; all built by one [`ClientBuilder`].
//! - [`Error`]: the one error of typed and raw calls, with question methods
//!   ([`Error::is_retryable`], [`Error::is_not_found`]...). [`RetryPolicy`] says what is retried.
//! - [`spec`]: every operation of every document as data (paths, entity wrappers, paging kinds).
//! - [`webhooks`]: signature verification and typed webhook events; [`oauth`]: OAuth 2.0 flows.
//! - Generated modules, one per document: `rest` (with `rest::types`), `events_v2`, `events_v1`,
//!   `scim`, `slack`, `jira_cloud`, `jira_server`, `ms_teams`, `mcp`.
//!
//! Paging ([`ApiClient::iter_all`] and every `.stream()`) yields each record at most once, plans
//! offsets from what the server returned, and ends in [`Error::Paging`] or
//! [`Error::PaginationCap`], never a silent stop, when pages do not add up.
//!
//! ## The documents
//!
//! The typed API is generated from PagerDuty's OpenAPI documents when pdrs is built. Point
//! `PDRS_OPENAPI_DIR` at a checkout of PagerDuty/api-schema (or a folder of flat `rest.json`,
//! `scim.json`... files), in the environment or in your project's `.cargo/config.toml`:
//!
//! ```toml
//! [env]
//! PDRS_OPENAPI_DIR = { value = "api-schema", relative = true }
//! ```
//!
//! A feature whose document is missing stops the build with a message saying where to get it.
//!
//! ## Features
//!
//! | feature | what it adds | default |
//! | --- | --- | --- |
//! | `rest` | the whole REST API (every tag below) | yes |
//! | `users`, `incidents`, `escalation_policies`... | one REST tag each, named after the tag | with `rest` |
//! | `events` | `EventsClient` and the Events API v2 and v1 modules | yes |
//! | `scim`, `slack`, `jira`, `ms_teams`, `mcp` | the typed module of that document | yes |
//! | `blocking` | `pdrs::blocking`, a blocking facade | yes |
//! | `mock` | `pdrs::mock`, a stateful PagerDuty for tests (axum) | no |
//! | `receiver` | `pdrs::webhooks::receiver`, a webhook receiver route for axum | no |
//! | `validate` | `spec::check_body` and `pdrs::shape`: a JSON body checked against an operation's request type and fields | no |
//! | `serde_all` | both serde directions on every generated type | no |
//! | `full` | all of the above | no |

// The modules, from the bottom layer up (ARCHITECTURE.md): each uses only those above it in
// this list, and the cycle check of the test command keeps it so.
mod api_client;
mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
mod budget;
mod builder;
mod clients;
mod decode;
mod error;
#[cfg(any(fuzzing, test))]
#[doc(hidden)]
pub mod fuzzing;
mod http;
mod listing;
#[cfg(feature = "mock")]
pub mod mock;
pub mod naming;
pub mod oauth;
mod pipeline;
#[cfg(test)]
mod proptests;
mod raw;
mod region;
mod retry;
#[cfg(any(feature = "mock", feature = "validate"))]
pub mod shape;
pub mod spec;
mod target;
pub mod time;
mod typed;
mod wait;
pub mod webhooks;

pub use api_client::ApiClient;
pub use auth::{Credential, Secret};
pub use budget::Quota;
pub use builder::{BuildClient, ClientBuilder};
#[cfg(feature = "events")]
pub use clients::events;
#[cfg(feature = "events")]
pub use clients::events::EventsClient;
pub use clients::mcp::McpClient;
pub use clients::rest::{RestClient, RestClientBuilder};
pub use clients::schedules::AnySchedule;
pub use clients::scim::ScimClient;
pub use error::{sanitize, ApiError, Error, PagingProblem, ResponseBody, Result};
pub use listing::options::{ListOptions, TotalWatch};
pub use listing::page::Record;
pub use listing::watch::{Checkpoint, WatchOptions, Watched};
pub use pipeline::CallStats;
pub use raw::RawRequest;
pub use region::Region;
/// Re-exported for [`ApiClient::request`].
pub use reqwest::Method;
pub use retry::{RetryObserver, RetryPolicy, RetryReason};
pub use spec::OFFSET_CAP;
pub use target::{canonical_path, Target};
pub use wait::{Wait, WaitObserver, WaitReason};

macro_rules! generated_module {
    ($(#[$doc:meta])* $name:ident, $cfg:ident, $file:literal) => {
        $(#[$doc])*
        #[cfg($cfg)]
        #[allow(missing_docs, unused_imports, dead_code, private_interfaces, clippy::all, clippy::pedantic, rustdoc::all)]
        pub mod $name {
            include!(concat!(env!("OUT_DIR"), "/", $file));
        }
    };
}

// One `generated_module!` per document of `build/documents.rs`, the single list of documents.
include!(concat!(env!("OUT_DIR"), "/modules.rs"));

/// The examples of the README and of the guides in docs/, compiled as doctests.
#[cfg(all(doctest, feature = "mock", feature = "receiver", pdrs_rest))]
#[doc = include_str!("../README.md")]
#[doc = include_str!("../docs/usage.md")]
#[doc = include_str!("../docs/mock.md")]
#[doc = include_str!("../docs/testing-with-the-mock.md")]
#[doc = include_str!("../docs/webhooks.md")]
pub struct GuideDoctests;

/// The client traits of the REST API's tags, for builder calls (`pd.api().list_users()`). Each other
/// generated module has a prelude of its own (`pdrs::scim::prelude`, `pdrs::slack::prelude`...).
pub mod prelude {
    #[cfg(pdrs_rest)]
    pub use crate::rest::prelude::*;
}
