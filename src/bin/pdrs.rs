//! `pdrs`: PagerDuty's APIs from the command line, like `gh api`.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use futures::StreamExt;
use pdrs::{Error, EventsClient, ListOptions, Method, Region, RestClient};
use serde_json::Value;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// PagerDuty's REST and Events APIs from the command line.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// API token (default: $PAGERDUTY_API_KEY).
    #[arg(long, global = true, env = "PAGERDUTY_API_KEY", hide_env_values = true)]
    token: Option<String>,
    /// REST API base URL (default: $PAGERDUTY_API_URL, else the region's).
    #[arg(long, global = true, env = "PAGERDUTY_API_URL")]
    url: Option<String>,
    /// Service region: us or eu.
    #[arg(long, global = true, default_value = "us")]
    region: String,
    /// `From` header (a user's email), for account-level keys (default: $PAGERDUTY_FROM).
    #[arg(long, global = true, env = "PAGERDUTY_FROM")]
    from: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// GET a path; prints the unwrapped entity (or, with --all, every record as JSON lines).
    Get {
        /// Path, e.g. /users or /users/PABC123.
        path: String,
        /// Every page, streamed as JSON lines.
        #[arg(long)]
        all: bool,
        /// Pages fetched at once with --all (offset paging).
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
        /// Query parameters, key=value (repeat the key for lists).
        #[arg(short = 'p', long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
    },
    /// POST a JSON body (--data JSON or @file).
    Post(Write_),
    /// PUT a JSON body.
    Put(Write_),
    /// PATCH a JSON body.
    Patch(Write_),
    /// DELETE a path.
    Delete {
        /// Path.
        path: String,
    },
    /// Events API v2.
    Events {
        #[command(subcommand)]
        action: EventsCommand,
    },
    /// Run the mock server.
    Mock(pdrs::mock::MockArgs),
}

#[derive(clap::Args)]
struct Write_ {
    /// Path.
    path: String,
    /// JSON body, or @file to read it from a file.
    #[arg(long, short)]
    data: Option<String>,
}

#[derive(Subcommand)]
enum EventsCommand {
    /// Trigger an alert; prints its dedup key.
    Trigger {
        /// Routing (integration) key.
        #[arg(long, env = "PAGERDUTY_ROUTING_KEY", hide_env_values = true)]
        routing_key: String,
        /// Summary.
        #[arg(long)]
        summary: String,
        /// Source.
        #[arg(long)]
        source: String,
        /// critical, error, warning or info.
        #[arg(long, default_value = "critical")]
        severity: String,
        /// Dedup key.
        #[arg(long)]
        dedup_key: Option<String>,
        /// Events API base URL (default: the region's; $PAGERDUTY_EVENTS_URL).
        #[arg(long, env = "PAGERDUTY_EVENTS_URL")]
        events_url: Option<String>,
    },
    /// Acknowledge an alert.
    Ack(EventKey),
    /// Resolve an alert.
    Resolve(EventKey),
    /// Send a change event.
    Change {
        /// Routing (integration) key.
        #[arg(long, env = "PAGERDUTY_ROUTING_KEY", hide_env_values = true)]
        routing_key: String,
        /// Summary.
        #[arg(long)]
        summary: String,
        /// Source.
        #[arg(long)]
        source: Option<String>,
        /// Events API base URL.
        #[arg(long, env = "PAGERDUTY_EVENTS_URL")]
        events_url: Option<String>,
    },
}

#[derive(clap::Args)]
struct EventKey {
    /// Routing (integration) key.
    #[arg(long, env = "PAGERDUTY_ROUTING_KEY", hide_env_values = true)]
    routing_key: String,
    /// The alert's dedup key.
    #[arg(long)]
    dedup_key: String,
    /// Events API base URL.
    #[arg(long, env = "PAGERDUTY_EVENTS_URL")]
    events_url: Option<String>,
}

/// Exit codes: 1 other, 2 usage, 3 auth, 4 not found, 5 rate limited, 6 network.
fn exit_code(error: &Error) -> u8 {
    match error {
        Error::Unauthorized { .. } => 3,
        e if e.is_not_found() => 4,
        e if e.status().map(|s| s.as_u16()) == Some(429) => 5,
        Error::Network(_) | Error::RetriesExhausted { .. } => 6,
        Error::Config(_) | Error::UrlRefused(_) => 2,
        _ => 1,
    }
}

fn region(name: &str) -> Result<Region, Error> {
    match name.to_ascii_lowercase().as_str() {
        "us" => Ok(Region::Us),
        "eu" => Ok(Region::Eu),
        other => Err(Error::Config(format!("unknown region {other:?} (us or eu)"))),
    }
}

