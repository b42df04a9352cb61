//! Running a parsed command line: the built-in commands and the generated ones.

use crate::args::{Builtin, Cli, EventsCommand, Globals, WebhookCommand, WriteArgs};
use crate::connect::{builder, events_client, rest_client, settings};
use crate::failure::Failure;
use crate::input::{body, read_bounded};
use crate::listing::print_all;
use crate::ops;
use crate::output::{Format, Printer};
use crate::settings::Settings;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use pdrs::spec::{Api, FromHeader, Operation};
use pdrs::{Error, ListOptions, Method};
use serde_json::Value;
use std::io::IsTerminal;

/// Runs one generated operation.
pub(crate) async fn run_op(
    settings: &Settings,
    globals: &Globals,
    api: Api,
    op: &'static Operation,
    matches: &ArgMatches,
) -> Result<(), Failure> {
    let flag = |name: &str| matches.try_get_one::<bool>(name).ok().flatten().copied().unwrap_or(false);
    if flag("example") {
        let skeleton = pdrs::shape::skeleton(op).unwrap_or_else(|| Value::Object(Default::default()));
        return Ok(Printer::new(Some(Format::Json), None, false).value(&skeleton)?);
    }
    // The body is read and checked before anything else: bad input never reaches the network.
    let mut body = match matches.try_get_one::<String>("data").ok().flatten() {
        Some(data) => body(Some(data))?.map(|b| op.wrap_request(b)),
        None => None,
    };
    if let (Some(body), Some(shape)) = (&mut body, pdrs::shape::of(op)) {
        crate::when::in_body(&Value::Object(shape.clone()), body, chrono::Utc::now());
    }
    if let Some(body) = &body {
        check_body(op, body, flag("allow-unknown-fields"))?;
    }
    if op.from == FromHeader::Required {
        crate::connect::require_from(settings, op.name)?;
    }
    let client = builder(settings, globals)?.build_api(api)?;
    let path = ops::fill_path(op, matches);
    let (query, mut headers) = ops::query_and_headers(op, matches);
    if globals.dry_run {
        if let Some((from, _)) = &settings.from {
            headers.push(("From".into(), from.clone()));
        }
        let url = client.base_url().join(path.trim_start_matches('/')).map_err(|e| Error::Config(e.to_string()))?;
        return Ok(crate::preview::print(op.method, &url, &query, &headers, body.as_ref())?);
    }
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
    let response = request.send().await.map_err(|e| Failure::about(&path, e))?;
    let bytes = response.bytes().await.map_err(Error::Network)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(()); // 204 and other empty answers print nothing.
    }
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
        path: String::new(),
        source: e,
        body: bytes.clone().into(),
    })?;
    let more = more_than_shown(op, &value);
    let shown = op.unwrap_response(value).unwrap_or_else(|whole| whole);
    Printer::new(globals.output, globals.fields.as_deref(), false).value(&shown)?;
    if let Some(more) = more {
        crate::notices::hint(&format!(
            "showed {}{more}; --all lists every record",
            shown.as_array().map_or(1, Vec::len)
        ));
    }
    Ok(())
}

/// What a page of a listing says exists beyond it (` of 1500`, ` and more exist`), when it
/// says so.
fn more_than_shown(op: &Operation, page: &Value) -> Option<String> {
    if op.paging == pdrs::spec::Paging::None {
        return None;
    }
    let more = page["more"].as_bool() == Some(true)
        || page.get("next_cursor").is_some_and(|c| !c.is_null() && c.as_str() != Some(""));
    match page["total"].as_u64() {
        Some(total) if more => Some(format!(" of {total}")),
        _ if more => Some(" and more exist".into()),
        _ => None,
    }
}

/// Whether a command line gave its operation nothing but the `id`.
fn only_the_id(matches: &ArgMatches) -> bool {
    matches.ids().all(|id| {
        id.as_str() == "id"
            || !matches!(matches.value_source(id.as_str()), Some(clap::parser::ValueSource::CommandLine))
    })
}

/// A `--data` body checked before sending: against the document's shape (fields, types, allowed
/// values, dates; a field it does not know only with `--allow-unknown-fields`), then against
/// the generated request type.
fn check_body(op: &Operation, body: &Value, allow_unknown: bool) -> Result<(), Failure> {
    let problems: Vec<String> =
        pdrs::shape::problems(op, body)
            .iter()
            .filter(|p| !(allow_unknown && p.is_unknown_field()))
            .map(|p| {
                if p.is_unknown_field() {
                    format!("{p}; --allow-unknown-fields sends it anyway")
                } else {
                    p.to_string()
                }
            })
            .collect();
    if !problems.is_empty() {
        return Err(Error::InvalidInput(format!("--data does not fit {}: {}", op.name, problems.join("; "))).into());
    }
    // The generated request type holds a whole record: an update of one may name fewer fields.
    if let Some(Err(problem)) = pdrs::spec::check_body(op, body).filter(|_| !op.is_partial_update()) {
        return Err(Error::InvalidInput(format!("--data does not fit {}: {problem}", op.name)).into());
    }
    Ok(())
}

