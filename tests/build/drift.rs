//! The generator on older revisions of PagerDuty's documents (`../shared/openapi-history/*`):
//! the build script (normalization, operation table, progenitor, post-processing) runs on each
//! and types every REST operation. The generated code is not compiled here
//! (`./scripts/drift.sh` does that).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The build script this test build compiled (the newest, when there are several).
pub(crate) fn build_script() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(profile.join("build"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("pdrs-"))
        .map(|e| e.path().join("build-script-build"))
        .filter(|p| p.is_file())
        .collect();
    scripts.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    scripts.pop().expect("the build script of this build")
}

fn history() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/openapi-history");
    let mut dirs: Vec<PathBuf> = match std::fs::read_dir(&root) {
        Ok(entries) => entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect(),
        Err(_) => Vec::new(),
    };
    dirs.sort();
    dirs
}

/// REST operations in a raw document.
fn operations_in(doc: &Path) -> usize {
    let spec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(doc).unwrap()).unwrap();
    let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().map_or(0, |m| m.keys().filter(|k| methods.contains(&k.as_str())).count()))
        .sum()
}

#[test]
fn every_sample_revision_generates_every_rest_operation() {
    let samples = history();
    if samples.is_empty() {
        println!("skipped: no sample revisions under ../shared/openapi-history (a checkout without them)");
        return;
    }
    let script = build_script();
    // One build script per revision, all at once (each is one process; the machine's cores share them).
    let runs: Vec<(PathBuf, PathBuf, std::process::Output)> = std::thread::scope(|scope| {
        let threads: Vec<_> = samples
            .iter()
            .map(|dir| {
                let script = &script;
                scope.spawn(move || {
                    let out = tempdir(dir);
                    let mut command = Command::new(script);
                    command
                        .env("OUT_DIR", &out)
                        .env("CARGO_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"))
                        .env("PDRS_OPENAPI_DIR", dir)
                        .env("CARGO_FEATURE_REST", "1");
                    // The features of the documents this revision has (a feature whose document
                    // is missing stops the build).
                    for (file, feature) in [
                        ("events-v2.json", "EVENTS"),
                        ("scim.json", "SCIM"),
                        ("integration-slack-service.json", "SLACK"),
                        ("integration-jira-cloud.json", "JIRA"),
                        ("integration-ms-teams-service.json", "MS_TEAMS"),
                        ("mcp.json", "MCP"),
                    ] {
                        if dir.join(file).is_file() {
                            command.env(format!("CARGO_FEATURE_{feature}"), "1");
                        }
                    }
                    let output = command.output().unwrap();
                    (dir.clone(), out, output)
                })
            })
            .collect();
        threads.into_iter().map(|thread| thread.join().unwrap()).collect()
    });
    for (dir, out, result) in runs {
        let stdout = String::from_utf8_lossy(&result.stdout);
        assert!(
            result.status.success(),
            "{}: {}\n{}",
            dir.display(),
            String::from_utf8_lossy(&result.stderr),
            stdout.lines().filter(|l| l.contains("warning")).collect::<Vec<_>>().join("\n")
        );
        let rest = std::fs::read_to_string(out.join("rest.rs")).unwrap();
        let typed = rest.matches("fn build_request(").count();
        let expected = operations_in(&dir.join("rest.json"));
        assert_eq!(typed, expected, "{}: {typed} of {expected} REST operations typed", dir.display());
        let _ = std::fs::remove_dir_all(&out);
    }
}

fn tempdir(dir: &Path) -> PathBuf {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let out = std::env::temp_dir().join(format!("pdrs-drift-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    out
}
