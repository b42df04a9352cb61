//! [`Region`]: PagerDuty's service regions and the hosts of each.

/// PagerDuty service region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Region {
    /// The US service region (`api.pagerduty.com`).
    #[default]
    Us,
    /// The EU service region (`api.eu.pagerduty.com`).
    Eu,
}

impl Region {
    /// Base URL of the REST API in this region.
    pub fn rest_url(self) -> &'static str {
        match self {
            Region::Us => "https://api.pagerduty.com",
            Region::Eu => "https://api.eu.pagerduty.com",
        }
    }

    /// Base URL of the Events API in this region.
    pub fn events_url(self) -> &'static str {
        match self {
            Region::Us => "https://events.pagerduty.com",
            Region::Eu => "https://events.eu.pagerduty.com",
        }
    }

    /// A PagerDuty URL of the US region moved to this region: `https://<name>.pagerduty.com/...`
    /// becomes `https://<name>.eu.pagerduty.com/...` in the EU (as `api.` and `events.` do);
    /// other URLs are left as they are.
    pub(crate) fn locate(self, url: &str) -> String {
        match self {
            Region::Us => url.to_string(),
            Region::Eu => match reqwest::Url::parse(url) {
                Ok(mut parsed) => {
                    let moved = parsed.host_str().and_then(|host| {
                        let name = host.strip_suffix(".pagerduty.com")?;
                        (!name.is_empty() && !name.ends_with(".eu")).then(|| format!("{name}.eu.pagerduty.com"))
                    });
                    match moved {
                        Some(host) if parsed.set_host(Some(&host)).is_ok() => {
                            parsed.as_str().trim_end_matches('/').to_string()
                        }
                        _ => url.to_string(),
                    }
                }
                Err(_) => url.to_string(),
            },
        }
    }
}
