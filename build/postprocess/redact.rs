//! `Debug` of generated types that shows no credential.

use super::syntax::{types_items, wire_name};
use quote::quote;
use syn::Item;

/// Gives every generated struct with a field named in `secrets` (fields the documents call
/// credentials) a `Debug` that prints `<redacted>` for those fields.
pub fn redact_credentials(file: &mut syn::File, secrets: &std::collections::BTreeSet<String>) -> usize {
    use syn::punctuated::Punctuated;
    let Some(items) = types_items(file) else { return 0 };
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        let syn::Fields::Named(fields) = &s.fields else { continue };
        if !fields.named.iter().any(|f| secrets.contains(&wire_name(f))) || !s.generics.params.is_empty() {
            continue;
        }
        let mut had_debug = false;
        for attr in s.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
            let Ok(paths) = attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated) else {
                continue;
            };
            let kept: Punctuated<syn::Path, syn::Token![,]> =
                paths.iter().filter(|p| p.segments.last().is_none_or(|l| l.ident != "Debug")).cloned().collect();
            had_debug |= kept.len() != paths.len();
            *attr = syn::parse_quote!(#[derive(#kept)]);
        }
        if !had_debug {
            continue;
        }
        let name = &s.ident;
        let label = name.to_string();
        let entries = fields.named.iter().map(|f| {
            let ident = f.ident.as_ref().expect("named field");
            let key = syn::ext::IdentExt::unraw(ident).to_string();
            if secrets.contains(&wire_name(f)) {
                quote!(.field(#key, &crate::typed::Redacted))
            } else {
                quote!(.field(#key, &self.#ident))
            }
        });
        impls.push(syn::parse_quote! {
            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#label) #(#entries)* .finish()
                }
            }
        });
    }
    let n = impls.len();
    items.extend(impls);
    n
}
