#![forbid(unsafe_code)]
//! pdrs: a typed Rust SDK for PagerDuty's public APIs.

mod open_enum;
pub mod pipeline;

/// The REST API, generated from `rest.json`.
pub mod rest {
    #![allow(missing_docs, clippy::all, clippy::pedantic, unused_imports, dead_code)]
    include!(concat!(env!("OUT_DIR"), "/rest.rs"));
}
