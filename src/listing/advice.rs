//! What to do when a listing passes PagerDuty's 10,000 record cap, from the listing's own
//! parameters in the operation table.

use crate::spec::{Operation, ParamIn};

/// Query parameters that shape a listing's pages or records but do not narrow which records
/// it holds.
const NOT_FILTERS: &[&str] =
    &["limit", "offset", "total", "cursor", "after", "include[]", "include", "sort_by", "time_zone", "date_range"];

/// Whether `op` takes the query parameter `name`.
pub(crate) fn takes(op: &Operation, name: &str) -> bool {
    op.params.iter().any(|p| p.location == ParamIn::Query && p.name == name)
}

/// What reads a listing past the 10,000 record cap, from its parameters: `iter_history` when
/// it takes `since` and `until`, else the filters that narrow it.
pub(crate) fn cap_hint(op: &Operation) -> String {
    if takes(op, "since") && takes(op, "until") {
        return "iter_history reads them all, splitting the time range by since and until".to_string();
    }
    filters_hint(op)
}

/// The filters that narrow a listing, as advice.
pub(crate) fn filters_hint(op: &Operation) -> String {
    let filters: Vec<&str> = op
        .params
        .iter()
        .filter(|p| p.location == ParamIn::Query && !NOT_FILTERS.contains(&p.name))
        .map(|p| p.name)
        .collect();
    if filters.is_empty() {
        "the listing takes no filter to narrow it".to_string()
    } else {
        format!("narrow the listing with its filters ({})", filters.join(", "))
    }
}
