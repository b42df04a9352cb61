//! Build script: turns PagerDuty's OpenAPI documents into typed Rust.
//!
//! The work is split into small modules under `build/`:
//! - `documents.rs` finds the documents and says which ones this build wants;
//! - `normalize/` fixes the documents' defects, one named rule per defect class;
//! - `select.rs` keeps the operations of the enabled features and prunes unused components;
//! - `table.rs` derives the operation table (paths, wrappers, pagination) for the generic layer;
//! - `reference.rs` links each operation's docs to PagerDuty's API reference;
//! - `codegen.rs` runs progenitor and post-processes its output (`postprocess.rs`, then
//!   `same_types.rs`, which makes identical generated types aliases of one).

#[path = "build/codegen.rs"]
mod codegen;
#[path = "build/conform.rs"]
mod conform;
#[path = "build/credentials.rs"]
mod credentials;
#[path = "build/documents.rs"]
mod documents;
#[path = "build/json.rs"]
mod json;
#[path = "build/normalize/mod.rs"]
mod normalize;
#[path = "build/postprocess.rs"]
mod postprocess;
#[path = "build/reference.rs"]
mod reference;
#[path = "build/same_types.rs"]
mod same_types;
#[path = "build/select.rs"]
mod select;
#[path = "build/table.rs"]
mod table;

fn main() {
    if let Err(message) = run() {
        // One clear line, then a non-zero exit: cargo shows it as the build failure.
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

/// A generating thread's stack: normalizing, progenitor and syn recurse once per level of a
/// schema or of the generated code, more than a spawned thread's default 2 MiB allows.
const THREAD_STACK: usize = 64 << 20;

fn run() -> Result<(), String> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-env-changed={}", documents::DIR_ENV);
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let dir = documents::openapi_dir()?;

    // One thread per document: the REST document is most of the work, the others are done on
    // the other cores meanwhile. Results are taken in the documents' order, so the outputs do
    // not depend on which thread finishes first.
    let (dir, out_dir) = (&dir, &out_dir);
    let processed: Vec<Result<Processed, String>> = std::thread::scope(|scope| {
        let threads: Vec<_> = documents::DOCUMENTS
            .iter()
            .map(|doc| {
                std::thread::Builder::new()
                    .name(doc.file.to_string())
                    .stack_size(THREAD_STACK)
                    .spawn_scoped(scope, move || process(dir, out_dir, doc))
                    .map_err(|e| format!("{}: cannot start a thread: {e}", doc.file))
            })
            .collect();
        threads
            .into_iter()
            .map(|thread| thread?.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });

    let mut table_rows = Vec::new();
    let mut report = Vec::new();
    let mut generated_docs = Vec::new();
    let mut servers = Vec::new();
    for processed in processed {
        let Processed { doc, directives, server, report: doc_report, rows, generated } = processed?;
        for directive in directives {
            println!("{directive}");
        }
        servers.push((doc, server));
        report.extend(doc_report);
        if let Some(generated) = generated {
            let keys: Vec<_> = rows.iter().map(|row| (row.key(), row.sample_body())).collect();
            generated_docs.push((doc, keys, generated));
        }
        table_rows.extend(rows);
    }
    // Join the generated operations to their rows (method, path, a sample body) for the tests
    // that go over every operation.
    let mut entries = Vec::new();
    for (doc, keys, generated) in &generated_docs {
        for types in &generated.operations {
            let ((_, method, path), sample_body) =
                keys.iter().find(|((name, _, _), _)| *name == types.operation_id).cloned().ok_or_else(|| {
                    format!("{}: generated operation {} has no table row", doc.file, types.operation_id)
                })?;
            entries.push(codegen::Entry { module: doc.module, method, path, types, sample_body });
        }
    }
    let (modules, apis) = documents::index_source(&servers);
    codegen::write_if_changed(&out_dir.join("modules.rs"), &modules)?;
    codegen::write_if_changed(&out_dir.join("apis.rs"), &apis)?;
    codegen::write_if_changed(&out_dir.join("examples.rs"), &codegen::examples_source(&entries))?;
    codegen::write_if_changed(&out_dir.join("body_checks.rs"), &codegen::body_checks_source(&entries))?;
    codegen::write_if_changed(&out_dir.join("operation_calls.rs"), &codegen::calls_source(&entries))?;
    table::write(out_dir, &table_rows, &report)?;
    Ok(())
}

/// What one document gave: cargo's directives for it, its server URL, the normalization report's
/// lines, its operation table rows and its generated module (none when its features are off).
struct Processed {
    doc: &'static documents::Document,
    directives: Vec<String>,
    server: Option<String>,
    report: Vec<String>,
    rows: Vec<table::Row>,
    generated: Option<codegen::Generated>,
}

/// Reads, normalizes and generates one document, and writes its module into `out_dir`.
fn process(
    dir: &std::path::Path,
    out_dir: &std::path::Path,
    doc: &'static documents::Document,
) -> Result<Processed, String> {
    let mut directives = Vec::new();
    let path = match documents::locate(dir, doc)? {
        documents::Located::Found(path) => path,
        documents::Located::Fallback(path) => {
            directives.push(format!(
                "cargo::warning={} is not in {}: using {}",
                doc.file,
                dir.display(),
                path.display()
            ));
            path
        }
        documents::Located::Missing => {
            directives.push(format!(
                "cargo::warning={} is in neither {} nor openapi/: pdrs::{} is left out",
                doc.file,
                dir.display(),
                doc.module
            ));
            directives.extend(codegen::write_module(out_dir, doc, None)?);
            return Ok(Processed {
                doc,
                directives,
                server: None,
                report: Vec::new(),
                rows: Vec::new(),
                generated: None,
            });
        }
    };
    directives.push(format!("cargo:rerun-if-changed={}", path.display()));
    let mut spec = documents::read(&path)?;
    let raw = spec.clone();
    let server = documents::server_url(&spec);
    let mut report = Vec::new();
    for (rule, sites) in normalize::apply(&mut spec) {
        if sites.is_empty() {
            report.push(format!("{}\t{}\t(none)", doc.file, rule));
        }
        report.extend(sites.iter().map(|site| format!("{}\t{}\t{}", doc.file, rule, site)));
    }
    let rows = table::rows(doc, &spec, &raw);
    let enabled = select::enabled_operations(doc, &spec);
    let generated = if enabled.is_empty() {
        None
    } else {
        let pruned = select::prune(&spec, &enabled);
        let paging: Vec<_> = rows.iter().map(table::Row::paging).collect();
        Some(codegen::generate(doc, &pruned, &paging)?)
    };
    directives.extend(codegen::write_module(out_dir, doc, generated.as_ref())?);
    Ok(Processed { doc, directives, server, report, rows, generated })
}
