//! The `pdrs` binary of this build, run as a user runs it, with the API at a local server: for
//! the CLI package's tests (which alone know where cargo put the binary).

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// `pdrs args` with the API at `url`: a token, no config file, and nothing of the caller's
/// environment that would change what it does (profile, region, `From`, Events URL, colors).
pub fn command(url: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pdrs"));
    cmd.args(args)
        .env("PAGERDUTY_API_KEY", "cli-token-0000")
        .env("PAGERDUTY_API_URL", url)
        .env("PDRS_CONFIG", "/nonexistent/pdrs-config.toml")
        .env("NO_COLOR", "1")
        .env_remove("PAGERDUTY_FROM")
        .env_remove("PAGERDUTY_REGION")
        .env_remove("PDRS_PROFILE")
        .env_remove("PAGERDUTY_EVENTS_URL");
    cmd
}

/// Runs [`command`] with `envs` added and `stdin` as its standard input; waits for it.
pub fn output(url: &str, args: &[&str], envs: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut cmd = command(url, args);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// [`output`] off the async runtime (the mock server the command talks to runs on it).
pub async fn run(url: &str, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let url = url.to_string();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let envs: Vec<(String, String)> = envs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        output(&url, &args, &envs, b"")
    })
    .await
    .unwrap()
}