/// The generated groups this command line needs in full: the ones named in it (all of them for
/// `completions` and `man`), so that other runs do not build 465 commands.
pub(crate) fn wanted_groups(groups: &[ops::Group]) -> Vec<bool> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let everything = args.iter().any(|a| a == "completions" || a == "man");
    groups.iter().map(|g| everything || args.contains(&g.name)).collect()
}

/// The whole command tree. The global options are described once, in `pdrs --help`; every
/// subcommand's help names them in one line.
pub(crate) fn command_tree(groups: &[ops::Group], full: &[bool]) -> clap::Command {
    let cmd = full_tree(groups, full);
    let globals: Vec<&clap::Arg> = cmd.get_arguments().filter(|a| a.is_global_set()).collect();
    let names: Vec<String> = globals.iter().filter_map(|a| a.get_long()).map(|l| format!("--{l}")).collect();
    let mut described = String::from("Global options (every command takes them):\n");
    for arg in &globals {
        let flag = match (arg.get_short(), arg.get_long()) {
            (Some(short), Some(long)) => format!("-{short}, --{long}"),
            (None, Some(long)) => format!("    --{long}"),
            _ => continue,
        };
        let env = arg.get_env().map(|e| format!(" [env: {}]", e.to_string_lossy())).unwrap_or_default();
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        described.push_str(&format!("  {flag:<22} {help}{env}\n"));
    }
    let note = format!("Global options: {} (pdrs --help describes them).", names.join(", "));
    let ids: Vec<clap::Id> = globals.iter().map(|a| a.get_id().clone()).collect();
    let mut cmd = cmd.after_help(format!("{described}\n{}", crate::args::EXIT_CODES));
    for id in ids {
        cmd = cmd.mut_arg(id, |a| a.hide(true));
    }
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |sub| with_note(sub, &note));
    }
    cmd
}

/// `cmd` and its subcommands with `note` at the end of their help.
fn with_note(cmd: clap::Command, note: &str) -> clap::Command {
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    let mut cmd = cmd.after_help(note.to_string());
    for name in names {
        cmd = cmd.mut_subcommand(name, |sub| with_note(sub, note));
    }
    cmd
}

/// The command tree: the built-in commands and a group per tag and API.
fn full_tree(groups: &[ops::Group], full: &[bool]) -> clap::Command {
    let mut cmd = Cli::command();
    for (group, full) in groups.iter().zip(full) {
        if cmd.find_subcommand(&group.name).is_some() {
            // A built-in group (`webhooks`) also gets the tag's operations.
            if *full {
                let subs: Vec<clap::Command> = group.ops.iter().map(|(n, op)| ops::command(n, op)).collect();
                cmd = cmd.mut_subcommand(&group.name, |c| c.subcommands(subs));
            }
        } else {
            let mut group_cmd = ops::group_command(group, *full);
            if *full && group.name == "incidents" {
                group_cmd = group_cmd.subcommands(crate::shortcuts::incident_commands());
            }
            if let Some(listing) = crate::watch::listing(&group.name).filter(|_| *full) {
                group_cmd = group_cmd.subcommand(crate::watch::command(listing));
            }
            cmd = cmd.subcommand(group_cmd);
        }
    }
    cmd
}

