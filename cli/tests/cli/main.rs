//! The `pdrs` and `pdrs-mock` binaries, run as a user runs them, against the mock server and
//! scripted servers.

#[path = "../../../tests/support/mod.rs"]
mod support;

#[path = "../../../tests/support/cli.rs"]
mod runner;

mod cli;
mod cli_commands;
mod cli_truth;
mod daily_work;
mod fault_storm;
mod giving_up;
mod mock_binary;
mod watching;
