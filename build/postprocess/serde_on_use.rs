//! serde derived in the directions operations use.

use super::syntax::{carried_types, types_items};
use syn::Item;

/// Derives each direction of serde only where an operation needs it: `Serialize` for the types
/// a request carries (bodies, query values), `Deserialize` for the types a response carries,
/// each with everything they contain; a type no operation uses keeps `Deserialize`. The other
/// direction is still derived with the `serde_all` feature. Returns the number of derives
/// moved behind that feature.
pub fn derive_serde_on_use(file: &mut syn::File) -> usize {
    let (sent, received) = carried_types(file);
    let Some(items) = types_items(file) else { return 0 };
    let mut moved = 0;
    for item in items.iter_mut() {
        let (name, attrs) = match item {
            Item::Struct(s) => (s.ident.to_string(), &mut s.attrs),
            Item::Enum(e) => (e.ident.to_string(), &mut e.attrs),
            _ => continue,
        };
        let keep_serialize = sent.contains(&name);
        let keep_deserialize = received.contains(&name) || !keep_serialize;
        let mut gated = Vec::new();
        for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
            let Ok(paths) =
                attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            else {
                continue;
            };
            let (kept, dropped): (Vec<syn::Path>, Vec<syn::Path>) =
                paths.into_iter().partition(|p| match p.segments.last().map(|s| s.ident.to_string()).as_deref() {
                    Some("Serialize") => keep_serialize,
                    Some("Deserialize") => keep_deserialize,
                    _ => true,
                });
            if !dropped.is_empty() {
                *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
                gated.extend(dropped);
            }
        }
        if !gated.is_empty() {
            moved += gated.len();
            attrs.push(syn::parse_quote!(#[cfg_attr(feature = "serde_all", derive(#(#gated),*))]));
        }
    }
    moved
}
