//! One type per shape: generated types that are identical but for their names become aliases.
//!
//! typify names a type after the place its schema sits in the document, so a schema written out
//! inline in many places (an urgency enum, a `{id, type}` reference, an `X-EARLY-ACCESS` header
//! value) becomes as many separate types, each with its own derives and impls for rustc to
//! check and compile. [`alias_identical_types`] keeps one of each set of identical types and
//! makes the others `pub type` aliases of it: every name still works (struct literals, enum
//! variants, `types::Name` in signatures), values move between the operations that share a
//! shape, and the code is compiled once.
//!
//! Identical means the same item (attributes, derives, fields or variants and their docs, all
//! but the type's own name and doc comment) and the same impls, once the types they mention are
//! themselves resolved; this is repeated until nothing more merges, so two references to
//! identical types are identical too.

use std::collections::{BTreeMap, BTreeSet};

use crate::postprocess::types_items;
use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{Item, ItemImpl};

/// The name that stands for the type's own name in its comparison key.
const SELF_NAME: &str = "__SameTypeSelf";

/// The name of the type an impl is for, when it is a single-segment path.
fn impl_self(imp: &ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            Some(p.path.segments[0].ident.to_string())
        }
        _ => None,
    }
}

/// Renames the first segment of every path: `own` to [`SELF_NAME`], the names in `map` to
/// what they map to. Field names, variant names and string literals are left alone.
struct Rename<'a> {
    own: Option<&'a str>,
    map: &'a BTreeMap<String, String>,
}

impl VisitMut for Rename<'_> {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        if let Some(first) = path.segments.first_mut() {
            let name = first.ident.to_string();
            if self.own == Some(name.as_str()) {
                first.ident = syn::Ident::new(SELF_NAME, first.ident.span());
            } else if let Some(to) = self.map.get(&name) {
                first.ident = syn::Ident::new(to, first.ident.span());
            }
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

/// A struct or enum of the module, without its name and its own doc comment.
fn shape(item: &Item) -> Option<(String, Item)> {
    let mut item = item.clone();
    let (ident, attrs) = match &mut item {
        Item::Struct(s) if s.generics.params.is_empty() => (&mut s.ident, &mut s.attrs),
        Item::Enum(e) if e.generics.params.is_empty() => (&mut e.ident, &mut e.attrs),
        _ => return None,
    };
    let name = ident.to_string();
    *ident = syn::Ident::new(SELF_NAME, ident.span());
    attrs.retain(|a| !a.path().is_ident("doc"));
    Some((name, item))
}

/// Each alias mapped to the kept type at the end of its chain (`A -> B -> C` gives `A -> C`).
fn resolve_all(aliases: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    fn resolve<'a>(aliases: &'a BTreeMap<String, String>, mut name: &'a str) -> &'a str {
        while let Some(next) = aliases.get(name) {
            name = next;
        }
        name
    }
    aliases.keys().map(|a| (a.clone(), resolve(aliases, a).to_string())).collect()
}

/// The first segments of the paths an item mentions: the names its comparison key depends on.
#[derive(Default)]
struct Mentions(BTreeSet<String>);

impl<'ast> syn::visit::Visit<'ast> for Mentions {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if let Some(first) = path.segments.first() {
            self.0.insert(first.ident.to_string());
        }
        syn::visit::visit_path(self, path);
    }
}

/// A type's comparison key: its shape and impls as text, its own name and the names `resolved`
/// maps renamed.
fn key(name: &str, shape: &Item, impls: &[&ItemImpl], resolved: &BTreeMap<String, String>) -> String {
    let mut rename = Rename { own: Some(name), map: resolved };
    let mut item = shape.clone();
    rename.visit_item_mut(&mut item);
    let mut parts: Vec<String> = impls
        .iter()
        .map(|imp| {
            let mut imp = (*imp).clone();
            rename.visit_item_impl_mut(&mut imp);
            imp.into_token_stream().to_string()
        })
        .collect();
    parts.sort();
    parts.insert(0, item.into_token_stream().to_string());
    parts.join("\n")
}

