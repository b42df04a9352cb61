//! The generated types' constructors: typify's struct builders dropped; a setter per field of
//! every struct a request carries.

use super::syntax::{carried_types, option_inner, types_items, wire_name};
use syn::visit_mut::VisitMut;
use syn::Item;

/// Removes typify's struct builders (`types::builder`, about half of all generated lines).
/// Every field is optional after normalization, so structs implement `Default` and the
/// operation builders' `body_map` works on the types themselves.
pub fn drop_struct_builders(file: &mut syn::File) -> usize {
    struct Rewrite(usize);
    impl VisitMut for Rewrite {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if names.len() == 3 && names[0] == "types" && names[1] == "builder" {
                let last = path.segments.pop().expect("three segments").into_value();
                path.segments.pop();
                path.segments.push(last);
                self.0 += 1;
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    let mut removed = 0;
    if let Some(items) = types_items(file) {
        let before = items.len();
        items.retain(|item| match item {
            Item::Mod(m) => m.ident != "builder",
            // `impl X { pub fn builder() -> builder::X }`
            Item::Impl(imp) => {
                !(imp.trait_.is_none()
                    && imp.items.len() == 1
                    && matches!(&imp.items[0], syn::ImplItem::Fn(f) if f.sig.ident == "builder"))
            }
            _ => true,
        });
        removed = before - items.len();
    }
    let mut rewrite = Rewrite(0);
    rewrite.visit_file_mut(file);
    removed + rewrite.0
}

/// Names a setter is not given: they would shadow a method the type has from a trait.
const NOT_SETTERS: &[&str] = &[
    "new",
    "default",
    "builder",
    "clone",
    "clone_from",
    "to_owned",
    "to_string",
    "into",
    "try_into",
    "from",
    "try_from",
    "eq",
    "ne",
    "cmp",
    "partial_cmp",
    "hash",
    "fmt",
    "borrow",
    "borrow_mut",
    "as_ref",
    "as_mut",
    "serialize",
    "deserialize",
    "type_id",
];

/// Gives every struct a request carries a setter per field: `X::default().status(..).title(..)`
/// builds a body in one expression, without `Some(..)` on every line. A setter takes anything
/// that converts into the field's value (`&str` for a `String`, a wire string for an open enum,
/// an array or slice for a list) and sets it; an `Option` field becomes `Some`. Returns how
/// many setters were added.
pub fn body_setters(file: &mut syn::File) -> usize {
    let (sent, _) = carried_types(file);
    let Some(items) = types_items(file) else { return 0 };
    let mut impls = Vec::new();
    for item in items.iter() {
        let Item::Struct(s) = item else { continue };
        let syn::Fields::Named(fields) = &s.fields else { continue };
        if !sent.contains(&s.ident.to_string()) || !s.generics.params.is_empty() {
            continue;
        }
        let setters: Vec<syn::ImplItemFn> = fields
            .named
            .iter()
            .filter_map(|field| {
                let ident = field.ident.as_ref()?;
                if NOT_SETTERS.contains(&syn::ext::IdentExt::unraw(ident).to_string().as_str()) {
                    return None;
                }
                let ty = &field.ty;
                let wire = wire_name(field);
                let (value, set): (syn::Type, syn::Expr) = match option_inner(ty) {
                    Some(inner) => (inner.clone(), syn::parse_quote!(::std::option::Option::Some(value.into()))),
                    None => (ty.clone(), syn::parse_quote!(value.into())),
                };
                let doc = format!("Sets `{wire}`.");
                Some(syn::parse_quote! {
                    #[doc = #doc]
                    #[must_use]
                    pub fn #ident(mut self, value: impl ::std::convert::Into<#value>) -> Self {
                        self.#ident = #set;
                        self
                    }
                })
            })
            .collect();
        if setters.is_empty() {
            continue;
        }
        let name = &s.ident;
        impls.push(Item::Impl(syn::parse_quote! {
            impl #name { #(#setters)* }
        }));
    }
    let n = impls.iter().map(|i| if let Item::Impl(imp) = i { imp.items.len() } else { 0 }).sum();
    items.extend(impls);
    n
}
