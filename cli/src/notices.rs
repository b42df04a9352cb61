//! What pdrs tells the person at the terminal on stderr besides failures: hints, and the waits
//! of a call (pacing by the rate limit, backoff before a retry, a server slow to answer), so that
//! no wait of a second or more is silent. Shown when stderr is a terminal, or always with
//! `PDRS_HINTS=always`; never with `PDRS_HINTS=never` or `--quiet`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

static QUIET: AtomicBool = AtomicBool::new(false);

/// The progress bar on stderr, while one shows: notices are printed above it, not through it.
static BAR: Mutex<Option<indicatif::ProgressBar>> = Mutex::new(None);

/// Notices go above this bar until [`clear_bar`].
pub(crate) fn set_bar(bar: &indicatif::ProgressBar) {
    *BAR.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar.clone());
}

/// The bar is gone.
pub(crate) fn clear_bar() {
    *BAR.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// One line on stderr, above the progress bar if one shows.
fn line(text: &str) {
    let bar = BAR.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match bar {
        Some(bar) => bar.suspend(|| eprintln!("pdrs: {text}")),
        None => eprintln!("pdrs: {text}"),
    }
}

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
        line(text);
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
    line(&pdrs::sanitize(&wait.to_string(), 500));
}
