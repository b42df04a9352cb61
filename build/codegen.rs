//! Runs progenitor over a normalized document and post-processes its output.

use crate::documents::Document;
use crate::postprocess;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;
use serde_json::Value;
use std::path::Path;

/// Generated source of one document.
pub struct Generated {
    /// The module's source text.
    pub source: String,
    /// Request and response types per operation (for the examples test).
    pub operations: Vec<postprocess::OperationTypes>,
}

/// Generates the client and types of one document.
pub fn generate(doc: &Document, spec: &Value) -> Result<Generated, String> {
    let api: openapiv3::OpenAPI = serde_json::from_value(spec.clone())
        .map_err(|e| format!("{}: normalized document is not OpenAPI 3.0: {e}", doc.file))?;
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Separate)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote!(crate::pipeline::Pipeline));
    let mut generator = Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&api)
        .map_err(|e| format!("{}: progenitor failed: {e}", doc.file))?;
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("{}: generated code does not parse: {e}", doc.file))?;
    postprocess::drop_struct_builders(&mut file);
    postprocess::open_enums(&mut file);
    let operations = postprocess::operation_types(&file);
    Ok(Generated { source: prettyplease::unparse(&file), operations })
}

/// Writes `<module>.rs` into `out_dir` (empty when the module's features are off).
pub fn write_module(out_dir: &Path, doc: &Document, generated: Option<&Generated>) -> Result<(), String> {
    let path = out_dir.join(format!("{}.rs", doc.module));
    let text = generated.map(|g| g.source.as_str()).unwrap_or("");
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
