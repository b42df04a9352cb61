//! Where the OpenAPI documents are, and what each one becomes.

use std::path::{Path, PathBuf};

/// Environment variable that overrides the folder holding the documents.
pub const DIR_ENV: &str = "PDRS_OPENAPI_DIR";

/// One OpenAPI document and the Rust module generated from it.
#[derive(Debug)]
pub struct Document {
    /// File name in a flat documents folder.
    pub file: &'static str,
    /// Its folder under `reference/` in PagerDuty/api-schema.
    pub schema_name: &'static str,
    /// SHA-256 of the document at [`TESTED_REVISION`].
    pub tested_sha256: &'static str,
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
        schema_name: "REST",
        tested_sha256: "b2e80f8b83b170f29702e96a69adf230702b4ec43dddab7e348a2985c707ef35",
        module: "rest",
        feature: None,
        title: "The REST API",
        accept: "application/vnd.pagerduty+json;version=2",
    },
    Document {
        file: "events-v2.json",
        schema_name: "events-v2",
        tested_sha256: "f5570ec1049850501363447415a9202118586281286c3ccc8cd996f8429d1908",
        module: "events_v2",
        feature: Some("events"),
        title: "Events API v2",
        accept: "application/json",
    },
    Document {
        file: "events-v1.json",
        schema_name: "events-v1",
        tested_sha256: "b184716f4a5830936adfc79e3cee80248c12212400795e524b2f6f84fe06284f",
        module: "events_v1",
        feature: Some("events"),
        title: "Events API v1",
        accept: "application/json",
    },
    Document {
        file: "scim.json",
        schema_name: "scim",
        tested_sha256: "e82afc6b53b9da16b622e15697b001f3d61da048dbe8bc0cee5a6d16d3be46af",
        module: "scim",
        feature: Some("scim"),
        title: "SCIM user provisioning",
        accept: "application/scim+json",
    },
    Document {
        file: "integration-slack-service.json",
        schema_name: "integration-slack-service",
        tested_sha256: "5bf850060d5523c7b7c3f9ca509fc2dce1fce976f409576b9651465b928cb863",
        module: "slack",
        feature: Some("slack"),
        title: "The Slack integration service",
        accept: "application/json",
    },
    Document {
        file: "integration-jira-cloud.json",
        schema_name: "integration-jira-cloud",
        tested_sha256: "93b87a9a3133ff61793c71277420eb82129b92dc00d03014cab98ee0a5d90904",
        module: "jira_cloud",
        feature: Some("jira"),
        title: "The Jira Cloud integration",
        accept: "application/json",
    },
    Document {
        file: "integration-jira-service.json",
        schema_name: "integration-jira-service",
        tested_sha256: "83bc54975f73362b685c62e80c2f8687b78565bc85cd0783f59f0bd418b7fd26",
        module: "jira_server",
        feature: Some("jira"),
        title: "The Jira Server integration service",
        accept: "application/json",
    },
    Document {
        file: "integration-ms-teams-service.json",
        schema_name: "integration-ms-teams-service",
        tested_sha256: "80225f5e82402fa8fd14aaed115eccc50302843d696a6488beacf817abaa805d",
        module: "ms_teams",
        feature: Some("ms_teams"),
        title: "The Microsoft Teams integration service",
        accept: "application/json",
    },
    Document {
        file: "mcp.json",
        schema_name: "mcp",
        tested_sha256: "f10a2444e3bf3c934a02848a29ccfaa793172170aba2d4e0e7aa7f74d9a3e741",
        module: "mcp",
        feature: Some("mcp"),
        title: "PagerDuty's MCP server",
        accept: "application/json, text/event-stream",
    },
];

/// The revision of PagerDuty/api-schema pdrs is tested with.
pub const TESTED_REVISION: &str = "91a06fb3c64b0ab2b2bd6c485d12b327dfb55c18";

/// The features that are not a REST tag or a document: anything else turned on is a REST tag,
/// so the REST document is wanted. `tests/build/documents.rs` checks this against Cargo.toml.
pub const OTHER_FEATURES: &[&str] =
    &["default", "full", "rest", "mock", "receiver", "validate", "serde_all", "blocking"];

/// How a documents folder is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// A PagerDuty/api-schema checkout: `reference/<NAME>/openapiv3.json`.
    ApiSchema,
    /// The `reference/` folder of such a checkout: `<NAME>/openapiv3.json`.
    Reference,
    /// One file per document, named as in [`DOCUMENTS`] (`rest.json`, `scim.json`...).
    Flat,
}

impl Layout {
    /// The layout of `dir`, told from what it holds.
    pub fn of(dir: &Path) -> Layout {
        if dir.join("reference").is_dir() {
            Layout::ApiSchema
        } else if DOCUMENTS.iter().any(|doc| dir.join(doc.schema_name).is_dir()) {
            Layout::Reference
        } else {
            Layout::Flat
        }
    }

    /// Where this layout keeps one document.
    pub fn path(self, dir: &Path, doc: &Document) -> PathBuf {
        match self {
            Layout::ApiSchema => dir.join("reference").join(doc.schema_name).join("openapiv3.json"),
            Layout::Reference => dir.join(doc.schema_name).join("openapiv3.json"),
            Layout::Flat => dir.join(doc.file),
        }
    }
}

