//! Command-line options of `pdrs-mock` and `pdrs mock`.

use pdrs::mock::{Faults, MockConfig, MockServer, Seed};
use std::time::Duration;

/// pdrs-mock: a local PagerDuty for tests. It answers every operation of PagerDuty's REST API
/// (stateful where clients read back or page) and the Events API v2, checks requests against
/// PagerDuty's documents, and can inject rate limits, server errors, latency, resets and cut
/// bodies. State: `GET`/`PUT /_mock/state` (with any API token).
#[derive(Debug, Clone, clap::Args)]
pub struct MockArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Seeded users (at most 1,000,000).
    #[arg(long, default_value_t = 50, value_parser = count)]
    pub users: usize,
    /// Seeded incidents (one a minute up to now; at most 1,000,000).
    #[arg(long, default_value_t = 100, value_parser = count)]
    pub incidents: usize,
    /// Start the mock's clock at this time (ISO 8601) instead of now: seed times are relative
    /// to it, so the same --now gives the same data.
    #[arg(long, value_parser = instant)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// The base URL clients reach the mock at, for the links in its answers, when it sits
    /// behind a proxy (a TLS terminator for clients that insist on https).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Load this state (a dump from GET /_mock/state) instead of seeding.
    #[arg(long)]
    pub load: Option<std::path::PathBuf>,
    /// REST requests per minute per API key before a 429, as PagerDuty counts them (default
    /// PagerDuty's 960; 0: no limit and no `ratelimit-*` headers).
    #[arg(long)]
    pub rate_limit: Option<u32>,
    /// Events per minute per routing key before a 429 (PagerDuty's is about 120); 0: none.
    #[arg(long, default_value_t = pdrs::mock::EVENTS_RATE_LIMIT)]
    pub events_rate_limit: u32,
    /// Requests per minute per API key of each operation the documents give a limit of its own
    /// (`POST /incidents`, `PUT /incidents`, `GET /oncalls`); 0: none.
    #[arg(long, default_value_t = pdrs::mock::OPERATION_RATE_LIMIT)]
    pub operation_rate_limit: u32,
    /// Analytics requests per API key per day; 0: none.
    #[arg(long, default_value_t = pdrs::mock::ANALYTICS_DAILY_QUOTA)]
    pub analytics_daily_quota: u32,
    /// Share of requests answered with a 5xx (0.0 to 1.0).
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    pub error_rate: f64,
    /// The 5xx statuses --error-rate injects, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "500,502,503,504", value_parser = clap::value_parser!(u16).range(500..=599))]
    pub error_statuses: Vec<u16>,
    /// Seconds a connection may sit idle before the mock closes it (1 to 3600).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_timeout: u64,
    /// Latency added to each request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of requests whose connection is reset.
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    pub reset_rate: f64,
    /// Share of responses cut off half way.
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    pub truncate_rate: f64,
}

/// A seed size: 0 to 1,000,000.
fn count(text: &str) -> Result<usize, String> {
    let value: usize = text.trim().parse().map_err(|_| format!("{text:?} is not a count"))?;
    if value <= 1_000_000 {
        Ok(value)
    } else {
        Err(format!("{text} is over the limit of 1000000"))
    }
}

/// An ISO 8601 time, in the forms the mock accepts in queries.
fn instant(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    pdrs::time::parse(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or_else(|| format!("{text:?} is not an ISO 8601 time"))
}

/// A share between 0 and 1 (NaN and values outside are usage errors).
fn rate(text: &str) -> Result<f64, String> {
    let value: f64 = text.trim().parse().map_err(|_| format!("{text:?} is not a number"))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{text} is not a share between 0 and 1"))
    }
}

impl MockArgs {
    /// The server configuration these options describe.
    pub fn config(&self) -> MockConfig {
        let mut faults = Faults::none()
            .error_rate(self.error_rate)
            .error_statuses(&self.error_statuses)
            .latency(Duration::from_millis(self.latency_ms))
            .reset_rate(self.reset_rate)
            .truncate_rate(self.truncate_rate)
            .operation_rate_limit(self.operation_rate_limit)
            .events_rate_limit(self.events_rate_limit)
            .analytics_daily_quota(self.analytics_daily_quota);
        if let Some(n) = self.rate_limit {
            faults = faults.rate_limit(n, Duration::from_secs(60));
        }
        let config = MockConfig::default()
            .seed(Seed::default().users(self.users).incidents(self.incidents))
            .faults(faults)
            .idle_timeout(Duration::from_secs(self.idle_timeout));
        let config = match self.now {
            Some(now) => config.now(now),
            None => config,
        };
        match &self.public_url {
            Some(url) => config.public_url(url.clone()),
            None => config,
        }
    }

    /// Runs the server until interrupted.
    pub async fn run(&self) -> Result<(), Box<dyn std::error::Error>> {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        let server = MockServer::bind(self.config(), addr).await?;
        if let Some(path) = &self.load {
            let state: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
            server.load(&state)?;
        }
        eprintln!("pdrs-mock listening on {} (state at {}/_mock/state); Ctrl-C stops it", server.url(), server.url());
        tokio::signal::ctrl_c().await?;
        Ok(())
    }
}
