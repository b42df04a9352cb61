//! What the build reads from the generated code without changing it: each operation's types and
//! required values, and the names of the generated types.

use super::syntax::{impl_self_name, operation_id};
use quote::quote;
use syn::{Item, ItemImpl};

/// What the tests over every operation need to know of one: its types and required values.
pub struct OperationTypes {
    /// progenitor's operation id (snake case).
    pub operation_id: String,
    /// Rust type of the request body, relative to the module (`types::X`).
    pub body: Option<String>,
    /// Rust type of the success response.
    pub success: String,
    /// Rust type of the error response.
    pub error: String,
    /// The builder's values that must be set, as (setter, Rust type): the path parameters and
    /// the required query parameters, headers and body.
    pub required: Vec<(String, String)>,
}

/// The fields a builder's `new()` starts as `Err(..)` ("was not initialized"): its required
/// values.
fn required_fields(imp: &ItemImpl) -> Vec<String> {
    let new = imp.items.iter().find_map(|it| match it {
        syn::ImplItem::Fn(f) if f.sig.ident == "new" => Some(f),
        _ => None,
    });
    let Some(syn::Stmt::Expr(syn::Expr::Struct(init), None)) = new.and_then(|f| f.block.stmts.last()) else {
        return Vec::new();
    };
    init.fields
        .iter()
        .filter(|field| matches!(&field.expr, syn::Expr::Call(call) if quote!(#call).to_string().starts_with("Err")))
        .filter_map(|field| match &field.member {
            syn::Member::Named(ident) => Some(ident.to_string()),
            syn::Member::Unnamed(_) => None,
        })
        .collect()
}

/// Reads, from the operation builders, each operation's body, success and error types.
pub fn operation_types(file: &syn::File) -> Vec<OperationTypes> {
    let Some(builders) = file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // Each builder's fields and their types: `Result<T, String>` gives `T`.
    let mut fields: std::collections::HashMap<String, Vec<(String, String)>> = std::collections::HashMap::new();
    for item in builders {
        if let Item::Struct(s) = item {
            for field in &s.fields {
                let Some(ident) = &field.ident else { continue };
                let ty = &field.ty;
                let text = quote!(#ty).to_string().replace(' ', "").replace(",>", ">");
                if let Some(inner) = text.strip_prefix("Result<").and_then(|t| t.strip_suffix(",String>")) {
                    // typify's struct builders go (`drop_struct_builders`): name the types themselves.
                    let inner = inner.replace("types::builder::", "types::");
                    fields.entry(s.ident.to_string()).or_default().push((ident.to_string(), inner));
                }
            }
        }
    }
    for item in builders {
        let Item::Impl(imp) = item else { continue };
        let Some(name) = impl_self_name(imp) else { continue };
        let own = fields.get(&name).map(Vec::as_slice).unwrap_or_default();
        let body = own.iter().find(|(field, _)| field == "body").map(|(_, ty)| ty.clone());
        let must = required_fields(imp);
        let required: Vec<(String, String)> = own.iter().filter(|(field, _)| must.contains(field)).cloned().collect();
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            if f.sig.ident != "send" {
                continue;
            }
            let syn::ReturnType::Type(_, ty) = &f.sig.output else { continue };
            let text = quote!(#ty).to_string().replace(' ', "").replace(",>", ">");
            // Result<ResponseValue<T>,Error<E>>
            let Some(inner) = text.strip_prefix("Result<ResponseValue<").and_then(|t| t.strip_suffix(">>")) else {
                continue;
            };
            let Some((success, error)) = inner.split_once(">,Error<") else { continue };
            let Some(op_id) = operation_id(f) else { continue };
            out.push(OperationTypes {
                operation_id: op_id,
                body: body.clone(),
                success: success.to_string(),
                error: error.to_string(),
                required: required.clone(),
            });
        }
    }
    out
}

/// The names of the structs and enums of the `types` module.
pub fn type_names(file: &syn::File) -> Vec<String> {
    let items = file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    });
    items
        .into_iter()
        .flatten()
        .filter_map(|item| match item {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect()
}
