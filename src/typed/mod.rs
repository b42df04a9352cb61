//! The contract between the generated code and the hand-written runtime.
//!
//! The build script (`build/postprocess/routing.rs`) makes every generated operation call into this
//! module, and generated code names nothing else of the crate but [`crate::Error`] and the
//! [`Pipeline`](crate::pipeline::Pipeline) each generated `Client` holds as its inner value:
//!
//! - an operation's `send()` is one call to [`json`], [`empty`] or [`bytes`] (by its success
//!   type) with the request its `build_request()` built: the request goes through the client's
//!   pipeline and the answer is read as raw calls read it ([`send`]);
//! - a paged operation's `stream()` is [`stream()`] with that same request, listed by the paging
//!   engine;
//! - open enums parse through [`open_enum`]; credential fields print as [`Redacted`].
//!
//! `build_request()` is the first half of progenitor's own `send()`: it checks the builder's
//! values and builds the URL, query, headers and body, and stops before progenitor's client hooks,
//! which never run (the hooks progenitor requires are its defaults).

pub(crate) mod open_enum;
mod redacted;
mod required;
mod send;
mod stream;

pub(crate) use redacted::Redacted;
#[allow(unused_imports, reason = "called by the operations the enabled features generate")]
pub(crate) use send::{bytes, empty, json};
#[allow(unused_imports, reason = "called by the paged operations the enabled features generate")]
pub(crate) use stream::stream;
