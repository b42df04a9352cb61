//! The SDK's clients through their public API, against local servers on loopback: typed and
//! raw calls, paging, the pipeline, misbehaving servers, the Events API, OAuth, webhooks, the
//! other APIs and the blocking facade.

#[path = "../support/mod.rs"]
mod support;

mod blocking;
mod events;
mod every_operation;
mod history;
mod integrations;
mod misbehaving_paging;
mod misbehaving_transport;
mod oauth;
mod pacing;
mod paging;
mod paging_properties;
mod pipeline;
mod typed_calls;
mod typed_streams;
mod watching;
#[cfg(feature = "receiver")]
mod webhook_receiver;
mod webhooks;
