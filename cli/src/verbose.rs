//! `-v`: each request pdrs sends, one line on stderr, from the library's `pdrs::request` events
//! (method, URL without query or credentials, status or failure, time).

use tracing_subscriber::layer::SubscriberExt;

/// Prints the library's request events on stderr from now on.
pub(crate) fn enable() {
    let only_requests = tracing_subscriber::filter::Targets::new().with_target("pdrs::request", tracing::Level::DEBUG);
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .without_time()
        .with_target(false)
        .with_level(false)
        .with_ansi(false);
    // Fails only when a subscriber is already set, which this program never does twice.
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(lines).with(only_requests));
}
