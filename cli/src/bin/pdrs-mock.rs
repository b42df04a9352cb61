//! `pdrs-mock`: PagerDuty's APIs, mocked from their own description, on 127.0.0.1.
#![forbid(unsafe_code)]

#[path = "../mock_args.rs"]
mod mock_args;

use clap::Parser;

/// A spec-driven, stateful PagerDuty mock server.
#[derive(Parser)]
#[command(
    version,
    about = "pdrs-mock: a local PagerDuty for tests, built from PagerDuty's API documents (REST and Events API v2)"
)]
struct Cli {
    #[command(flatten)]
    mock: mock_args::MockArgs,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = cli.mock.run().await {
        eprintln!("pdrs-mock: {e}");
        std::process::exit(1);
    }
}
