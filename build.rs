//! Build script: turns PagerDuty's OpenAPI documents into typed Rust.
//!
//! The work is split into small modules under `build/`, in the order a document goes through them:
//! - `documents.rs` finds the documents and says which ones this build wants;
//! - `normalize/` fixes the documents' defects, one named rule per defect class (`RULES`);
//! - `table.rs` derives the operation table (paths, wrappers, pagination, required body fields)
//!   for the generic layer, with `mock_data.rs` (the mock's request shapes and examples) and
//!   `samples.rs` (a body of its required fields per operation, for the tests);
//! - `select.rs` keeps the operations of the enabled features and prunes unused components;
//! - `reference.rs` links each operation's docs to PagerDuty's API reference;
//! - `codegen.rs` runs progenitor and then the named passes of `postprocess/` (`PASSES`, the last
//!   of which is `same_types.rs`: identical generated types made aliases of one);
//! - `report.rs` writes the normalization report; `json.rs`, `conform.rs` and `credentials.rs`
//!   are helpers the others share, and `src/naming.rs` the naming rules shared with the runtime.

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
#[path = "build/mock_data.rs"]
mod mock_data;
// The naming rules the runtime uses too (`pdrs::naming`).
#[allow(dead_code)]
#[path = "src/naming.rs"]
mod naming;
#[path = "build/normalize/mod.rs"]
mod normalize;
#[path = "build/postprocess/mod.rs"]
mod postprocess;
#[path = "build/reference.rs"]
mod reference;
#[path = "build/report.rs"]
mod report;
#[path = "build/same_types.rs"]
mod same_types;
#[path = "build/samples.rs"]
mod samples;
#[path = "build/select.rs"]
mod select;
#[path = "build/table.rs"]
mod table;

fn main() {
    // A generating thread's panic becomes the build's error message (`generator_panic`), without
    // the panic's own report and backtrace; any other panic is reported as usual.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !std::thread::current().name().is_some_and(|name| name.ends_with(".json")) {
            report(info);
        }
    }));
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
    println!("cargo:rerun-if-env-changed=DOCS_RS");
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let dir = documents::openapi_dir()?;
    println!("cargo:rerun-if-changed={}", dir.display());
    // docs.rs builds without network or environment: there, missing documents leave the typed
    // API out and the front page says how to get it.
    let docs_rs = std::env::var_os("DOCS_RS").is_some();
    let located = documents::locate_all(&dir, &documents::enabled_features(), docs_rs)?;
    let untested = documents::untested(&located);
    if !untested.is_empty() {
        println!(
            "cargo::warning=PagerDuty's documents in {} differ from api-schema {} (the revision pdrs is tested with): {}",
            dir.display(),
            &documents::TESTED_REVISION[..12],
            untested.join(", ")
        );
    }
    codegen::write_if_changed(&out_dir.join("documents.tsv"), &documents::located_source(&located))?;

    // One thread per document: the REST document is most of the work, the others are done on
    // the other cores meanwhile. Results are taken in the documents' order, so the outputs do
    // not depend on which thread finishes first.
    let out_dir = &out_dir;
    let processed: Vec<Result<Processed, String>> = std::thread::scope(|scope| {
        let threads: Vec<_> = located
            .iter()
            .map(|(doc, path)| {
                std::thread::Builder::new()
                    .name(doc.file.to_string())
                    .stack_size(THREAD_STACK)
                    .spawn_scoped(scope, move || process(path.as_deref(), out_dir, doc))
                    .map_err(|e| format!("{}: cannot start a thread: {e}", doc.file))
            })
            .collect();
        threads
            .into_iter()
            .zip(&located)
            .map(|(thread, (doc, path))| {
                thread?.join().map_err(|panic| generator_panic(doc, path.as_deref(), panic.as_ref()))?
            })
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
    table::write(out_dir, &table_rows)?;
    mock_data::write(out_dir, &table_rows)?;
    report::write(out_dir, &report)?;
    Ok(())
}

/// The generated module of `pruned`; when the generator panics, the build's error names the
/// operation it panics on (each operation generated alone until one does) and its words.
fn generate_or_locate(
    doc: &'static documents::Document,
    path: &std::path::Path,
    spec: &serde_json::Value,
    pruned: &serde_json::Value,
    enabled: &std::collections::BTreeSet<(String, String)>,
    paging: &[(String, &str, Option<String>)],
) -> Result<codegen::Generated, String> {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let panic = match catch_unwind(AssertUnwindSafe(|| codegen::generate(doc, pruned, paging))) {
        Ok(generated) => return generated,
        Err(panic) => panic,
    };
    let culprit = enabled.iter().find(|(op_path, method)| {
        let alone = select::prune(spec, &std::iter::once((op_path.clone(), method.clone())).collect());
        catch_unwind(AssertUnwindSafe(|| codegen::generate(doc, &alone, paging))).is_err()
    });
    let at = culprit.map_or(String::new(), |(op_path, method)| {
        format!(" at /paths/{}/{method}", op_path.replace('~', "~0").replace('/', "~1"))
    });
    Err(format!(
        "{}{at}: the code generator stopped on a defect of this document no normalization rule repairs: {}",
        path.display(),
        panic_words(panic.as_ref())
    ))
}

/// What a panic said.
fn panic_words(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)")
}

/// A panic while a document was read or normalized as the build's error: the document and the
/// panic's words (the generator's own panics are located by [`generate_or_locate`]).
fn generator_panic(
    doc: &documents::Document,
    path: Option<&std::path::Path>,
    panic: &(dyn std::any::Any + Send),
) -> String {
    let words = panic_words(panic);
    format!(
        "{}: the build stopped on a defect of this document no normalization rule repairs: {words}",
        path.map_or_else(|| doc.file.to_string(), |p| p.display().to_string())
    )
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

/// Reads, normalizes and generates one document (`None`: not wanted or not found), and writes
/// its module into `out_dir`.
fn process(
    path: Option<&std::path::Path>,
    out_dir: &std::path::Path,
    doc: &'static documents::Document,
) -> Result<Processed, String> {
    let mut directives = Vec::new();
    let Some(path) = path else {
        directives.extend(codegen::write_module(out_dir, doc, None)?);
        return Ok(Processed { doc, directives, server: None, report: Vec::new(), rows: Vec::new(), generated: None });
    };
    directives.push(format!("cargo:rerun-if-changed={}", path.display()));
    let mut spec = documents::read(path)?;
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
        if let Some((pointer, problem)) = normalize::refs::unresolvable_ref(&pruned) {
            return Err(format!(
                "{}: at {pointer}: {problem}; no normalization rule repairs this (pdrs reads each document on its own)",
                path.display()
            ));
        }
        let paging: Vec<_> = rows.iter().map(table::Row::paging).collect();
        Some(generate_or_locate(doc, path, &spec, &pruned, &enabled, &paging)?)
    };
    directives.extend(codegen::write_module(out_dir, doc, generated.as_ref())?);
    Ok(Processed { doc, directives, server, report, rows, generated })
}
