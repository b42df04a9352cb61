//! A month of incidents from the analytics API, exported to CSV: `POST /analytics/raw/incidents`
//! paged by its `starting_after` cursor, every record once, written as it arrives.
//!
//!     cargo run --example analytics_export --features mock                       # last month, on the mock
//!     PAGERDUTY_API_KEY=... cargo run --example analytics_export --features mock -- incidents.csv

mod support;

use chrono::{Duration, Utc};
use futures::TryStreamExt;
use serde_json::{json, Value};

/// The columns written, each a field of an analytics raw incident.
const COLUMNS: &[&str] = &[
    "id",
    "incident_number",
    "created_at",
    "resolved_at",
    "urgency",
    "priority_name",
    "service_name",
    "seconds_to_resolve",
];

/// Writes the incidents created in the last 30 days to `out` as CSV; returns how many.
async fn export(pd: &pdrs::RestClient, out: impl std::io::Write) -> Result<usize, Box<dyn std::error::Error>> {
    let until = Utc::now();
    let filters =
        json!({"created_at_start": (until - Duration::days(30)).to_rfc3339(), "created_at_end": until.to_rfc3339()});
    let mut incidents = pd.iter_analytics::<Value>("/analytics/raw/incidents", filters);
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(COLUMNS)?;
    let mut written = 0;
    while let Some(incident) = incidents.try_next().await? {
        let cell = |column: &&str| match &incident[*column] {
            Value::Null => String::new(),
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        csv.write_record(COLUMNS.iter().map(cell))?;
        written += 1;
    }
    csv.flush()?;
    Ok(written)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (pd, _mock) = support::connect().await?;
    let path =
        support::argument().unwrap_or_else(|| std::env::temp_dir().join("pdrs-incidents.csv").display().to_string());
    let written = export(&pd, std::fs::File::create(&path)?).await?;
    println!("wrote {written} incidents of the last 30 days to {path}");
    Ok(())
}
