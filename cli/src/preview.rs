//! `--dry-run`: the request a command would send, printed instead of sent. Headers are shown
//! but never the credential.

use crate::failure::Failure;
use crate::settings::Settings;
use pdrs::spec::Api;
use pdrs::Error;
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

/// `--dry-run` of a raw verb: the request on the client's base URL, with the `From` header
/// and the body wrapped as it will be sent.
pub(crate) fn request(
    pd: &pdrs::RestClient,
    method: &str,
    path: &str,
    query: &[(String, String)],
    body: Option<&Value>,
    settings: &Settings,
) -> Result<(), Failure> {
    let url = pd.base_url().join(path.trim_start_matches('/')).map_err(|e| Error::Config(e.to_string()))?;
    let headers: Vec<(String, String)> =
        settings.from.iter().map(|(from, _)| ("From".to_string(), from.clone())).collect();
    // rpost and rput wrap the body in the operation's entity key; PATCH goes as given.
    let op = pdrs::spec::template_of(Api::Rest, path.split('?').next().unwrap_or(path))
        .and_then(|template| pdrs::spec::find(method, template))
        .filter(|_| method != "PATCH");
    let body = body.map(|b| op.map_or_else(|| b.clone(), |op| op.wrap_request(b.clone())));
    Ok(print(method, &url, query, &headers, body.as_ref())?)
}
