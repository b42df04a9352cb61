//! A deploy with a maintenance window around it: the service's window opened for 30 minutes
//! (typed REST call), a change event sent to the Events API when the deploy is done, the window
//! closed.
//!
//!     cargo run --example maintenance_window --features mock
//!     PAGERDUTY_API_KEY=... PAGERDUTY_FROM=you@example.com PAGERDUTY_ROUTING_KEY=... \
//!         cargo run --example maintenance_window --features mock -- SERVICE_ID

mod support;

use chrono::{Duration, Utc};
use futures::TryStreamExt;
use pdrs::prelude::*;
use pdrs::rest::types;

/// Opens a maintenance window of 30 minutes on `service_id`; returns its id.
async fn open_window(pd: &pdrs::RestClient, service_id: &str) -> pdrs::Result<String> {
    let now = Utc::now();
    let window = types::MaintenanceWindow::default()
        .start_time(now)
        .end_time(now + Duration::minutes(30))
        .description("Deploy of web 2.4.1")
        .services(vec![types::ServiceReference::default().id(service_id)]);
    let created = pd
        .api()
        .create_maintenance_window()
        .body(types::CreateMaintenanceWindowBody::default().maintenance_window(window))
        .send()
        .await?;
    Ok(created.into_inner().maintenance_window.and_then(|w| w.id).unwrap_or_default())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (pd, mock) = support::connect().await?;
    let service_id = match support::argument() {
        Some(id) => id,
        None => {
            let first: serde_json::Value =
                pd.iter_all("/services", pdrs::ListOptions::new()).try_next().await?.ok_or("no service")?;
            first["id"].as_str().unwrap_or_default().to_string()
        }
    };
    let window = open_window(&pd, &service_id).await?;
    println!("maintenance window {window} open on service {service_id} for 30 minutes");

    // ... the deploy happens here ...

    let routing_key = std::env::var("PAGERDUTY_ROUTING_KEY").unwrap_or_else(|_| "example-routing-key".into());
    let mut events = pdrs::EventsClient::builder(routing_key);
    if let Some(mock) = &mock {
        events = events.base_url(mock.url());
    }
    events
        .build()?
        .change_event("Deployed web 2.4.1")
        .source("deploy-bot")
        .custom_detail("version", "2.4.1")
        .send()
        .await?;
    println!("change event sent: Deployed web 2.4.1");

    pd.api().delete_maintenance_window().id(&window).send().await?;
    println!("maintenance window {window} closed");
    Ok(())
}
