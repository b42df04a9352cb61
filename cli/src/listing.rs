//! `--all`: every record of a listing streamed to the output, with a progress bar on a terminal.

use crate::failure::Failure;
use crate::output::Printer;
use futures::StreamExt;
use pdrs::{ApiClient, ListOptions};
use serde_json::Value;
use std::io::IsTerminal;

/// Streams every record of a listing to the printer, with a progress bar on a terminal.
pub(crate) async fn print_all(
    client: &ApiClient,
    path: &str,
    options: ListOptions,
    mut printer: Printer,
) -> Result<(), Failure> {
    let watch = pdrs::TotalWatch::new();
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} records {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_message(path.to_string());
        crate::notices::set_bar(&bar);
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
        crate::notices::clear_bar();
        bar.finish_and_clear();
    }
    Ok(printer.finish()?)
}