/// Makes every generated type that is identical to another (see the module docs) an alias of
/// the one with the shortest name (then the first in order). Returns how many became aliases.
pub fn alias_identical_types(file: &mut syn::File) -> usize {
    let Some(items) = types_items(file) else { return 0 };
    let mut shapes: BTreeMap<String, Item> = BTreeMap::new();
    for item in items.iter() {
        if let Some((name, shape)) = shape(item) {
            shapes.insert(name, shape);
        }
    }
    let mut impls: BTreeMap<&str, Vec<&ItemImpl>> = BTreeMap::new();
    for item in items.iter() {
        if let Item::Impl(imp) = item {
            if let Some((name, _)) = impl_self(imp).and_then(|n| shapes.get_key_value(&n)) {
                impls.entry(name.as_str()).or_default().push(imp);
            }
        }
    }
    let impls_of = |name: &str| impls.get(name).map_or(&[][..], Vec::as_slice);
    let mentions: BTreeMap<&str, BTreeSet<String>> = shapes
        .iter()
        .map(|(name, shape)| {
            let mut mentions = Mentions::default();
            syn::visit::Visit::visit_item(&mut mentions, shape);
            for imp in impls_of(name) {
                syn::visit::Visit::visit_item_impl(&mut mentions, imp);
            }
            (name.as_str(), mentions.0)
        })
        .collect();

    // Each round groups the types not yet aliases by key and aliases each group to one member.
    // A key changes only when a name it mentions resolves to another type than in the round
    // before, so only those keys are computed again.
    let mut aliases: BTreeMap<String, String> = BTreeMap::new();
    let mut resolved: BTreeMap<String, String> = BTreeMap::new();
    let mut keys: BTreeMap<&str, String> =
        shapes.iter().map(|(name, shape)| (name.as_str(), key(name, shape, impls_of(name), &resolved))).collect();
    loop {
        let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, key) in keys.iter().filter(|(n, _)| !aliases.contains_key(**n)) {
            groups.entry(key.as_str()).or_default().push(name);
        }
        let mut merged = false;
        for members in groups.values().filter(|m| m.len() > 1) {
            let keep = members.iter().min_by_key(|n| (n.len(), **n)).map(|n| n.to_string());
            for member in members {
                if let Some(keep) = keep.as_ref().filter(|k| k.as_str() != *member) {
                    aliases.insert(member.to_string(), keep.clone());
                    merged = true;
                }
            }
        }
        if !merged {
            break;
        }
        let next = resolve_all(&aliases);
        let changed: BTreeSet<&String> =
            next.iter().filter(|(a, k)| resolved.get(*a) != Some(*k)).map(|(a, _)| a).collect();
        for (name, key_text) in keys.iter_mut().filter(|(n, _)| !aliases.contains_key(**n)) {
            if mentions[name].iter().any(|m| changed.contains(m)) {
                *key_text = key(name, &shapes[*name], impls_of(name), &next);
            }
        }
        resolved = next;
    }
    // `resolved` is `aliases` resolved: the last round merged nothing.
    if resolved.is_empty() {
        return 0;
    }
    rewrite(items, &resolved);
    resolved.len()
}

/// Replaces each alias's item with `pub type Alias = Kept;` (keeping its doc comment), drops the
/// alias's impls, and drops trait impls that merging made the same as an earlier one (two
/// `From<A>` for one enum whose variants' types merged) or that core already provides
/// (`From<T> for T`).
fn rewrite(items: &mut Vec<Item>, aliases: &BTreeMap<String, String>) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let resolved = |ty: &syn::Type| {
        let mut ty = ty.clone();
        Rename { own: None, map: aliases }.visit_type_mut(&mut ty);
        ty.into_token_stream().to_string()
    };
    items.retain_mut(|item| {
        let (ident, attrs, vis) = match item {
            Item::Struct(s) => (&s.ident, &s.attrs, &s.vis),
            Item::Enum(e) => (&e.ident, &e.attrs, &e.vis),
            Item::Impl(imp) => {
                if impl_self(imp).is_some_and(|n| aliases.contains_key(&n)) {
                    return false;
                }
                let Some((_, trait_path, _)) = &imp.trait_ else { return true };
                let mut trait_path = trait_path.clone();
                Rename { own: None, map: aliases }.visit_path_mut(&mut trait_path);
                let self_ty = resolved(&imp.self_ty);
                if conversion_source(&trait_path).is_some_and(|from| resolved(from) == self_ty) {
                    return false;
                }
                let generics = &imp.generics;
                let key = format!("{} {} for {self_ty}", generics.into_token_stream(), trait_path.into_token_stream());
                return seen.insert(key);
            }
            _ => return true,
        };
        if let Some(kept) = aliases.get(&ident.to_string()) {
            let docs = attrs.iter().filter(|a| a.path().is_ident("doc"));
            let kept = syn::Ident::new(kept, ident.span());
            *item = syn::parse_quote! {
                #(#docs)*
                #vis type #ident = #kept;
            };
        }
        true
    });
}

/// The `T` of a `From<T>` or `TryFrom<T>` trait path.
fn conversion_source(trait_path: &syn::Path) -> Option<&syn::Type> {
    let last = trait_path.segments.last().filter(|s| s.ident == "From" || s.ident == "TryFrom")?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.iter().collect::<Vec<_>>()[..] {
        [syn::GenericArgument::Type(from)] => Some(from),
        _ => None,
    }
}
