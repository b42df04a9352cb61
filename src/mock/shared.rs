//! [`Shared`]: what every request handler of a running mock works on: the state, the fault
//! injector, and the base URL its links are written with.

use super::faults::FaultState;
use super::store::Store;
use std::sync::Mutex;

/// The state of one running mock, shared by its handlers.
pub(crate) struct Shared {
    pub(super) store: Mutex<Store>,
    pub(super) faults: Mutex<FaultState>,
    pub(super) base_url: String,
}
