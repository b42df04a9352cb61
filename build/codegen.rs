//! Runs progenitor over a normalized document and post-processes its output.

use crate::documents::Document;
use crate::postprocess;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;
use serde_json::Value;
use std::path::Path;

/// Generated types the hand-written layer uses where a revision has them: (module, type, the
/// feature of what uses it, what uses it). The build emits `cfg(pdrs_has_<module>_<type>)` for
/// each one generated, and a warning naming what is left out when that feature is on but the
/// revision has no such type.
pub const OPTIONAL_TYPES: &[(&str, &str, &str, &str)] = &[
    ("rest", "Incident", "incidents", "webhooks::Event::incident"),
    ("rest", "Service", "services", "webhooks::Event::service"),
];

/// Generated source of one document.
pub struct Generated {
    /// The module's source text.
    pub source: String,
    /// Names of the top-level items of the `types` module.
    pub type_names: Vec<String>,
    /// Request and response types per operation (for the examples test).
    pub operations: Vec<postprocess::OperationTypes>,
}

/// Generates the client and types of one document.
pub fn generate(doc: &Document, spec: &Value, paging: &[(String, &str, Option<String>)]) -> Result<Generated, String> {
    let mut annotated = spec.clone();
    crate::reference::annotate(&mut annotated);
    let api: openapiv3::OpenAPI = serde_json::from_value(annotated)
        .map_err(|e| format!("{}: normalized document is not OpenAPI 3.0: {e}", doc.file))?;
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Separate)
        .with_hooks(HooksMode::Optional)
        .with_inner_type(quote!(crate::pipeline::Pipeline));
    let mut generator = Generator::new(&settings);
    let tokens = generator.generate_tokens(&api).map_err(|e| format!("{}: progenitor failed: {e}", doc.file))?;
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("{}: generated code does not parse: {e}", doc.file))?;
    postprocess::drop_struct_builders(&mut file);
    postprocess::open_enums(&mut file);
    postprocess::untest_doc_snippets(&mut file);
    let operations = postprocess::operation_types(&file);
    let type_names = postprocess::type_names(&file);
    postprocess::typed_streams(&mut file, paging);
    postprocess::route_operations(&mut file).map_err(|unrouted| {
        format!(
            "{}: progenitor wrote {} operation(s) in a shape pdrs cannot route through its pipeline ({}); this progenitor version is not supported",
            doc.file,
            unrouted.len(),
            unrouted.join(", ")
        )
    })?;
    postprocess::codegen_on_use(&mut file);
    postprocess::derive_serde_on_use(&mut file);
    postprocess::redact_credentials(&mut file, &crate::credentials::credential_fields(spec));
    crate::same_types::alias_identical_types(&mut file);
    Ok(Generated { source: prettyplease::unparse(&file), type_names, operations })
}

/// Writes `<module>.rs` into `out_dir` (empty when the module's features are off); returns the
/// directives that tell cargo whether the module exists (`cfg(pdrs_<module>)`), for the caller
/// to print in document order.
pub fn write_module(out_dir: &Path, doc: &Document, generated: Option<&Generated>) -> Result<Vec<String>, String> {
    let mut directives = vec![format!("cargo::rustc-check-cfg=cfg(pdrs_{})", doc.module)];
    for (module, ty, feature, user) in OPTIONAL_TYPES.iter().filter(|(m, _, _, _)| *m == doc.module) {
        let cfg = format!("pdrs_has_{module}_{}", ty.to_ascii_lowercase());
        directives.push(format!("cargo::rustc-check-cfg=cfg({cfg})"));
        match generated {
            Some(g) if g.type_names.iter().any(|n| n == ty) => directives.push(format!("cargo::rustc-cfg={cfg}")),
            Some(_) if crate::documents::feature_enabled(feature) => directives
                .push(format!("cargo::warning={}: no type {ty} in this revision; {user} is left out", doc.file)),
            _ => {}
        }
    }
    let path = out_dir.join(format!("{}.rs", doc.module));
    let text = match generated {
        Some(g) => {
            directives.push(format!("cargo::rustc-cfg=pdrs_{}", doc.module));
            g.source.clone()
        }
        None => String::new(),
    };
    write_if_changed(&path, &text)?;
    Ok(directives)
}

/// Writes a file unless it already holds `text` (keeps timestamps, and so rebuilds, stable).
pub fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Whether the examples test can decode a JSON value into this generated type.
fn decodable(ty: &str) -> bool {
    ty != "()" && !ty.contains("ByteStream") && !ty.contains("reqwest::Body")
}

/// Source of `examples.rs`: for each generated operation, functions that decode a JSON value
/// into its request body, success and error types. `entries` are (module, METHOD, path, types).
pub fn examples_source(entries: &[(&str, String, String, &postprocess::OperationTypes)]) -> String {
    let mut out = String::from(
        "/// (module, METHOD, path, request decoder, success decoder, error decoder)\n\
         pub fn decoders() -> Vec<Entry> {\n    vec![\n",
    );
    for (module, method, path, types) in entries {
        let decoder = |ty: Option<&str>| match ty {
            Some(t) if decodable(t) => {
                format!("Some(decode::<{}>)", t.replace("types::", &format!("pdrs::{module}::types::")))
            }
            _ => "None".to_string(),
        };
        out.push_str(&format!(
            "        ({module:?}, {method:?}, {path:?}, {}, {}, {}),\n",
            decoder(types.body.as_deref()),
            decoder(Some(&types.success)),
            decoder(Some(&types.error)),
        ));
    }
    out.push_str("    ]\n}\n");
    out
}

/// Source of `body_checks.rs`: `check_body`, which decodes a JSON value into an operation's
/// generated request body type, naming the field that does not fit. `entries` are (module,
/// METHOD, path, types) of the generated operations.
pub fn body_checks_source(entries: &[(&str, String, String, &postprocess::OperationTypes)]) -> String {
    let mut out = String::from(
        "/// Decodes `body` into the generated request type of `op`: `None` when the operation has no\n\
         /// typed JSON body in this build, else `Err` naming the first field that does not fit\n\
         /// (`user.role: invalid type: integer, expected a string`).\n\
         pub fn check_body(op: &Operation, body: &serde_json::Value) -> Option<Result<(), String>> {\n\
         \x20   fn decode<T: serde::de::DeserializeOwned>(body: &serde_json::Value) -> Result<(), String> {\n\
         \x20       serde_path_to_error::deserialize::<_, T>(body).map(drop).map_err(|e| {\n\
         \x20           let path = e.path().to_string();\n\
         \x20           format!(\"{path}: {}\", e.into_inner())\n\
         \x20       })\n\
         \x20   }\n\
         \x20   match (op.api, op.method, op.path) {\n",
    );
    for (module, method, path, types) in entries {
        let Some(body) = types.body.as_deref().filter(|t| decodable(t)) else { continue };
        out.push_str(&format!(
            "        (Api::{}, {method:?}, {path:?}) => Some(decode::<{}>(body)),\n",
            crate::json::pascal(module),
            body.replace("types::", &format!("crate::{module}::types::"))
        ));
    }
    out.push_str("        _ => None,\n    }\n}\n");
    out
}
