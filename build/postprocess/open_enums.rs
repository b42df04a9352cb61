//! String enums made open: values a newer PagerDuty sends are kept, never an error.

use super::syntax::{impl_self_name, types_items};
use quote::{format_ident, quote};
use syn::{Item, ItemEnum, ItemImpl};

/// The wire string of each variant of a unit-only enum (from `#[serde(rename)]`, else the name).
fn unit_variants(e: &ItemEnum) -> Option<Vec<(syn::Ident, String)>> {
    if e.variants.is_empty() {
        return None;
    }
    e.variants
        .iter()
        .map(|v| {
            if !matches!(v.fields, syn::Fields::Unit) {
                return None;
            }
            let mut wire = v.ident.to_string();
            for attr in &v.attrs {
                if attr.path().is_ident("serde") {
                    let _ = attr.parse_nested_meta(|meta| {
                        if meta.path.is_ident("rename") {
                            let lit: syn::LitStr = meta.value()?.parse()?;
                            wire = lit.value();
                        }
                        Ok(())
                    });
                }
            }
            Some((v.ident.clone(), wire))
        })
        .collect()
}

/// Traits whose typify impls are replaced for open enums.
fn is_replaced_trait(imp: &ItemImpl) -> bool {
    let Some((_, path, _)) = &imp.trait_ else { return false };
    let last = path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
    // `Default`: typify writes one for an enum whose property has a default; the property's
    // own default function gives that value, and without the impl the enum stays identical to
    // the other enums of its values.
    matches!(last.as_str(), "Display" | "FromStr" | "TryFrom" | "Default")
}

/// Makes every string enum open: `#[non_exhaustive]`, an `Unknown(String)` variant that keeps
/// values this version does not know, and serde/`Display`/`FromStr` impls that never fail. The
/// known variants are ordered by their wire values (which is also the order `Ord` gives).
pub fn open_enums(file: &mut syn::File) -> usize {
    let Some(items) = types_items(file) else { return 0 };
    let mut opened = std::collections::BTreeMap::new();
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        let Some(mut variants) = unit_variants(e) else { continue };
        variants.sort_by(|a, b| a.1.cmp(&b.1));
        if e.variants.iter().any(|v| v.ident == "Unknown") {
            continue;
        }
        e.attrs.retain(|a| !a.path().is_ident("derive"));
        e.attrs.push(syn::parse_quote!(#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]));
        e.attrs.push(syn::parse_quote!(#[non_exhaustive]));
        for v in e.variants.iter_mut() {
            v.attrs.retain(|a| !a.path().is_ident("serde"));
        }
        // Variants in the order of their wire values, not the document's: enums with the same
        // values are then the same type (see `same_types`), however each place lists them.
        let wire_of = |v: &syn::Variant| variants.iter().find(|(i, _)| *i == v.ident).map(|(_, w)| w.clone());
        let mut sorted: Vec<syn::Variant> = e.variants.iter().cloned().collect();
        sorted.sort_by_key(|v| wire_of(v));
        e.variants = sorted.into_iter().collect();
        e.variants.push(syn::parse_quote!(
            /// A value this version of pdrs does not know, kept as sent.
            Unknown(::std::string::String)
        ));
        opened.insert(e.ident.to_string(), (e.ident.clone(), variants));
    }
    items.retain(|item| match item {
        Item::Impl(imp) => !(is_replaced_trait(imp) && impl_self_name(imp).is_some_and(|n| opened.contains_key(&n))),
        _ => true,
    });
    for (ident, variants) in opened.values() {
        let names: Vec<&syn::Ident> = variants.iter().map(|(v, _)| v).collect();
        let wires: Vec<&String> = variants.iter().map(|(_, w)| w).collect();
        let unknown = format_ident!("Unknown");
        let tokens = quote! {
            impl #ident {
                /// The value as sent on the wire.
                pub fn as_str(&self) -> &str {
                    match self { #(Self::#names => #wires,)* Self::#unknown(value) => value.as_str() }
                }
            }
            impl ::std::fmt::Display for #ident {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.as_str()) }
            }
            impl ::std::str::FromStr for #ident {
                type Err = ::std::convert::Infallible;
                fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                    Ok(match value { #(#wires => Self::#names,)* other => Self::#unknown(other.to_string()) })
                }
            }
            impl ::std::convert::From<&str> for #ident {
                fn from(value: &str) -> Self { crate::typed::open_enum::parse(value) }
            }
            impl ::std::convert::From<::std::string::String> for #ident {
                fn from(value: ::std::string::String) -> Self { crate::typed::open_enum::parse(&value) }
            }
            impl ::serde::Serialize for #ident {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
            impl<'de> ::serde::Deserialize<'de> for #ident {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    crate::typed::open_enum::deserialize(deserializer)
                }
            }
        };
        let parsed: syn::File = syn::parse2(tokens).expect("open enum impls parse");
        items.extend(parsed.items);
    }
    opened.len()
}
