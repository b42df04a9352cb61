//! The command line: the built-in commands and the options every command takes (the generated
//! commands are built from the operation table, in `ops.rs`).

use crate::output::Format;
use clap::{Parser, Subcommand};

pub(crate) const EXIT_CODES: &str =
    "Exit codes: 0 success, 1 other failure (and a webhook signature that does not match), \
2 usage or input refused before sending, 3 authentication, 4 not found, 5 rate limited, 6 network or timeout.\n\
Settings come from flags, then the profile chosen with --profile or PDRS_PROFILE, then the environment \
(PAGERDUTY_API_KEY, PAGERDUTY_API_URL, PAGERDUTY_REGION, PAGERDUTY_FROM, PAGERDUTY_EVENTS_URL), then the \
config file's default profile (`pdrs config` shows them).";

/// PagerDuty's APIs from the command line.
#[derive(Parser)]
#[command(
    version,
    about = "PagerDuty's APIs from the command line: every operation of PagerDuty's API documents is a command",
    after_help = EXIT_CODES,
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) globals: Globals,
    #[command(subcommand)]
    pub(crate) command: Builtin,
}

/// Options of every command.
#[derive(clap::Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct Globals {
    /// API token.
    #[arg(long, global = true, env = "PAGERDUTY_API_KEY", hide_env_values = true)]
    pub(crate) token: Option<String>,
    /// REST API base URL (default: the region's).
    #[arg(long, global = true, env = "PAGERDUTY_API_URL")]
    pub(crate) url: Option<String>,
    /// Events API base URL (default: the region's).
    #[arg(long, global = true, env = "PAGERDUTY_EVENTS_URL")]
    pub(crate) events_url: Option<String>,
    /// Service region.
    #[arg(long, global = true, env = "PAGERDUTY_REGION", value_parser = ["us", "eu"])]
    pub(crate) region: Option<String>,
    /// `From` header (a user's email), for account-level keys.
    #[arg(long, global = true, env = "PAGERDUTY_FROM")]
    pub(crate) from: Option<String>,
    /// A profile of the config file.
    #[arg(long, global = true, env = "PDRS_PROFILE")]
    pub(crate) profile: Option<String>,
    /// Output format (default: table on a terminal, JSON when piped, JSON lines for --all).
    #[arg(long, short, global = true, value_enum)]
    pub(crate) output: Option<Format>,
    /// Columns or fields to print, by (nested) path: id,status,service.summary.
    #[arg(long, global = true, value_name = "PATHS")]
    pub(crate) fields: Option<String>,
    /// Attempts per request, the first included (retries on 429, 5xx, network failures).
    #[arg(long, global = true, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub(crate) attempts: u32,
    /// The longest one request may take in all, attempts and waits included (seconds): past
    /// it the command gives up and says what it saw.
    #[arg(long, global = true, default_value_t = 60, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) max_time: u64,
    /// No hints and no lines about waits on stderr (failures are still printed).
    #[arg(long, short = 'q', global = true)]
    pub(crate) quiet: bool,
    /// First retry delay in milliseconds when the server gives no hint (doubled each time).
    #[arg(long, global = true, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub(crate) retry_base_ms: u64,
    /// Print each request on stderr: method, URL, status and time (never a credential or a body).
    #[arg(long, short = 'v', global = true)]
    pub(crate) verbose: bool,
    /// Print the request that would be sent (method, URL, headers without credentials, body)
    /// and send nothing.
    #[arg(long, global = true)]
    pub(crate) dry_run: bool,
}

