//! The CLI's settings and where each comes from. Precedence, highest first: a flag, the profile
//! chosen with `--profile` or `PDRS_PROFILE`, the environment (`PAGERDUTY_API_KEY`...), the
//! config file's `default_profile`, pdrs's defaults.
//!
//! The config file is TOML at `$PDRS_CONFIG`, else `<config dir>/pdrs/config.toml`:
//!
//! ```toml
//! default_profile = "work"
//! [profiles.work]
//! token_command = "pass show pagerduty/work"   # or token = "..."
//! region = "eu"
//! from = "me@example.com"
//! [profiles.mock]
//! token = "any"
//! url = "http://127.0.0.1:8080"
//! ```

use pdrs::{Error, Secret};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// One named profile.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    token: Option<String>,
    token_command: Option<String>,
    region: Option<String>,
    url: Option<String>,
    events_url: Option<String>,
    from: Option<String>,
}

/// Where a setting came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Flag,
    Profile(String),
    Env(&'static str),
    Default,
    /// Taken from another setting (the Events URL from a REST URL that is not PagerDuty's).
    Follows(&'static str),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => f.write_str("flag"),
            Source::Profile(name) => write!(f, "profile {name}"),
            Source::Env(var) => write!(f, "${var}"),
            Source::Default => f.write_str("default"),
            Source::Follows(setting) => write!(f, "follows {setting}"),
        }
    }
}

/// A setting's value and its source.
pub type Sourced<T> = Option<(T, Source)>;

/// The effective settings.
#[derive(Debug)]
pub struct Settings {
    pub config_path: Option<PathBuf>,
    pub config_found: bool,
    pub profile: Sourced<String>,
    pub token: Sourced<Secret>,
    pub url: Sourced<String>,
    pub events_url: Sourced<String>,
    pub region: (String, Source),
    pub from: Sourced<String>,
}

/// What the command line and the environment gave, each with whether it came from a flag.
pub struct Given {
    pub profile: Option<(String, bool)>,
    pub token: Option<(String, bool)>,
    pub url: Option<(String, bool)>,
    pub events_url: Option<(String, bool)>,
    pub region: Option<(String, bool)>,
    pub from: Option<(String, bool)>,
}

/// The config file's path: `$PDRS_CONFIG`, else the platform's config directory.
fn config_path() -> Option<PathBuf> {
    match std::env::var_os("PDRS_CONFIG") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => dirs::config_dir().map(|d| d.join("pdrs").join("config.toml")),
    }
}

