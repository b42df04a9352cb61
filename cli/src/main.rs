//! `pdrs`: PagerDuty's APIs from the command line. Every operation of PagerDuty's documents is
//! a command (`pdrs incidents list --statuses triggered`), built from the operation table;
//! `get`/`post`/`put`/`patch`/`delete PATH` are the raw escape hatch.
#![forbid(unsafe_code)]

mod args;
mod connect;
mod failure;
mod input;
mod listing;
mod not_found;
mod notices;
mod preview;
mod run;
mod verbose;
mod watch;
mod webhooks;
mod when;

mod mock_args;

mod ops;

mod output;
mod pipe;

mod settings;
mod shortcuts;

use crate::failure::{exit_code, Failure};
use crate::run::{command_tree, one_line, run, wanted_groups};
use clap::ArgMatches;
use std::process::ExitCode;

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
        if m.try_get_one::<u16>("concurrency").ok().flatten().is_some_and(|c| *c > 1) {
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
                Failure::Request(e) => with_causes(e),
                Failure::NotFound { what, error } => format!("{what} ({error})"),
                Failure::Output(e) if e.kind() == std::io::ErrorKind::InvalidInput => e.to_string(),
                Failure::Output(e) => format!("cannot write the output: {e}"),
                Failure::Signature(e) => format!("webhook signature check failed: {e}"),
            };
            eprintln!("pdrs: {}", pdrs::sanitize(&text, 2000));
            ExitCode::from(exit_code(&failure))
        }
    }
}

/// An error and its causes, each once: `gave up after 3 attempts: error sending request for url
/// (…): client error (Connect): tcp connect error: Connection refused`.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let more = e.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = e.source();
    }
    text
}
