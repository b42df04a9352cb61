//! What pdrs tells the person at the terminal on stderr besides failures: hints, and the waits
//! of a call (pacing by the rate limit, backoff before a retry, a server slow to answer), so that
//! no wait of a second or more is silent. Shown when stderr is a terminal, or always with
//! `PDRS_HINTS=always`; never with `PDRS_HINTS=never` or `--quiet`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static QUIET: AtomicBool = AtomicBool::new(false);

/// `--quiet`: no hints, no waits.
pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether notices are shown.
pub(crate) fn wanted() -> bool {
    if QUIET.load(Ordering::Relaxed) {
        return false;
    }
    match std::env::var("PDRS_HINTS").as_deref() {
        Ok("always") => true,
        Ok("never") => false,
        _ => std::io::stderr().is_terminal(),
    }
}

/// A hint, one line on stderr.
pub(crate) fn hint(text: &str) {
    if wanted() {
        eprintln!("pdrs: {text}");
    }
}

/// A wait of a call, one line on stderr when it is a second or more (or of unknown length, as
/// when the server has not answered yet). The library's observer
/// ([`pdrs::ClientBuilder::on_wait`]).
pub(crate) fn wait(wait: &pdrs::Wait) {
    let short = wait.duration.is_some_and(|d| d < Duration::from_secs(1));
    if short || wait.reason == pdrs::WaitReason::RequestsInFlight || !wanted() {
        return;
    }
    eprintln!("pdrs: {}", pdrs::sanitize(&wait.to_string(), 500));
}