/// The folder the documents are read from: `$PDRS_OPENAPI_DIR` (a relative path is taken from
/// the current directory, which is the package's own folder), else `openapi/` in the crate.
pub fn openapi_dir() -> Result<PathBuf, String> {
    match std::env::var_os(DIR_ENV) {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => default_dir(),
    }
}

/// `openapi/` in the crate (in this repository, links to PagerDuty's documents).
pub fn default_dir() -> Result<PathBuf, String> {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?;
    Ok(Path::new(&manifest).join("openapi"))
}

/// Whether this build wants a document: its feature is on (for REST, `rest` or any tag's).
pub fn wanted(doc: &Document, enabled: &dyn Fn(&str) -> bool, features: &[String]) -> bool {
    match doc.feature {
        Some(feature) => enabled(feature),
        None => features
            .iter()
            .any(|f| !OTHER_FEATURES.contains(&f.as_str()) && !DOCUMENTS.iter().any(|d| d.feature == Some(f.as_str()))),
    }
}

/// The features turned on for this build, as cargo names them in the environment
/// (`CARGO_FEATURE_ESCALATION_POLICIES` -> `escalation_policies`).
pub fn enabled_features() -> Vec<String> {
    std::env::vars_os()
        .filter_map(|(key, _)| key.to_str()?.strip_prefix("CARGO_FEATURE_").map(str::to_ascii_lowercase))
        .collect()
}

/// Each document and where it is, `None` for one this build does not want or (in a docs.rs
/// build) could not find. A wanted document that is missing is an error saying how to get them.
pub fn locate_all(
    dir: &Path,
    features: &[String],
    docs_rs: bool,
) -> Result<Vec<(&'static Document, Option<PathBuf>)>, String> {
    let layout = Layout::of(dir);
    let enabled = |name: &str| features.iter().any(|f| f == name);
    let mut located = Vec::new();
    let mut missing = Vec::new();
    for doc in DOCUMENTS {
        let path = layout.path(dir, doc);
        if path.is_file() {
            located.push((doc, Some(path)));
        } else {
            if wanted(doc, &enabled, features) {
                missing.push(doc);
            }
            located.push((doc, None));
        }
    }
    if missing.is_empty() || docs_rs {
        return Ok(located);
    }
    Err(missing_message(dir, layout, &missing))
}

/// What a build without its documents says: what is missing and where it was looked for, and
/// how to get the documents.
pub fn missing_message(dir: &Path, layout: Layout, missing: &[&Document]) -> String {
    let set = std::env::var_os(DIR_ENV).is_some_and(|d| !d.is_empty());
    let nothing_found = DOCUMENTS.iter().all(|doc| !layout.path(dir, doc).is_file());
    let what = if nothing_found && !set {
        format!("{DIR_ENV} is not set and {} holds no documents", dir.display())
    } else if nothing_found {
        format!("{DIR_ENV} is {}, which holds none of them", dir.display())
    } else {
        let mut features: Vec<&str> = missing.iter().map(|doc| doc.feature.unwrap_or("rest")).collect();
        features.dedup();
        let files: Vec<String> = missing.iter().map(|doc| layout.path(dir, doc).display().to_string()).collect();
        format!(
            "the documents of the features turned on ({}) are missing: {}",
            features.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", "),
            files.join(", ")
        )
    };
    format!(
        "pdrs generates its typed API from PagerDuty's OpenAPI documents when it is built, and {what}.\n\
         Get them from PagerDuty/api-schema, at the revision pdrs is tested with:\n\
         \n    git clone https://github.com/PagerDuty/api-schema\n    git -C api-schema checkout {TESTED_REVISION}\n\n\
         then point {DIR_ENV} at the checkout, in the environment:\n\
         \n    export {DIR_ENV}=$PWD/api-schema\n\n\
         or in your project's .cargo/config.toml (a path relative to the project):\n\
         \n    [env]\n    {DIR_ENV} = {{ value = \"api-schema\", relative = true }}\n\n\
         A folder of flat files (rest.json, scim.json...) works too. To leave an API out, turn its feature off."
    )
}

/// The documents that differ from the tested revision (by SHA-256), by file name.
pub fn untested(located: &[(&Document, Option<PathBuf>)]) -> Vec<&'static str> {
    use sha2::Digest;
    located
        .iter()
        .filter_map(|(doc, path)| {
            let bytes = std::fs::read(path.as_ref()?).ok()?;
            let digest: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            (digest != doc.tested_sha256).then_some(doc.file)
        })
        .collect()
}

/// `documents.tsv` in `OUT_DIR`: the file name and path of each document this build read, for
/// the tests that read the documents themselves.
pub fn located_source(located: &[(&Document, Option<PathBuf>)]) -> String {
    located.iter().filter_map(|(doc, path)| Some(format!("{}\t{}\n", doc.file, path.as_ref()?.display()))).collect()
}

/// Reads and parses one document.
pub fn read(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

/// Cargo feature name of a REST tag: `Escalation Policies` -> `escalation_policies`.
pub fn tag_feature(tag: &str) -> String {
    crate::naming::snake(tag)
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