pub(crate) async fn run(matches: &ArgMatches, groups: &[ops::Group]) -> Result<(), Failure> {
    let globals = Globals::from_arg_matches(matches).map_err(|e| Error::Config(e.to_string()))?;
    if globals.verbose {
        crate::verbose::enable();
    }
    crate::notices::set_quiet(globals.quiet);
    // A generated operation?
    if let Some((group_name, group_matches)) = matches.subcommand() {
        if let Some(group) = groups.iter().find(|g| g.name == group_name) {
            if let Some((op_name, op_matches)) = group_matches.subcommand() {
                if group.name == "schedules" && op_name == "get" && only_the_id(op_matches) && !globals.dry_run {
                    // A schedule whatever its version: v3, else v2 when PagerDuty has not upgraded it.
                    let settings = settings(matches, &globals)?;
                    let pd = rest_client(&settings, &globals)?;
                    let id = op_matches.get_one::<String>("id").cloned().unwrap_or_default();
                    let schedule =
                        pd.schedule(&id).await.map_err(|e| Failure::about(&format!("/schedules/{id}"), e))?;
                    crate::notices::hint(&format!("schedule {id} read through Schedules v{}", schedule.version()));
                    return print_value(&globals, schedule.record());
                }
                if let Some((_, op)) = group.ops.iter().find(|(n, _)| n == op_name) {
                    let settings = settings(matches, &globals)?;
                    return run_op(&settings, &globals, group.api, op, op_matches).await;
                }
                if let Some(listing) = crate::watch::listing(&group.name).filter(|_| op_name == "watch") {
                    let settings = settings(matches, &globals)?;
                    let pd = rest_client(&settings, &globals)?;
                    return crate::watch::run(&pd, &globals, listing, op_matches).await;
                }
                if group.name == "incidents" && crate::shortcuts::is_incident_shortcut(op_name) {
                    let settings = settings(matches, &globals)?;
                    let pd = rest_client(&settings, &globals)?;
                    return crate::shortcuts::run_incidents(&pd, &settings, &globals, op_name, op_matches).await;
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
                let mut options = ListOptions::new().concurrency(usize::from(*concurrency));
                for (k, v) in pairs {
                    options = options.param(k, v);
                }
                let format = cli.globals.output.or(Some(Format::Jsonl).filter(|_| !std::io::stdout().is_terminal()));
                let printer = Printer::new(format, cli.globals.fields.as_deref(), true);
                print_all(&pd, path, options, printer).await
            } else {
                if cli.globals.dry_run {
                    let query: Vec<(String, String)> =
                        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                    return crate::preview::request(&pd, "GET", path, &query, None, &settings);
                }
                let mut request = pd.request(Method::GET, path.as_str());
                for (k, v) in pairs {
                    request = request.query(k, v);
                }
                // Unwrapped as the operation table says for a known path, printed as it came
                // otherwise; an empty body is an error.
                let value: Value = request.entity().await.map_err(|e| Failure::about(path, e))?;
                print_value(&cli.globals, &value)
            }
        }
        Builtin::Post(w) => write(Method::POST, w, &settings()?, &cli.globals).await,
        Builtin::Put(w) => write(Method::PUT, w, &settings()?, &cli.globals).await,
        Builtin::Patch(w) => write(Method::PATCH, w, &settings()?, &cli.globals).await,
        Builtin::Delete { path } => {
            let settings = settings()?;
            let pd = rest_client(&settings, &cli.globals)?;
            if cli.globals.dry_run {
                return crate::preview::request(&pd, "DELETE", path, &[], None, &settings);
            }
            Ok(pd.rdelete(path.as_str()).await.map_err(|e| Failure::about(path, e))?)
        }
        Builtin::Events { action } => {
            let settings = settings()?;
            let line = match action {
                EventsCommand::Trigger { key, summary, source, severity, dedup_key } => {
                    let severity = severity.parse()?;
                    let events = events_client(&key.routing_key, &settings, &cli.globals)?;
                    let mut trigger = events.trigger(summary, source).severity(severity);
                    if let Some(key) = dedup_key {
                        trigger = trigger.dedup_key(key);
                    }
                    trigger.send().await?
                }
                EventsCommand::Ack(k) => {
                    events_client(&k.key.routing_key, &settings, &cli.globals)?.acknowledge(&k.dedup_key).await?
                }
                EventsCommand::Resolve(k) => {
                    events_client(&k.key.routing_key, &settings, &cli.globals)?.resolve(&k.dedup_key).await?
                }
                EventsCommand::Change { key, summary, source } => {
                    let events = events_client(&key.routing_key, &settings, &cli.globals)?;
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
                let described = crate::webhooks::verify(secret, signature, &body).map_err(Failure::Signature)?;
                print_value(&cli.globals, &described)
            }
            WebhookCommand::Listen { secret, port, bind } => {
                if secret.is_empty() {
                    return Err(Error::Config("the webhook secret is empty".into()).into());
                }
                let style = match cli.globals.output {
                    Some(Format::Json | Format::Jsonl) => crate::webhooks::Style::Json,
                    _ => crate::webhooks::Style::Line,
                };
                Ok(crate::webhooks::listen(std::net::SocketAddr::new(*bind, *port), secret.clone(), style).await?)
            }
        },
        Builtin::Oncall { target } => {
            let pd = rest_client(&settings()?, &cli.globals)?;
            crate::shortcuts::run_oncall(&pd, &cli.globals, target).await
        }
        Builtin::Maintenance { action } => {
            let settings = settings()?;
            let pd = rest_client(&settings, &cli.globals)?;
            crate::shortcuts::run_maintenance(&pd, &settings, &cli.globals, action).await
        }
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
pub(crate) fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `post`, `put` and `patch PATH`: the body wrapped in the path's entity key (PATCH as given),
/// the answer unwrapped and printed; or, with `--dry-run`, the request printed.
async fn write(method: Method, args: &WriteArgs, settings: &Settings, globals: &Globals) -> Result<(), Failure> {
    let body = body(args.data.as_deref())?.unwrap_or_else(|| Value::Object(Default::default()));
    let pd = rest_client(settings, globals)?;
    if globals.dry_run {
        return crate::preview::request(&pd, method.as_str(), &args.path, &[], Some(&body), settings);
    }
    let path = args.path.as_str();
    let answer: Value = match method {
        Method::POST => pd.rpost(path, &body).await,
        Method::PUT => pd.rput(path, &body).await,
        _ => pd.jpatch(path, &body).await,
    }
    .map_err(|e| Failure::about(path, e))?;
    print_value(globals, &answer)
}

/// Prints one answer in the chosen format.
pub(crate) fn print_value(globals: &Globals, value: &Value) -> Result<(), Failure> {
    Ok(Printer::new(globals.output, globals.fields.as_deref(), false).value(value)?)
}
