//! `pdrs incidents watch` and `pdrs log-entries watch`: new incidents, or every change logged,
//! as they happen, through the library's watch (each record once, oldest first). The list
//! command's filters; one line per record on a terminal, JSON lines when piped; until Ctrl-C
//! (exit 0), or at once when the reader of a pipe goes away. `--checkpoint FILE` resumes where
//! the last run stopped and keeps the file current after each record.

use crate::args::Globals;
use crate::failure::Failure;
use crate::output::{cell, lookup, Format, Printer};
use clap::{Arg, ArgMatches, Command};
use futures::StreamExt;
use pdrs::spec::{Operation, ParamIn};
use pdrs::{Checkpoint, Error, RestClient, WatchOptions};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

/// The listings that can be watched: (group, listing path, columns of a terminal line).
const WATCHED: &[(&str, &str, &[&str])] = &[
    ("incidents", "/incidents", &["created_at", "id", "status", "urgency", "service.summary", "title"]),
    ("log-entries", "/log_entries", &["created_at", "type", "incident.id", "incident.summary", "agent.summary"]),
];

/// Parameters the watch sets itself.
const OWN: &[&str] = &["since", "until", "limit", "offset", "total", "date_range", "sort_by"];

/// The listing `group` watches, if it is one of [`WATCHED`] and the document has it.
pub(crate) fn listing(group: &str) -> Option<&'static Operation> {
    let (_, path, _) = WATCHED.iter().find(|(name, _, _)| *name == group)?;
    pdrs::spec::find("GET", path)
}

/// The `watch` command of a group with a watched listing: the listing's filters and the watch's
/// own flags.
pub(crate) fn command(op: &Operation) -> Command {
    let filters = op
        .params
        .iter()
        .filter(|p| p.location == ParamIn::Query && !OWN.contains(&p.name.trim_end_matches("[]")))
        .map(crate::ops::argument);
    Command::new("watch")
        .about(format!("Watch {} as they come (until Ctrl-C)", op.path.trim_start_matches('/').replace('_', " ")))
        .long_about(format!(
            "Polls GET {} for records created since the newest one shown and prints each once, oldest first: \
             one line per record on a terminal, JSON lines when piped. Runs until Ctrl-C (exit 0), or until the \
             reader of a pipe goes away. Failures are retried as every request is; one that no retry fixes \
             (a refused token, a bad filter) ends it with its exit code.",
            op.path
        ))
        .args(filters)
        .arg(
            Arg::new("since")
                .long("since")
                .value_name("TIME")
                .value_parser(crate::when::parse_flag)
                .help("Show records created from this time on (ISO 8601 or relative: -1h) instead of from now on"),
        )
        .arg(
            Arg::new("interval")
                .long("interval")
                .value_name("SECONDS")
                .default_value("5")
                .value_parser(clap::value_parser!(u64).range(1..=3600))
                .help("Seconds between polls while records come (doubling, up to six times, while none do)"),
        )
        .arg(
            Arg::new("checkpoint")
                .long("checkpoint")
                .value_name("FILE")
                .help("Resume after the last record a previous run showed, as this file says, and keep it current"),
        )
}

/// Runs `<group> watch`.
pub(crate) async fn run(
    pd: &RestClient,
    globals: &Globals,
    op: &Operation,
    matches: &ArgMatches,
) -> Result<(), Failure> {
    let (query, _) = crate::ops::query_and_headers(op, matches);
    let interval = Duration::from_secs(matches.get_one::<u64>("interval").copied().unwrap_or(5));
    let mut options = WatchOptions::new().interval(interval).idle_interval(interval * 6);
    for (key, value) in query {
        options = options.param(key, value);
    }
    let file = matches.get_one::<String>("checkpoint").map(Path::new);
    let stored = file.map(read_checkpoint).transpose()?.flatten();
    if let Some(checkpoint) = stored {
        options = options.resume(checkpoint);
    } else if let Some(since) = matches.get_one::<String>("since") {
        let since = pdrs::time::parse(since)
            .ok_or_else(|| Error::InvalidInput(format!("--since {since}: not a time")))?
            .with_timezone(&chrono::Utc);
        options = options.since(since);
    }
    let columns: Vec<String> = match &globals.fields {
        Some(fields) => fields.split(',').map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).collect(),
        None => WATCHED
            .iter()
            .find(|(_, path, _)| *path == op.path)
            .map_or(Vec::new(), |(_, _, c)| c.iter().map(|s| s.to_string()).collect()),
    };
    let lines = globals.output.is_none() && std::io::stdout().is_terminal();
    let mut printer =
        (!lines).then(|| Printer::new(Some(globals.output.unwrap_or(Format::Jsonl)), globals.fields.as_deref(), true));
    let mut widths = vec![0; columns.len()];
    let mut watch = pd.watch(op.path, options);
    let reader_gone = crate::pipe::reader_gone();
    tokio::pin!(reader_gone);
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        let next = tokio::select! {
            next = watch.next() => next,
            _ = &mut interrupted => return Ok(()),
            () = &mut reader_gone => return Ok(()),
        };
        match next {
            Some(Ok(watched)) => {
                match &mut printer {
                    Some(printer) => {
                        printer.record(watched.record)?;
                        printer.flush()?;
                    }
                    None => {
                        let line = aligned(&columns, &mut widths, &watched.record);
                        let mut out = std::io::stdout().lock();
                        writeln!(out, "{line}")?;
                        out.flush()?;
                    }
                }
                if let Some(file) = file {
                    write_checkpoint(file, &watched.checkpoint)?;
                }
            }
            Some(Err(e)) if e.is_retryable() => crate::notices::hint(&format!("{e}; still watching")),
            Some(Err(e)) => return Err(Failure::Request(e)),
            None => return Ok(()),
        }
    }
}

/// One record as a line of `columns`, each padded to the widest value it has held so far.
fn aligned(columns: &[String], widths: &mut [usize], record: &serde_json::Value) -> String {
    let cells: Vec<String> = columns.iter().map(|c| cell(lookup(record, c))).collect();
    let mut line = String::new();
    for (i, (text, width)) in cells.iter().zip(widths.iter_mut()).enumerate() {
        *width = (*width).max(text.chars().count());
        if i + 1 == cells.len() {
            line.push_str(text);
        } else {
            line.push_str(&format!("{text:<width$}  ", width = *width));
        }
    }
    line.trim_end().to_string()
}

/// The checkpoint a previous run stored, if the file exists.
fn read_checkpoint(file: &Path) -> Result<Option<Checkpoint>, Failure> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::InvalidInput(format!("--checkpoint {}: {e}", file.display())).into()),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::InvalidInput(format!("--checkpoint {}: not a checkpoint: {e}", file.display())).into())
}

/// Stores the checkpoint whole or not at all (a new file renamed over the old).
fn write_checkpoint(file: &Path, checkpoint: &Checkpoint) -> Result<(), Failure> {
    let text = serde_json::to_string(checkpoint).map_err(std::io::Error::other)?;
    let partial = file.with_extension("partial");
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, file)?;
    Ok(())
}
