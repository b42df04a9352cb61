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

fn run() -> Result<(), String> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-env-changed={}", documents::DIR_ENV);
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let dir = documents::openapi_dir()?;

    let mut table_rows = Vec::new();
    let mut report = Vec::new();
    let mut generated_docs = Vec::new();
    let mut servers = Vec::new();
    for doc in documents::DOCUMENTS {
        let path = match documents::locate(&dir, doc)? {
            documents::Located::Found(path) => path,
            documents::Located::Fallback(path) => {
                println!("cargo::warning={} is not in {}: using {}", doc.file, dir.display(), path.display());
                path
            }
            documents::Located::Missing => {
                println!(
                    "cargo::warning={} is in neither {} nor openapi/: pdrs::{} is left out",
                    doc.file,
                    dir.display(),
                    doc.module
                );
                codegen::write_module(&out_dir, doc, None)?;
                servers.push((doc, None));
                continue;
            }
        };
        println!("cargo:rerun-if-changed={}", path.display());
        let mut spec = documents::read(&path)?;
        let raw = spec.clone();
        servers.push((doc, documents::server_url(&spec)));
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
        codegen::write_module(&out_dir, doc, generated.as_ref())?;
        if let Some(generated) = generated {
            generated_docs.push((doc, rows.iter().map(table::Row::key).collect::<Vec<_>>(), generated));
        }
        table_rows.extend(rows);
    }
    // Join the generated operations to their rows (method, path) for the examples test.
    let mut entries = Vec::new();
    for (doc, keys, generated) in &generated_docs {
        for types in &generated.operations {
            let (method, path) = keys
                .iter()
                .find(|(name, _, _)| *name == types.operation_id)
                .map(|(_, m, p)| (m.clone(), p.clone()))
                .ok_or_else(|| format!("{}: generated operation {} has no table row", doc.file, types.operation_id))?;
            entries.push((doc.module, method, path, types));
        }
    }
    let (modules, apis) = documents::index_source(&servers);
    codegen::write_if_changed(&out_dir.join("modules.rs"), &modules)?;
    codegen::write_if_changed(&out_dir.join("apis.rs"), &apis)?;
    codegen::write_if_changed(&out_dir.join("examples.rs"), &codegen::examples_source(&entries))?;
    codegen::write_if_changed(&out_dir.join("body_checks.rs"), &codegen::body_checks_source(&entries))?;
    table::write(&out_dir, &table_rows, &report)?;
    Ok(())
}
