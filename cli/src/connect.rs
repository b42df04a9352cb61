//! The clients a command talks through, from its settings (flags, profile, environment).

use crate::args::Globals;
use crate::settings::{self, Settings};
use clap::ArgMatches;
use pdrs::{Error, EventsClient, Region, RestClient, RetryPolicy};
use std::time::Duration;

pub(crate) fn region(name: &str) -> Result<Region, Error> {
    match name.to_ascii_lowercase().as_str() {
        "us" => Ok(Region::Us),
        "eu" => Ok(Region::Eu),
        other => Err(Error::Config(format!("unknown region {other:?} (us or eu)"))),
    }
}

/// The settings from the matches: what was given (and whether by a flag), the config file, the
/// defaults.
pub(crate) fn settings(matches: &ArgMatches, globals: &Globals) -> Result<Settings, Error> {
    let given = |id: &str, value: &Option<String>| {
        let flag = matches!(matches.value_source(id), Some(clap::parser::ValueSource::CommandLine));
        value.clone().map(|v| (v, flag))
    };
    Settings::resolve(settings::Given {
        profile: given("profile", &globals.profile),
        token: given("token", &globals.token),
        url: given("url", &globals.url),
        events_url: given("events_url", &globals.events_url),
        region: given("region", &globals.region),
        from: given("from", &globals.from),
    })
}

/// The retry policy of `policy`'s kind with the command's attempts, first delay and total time.
pub(crate) fn retry_policy(policy: RetryPolicy, globals: &Globals) -> RetryPolicy {
    policy
        .max_attempts(globals.attempts)
        .base_delay(Duration::from_millis(globals.retry_base_ms))
        .deadline(max_time(globals))
}

fn max_time(globals: &Globals) -> Duration {
    Duration::from_secs(globals.max_time)
}

/// One attempt's timeout: a minute; past the total time when that is shorter, so that the total
/// time ends the call (and its error says what the attempts came to).
fn attempt_timeout(globals: &Globals) -> Duration {
    (max_time(globals) + Duration::from_secs(1)).min(Duration::from_secs(60))
}

/// A client builder from the settings.
pub(crate) fn builder(settings: &Settings, globals: &Globals) -> Result<pdrs::RestClientBuilder, Error> {
    let (token, _) = settings.token.clone().ok_or_else(|| {
        Error::Config("no API token: set PAGERDUTY_API_KEY, pass --token, or choose a profile (pdrs config)".into())
    })?;
    let mut builder = RestClient::builder(token)
        .region(region(&settings.region.0)?)
        .user_agent_suffix("pdrs-cli")
        .timeout(attempt_timeout(globals))
        .on_wait(crate::notices::wait)
        .retry(retry_policy(RetryPolicy::default(), globals));
    if let Some((url, _)) = &settings.url {
        builder = builder.base_url(url);
    }
    if let Some((from, _)) = &settings.from {
        builder = builder.default_from(from);
    }
    Ok(builder)
}

pub(crate) fn rest_client(settings: &Settings, globals: &Globals) -> Result<RestClient, Error> {
    builder(settings, globals)?.build()
}

pub(crate) fn events_client(key: &str, settings: &Settings, globals: &Globals) -> Result<EventsClient, Error> {
    let mut builder = EventsClient::builder(key)
        .region(region(&settings.region.0)?)
        .timeout(attempt_timeout(globals))
        .on_wait(crate::notices::wait)
        .retry(retry_policy(RetryPolicy::events(), globals));
    if let Some((url, _)) = &settings.events_url {
        builder = builder.base_url(url);
    }
    builder.build()
}

/// The `From` user a write needs (PagerDuty refuses it without one), checked before sending.
pub(crate) fn require_from(settings: &Settings, what: &str) -> Result<(), Error> {
    if settings.from.is_none() {
        return Err(Error::InvalidInput(format!(
            "{what} needs the email of the PagerDuty user acting (the `From` header): pass --from EMAIL, set `from` in the profile, or set PAGERDUTY_FROM"
        )));
    }
    Ok(())
}
