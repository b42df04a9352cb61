//! What every example starts with: a client for your PagerDuty account when `PAGERDUTY_API_KEY`
//! is set, else for the embedded mock PagerDuty (no account needed), started here.

use pdrs::mock::MockServer;
use pdrs::RestClient;

/// A client for the account of `PAGERDUTY_API_KEY` (with `PAGERDUTY_FROM` as the `From` of
/// writes), else for a freshly started mock, returned beside it (it stops when dropped).
pub async fn connect() -> Result<(RestClient, Option<MockServer>), Box<dyn std::error::Error>> {
    match std::env::var("PAGERDUTY_API_KEY") {
        Ok(key) if !key.is_empty() => {
            let mut builder = RestClient::builder(key);
            if let Ok(from) = std::env::var("PAGERDUTY_FROM") {
                builder = builder.default_from(from);
            }
            Ok((builder.build()?, None))
        }
        _ => {
            let mock = MockServer::start().await?;
            println!("(against the embedded mock PagerDuty at {}; set PAGERDUTY_API_KEY for your account)", mock.url());
            let pd = RestClient::builder("any-token").base_url(mock.url()).default_from("me@example.com").build()?;
            Ok((pd, Some(mock)))
        }
    }
}

/// The example's first argument, if one was given: flags (`--nocapture`, which the test command
/// passes) are not arguments.
pub fn argument() -> Option<String> {
    std::env::args().skip(1).find(|arg| !arg.starts_with('-'))
}
