//! [`Shared`]: what every request handler of a running mock works on: the state, the faults
//! (random and scripted), the request journal, and the base URL its links are written with.

use super::faults::FaultState;
use super::journal::Journal;
use super::script::Scripts;
use super::store::Store;
use std::sync::{Mutex, MutexGuard};

/// The state of one running mock, shared by its handlers.
pub(crate) struct Shared {
    pub(super) store: Mutex<Store>,
    pub(super) faults: Mutex<FaultState>,
    pub(super) scripts: Mutex<Scripts>,
    pub(super) journal: Mutex<Journal>,
    /// Expected request counts: (method, operation, count).
    pub(super) expected: Mutex<Vec<(String, String, usize)>>,
    /// Where webhook deliveries go to be sent.
    pub(super) deliveries: tokio::sync::mpsc::UnboundedSender<super::store::Outgoing>,
    pub(super) base_url: String,
}

impl Shared {
    /// The mock's clock now.
    pub(super) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.store.lock().unwrap_or_else(|e| e.into_inner()).clock.now()
    }

    /// Hands the webhook deliveries a request caused to the sender (under the state's lock the
    /// request holds).
    pub(super) fn send_deliveries(&self, store: &mut Store) {
        for delivery in std::mem::take(&mut store.outbox) {
            // Fails only when the mock is stopping.
            let _ = self.deliveries.send(delivery);
        }
    }

    /// The request journal, locked.
    pub(super) fn journal(&self) -> MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|e| e.into_inner())
    }
}
