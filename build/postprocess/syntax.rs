//! Where things are in progenitor's output: the `types` and `builder` modules, an impl's type,
//! an operation's id, a field's wire name, the identifiers a type mentions.

use quote::quote;
use syn::{Item, ItemImpl};

/// The items of the `types` module.
pub(crate) fn types_items(file: &mut syn::File) -> Option<&mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The name of the type an `impl` block is for, when it is a plain path.
pub(crate) fn impl_self_name(imp: &ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The items of the `builder` module (progenitor's per-operation builders).
pub(crate) fn builder_items(file: &mut syn::File) -> Option<&mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The operation id a generated send function names in its `OperationInfo`.
pub(crate) fn operation_id(f: &syn::ImplItemFn) -> Option<String> {
    let block = &f.block;
    let text = quote!(#block).to_string();
    text.split("operation_id :").nth(1).and_then(|rest| rest.split('"').nth(1)).map(String::from)
}

/// A field's name on the wire: its `#[serde(rename)]`, else its identifier.
pub(crate) fn wire_name(field: &syn::Field) -> String {
    let mut name = field.ident.as_ref().map(|i| syn::ext::IdentExt::unraw(i).to_string()).unwrap_or_default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                name = meta.value()?.parse::<syn::LitStr>()?.value();
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    name
}

/// Identifiers named anywhere in `tokens`.
pub(crate) fn idents(tokens: proc_macro2::TokenStream, out: &mut std::collections::BTreeSet<String>) {
    for tree in tokens {
        match tree {
            proc_macro2::TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            proc_macro2::TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

/// The generated types a type names in its fields or variants.
pub(crate) fn field_idents(item: &Item) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    match item {
        Item::Struct(s) => s.fields.iter().for_each(|f| {
            let ty = &f.ty;
            idents(quote!(#ty), &mut out)
        }),
        Item::Enum(e) => e.variants.iter().for_each(|v| {
            let fields = &v.fields;
            idents(quote!(#fields), &mut out)
        }),
        _ => {}
    }
    out
}

/// Every type reachable from `roots` through fields and variants.
pub(crate) fn reachable(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    roots: std::collections::BTreeSet<String>,
) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo: Vec<String> = roots.into_iter().filter(|r| graph.contains_key(r)).collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        todo.extend(graph[&name].iter().filter(|n| graph.contains_key(*n) && !seen.contains(*n)).cloned());
    }
    seen
}

/// The generated types requests carry (bodies, query values, and everything inside them) and
/// the types responses carry (what `send()` and `stream()` return, and everything inside).
pub(crate) fn carried_types(
    file: &mut syn::File,
) -> (std::collections::BTreeSet<String>, std::collections::BTreeSet<String>) {
    use std::collections::{BTreeMap, BTreeSet};
    let mut sent = BTreeSet::new();
    let mut received = BTreeSet::new();
    if let Some(builders) = builder_items(file) {
        for item in builders.iter() {
            match item {
                Item::Struct(s) => idents(quote!(#s), &mut sent),
                // What `send()` and `stream()` return; `build_request()` returns the request.
                Item::Impl(imp) => imp.items.iter().for_each(|it| {
                    if let syn::ImplItem::Fn(f) = it {
                        if f.sig.ident != "build_request" {
                            let output = &f.sig.output;
                            idents(quote!(#output), &mut received);
                        }
                    }
                }),
                _ => {}
            }
        }
    }
    let Some(items) = types_items(file) else { return (sent, received) };
    let graph: BTreeMap<String, BTreeSet<String>> = items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some((s.ident.to_string(), field_idents(item))),
            Item::Enum(e) => Some((e.ident.to_string(), field_idents(item))),
            _ => None,
        })
        .collect();
    (reachable(&graph, sent), reachable(&graph, received))
}

/// The `T` of `Option<T>` (written `::std::option::Option<T>` or `Option<T>`).
pub(crate) fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last().filter(|s| s.ident == "Option")?;
    match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => match a.args.first()? {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}
