//! Where the build finds PagerDuty's documents: an api-schema checkout as PagerDuty publishes it,
//! its `reference/` folder, or a flat folder; and what a build without them says.

use crate::documents::{self, Layout, DOCUMENTS, OTHER_FEATURES, TESTED_REVISION};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh empty folder for one test.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pdrs-lookup-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn put(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, "{}").unwrap();
}

fn features(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn found(located: &[(&documents::Document, Option<PathBuf>)]) -> Vec<(&'static str, PathBuf)> {
    located.iter().filter_map(|(doc, path)| Some((doc.file, path.clone()?))).collect()
}

#[test]
fn an_api_schema_checkout_is_read_as_pagerduty_publishes_it() {
    let dir = folder("api-schema");
    put(&dir.join("reference/REST/openapiv3.json"));
    put(&dir.join("reference/scim/openapiv3.json"));
    put(&dir.join("reference/events-v2/openapiv3.json"));
    assert_eq!(Layout::of(&dir), Layout::ApiSchema);
    let located = documents::locate_all(&dir, &features(&["users", "scim"]), false).unwrap();
    assert_eq!(
        found(&located),
        vec![
            ("rest.json", dir.join("reference/REST/openapiv3.json")),
            ("events-v2.json", dir.join("reference/events-v2/openapiv3.json")),
            ("scim.json", dir.join("reference/scim/openapiv3.json")),
        ]
    );
    // Its `reference/` folder works as well.
    let reference = dir.join("reference");
    assert_eq!(Layout::of(&reference), Layout::Reference);
    assert_eq!(found(&documents::locate_all(&reference, &features(&["users"]), false).unwrap()).len(), 3);
}

#[test]
fn a_flat_folder_is_read_by_file_name() {
    let dir = folder("flat");
    put(&dir.join("rest.json"));
    put(&dir.join("mcp.json"));
    assert_eq!(Layout::of(&dir), Layout::Flat);
    let located = documents::locate_all(&dir, &features(&["rest", "mcp"]), false).unwrap();
    assert_eq!(found(&located), vec![("rest.json", dir.join("rest.json")), ("mcp.json", dir.join("mcp.json"))]);
}

#[test]
fn a_feature_whose_document_is_missing_stops_the_build_with_what_to_do() {
    let dir = folder("empty");
    let message = documents::locate_all(&dir, &features(&["default", "rest", "users", "scim"]), false).unwrap_err();
    for expected in [
        "git clone https://github.com/PagerDuty/api-schema",
        TESTED_REVISION,
        "PDRS_OPENAPI_DIR",
        "relative = true",
        "holds no",
    ] {
        assert!(message.contains(expected), "{expected:?} missing from: {message}");
    }
    // One tag turned on wants the REST document too.
    assert!(documents::locate_all(&dir, &features(&["users"]), false).is_err());
    // A document whose feature is off is not wanted.
    put(&dir.join("rest.json"));
    assert!(documents::locate_all(&dir, &features(&["users"]), false).is_ok());
    // Some found, some missing: the message names the missing ones' features and files.
    let message = documents::locate_all(&dir, &features(&["users", "mcp", "jira"]), false).unwrap_err();
    assert!(message.contains("(`jira`, `mcp`)"), "{message}");
    assert!(message.contains("mcp.json") && message.contains("integration-jira-cloud.json"), "{message}");
    assert!(!message.contains("`rest`"), "{message}");
}

#[test]
fn a_docs_rs_build_without_documents_leaves_the_typed_api_out() {
    let dir = folder("docs-rs");
    let located = documents::locate_all(&dir, &features(&["default", "rest", "users"]), true).unwrap();
    assert!(found(&located).is_empty());
}

#[test]
fn the_build_script_without_documents_fails_with_the_message_not_a_panic() {
    let dir = folder("script");
    let out = folder("script-out");
    let output = Command::new(crate::drift::build_script())
        .env("OUT_DIR", &out)
        .env("CARGO_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"))
        .env("PDRS_OPENAPI_DIR", &dir)
        .env("CARGO_FEATURE_USERS", "1")
        .env_remove("DOCS_RS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.starts_with("error: pdrs generates its typed API from PagerDuty's OpenAPI documents"), "{stderr}");
    assert!(stderr.contains(&format!("git -C api-schema checkout {TESTED_REVISION}")), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn every_feature_of_the_manifest_is_a_document_a_tag_or_named_as_neither() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let section = manifest.split("\n[features]\n").nth(1).unwrap().split("\n[").next().unwrap();
    let declared: Vec<&str> = section
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once(" = ").map(|(name, _)| name.trim()))
        .collect();
    let rest_tags: Vec<&str> = section
        .lines()
        .find_map(|line| line.strip_prefix("rest = ["))
        .unwrap()
        .trim_end_matches(']')
        .split(", ")
        .map(|tag| tag.trim_matches('"'))
        .collect();
    for feature in &declared {
        let known = OTHER_FEATURES.contains(feature)
            || DOCUMENTS.iter().any(|doc| doc.feature == Some(*feature))
            || rest_tags.contains(feature);
        assert!(known, "feature {feature} is neither a document's, a REST tag's, nor in OTHER_FEATURES");
    }
    for other in OTHER_FEATURES {
        assert!(declared.contains(other), "OTHER_FEATURES names {other}, which Cargo.toml does not declare");
    }
}

#[test]
fn documents_that_differ_from_the_tested_revision_are_named() {
    let dir = folder("untested");
    put(&dir.join("rest.json"));
    let located = documents::locate_all(&dir, &features(&["users"]), false).unwrap();
    assert_eq!(documents::untested(&located), ["rest.json"]);
    // The tested revision's own documents (openapi/ of this checkout) are not named.
    let own = std::env::var_os("PDRS_OPENAPI_DIR").is_none();
    if let Some(rest) = crate::support::documents::document("rest.json").filter(|_| own) {
        let tested = [(&DOCUMENTS[0], Some(rest))];
        assert!(documents::untested(&tested).is_empty(), "openapi/rest.json is not the tested revision");
    }
}
