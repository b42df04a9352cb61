//! `--dry-run`: the request a command would send, printed instead of sent. Headers are shown
//! but never the credential.

use serde_json::Value;
use std::io::Write;

/// Prints `method url?query`, the headers and the JSON body on stdout.
pub(crate) fn print(
    method: &str,
    url: &url::Url,
    query: &[(String, String)],
    headers: &[(String, String)],
    body: Option<&Value>,
) -> std::io::Result<()> {
    let mut url = url.clone();
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{method} {url}")?;
    for (name, value) in headers {
        writeln!(out, "{name}: {value}")?;
    }
    if let Some(body) = body {
        writeln!(out, "Content-Type: application/json\n")?;
        serde_json::to_writer_pretty(&mut out, body)?;
        writeln!(out)?;
    }
    out.flush()
}
