//! Triage: acknowledge the triggered incidents of one service and add a note to each, with the
//! typed API.
//!
//! Against the embedded mock PagerDuty (no account needed):
//!     cargo run --example triage --features mock
//! Against your account (writes: it acknowledges real incidents):
//!     PAGERDUTY_API_KEY=... PAGERDUTY_FROM=you@example.com cargo run --example triage --features mock -- SERVICE_ID

mod support;

use futures::TryStreamExt;
use pdrs::prelude::*;
use pdrs::rest::types;

/// Acknowledges the triggered incidents of `service_id` and adds a note to each; returns their ids.
async fn triage(pd: &pdrs::RestClient, service_id: &str) -> pdrs::Result<Vec<String>> {
    let triggered: Vec<types::Incident> = pd
        .api()
        .list_incidents()
        .service_ids(vec![service_id.to_string()])
        .statuses(vec![types::IncidentStatus::Triggered])
        .stream()
        .try_collect()
        .await?;
    let mut done = Vec::new();
    for id in triggered.into_iter().filter_map(|incident| incident.id) {
        let ack = types::UpdateIncidentBody::default()
            .incident(types::UpdateIncidentBodyIncident::default().status(types::IncidentStatus::Acknowledged));
        pd.api().update_incident().id(&id).body(ack).send().await?;
        let note = types::CreateIncidentNoteBody::default()
            .note(types::CreateIncidentNoteBodyNote::default().content("Acknowledged by triage; looking into it."));
        pd.api().create_incident_note().id(&id).body(note).send().await?;
        done.push(id);
    }
    Ok(done)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (pd, _mock) = support::connect().await?;
    let pd = &pd;
    // The service: the first argument, else the service of the first triggered incident.
    let service_id = match support::argument() {
        Some(id) => id,
        None => {
            let triggered = pdrs::ListOptions::new().param_list("statuses", ["triggered"]);
            let first: serde_json::Value =
                pd.iter_all("/incidents", triggered).try_next().await?.ok_or("nothing is triggered")?;
            first["service"]["id"].as_str().unwrap_or_default().to_string()
        }
    };
    let done = triage(pd, &service_id).await?;
    println!("Service {service_id}: acknowledged {} triggered incident(s) and noted each: {done:?}", done.len());
    Ok(())
}
