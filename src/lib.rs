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
//! - Paging guarantees ([`ApiClient::iter_all`] and every other listing): each record at most
//!   once (repeats dropped by `id`), offsets planned from what the server returned, and a typed
//!   [`Error::Paging`] or [`Error::PaginationCap`], never a silent stop, when pages do not add
//!   up (an ignored offset, `more` without records, a repeated or cycling cursor, endless empty
//!   pages).
//! - Records without a detour: a page body is parsed once; each record is cut out of it as raw
//!   JSON text and decoded straight into the type asked for (`iter_all::<types::User>`), or
//!   handed on unparsed as a [`Record`] (`iter_all::<Record>`) to forward or store as it came.
//! - Generated modules, one per document and feature: [`rest`], `events_v2`, `events_v1`,
//!   `scim`, `slack`, `jira_cloud`, `jira_server`, `ms_teams`, `mcp`.

// The modules, from the bottom layer up (ARCHITECTURE.md): each uses only those above it in
// this list, and the cycle check of the test command keeps it so.
mod api_client;
mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
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
pub mod oauth;
mod pipeline;
#[cfg(test)]
mod proptests;
mod raw;
mod region;
mod retry;
pub mod spec;
mod target;
pub mod time;
mod typed;
pub mod webhooks;

pub use api_client::ApiClient;
pub use auth::{Credential, Secret};
pub use builder::{BuildClient, ClientBuilder};
#[cfg(feature = "events")]
pub use clients::events;
#[cfg(feature = "events")]
pub use clients::events::EventsClient;
pub use clients::mcp::McpClient;
pub use clients::rest::{RestClient, RestClientBuilder};
pub use clients::scim::ScimClient;
pub use error::{sanitize, ApiError, Error, PagingProblem, ResponseBody, Result};
pub use listing::options::{ListOptions, TotalWatch};
pub use listing::page::Record;
pub use pipeline::CallStats;
pub use raw::RawRequest;
pub use region::Region;
/// Re-exported for [`ApiClient::request`].
pub use reqwest::Method;
pub use retry::{RetryObserver, RetryPolicy, RetryReason};
pub use spec::OFFSET_CAP;
pub use target::{canonical_path, Target};

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

/// The client traits of every generated module, for builder calls (`pd.api().list_users()`).
pub mod prelude {
    #[cfg(pdrs_rest)]
    pub use crate::rest::prelude::*;
}