fn rest_client(cli: &Cli) -> Result<RestClient, Error> {
    let token =
        cli.token.clone().ok_or_else(|| Error::Config("no API token: set PAGERDUTY_API_KEY or pass --token".into()))?;
    let mut builder = RestClient::builder(token).region(region(&cli.region)?).user_agent_suffix("pdrs-cli");
    if let Some(url) = &cli.url {
        builder = builder.base_url(url);
    }
    if let Some(from) = &cli.from {
        builder = builder.default_from(from);
    }
    builder.build()
}

fn events_client(key: &str, url: &Option<String>, cli: &Cli) -> Result<EventsClient, Error> {
    let mut builder = EventsClient::builder(key).region(region(&cli.region)?);
    if let Some(url) = url {
        builder = builder.base_url(url);
    }
    builder.build()
}

fn body(data: &Option<String>) -> Result<Value, Error> {
    let text = match data.as_deref() {
        None => return Ok(Value::Object(Default::default())),
        Some(d) if d.starts_with('@') => {
            std::fs::read_to_string(&d[1..]).map_err(|e| Error::Config(format!("cannot read {}: {e}", &d[1..])))?
        }
        Some(d) => d.to_string(),
    };
    serde_json::from_str(&text).map_err(|e| Error::Config(format!("--data is not valid JSON: {e}")))
}

fn print_json(value: &Value) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, value);
    let _ = writeln!(out);
    Ok(())
}

async fn run(cli: &Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Get { path, all, concurrency, params } => {
            let pd = rest_client(cli)?;
            if *all {
                let mut options = ListOptions::new().concurrency(*concurrency);
                for p in params {
                    let (k, v) =
                        p.split_once('=').ok_or_else(|| Error::Config(format!("-p {p}: expected key=value")))?;
                    options = options.param(k, v);
                }
                let progress = std::io::stderr().is_terminal().then(|| {
                    let bar = indicatif::ProgressBar::new_spinner();
                    bar.set_message(format!("GET {path}"));
                    bar
                });
                let mut stream = pd.iter_all::<Value>(path, options);
                let stdout = std::io::stdout();
                let mut out = std::io::BufWriter::new(stdout.lock());
                while let Some(record) = stream.next().await {
                    let record = record?;
                    let _ = serde_json::to_writer(&mut out, &record);
                    let _ = writeln!(out);
                    if let Some(bar) = &progress {
                        bar.inc(1);
                    }
                }
                let _ = out.flush();
                if let Some(bar) = progress {
                    bar.finish_and_clear();
                }
                Ok(())
            } else {
                let mut request = pd.request(Method::GET, path.as_str());
                for p in params {
                    let (k, v) =
                        p.split_once('=').ok_or_else(|| Error::Config(format!("-p {p}: expected key=value")))?;
                    request = request.query(k, v);
                }
                let value: Value = request.json().await?;
                print_json(&unwrap_single(value))
            }
        }
        Command::Post(w) => print_json(&rest_client(cli)?.rpost::<Value>(w.path.as_str(), &body(&w.data)?).await?),
        Command::Put(w) => print_json(&rest_client(cli)?.rput::<Value>(w.path.as_str(), &body(&w.data)?).await?),
        Command::Patch(w) => print_json(&rest_client(cli)?.jpatch::<Value>(w.path.as_str(), &body(&w.data)?).await?),
        Command::Delete { path } => rest_client(cli)?.rdelete(path.as_str()).await,
        Command::Events { action } => match action {
            EventsCommand::Trigger { routing_key, summary, source, severity, dedup_key, events_url } => {
                let events = events_client(routing_key, events_url, cli)?;
                let mut trigger = events.trigger(summary, source).severity(severity.as_str().into());
                if let Some(key) = dedup_key {
                    trigger = trigger.dedup_key(key);
                }
                println!("{}", trigger.send().await?);
                Ok(())
            }
            EventsCommand::Ack(k) => {
                println!("{}", events_client(&k.routing_key, &k.events_url, cli)?.acknowledge(&k.dedup_key).await?);
                Ok(())
            }
            EventsCommand::Resolve(k) => {
                println!("{}", events_client(&k.routing_key, &k.events_url, cli)?.resolve(&k.dedup_key).await?);
                Ok(())
            }
            EventsCommand::Change { routing_key, summary, source, events_url } => {
                let events = events_client(routing_key, events_url, cli)?;
                let mut change = events.change_event(summary);
                if let Some(s) = source {
                    change = change.source(s);
                }
                change.submit().await
            }
        },
        Command::Mock(args) => args.run().await.map_err(|e| Error::Config(e.to_string())),
    }
}

/// A single-key object (`{"user": {...}}`) is printed as its entity.
fn unwrap_single(value: Value) -> Value {
    match value {
        Value::Object(map) if map.len() == 1 && map.values().all(Value::is_object) => {
            map.into_iter().next().map(|(_, v)| v).unwrap_or(Value::Null)
        }
        other => other,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pdrs: {e}");
            ExitCode::from(exit_code(&e))
        }
    }
}
