//! The operation table and the committed manifests agree with the documents.

use pdrs::spec::{self, Api, FromHeader, Paging};
use std::path::Path;

fn count(api: Api) -> usize {
    spec::operations().iter().filter(|op| op.api == api).count()
}

#[test]
fn every_document_is_in_the_table() {
    assert_eq!(count(Api::Rest), 465);
    assert_eq!(count(Api::EventsV2), 2);
    assert_eq!(count(Api::EventsV1), 1);
    assert_eq!(count(Api::Scim), 10);
    assert_eq!(count(Api::Slack), 12);
    assert_eq!(count(Api::JiraCloud), 7);
    assert_eq!(count(Api::JiraServer), 5);
    assert_eq!(count(Api::MsTeams), 4);
    assert_eq!(count(Api::Mcp), 1);
}

#[test]
fn table_answers_paging_and_wrappers() {
    let users = spec::find("GET", "/users").unwrap();
    assert_eq!((users.paging, users.items, users.name), (Paging::Offset, Some("users"), "list_users"));
    assert_eq!(spec::find("GET", "/audit/records").unwrap().paging, Paging::Cursor);
    assert_eq!(spec::find("GET", "/audit/records").unwrap().items, Some("records"));
    let merge = spec::find("PUT", "/incidents/{id}/merge").unwrap();
    assert_eq!(merge.request_wrapper, Some("source_incidents"));
    assert_eq!(merge.response_wrapper, Some("incident"));
    assert_eq!(spec::find("POST", "/analytics/raw/incidents").unwrap().paging, Paging::AnalyticsBody);
    assert_eq!(spec::find("GET", "/alert_grouping_settings").unwrap().paging, Paging::After);
    assert_eq!(spec::find("POST", "/incidents").unwrap().from, FromHeader::Required);
    assert_eq!(spec::find("GET", "/users/{id}").unwrap().response_wrapper, Some("user"));
    assert_eq!(spec::find("POST", "/users").unwrap().request_wrapper, Some("user"));
}

/// Compares a committed file under `generated/` with what this build produced.
/// `PDRS_BLESS=1 cargo test --test spec_table` rewrites the committed copy.
fn check_committed(name: &str, built: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated").join(name);
    if std::env::var_os("PDRS_BLESS").is_some() {
        std::fs::write(&path, built).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != built {
        let first = committed.lines().zip(built.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "generated/{name} differs from what the build produces (first difference at line {}).\n\
             Review the change, then refresh it with: PDRS_BLESS=1 cargo test --test spec_table",
            first + 1
        );
    }
}

#[test]
fn committed_manifest_matches_the_build() {
    check_committed("operations.tsv", spec::MANIFEST);
}

#[test]
fn committed_normalization_report_matches_the_build() {
    check_committed("normalization.tsv", spec::NORMALIZATION_REPORT);
}

#[test]
fn every_rest_tag_has_a_cargo_feature() {
    let cargo = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    for op in spec::operations().iter().filter(|op| op.api == Api::Rest) {
        let feature: String = op
            .tag
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .collect::<String>()
            .split('_')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        assert!(
            cargo.contains(&format!("\n{feature} = []")),
            "tag {:?} has no feature {feature:?} in Cargo.toml",
            op.tag
        );
    }
}
