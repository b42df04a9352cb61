//! What a 404 was about: the record a path names (`no incident PABC`), or a path no operation
//! of the API has (`no such path`).

use pdrs::spec::{self, Api};

/// The words for a 404 of `path` (a path of the REST API as sent, `/incidents/PABC`), before
/// PagerDuty's own message.
pub(crate) fn what_was_not_found(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path).trim_end_matches('/');
    let Some(template) = spec::template_of(Api::Rest, path) else {
        return format!("no such path: {path} (no operation of PagerDuty's REST API has it)");
    };
    // The last `{param}` of the template and the segment before it name the record.
    let segments: Vec<&str> = template.split('/').collect();
    let values: Vec<&str> = path.split('/').collect();
    let last_param = segments.iter().rposition(|s| s.starts_with('{'));
    match last_param {
        Some(at) if at > 0 && values.len() == segments.len() => {
            let kind = pdrs::naming::singular(segments[at - 1]).replace('_', " ");
            let id = percent_encoding::percent_decode_str(values[at]).decode_utf8_lossy().into_owned();
            format!("no {kind} {id}")
        }
        _ => format!("not found: {path}"),
    }
}