fn read_config(path: &Option<PathBuf>) -> Result<(ConfigFile, bool), Error> {
    let Some(path) = path else { return Ok((ConfigFile::default(), false)) };
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text)
            .map(|c| (c, true))
            .map_err(|e| Error::Config(format!("{}: {}", path.display(), e.message()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((ConfigFile::default(), false)),
        Err(e) => Err(Error::Config(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Runs a profile's `token_command` and takes its output's first line.
fn run_token_command(profile: &str, command: &str) -> Result<String, Error> {
    let output = if cfg!(windows) {
        std::process::Command::new("cmd").args(["/C", command]).output()
    } else {
        std::process::Command::new("sh").args(["-c", command]).output()
    }
    .map_err(|e| Error::Config(format!("profile {profile}: token_command failed to start: {e}")))?;
    if !output.status.success() {
        return Err(Error::Config(format!("profile {profile}: token_command exited with {}", output.status)));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let token = text.lines().next().unwrap_or("").trim().to_string();
    if token.is_empty() {
        return Err(Error::Config(format!("profile {profile}: token_command printed no token")));
    }
    Ok(token)
}

impl Settings {
    /// Resolves every setting from what was given, the config file and the defaults.
    pub fn resolve(given: Given) -> Result<Self, Error> {
        let config_path = config_path();
        let (config, config_found) = read_config(&config_path)?;
        // The chosen profile (flag or PDRS_PROFILE) ranks above the environment; the file's
        // default profile below it.
        let (chosen, default) = match (&given.profile, &config.default_profile) {
            (Some((name, flag)), _) => {
                let source = if *flag { Source::Flag } else { Source::Env("PDRS_PROFILE") };
                (Some((name.clone(), source)), None)
            }
            (None, Some(name)) => (None, Some((name.clone(), Source::Default))),
            (None, None) => (None, None),
        };
        let lookup = |name: &(String, Source)| -> Result<Profile, Error> {
            config.profiles.get(&name.0).cloned().ok_or_else(|| {
                let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
                Error::Config(format!(
                    "no profile {:?} in {} (profiles: {})",
                    name.0,
                    config_path.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ))
            })
        };
        let chosen_profile = chosen.as_ref().map(lookup).transpose()?;
        let default_profile = default.as_ref().map(lookup).transpose()?;
        let profile = chosen.clone().or(default.clone());

        // One setting: flag, chosen profile, environment, default profile. An empty value
        // (`PAGERDUTY_API_KEY=`) is no value.
        let pick = |given: &Option<(String, bool)>,
                    env: &'static str,
                    field: &dyn Fn(&Profile) -> Option<String>|
         -> Sourced<String> {
            let given = given.as_ref().filter(|(v, _)| !v.trim().is_empty());
            let from_profile = |p: &Option<Profile>, name: &Option<(String, Source)>| {
                p.as_ref()
                    .and_then(field)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (v, Source::Profile(name.as_ref().map(|n| n.0.clone()).unwrap_or_default())))
            };
            match given {
                Some((v, true)) => Some((v.clone(), Source::Flag)),
                _ => from_profile(&chosen_profile, &chosen)
                    .or_else(|| given.map(|(v, _)| (v.clone(), Source::Env(env))))
                    .or_else(|| from_profile(&default_profile, &default)),
            }
        };
        let token = match pick(&given.token, "PAGERDUTY_API_KEY", &|p| p.token.clone()) {
            Some((t, source)) => Some((Secret::new(t), source)),
            None => {
                // A profile's token command, run only when no token was given another way.
                let with_command = [(&chosen_profile, &chosen), (&default_profile, &default)]
                    .into_iter()
                    .find_map(|(p, n)| Some((p.as_ref()?.token_command.clone()?, n.as_ref()?.0.clone())));
                match with_command {
                    Some((command, name)) => {
                        Some((Secret::new(run_token_command(&name, &command)?), Source::Profile(name)))
                    }
                    None => None,
                }
            }
        };
        let url = pick(&given.url, "PAGERDUTY_API_URL", &|p| p.url.clone());
        // Events go where the REST calls go when those do not go to PagerDuty (a mock, a
        // staging proxy): no routing key or payload leaves for a host nobody named.
        let events_url = pick(&given.events_url, "PAGERDUTY_EVENTS_URL", &|p| p.events_url.clone()).or_else(|| {
            url.as_ref().filter(|(u, _)| !is_pagerduty(u)).map(|(u, _)| (u.clone(), Source::Follows("url")))
        });
        Ok(Settings {
            config_path,
            config_found,
            profile,
            token,
            url,
            events_url,
            region: pick(&given.region, "PAGERDUTY_REGION", &|p| p.region.clone())
                .unwrap_or(("us".to_string(), Source::Default)),
            from: pick(&given.from, "PAGERDUTY_FROM", &|p| p.from.clone()),
        })
    }

    /// The address a URL setting resolves to, and where it comes from: the setting, else the
    /// region's own.
    fn resolved(&self, setting: &Sourced<String>, of_region: fn(pdrs::Region) -> &'static str) -> String {
        match setting {
            Some((url, source)) => format!("{url} ({source})"),
            None => {
                let region = if self.region.0.eq_ignore_ascii_case("eu") { pdrs::Region::Eu } else { pdrs::Region::Us };
                format!("{} (region {})", of_region(region), self.region.0)
            }
        }
    }

    /// The settings as `pdrs config` shows them, the token redacted.
    pub fn describe(&self) -> Vec<(String, String)> {
        let show = |v: &Sourced<String>| match v {
            Some((v, s)) => format!("{v} ({s})"),
            None => "-".to_string(),
        };
        let path = match &self.config_path {
            Some(p) => format!("{} ({})", p.display(), if self.config_found { "found" } else { "not found" }),
            None => "- (no config directory)".to_string(),
        };
        vec![
            ("config".into(), path),
            ("profile".into(), show(&self.profile)),
            (
                "token".into(),
                match &self.token {
                    Some((t, s)) => format!("{} ({s})", t.hint()),
                    None => "- (set PAGERDUTY_API_KEY, --token or a profile)".into(),
                },
            ),
            ("region".into(), format!("{} ({})", self.region.0, self.region.1)),
            ("url".into(), self.resolved(&self.url, pdrs::Region::rest_url)),
            ("events_url".into(), self.resolved(&self.events_url, pdrs::Region::events_url)),
            ("from".into(), show(&self.from)),
        ]
    }
}

/// Whether a URL is on one of PagerDuty's own hosts (`*.pagerduty.com`).
fn is_pagerduty(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|host| host == "pagerduty.com" || host.ends_with(".pagerduty.com"))
}
