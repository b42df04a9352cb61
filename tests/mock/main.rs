//! pdrs-mock as a user runs it: its state and listings, PagerDuty's rules it follows, and how
//! close its answers are to PagerDuty's documents.
#![cfg(feature = "mock")]

#[path = "../support/mod.rs"]
mod support;

mod basics;
mod conformance;
mod limits;
mod rules;
mod schedules;
mod test_double;
#[cfg(feature = "receiver")]
mod webhook_deliveries;
