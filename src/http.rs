//! Construction of the default `reqwest::Client`.

use std::time::Duration;

/// A `reqwest::Client` with rustls (ring provider) and the given per-attempt timeout.
pub fn client(timeout: Duration) -> crate::Result<reqwest::Client> {
    // Installing the process-wide provider fails harmlessly when one is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(crate::Error::Network)
}