#[derive(Subcommand)]
pub(crate) enum Builtin {
    /// GET a path; prints the unwrapped entity (or, with --all, every record).
    Get {
        /// Path, e.g. /users or /users/PABC123.
        path: String,
        /// Every page, streamed.
        #[arg(long)]
        all: bool,
        /// Pages fetched at once with --all (offset paging).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=32))]
        concurrency: u16,
        /// Query parameters, key=value (repeat the key for lists).
        #[arg(short = 'p', long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
    },
    /// POST a JSON body (--data JSON, @file or @-).
    Post(WriteArgs),
    /// PUT a JSON body.
    Put(WriteArgs),
    /// PATCH a JSON body.
    Patch(WriteArgs),
    /// DELETE a path.
    Delete {
        /// Path.
        path: String,
    },
    /// Events API v2: trigger, acknowledge and resolve alerts, send change events.
    Events {
        #[command(subcommand)]
        action: EventsCommand,
    },
    /// Webhook signatures: verify a delivery, or receive deliveries (and the REST webhook
    /// subscription commands).
    Webhooks {
        #[command(subcommand)]
        action: WebhookCommand,
    },
    /// Who is on call now for an escalation policy or a schedule (by name or id).
    Oncall {
        /// The escalation policy's or schedule's name or id.
        target: String,
    },
    /// Maintenance windows around work on a service: start one now, end one.
    Maintenance {
        #[command(subcommand)]
        action: MaintenanceCommand,
    },
    /// Show the effective settings and where each comes from (the token redacted).
    Config,
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Run the mock server.
    Mock(crate::mock_args::MockArgs),
}

#[derive(Subcommand)]
pub(crate) enum MaintenanceCommand {
    /// Start a maintenance window on a service now (its incidents are not opened meanwhile).
    Start {
        /// The service's name or id.
        service: String,
        /// How long: 30m, 1h, 2d.
        #[arg(long = "for", value_name = "DURATION", default_value = "1h")]
        duration: String,
        /// What the window is for.
        #[arg(long, default_value = "Maintenance (pdrs)")]
        description: String,
    },
    /// End a maintenance window now.
    End {
        /// The window's id.
        id: String,
    },
}

#[derive(clap::Args)]
pub(crate) struct WriteArgs {
    /// Path.
    pub(crate) path: String,
    /// JSON body, @file to read it from a file, or @- for standard input.
    #[arg(long, short)]
    pub(crate) data: Option<String>,
}

#[derive(Subcommand)]
pub(crate) enum EventsCommand {
    /// Trigger an alert; prints its dedup key.
    Trigger {
        #[command(flatten)]
        key: RoutingKey,
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
    },
    /// Acknowledge an alert.
    Ack(EventKey),
    /// Resolve an alert.
    Resolve(EventKey),
    /// Send a change event.
    Change {
        #[command(flatten)]
        key: RoutingKey,
        /// Summary.
        #[arg(long)]
        summary: String,
        /// Source.
        #[arg(long)]
        source: Option<String>,
    },
}

#[derive(clap::Args)]
pub(crate) struct RoutingKey {
    /// Routing (integration) key.
    #[arg(long, env = "PAGERDUTY_ROUTING_KEY", hide_env_values = true)]
    pub(crate) routing_key: String,
}

#[derive(clap::Args)]
pub(crate) struct EventKey {
    #[command(flatten)]
    pub(crate) key: RoutingKey,
    /// The alert's dedup key.
    #[arg(long)]
    pub(crate) dedup_key: String,
}

#[derive(Subcommand)]
pub(crate) enum WebhookCommand {
    /// Verify a delivery: the body on standard input, its X-PagerDuty-Signature as a flag.
    /// Prints the event (type, resource, summary); exits 1 when no signature matches.
    Verify {
        /// The subscription's secret.
        #[arg(long, env = "PDRS_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The X-PagerDuty-Signature header's value (`v1=...`).
        #[arg(long)]
        signature: String,
    },
    /// Receive deliveries: each verified one is printed (event type, resource, id, summary; or
    /// JSON lines with -o jsonl/json), each refused one answered 401 and reported on stderr.
    Listen {
        /// The subscription's secret.
        #[arg(long, env = "PDRS_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// Port (0: any free port, printed on stderr).
        #[arg(long, default_value_t = 8787)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
    },
}
