//! An early-access endpoint through the raw layer: the same client, the same retries and limits
//! as typed calls, with the `X-EARLY-ACCESS` header PagerDuty asks for and the answer read as
//! JSON. Works for endpoints no document describes yet.
//!
//!     cargo run --example beta_endpoint --features mock
//!     PAGERDUTY_API_KEY=... cargo run --example beta_endpoint --features mock [-- /ip_allow_lists/ID]

mod support;

/// The account's IP allow lists (early access): a raw GET with the early-access header.
async fn ip_allow_lists(pd: &pdrs::RestClient) -> pdrs::Result<serde_json::Value> {
    pd.request(pdrs::Method::GET, "/ip_allow_lists").header("X-EARLY-ACCESS", "ip-allow-lists").json().await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (pd, _mock) = support::connect().await?;
    let answer = match support::argument() {
        // Any other path of the early-access program, as it is.
        Some(path) => {
            pd.request(pdrs::Method::GET, path.as_str()).header("X-EARLY-ACCESS", "ip-allow-lists").json().await?
        }
        None => ip_allow_lists(&pd).await?,
    };
    let lists = answer["ip_allow_lists"].as_array().map_or(0, Vec::len);
    println!("GET /ip_allow_lists (X-EARLY-ACCESS: ip-allow-lists): {lists} allow list(s)");
    for list in answer["ip_allow_lists"].as_array().into_iter().flatten() {
        let state = list["state"].as_str().unwrap_or("-");
        println!("  {} ({state})", list["id"].as_str().unwrap_or("-"));
        for entry in list["cidr_entries"].as_array().into_iter().flatten() {
            println!(
                "    {:<18} {}",
                entry["cidr"].as_str().unwrap_or("-"),
                entry["description"].as_str().unwrap_or("")
            );
        }
    }
    Ok(())
}
