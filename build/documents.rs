//! Where the OpenAPI documents are, and what each one becomes.

use std::path::{Path, PathBuf};

/// Environment variable that overrides the folder holding the documents.
pub const DIR_ENV: &str = "PDRS_OPENAPI_DIR";

/// One OpenAPI document and the Rust module generated from it.
pub struct Document {
    /// File name inside the documents folder.
    pub file: &'static str,
    /// Module under `pdrs::` that holds the generated client and types.
    pub module: &'static str,
    /// Cargo feature that turns the module on; `None` for REST, which is split by tag.
    pub feature: Option<&'static str>,
    /// What the document describes (the module's and the `Api` variant's doc line).
    pub title: &'static str,
    /// The `Accept` header its clients send.
    pub accept: &'static str,
}

/// Every document pdrs generates code for.
pub const DOCUMENTS: &[Document] = &[
    Document {
        file: "rest.json",
        module: "rest",
        feature: None,
        title: "The REST API",
        accept: "application/vnd.pagerduty+json;version=2",
    },
    Document {
        file: "events-v2.json",
        module: "events_v2",
        feature: Some("events"),
        title: "Events API v2",
        accept: "application/json",
    },
    Document {
        file: "events-v1.json",
        module: "events_v1",
        feature: Some("events"),
        title: "Events API v1",
        accept: "application/json",
    },
    Document {
        file: "scim.json",
        module: "scim",
        feature: Some("scim"),
        title: "SCIM user provisioning",
        accept: "application/scim+json",
    },
    Document {
        file: "integration-slack-service.json",
        module: "slack",
        feature: Some("slack"),
        title: "The Slack integration service",
        accept: "application/json",
    },
    Document {
        file: "integration-jira-cloud.json",
        module: "jira_cloud",
        feature: Some("jira"),
        title: "The Jira Cloud integration",
        accept: "application/json",
    },
    Document {
        file: "integration-jira-service.json",
        module: "jira_server",
        feature: Some("jira"),
        title: "The Jira Server integration service",
        accept: "application/json",
    },
    Document {
        file: "integration-ms-teams-service.json",
        module: "ms_teams",
        feature: Some("ms_teams"),
        title: "The Microsoft Teams integration service",
        accept: "application/json",
    },
    Document {
        file: "mcp.json",
        module: "mcp",
        feature: Some("mcp"),
        title: "PagerDuty's MCP server",
        accept: "application/json, text/event-stream",
    },
];

/// The folder the documents are read from: `$PDRS_OPENAPI_DIR`, else `openapi/` in the crate.
pub fn openapi_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var(DIR_ENV) {
        return Ok(PathBuf::from(dir));
    }
    default_dir()
}

/// `openapi/` in the crate (links to PagerDuty's documents).
pub fn default_dir() -> Result<PathBuf, String> {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?;
    Ok(Path::new(&manifest).join("openapi"))
}

/// Where one document comes from.
pub enum Located {
    /// The chosen folder has it.
    Found(PathBuf),
    /// `$PDRS_OPENAPI_DIR` lacks it; `openapi/` has it.
    Fallback(PathBuf),
    /// `$PDRS_OPENAPI_DIR` lacks it and so does `openapi/`: the API is left out.
    Missing,
}

/// The path of one document. The default folder must hold every document (else the error
/// says what to put where); a `$PDRS_OPENAPI_DIR` may hold only some (an older revision, say):
/// the others come from `openapi/`, or are left out when it lacks them too.
pub fn locate(dir: &Path, doc: &Document) -> Result<Located, String> {
    let path = dir.join(doc.file);
    if path.is_file() {
        return Ok(Located::Found(path));
    }
    let default = default_dir()?;
    if std::env::var_os(DIR_ENV).is_some() && default != dir {
        let fallback = default.join(doc.file);
        return Ok(if fallback.is_file() { Located::Fallback(fallback) } else { Located::Missing });
    }
    Err(format!(
        "OpenAPI document {} not found: put PagerDuty's {} in {} (openapi/ links to ../shared/openapi), or set {}=<folder holding it>",
        path.display(),
        doc.file,
        dir.display(),
        DIR_ENV
    ))
}

/// Reads and parses one document.
pub fn read(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

/// Cargo feature name of a REST tag: `Escalation Policies` -> `escalation_policies`.
pub fn tag_feature(tag: &str) -> String {
    let mut out = String::new();
    for c in tag.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Whether a cargo feature is on for this build.
pub fn feature_enabled(name: &str) -> bool {
    let var = format!("CARGO_FEATURE_{}", name.to_ascii_uppercase().replace('-', "_"));
    std::env::var_os(var).is_some()
}

/// The URL of a document's first server (`servers[0].url`), where its clients go by default.
pub fn server_url(spec: &serde_json::Value) -> Option<String> {
    spec.pointer("/servers/0/url").and_then(serde_json::Value::as_str).map(|u| u.trim_end_matches('/').to_string())
}

/// `documents.rs`, included by `src/lib.rs` and `src/spec.rs`: the generated modules (the
/// `generated_module!` calls), the `Api` enum and its facts, one entry per document. `servers`
/// holds each document's server URL, `None` for a document this build has not read.
pub fn index_source(servers: &[(&Document, Option<String>)]) -> (String, String) {
    use std::fmt::Write;
    let mut modules = String::new();
    let mut apis = String::from(
        "/// The API document an operation belongs to.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub enum Api {\n",
    );
    for (doc, _) in servers {
        let variant = crate::json::pascal(doc.module);
        let _ = writeln!(
            modules,
            "generated_module!(\n    /// {} (`{}`).\n    {}, pdrs_{}, \"{}.rs\"\n);",
            doc.title, doc.file, doc.module, doc.module, doc.module
        );
        let _ = writeln!(apis, "    /// {} (`{}`).\n    {variant},", doc.title, doc.file);
    }
    apis.push_str("}\n\nimpl Api {\n    /// Every document, in the order the build reads them.\n    pub const ALL: &'static [Api] = &[");
    for (doc, _) in servers {
        let _ = write!(apis, "Api::{}, ", crate::json::pascal(doc.module));
    }
    apis.push_str("];\n");
    let mut method = |name: &str, doc_line: &str, ty: &str, value: &dyn Fn(&Document, &Option<String>) -> String| {
        let _ = write!(apis, "\n    /// {doc_line}\n    pub fn {name}(self) -> {ty} {{\n        match self {{\n");
        for (doc, server) in servers {
            let _ = writeln!(apis, "            Api::{} => {},", crate::json::pascal(doc.module), value(doc, server));
        }
        apis.push_str("        }\n    }\n");
    };
    method("file", "The document's file name.", "&'static str", &|d, _| format!("{:?}", d.file));
    method("module", "The module under `pdrs::` generated from it.", "&'static str", &|d, _| format!("{:?}", d.module));
    method("accept", "The `Accept` header its clients send.", "&'static str", &|d, _| format!("{:?}", d.accept));
    method(
        "server_url",
        "The document's server URL (`servers[0]`), where its clients go by default; `None` when this build did not read the document.",
        "Option<&'static str>",
        &|_, s| match s {
            Some(url) => format!("Some({url:?})"),
            None => "None".to_string(),
        },
    );
    apis.push_str("}\n");
    (modules, apis)
}
