//! Who is on call now, per escalation policy, as a table: one typed listing of `/oncalls`.
//!
//!     cargo run --example oncall --features mock                      # the embedded mock
//!     PAGERDUTY_API_KEY=... cargo run --example oncall --features mock  # your account
//!     cargo run --example oncall --features mock -- "Policy 1"         # one policy

mod support;

use futures::TryStreamExt;
use pdrs::prelude::*;
use pdrs::rest::types;
use std::collections::BTreeMap;

/// Who is on call now at each level of each escalation policy: policy name -> (level, user, until).
async fn on_call_now(pd: &pdrs::RestClient) -> pdrs::Result<BTreeMap<String, Vec<(i64, String, String)>>> {
    // `earliest`: one entry per user, level and policy, the one on call now.
    let oncalls: Vec<types::Oncall> = pd.api().list_on_calls().earliest(true).stream().try_collect().await?;
    let mut by_policy: BTreeMap<String, Vec<(i64, String, String)>> = BTreeMap::new();
    for oncall in oncalls {
        let policy = oncall.escalation_policy.and_then(|p| p.summary).unwrap_or_default();
        let user = oncall.user.and_then(|u| u.summary).unwrap_or_default();
        let until = oncall.end.map_or("(always)".to_string(), |end| end.format("%Y-%m-%d %H:%M UTC").to_string());
        by_policy.entry(policy).or_default().push((oncall.escalation_level.unwrap_or(0), user, until));
    }
    for entries in by_policy.values_mut() {
        entries.sort();
    }
    Ok(by_policy)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (pd, _mock) = support::connect().await?;
    let mut by_policy = on_call_now(&pd).await?;
    if let Some(only) = support::argument() {
        by_policy.retain(|policy, _| *policy == only);
    }
    println!("{:<32} {:>5}  {:<24} UNTIL", "ESCALATION POLICY", "LEVEL", "ON CALL");
    for (policy, entries) in &by_policy {
        for (level, user, until) in entries {
            println!("{policy:<32} {level:>5}  {user:<24} {until}");
        }
    }
    println!("{} escalation policies have someone on call", by_policy.len());
    Ok(())
}
