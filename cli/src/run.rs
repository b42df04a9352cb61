//! Running a parsed command line: the built-in commands and the generated ones.

use crate::args::{Builtin, Cli, EventsCommand, Globals, WebhookCommand};
use crate::connect::{builder, events_client, rest_client, settings};
use crate::failure::Failure;
use crate::input::{body, read_bounded};
use crate::listing::print_all;
use crate::ops;
use crate::output::{Format, Printer};
use crate::settings::Settings;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use pdrs::spec::{Api, Operation};
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
    // The body is read and checked before anything else: bad input never reaches the network.
    let body = match matches.try_get_one::<String>("data").ok().flatten() {
        Some(data) => body(Some(data))?.map(|b| op.wrap_request(b)),
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
    let shown = op.unwrap_response(value).unwrap_or_else(|whole| whole);
    Ok(Printer::new(globals.output, globals.fields.as_deref(), false).value(&shown)?)
}

/// The generated groups this command line needs in full: the ones named in it (all of them for
/// `completions` and `man`), so that other runs do not build 465 commands.
pub(crate) fn wanted_groups(groups: &[ops::Group]) -> Vec<bool> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let everything = args.iter().any(|a| a == "completions" || a == "man");
    groups.iter().map(|g| everything || args.contains(&g.name)).collect()
}

/// The whole command tree: the built-in commands and a group per tag and API.
pub(crate) fn command_tree(groups: &[ops::Group], full: &[bool]) -> clap::Command {
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

pub(crate) async fn run(matches: &ArgMatches, groups: &[ops::Group]) -> Result<(), Failure> {
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
                let mut options = ListOptions::new().concurrency(usize::from(*concurrency));
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

/// Prints one answer in the chosen format.
pub(crate) fn print_value(globals: &Globals, value: &Value) -> Result<(), Failure> {
    Ok(Printer::new(globals.output, globals.fields.as_deref(), false).value(value)?)
}
