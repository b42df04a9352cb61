//! `pdrs`: PagerDuty's APIs from the command line, like `gh api`.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use futures::StreamExt;
use pdrs::{Error, EventsClient, ListOptions, Method, Region, RestClient, RetryPolicy};
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
    /// Attempts per request, the first included (retries on 429, 5xx, network failures).
    #[arg(long, global = true, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
    attempts: u32,
    /// First retry delay in milliseconds when the server gives no hint (doubled each time).
    #[arg(long, global = true, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    retry_base_ms: u64,
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
        /// Severity.
        #[arg(long, default_value = "critical", value_parser = ["critical", "error", "warning", "info"])]
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
fn exit_code(error: &Failure) -> u8 {
    let error = match error {
        Failure::Output(_) => return 1,
        Failure::Pd(e) => e,
    };
    match error {
        e if e.is_unauthorized() => 3,
        e if e.is_not_found() => 4,
        e if e.is_rate_limited() => 5,
        Error::Network(_) | Error::RetriesExhausted { .. } | Error::Timeout { .. } => 6,
        e if e.is_refused_before_sending() => 2,
        _ => 1,
    }
}

/// Why a run failed: pdrs's error, or stdout refusing the output.
enum Failure {
    Pd(Error),
    Output(std::io::Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Pd(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Output(e)
    }
}

/// The largest `--data` body read (from a file or stdin).
const MAX_DATA_BYTES: u64 = 10 * 1024 * 1024;

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
    let mut builder =
        RestClient::builder(token).region(region(&cli.region)?).user_agent_suffix("pdrs-cli").retry(retry_policy(cli));
    if let Some(url) = &cli.url {
        builder = builder.base_url(url);
    }
    if let Some(from) = &cli.from {
        builder = builder.default_from(from);
    }
    builder.build()
}

fn retry_policy(cli: &Cli) -> RetryPolicy {
    RetryPolicy::default().max_attempts(cli.attempts).base_delay(std::time::Duration::from_millis(cli.retry_base_ms))
}

fn events_client(key: &str, url: &Option<String>, cli: &Cli) -> Result<EventsClient, Error> {
    let mut builder = EventsClient::builder(key).region(region(&cli.region)?);
    if let Some(url) = url {
        builder = builder.base_url(url);
    }
    builder.build()
}

/// Reads at most [`MAX_DATA_BYTES`] from `reader`; more is an error, not a truncation.
fn read_bounded(reader: impl std::io::Read, name: &str) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader
        .take(MAX_DATA_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::InvalidInput(format!("cannot read {name}: {e}")))?;
    if bytes.len() as u64 > MAX_DATA_BYTES {
        return Err(Error::InvalidInput(format!("{name} is larger than {MAX_DATA_BYTES} bytes")));
    }
    Ok(bytes)
}

fn body(data: &Option<String>) -> Result<Value, Error> {
    let bytes = match data.as_deref() {
        None => return Ok(Value::Object(Default::default())),
        Some("@-") => read_bounded(std::io::stdin().lock(), "standard input")?,
        Some(d) if d.starts_with('@') => {
            let path = &d[1..];
            let file =
                std::fs::File::open(path).map_err(|e| Error::InvalidInput(format!("cannot read {path}: {e}")))?;
            read_bounded(file, path)?
        }
        Some(d) => d.as_bytes().to_vec(),
    };
    serde_json::from_slice(&bytes).map_err(|e| Error::InvalidInput(format!("--data is not valid JSON: {e}")))
}

fn print_line(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(())
}

fn print_json(value: &Value) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(std::io::Error::from)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

async fn run(cli: &Cli) -> Result<(), Failure> {
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
                    // A write error (a full disk, a closed pipe) stops the paging at once.
                    serde_json::to_writer(&mut out, &record).map_err(std::io::Error::from)?;
                    out.write_all(b"\n")?;
                    if let Some(bar) = &progress {
                        bar.inc(1);
                    }
                }
                out.flush()?;
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
                // Unwrapped as the operation table says for a known path, printed as it came
                // otherwise; an empty body is an error.
                let value: Value = request.entity().await?;
                print_json(&value)
            }
        }
        Command::Post(w) => print_json(&rest_client(cli)?.rpost::<Value>(w.path.as_str(), &body(&w.data)?).await?),
        Command::Put(w) => print_json(&rest_client(cli)?.rput::<Value>(w.path.as_str(), &body(&w.data)?).await?),
        Command::Patch(w) => print_json(&rest_client(cli)?.jpatch::<Value>(w.path.as_str(), &body(&w.data)?).await?),
        Command::Delete { path } => Ok(rest_client(cli)?.rdelete(path.as_str()).await?),
        Command::Events { action } => match action {
            EventsCommand::Trigger { routing_key, summary, source, severity, dedup_key, events_url } => {
                let events = events_client(routing_key, events_url, cli)?;
                let mut trigger = events.trigger(summary, source).severity(severity.parse()?);
                if let Some(key) = dedup_key {
                    trigger = trigger.dedup_key(key);
                }
                print_line(&trigger.send().await?)?;
                Ok(())
            }
            EventsCommand::Ack(k) => {
                print_line(&events_client(&k.routing_key, &k.events_url, cli)?.acknowledge(&k.dedup_key).await?)?;
                Ok(())
            }
            EventsCommand::Resolve(k) => {
                print_line(&events_client(&k.routing_key, &k.events_url, cli)?.resolve(&k.dedup_key).await?)?;
                Ok(())
            }
            EventsCommand::Change { routing_key, summary, source, events_url } => {
                let events = events_client(routing_key, events_url, cli)?;
                let mut change = events.change_event(summary);
                if let Some(s) = source {
                    change = change.source(s);
                }
                Ok(change.send().await?)
            }
        },
        Command::Mock(args) => Ok(args.run().await.map_err(|e| Error::Config(e.to_string()))?),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli).await {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`pdrs get --all … | head`): stop quietly, as Unix tools do.
        Err(Failure::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(failure) => {
            let text = match &failure {
                Failure::Pd(e) => e.to_string(),
                Failure::Output(e) => format!("cannot write the output: {e}"),
            };
            eprintln!("pdrs: {}", pdrs::sanitize(&text, 2000));
            ExitCode::from(exit_code(&failure))
        }
    }
}
