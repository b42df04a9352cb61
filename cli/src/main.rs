//! `pdrs`: PagerDuty's APIs from the command line. Every operation of PagerDuty's documents is
//! a command (`pdrs incidents list --statuses triggered`), built from the operation table;
//! `get`/`post`/`put`/`patch`/`delete PATH` are the raw escape hatch.
#![forbid(unsafe_code)]

mod hooks;
mod mock_args;
mod ops;
mod output;
mod settings;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use futures::StreamExt;
use output::{Format, Printer};
use pdrs::spec::{Api, Operation, Paging};
use pdrs::{ApiClient, Error, EventsClient, ListOptions, Method, Region, RestClient, RetryPolicy};
use serde_json::Value;
use settings::Settings;
use std::io::IsTerminal;
use std::process::ExitCode;

const EXIT_CODES: &str = "Exit codes: 0 success, 1 other failure (and a webhook signature that does not match), \
2 usage or input refused before sending, 3 authentication, 4 not found, 5 rate limited, 6 network or timeout.\n\
Settings come from flags, then the profile chosen with --profile or PDRS_PROFILE, then the environment \
(PAGERDUTY_API_KEY, PAGERDUTY_API_URL, PAGERDUTY_REGION, PAGERDUTY_FROM, PAGERDUTY_EVENTS_URL), then the \
config file's default profile (`pdrs config` shows them).";

/// PagerDuty's APIs from the command line.
#[derive(Parser)]
#[command(
    version,
    about = "PagerDuty's APIs from the command line: every operation of PagerDuty's API documents is a command",
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    command: Builtin,
}

/// Options of every command.
#[derive(clap::Args)]
#[command(next_help_heading = "Global options")]
struct Globals {
    /// API token.
    #[arg(long, global = true, env = "PAGERDUTY_API_KEY", hide_env_values = true)]
    token: Option<String>,
    /// REST API base URL (default: the region's).
    #[arg(long, global = true, env = "PAGERDUTY_API_URL")]
    url: Option<String>,
    /// Events API base URL (default: the region's).
    #[arg(long, global = true, env = "PAGERDUTY_EVENTS_URL")]
    events_url: Option<String>,
    /// Service region.
    #[arg(long, global = true, env = "PAGERDUTY_REGION", value_parser = ["us", "eu"])]
    region: Option<String>,
    /// `From` header (a user's email), for account-level keys.
    #[arg(long, global = true, env = "PAGERDUTY_FROM")]
    from: Option<String>,
    /// A profile of the config file.
    #[arg(long, global = true, env = "PDRS_PROFILE")]
    profile: Option<String>,
    /// Output format (default: table on a terminal, JSON when piped, JSON lines for --all).
    #[arg(long, short, global = true, value_enum)]
    output: Option<Format>,
    /// Columns or fields to print, by (nested) path: id,status,service.summary.
    #[arg(long, global = true, value_name = "PATHS")]
    fields: Option<String>,
    /// Attempts per request, the first included (retries on 429, 5xx, network failures).
    #[arg(long, global = true, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
    attempts: u32,
    /// First retry delay in milliseconds when the server gives no hint (doubled each time).
    #[arg(long, global = true, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    retry_base_ms: u64,
}

#[derive(Subcommand)]
enum Builtin {
    /// GET a path; prints the unwrapped entity (or, with --all, every record).
    Get {
        /// Path, e.g. /users or /users/PABC123.
        path: String,
        /// Every page, streamed.
        #[arg(long)]
        all: bool,
        /// Pages fetched at once with --all (offset paging).
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
        /// Query parameters, key=value (repeat the key for lists).
        #[arg(short = 'p', long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
    },
    /// POST a JSON body (--data JSON, @file or @-).
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
    Mock(mock_args::MockArgs),
}

#[derive(clap::Args)]
struct Write_ {
    /// Path.
    path: String,
    /// JSON body, @file to read it from a file, or @- for standard input.
    #[arg(long, short)]
    data: Option<String>,
}

#[derive(Subcommand)]
enum EventsCommand {
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
struct RoutingKey {
    /// Routing (integration) key.
    #[arg(long, env = "PAGERDUTY_ROUTING_KEY", hide_env_values = true)]
    routing_key: String,
}

#[derive(clap::Args)]
struct EventKey {
    #[command(flatten)]
    key: RoutingKey,
    /// The alert's dedup key.
    #[arg(long)]
    dedup_key: String,
}

#[derive(Subcommand)]
enum WebhookCommand {
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

/// Exit codes: see [`EXIT_CODES`].
fn exit_code(error: &Failure) -> u8 {
    let error = match error {
        Failure::Output(_) | Failure::Signature(_) => return 1,
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

/// Why a run failed: pdrs's error, stdout refusing the output, or a webhook signature.
enum Failure {
    Pd(Error),
    Output(std::io::Error),
    Signature(pdrs::webhooks::WebhookError),
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

/// The settings from the matches: what was given (and whether by a flag), the config file, the
/// defaults.
fn settings(matches: &ArgMatches, globals: &Globals) -> Result<Settings, Error> {
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

fn retry_policy(globals: &Globals) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(globals.attempts)
        .base_delay(std::time::Duration::from_millis(globals.retry_base_ms))
}

/// A client builder from the settings.
fn builder(settings: &Settings, globals: &Globals) -> Result<pdrs::RestClientBuilder, Error> {
    let (token, _) = settings.token.clone().ok_or_else(|| {
        Error::Config("no API token: set PAGERDUTY_API_KEY, pass --token, or choose a profile (pdrs config)".into())
    })?;
    let mut builder = RestClient::builder(token)
        .region(region(&settings.region.0)?)
        .user_agent_suffix("pdrs-cli")
        .retry(retry_policy(globals));
    if let Some((url, _)) = &settings.url {
        builder = builder.base_url(url);
    }
    if let Some((from, _)) = &settings.from {
        builder = builder.default_from(from);
    }
    Ok(builder)
}

fn rest_client(settings: &Settings, globals: &Globals) -> Result<RestClient, Error> {
    builder(settings, globals)?.build()
}

fn events_client(key: &str, settings: &Settings) -> Result<EventsClient, Error> {
    let mut builder = EventsClient::builder(key).region(region(&settings.region.0)?);
    if let Some((url, _)) = &settings.events_url {
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

/// The `--data` body: JSON, `@file` or `@-` (standard input).
fn body(data: Option<&str>) -> Result<Option<Value>, Error> {
    let bytes = match data {
        None => return Ok(None),
        Some("@-") => read_bounded(std::io::stdin().lock(), "standard input")?,
        Some(d) if d.starts_with('@') => {
            let path = &d[1..];
            let file =
                std::fs::File::open(path).map_err(|e| Error::InvalidInput(format!("cannot read {path}: {e}")))?;
            read_bounded(file, path)?
        }
        Some(d) => d.as_bytes().to_vec(),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| Error::InvalidInput(format!("--data is not valid JSON: {e}")))
}

/// Streams every record of a listing to the printer, with a progress bar on a terminal.
async fn print_all(client: &ApiClient, path: &str, options: ListOptions, mut printer: Printer) -> Result<(), Failure> {
    let watch = pdrs::TotalWatch::new();
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} records {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_message(path.to_string());
        bar
    });
    let options = if progress.is_some() { options.watch_total(&watch) } else { options };
    let tick = || {
        if let Some(bar) = &progress {
            if let Some(total) = watch.get() {
                bar.set_length(total);
            }
            bar.inc(1);
        }
    };
    // A write error (a full disk, a closed pipe) stops the paging at once.
    if printer.takes_raw() {
        // JSON out as it came in: each record's text is written as it is, never parsed.
        let mut stream = client.iter_all::<pdrs::Record>(path, options);
        while let Some(record) = stream.next().await {
            printer.raw_record(&record?)?;
            tick();
        }
    } else {
        let mut stream = client.iter_all::<Value>(path, options);
        while let Some(record) = stream.next().await {
            printer.record(record?)?;
            tick();
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    Ok(printer.finish()?)
}

/// Runs one generated operation.
async fn run_op(
    settings: &Settings,
    globals: &Globals,
    api: Api,
    op: &'static Operation,
    matches: &ArgMatches,
) -> Result<(), Failure> {
    // The body is read and checked before anything else: bad input never reaches the network.
    let body = match matches.try_get_one::<String>("data").ok().flatten() {
        Some(data) => body(Some(data))?.map(|b| wrap(op, b)),
        None => None,
    };
    if let Some(body) = &body {
        if let Some(Err(problem)) = pdrs::spec::check_body(op, body) {
            return Err(Error::InvalidInput(format!("the request body does not fit {}: {problem}", op.name)).into());
        }
    }
    let client = builder(settings, globals)?.build_api(api)?;
    let path = ops::fill_path(op, matches);
    let (query, headers) = ops::query_and_headers(op, matches);
    let all = matches.try_get_one::<bool>("all").ok().flatten().copied().unwrap_or(false);
    if all {
        let concurrency = matches.try_get_one::<u16>("concurrency").ok().flatten().copied().unwrap_or(1);
        let mut options = ListOptions::new().concurrency(usize::from(concurrency));
        for (k, v) in query {
            options = options.param(k, v);
        }
        for (k, v) in headers {
            options = options.header(k, v);
        }
        let printer = Printer::new(globals.output, globals.fields.as_deref(), true);
        return print_all(&client, &path, options, printer).await;
    }
    let method =
        Method::from_bytes(op.method.as_bytes()).map_err(|_| Error::Config(format!("method {}", op.method)))?;
    let mut request = client.request(method, path.as_str());
    for (k, v) in query {
        request = request.query(k, v);
    }
    for (k, v) in headers {
        request = request.header(k, v);
    }
    if let Some(body) = &body {
        request = request.json_body(body);
    }
    let response = request.send().await?;
    let bytes = response.bytes().await.map_err(Error::Network)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(()); // 204 and other empty answers print nothing.
    }
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
        path: String::new(),
        source: e,
        body: bytes.clone().into(),
    })?;
    let shown = unwrap(op, value);
    Ok(Printer::new(globals.output, globals.fields.as_deref(), false).value(&shown)?)
}

/// The body in the operation's entity wrapper (`{"user": {...}}`) unless it already is.
fn wrap(op: &Operation, body: Value) -> Value {
    match op.request_wrapper {
        Some(key) if !body.as_object().is_some_and(|m| m.len() == 1 && m.contains_key(key)) => {
            serde_json::json!({ key: body })
        }
        _ => body,
    }
}

/// What to show of an answer: a page's items, or the entity out of its wrapper.
fn unwrap(op: &Operation, mut value: Value) -> Value {
    let key = if op.paging != Paging::None { op.items } else { op.response_wrapper };
    match key.and_then(|k| value.get_mut(k)) {
        Some(inner) => inner.take(),
        None => value,
    }
}

/// The generated groups this command line needs in full: the ones named in it (all of them for
/// `completions` and `man`), so that other runs do not build 465 commands.
fn wanted_groups(groups: &[ops::Group]) -> Vec<bool> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let everything = args.iter().any(|a| a == "completions" || a == "man");
    groups.iter().map(|g| everything || args.contains(&g.name)).collect()
}

/// The whole command tree: the built-in commands and a group per tag and API.
fn command_tree(groups: &[ops::Group], full: &[bool]) -> clap::Command {
    let mut cmd = Cli::command();
    for (group, full) in groups.iter().zip(full) {
        if cmd.find_subcommand(&group.name).is_some() {
            // A built-in group (`webhooks`) also gets the tag's operations.
            if *full {
                let subs: Vec<clap::Command> = group.ops.iter().map(|(n, op)| ops::command(n, op)).collect();
                cmd = cmd.mut_subcommand(&group.name, |c| c.subcommands(subs));
            }
        } else {
            cmd = cmd.subcommand(ops::group_command(group, *full));
        }
    }
    cmd
}

async fn run(matches: &ArgMatches, groups: &[ops::Group]) -> Result<(), Failure> {
    let globals = Globals::from_arg_matches(matches).map_err(|e| Error::Config(e.to_string()))?;
    // A generated operation?
    if let Some((group_name, group_matches)) = matches.subcommand() {
        if let Some(group) = groups.iter().find(|g| g.name == group_name) {
            if let Some((op_name, op_matches)) = group_matches.subcommand() {
                if let Some((_, op)) = group.ops.iter().find(|(n, _)| n == op_name) {
                    let settings = settings(matches, &globals)?;
                    return run_op(&settings, &globals, group.api, op, op_matches).await;
                }
            }
        }
    }
    let cli = Cli::from_arg_matches(matches).map_err(|e| Error::Config(e.to_string()))?;
    let settings = || settings(matches, &cli.globals);
    match &cli.command {
        Builtin::Get { path, all, concurrency, params } => {
            let settings = settings()?;
            let pd = rest_client(&settings, &cli.globals)?;
            let pairs = params
                .iter()
                .map(|p| p.split_once('=').ok_or_else(|| Error::Config(format!("-p {p}: expected key=value"))))
                .collect::<Result<Vec<_>, _>>()?;
            if *all {
                let mut options = ListOptions::new().concurrency(*concurrency);
                for (k, v) in pairs {
                    options = options.param(k, v);
                }
                let format = cli.globals.output.or(Some(Format::Jsonl).filter(|_| !std::io::stdout().is_terminal()));
                let printer = Printer::new(format, cli.globals.fields.as_deref(), true);
                print_all(&pd, path, options, printer).await
            } else {
                let mut request = pd.request(Method::GET, path.as_str());
                for (k, v) in pairs {
                    request = request.query(k, v);
                }
                // Unwrapped as the operation table says for a known path, printed as it came
                // otherwise; an empty body is an error.
                let value: Value = request.entity().await?;
                print_value(&cli.globals, &value)
            }
        }
        Builtin::Post(w) => {
            let body = body(w.data.as_deref())?.unwrap_or_else(|| Value::Object(Default::default()));
            let pd = rest_client(&settings()?, &cli.globals)?;
            print_value(&cli.globals, &pd.rpost::<Value>(w.path.as_str(), &body).await?)
        }
        Builtin::Put(w) => {
            let body = body(w.data.as_deref())?.unwrap_or_else(|| Value::Object(Default::default()));
            let pd = rest_client(&settings()?, &cli.globals)?;
            print_value(&cli.globals, &pd.rput::<Value>(w.path.as_str(), &body).await?)
        }
        Builtin::Patch(w) => {
            let body = body(w.data.as_deref())?.unwrap_or_else(|| Value::Object(Default::default()));
            let pd = rest_client(&settings()?, &cli.globals)?;
            print_value(&cli.globals, &pd.jpatch::<Value>(w.path.as_str(), &body).await?)
        }
        Builtin::Delete { path } => Ok(rest_client(&settings()?, &cli.globals)?.rdelete(path.as_str()).await?),
        Builtin::Events { action } => {
            let settings = settings()?;
            let line = match action {
                EventsCommand::Trigger { key, summary, source, severity, dedup_key } => {
                    let severity = severity.parse()?;
                    let events = events_client(&key.routing_key, &settings)?;
                    let mut trigger = events.trigger(summary, source).severity(severity);
                    if let Some(key) = dedup_key {
                        trigger = trigger.dedup_key(key);
                    }
                    trigger.send().await?
                }
                EventsCommand::Ack(k) => {
                    events_client(&k.key.routing_key, &settings)?.acknowledge(&k.dedup_key).await?
                }
                EventsCommand::Resolve(k) => {
                    events_client(&k.key.routing_key, &settings)?.resolve(&k.dedup_key).await?
                }
                EventsCommand::Change { key, summary, source } => {
                    let events = events_client(&key.routing_key, &settings)?;
                    let mut change = events.change_event(summary);
                    if let Some(s) = source {
                        change = change.source(s);
                    }
                    change.send().await?;
                    return Ok(());
                }
            };
            // The dedup key as a plain line, for `KEY=$(pdrs events trigger ...)`.
            let mut out = std::io::stdout().lock();
            std::io::Write::write_all(&mut out, format!("{line}\n").as_bytes())?;
            Ok(std::io::Write::flush(&mut out)?)
        }
        Builtin::Webhooks { action } => match action {
            WebhookCommand::Verify { secret, signature } => {
                let body = read_bounded(std::io::stdin().lock(), "standard input")?;
                let described = hooks::verify(secret, signature, &body).map_err(Failure::Signature)?;
                print_value(&cli.globals, &described)
            }
            WebhookCommand::Listen { secret, port, bind } => {
                if secret.is_empty() {
                    return Err(Error::Config("the webhook secret is empty".into()).into());
                }
                let style = match cli.globals.output {
                    Some(Format::Json | Format::Jsonl) => hooks::Style::Json,
                    _ => hooks::Style::Line,
                };
                Ok(hooks::listen(std::net::SocketAddr::new(*bind, *port), secret.clone(), style).await?)
            }
        },
        Builtin::Config => {
            let settings = settings()?;
            let rows: Vec<Value> =
                settings.describe().into_iter().map(|(k, v)| serde_json::json!({"setting": k, "value": v})).collect();
            Ok(Printer::new(cli.globals.output.or(Some(Format::Table)), None, false).value(&Value::Array(rows))?)
        }
        Builtin::Completions { shell } => {
            let mut cmd = command_tree(groups, &vec![true; groups.len()]);
            clap_complete::generate(*shell, &mut cmd, "pdrs", &mut std::io::stdout().lock());
            Ok(())
        }
        Builtin::Man => {
            let cmd = command_tree(groups, &vec![true; groups.len()]);
            Ok(clap_mangen::Man::new(cmd).render(&mut std::io::stdout().lock())?)
        }
        Builtin::Mock(args) => Ok(args.run().await.map_err(|e| Error::Config(e.to_string()))?),
    }
}

/// A usage error on one line: clap's lines joined, without its `--help` hint.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Prints one answer in the chosen format.
fn print_value(globals: &Globals, value: &Value) -> Result<(), Failure> {
    Ok(Printer::new(globals.output, globals.fields.as_deref(), false).value(value)?)
}

fn main() -> ExitCode {
    let groups = ops::groups();
    let full = wanted_groups(&groups);
    let matches = match command_tree(&groups, &full).try_get_matches() {
        Ok(matches) => matches,
        Err(e) if !e.use_stderr() => {
            // --help and --version: printed as clap renders them.
            return match e.print() {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(1),
            };
        }
        Err(e) => {
            eprintln!("pdrs: {}", one_line(&e.render().to_string()));
            return ExitCode::from(2);
        }
    };
    let runtime = if wants_all_cores(&matches) {
        tokio::runtime::Builder::new_multi_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    };
    match runtime {
        Ok(runtime) => runtime.block_on(run_and_report(&matches, &groups)),
        Err(e) => {
            eprintln!("pdrs: cannot start the async runtime: {e}");
            ExitCode::from(1)
        }
    }
}

/// Whether a command gets the multi-threaded runtime. A client command waits on the network, not
/// the CPU: one thread runs it (fewer threads, a smaller process). `pdrs mock` serves many clients
/// at once, and `--concurrency N` (N > 1) reads and parses pages while the records before them are
/// written: they get every core.
fn wants_all_cores(matches: &ArgMatches) -> bool {
    if matches.subcommand_name() == Some("mock") {
        return true;
    }
    let mut level = Some(matches);
    while let Some(m) = level {
        // `get --concurrency` is a usize, an operation's `--concurrency` a u16.
        let concurrency = m
            .try_get_one::<usize>("concurrency")
            .ok()
            .flatten()
            .copied()
            .or_else(|| m.try_get_one::<u16>("concurrency").ok().flatten().map(|c| usize::from(*c)));
        if concurrency.is_some_and(|c| c > 1) {
            return true;
        }
        level = m.subcommand().map(|(_, sub)| sub);
    }
    false
}

/// Runs the parsed command and turns its outcome into the exit code, the failure on stderr.
async fn run_and_report(matches: &ArgMatches, groups: &[ops::Group]) -> ExitCode {
    match run(matches, groups).await {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`pdrs get --all … | head`): stop quietly, as Unix tools do.
        Err(Failure::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(failure) => {
            let text = match &failure {
                Failure::Pd(e) => e.to_string(),
                Failure::Output(e) => format!("cannot write the output: {e}"),
                Failure::Signature(e) => format!("webhook signature check failed: {e}"),
            };
            eprintln!("pdrs: {}", pdrs::sanitize(&text, 2000));
            ExitCode::from(exit_code(&failure))
        }
    }
}
