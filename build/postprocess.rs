//! Rewrites of progenitor's output, each a named function over the parsed file.

use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{Item, ItemEnum, ItemImpl};

/// The items of the `types` module.
pub(crate) fn types_items(file: &mut syn::File) -> Option<&mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The name of the type an `impl` block is for, when it is a plain path.
fn impl_self_name(imp: &ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

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
                    fields.entry(s.ident.to_string()).or_default().push((ident.to_string(), inner.to_string()));
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

/// Turns progenitor's ```` ```ignore ```` usage snippets in doc comments into ```` ```text ````: they
/// are illustrations, not tests, and would show as hundreds of ignored doctests.
pub fn untest_doc_snippets(file: &mut syn::File) -> usize {
    struct Docs(usize);
    impl VisitMut for Docs {
        fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
            if !attr.path().is_ident("doc") {
                return;
            }
            if let syn::Meta::NameValue(nv) = &mut attr.meta {
                if let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &mut nv.value {
                    let text = s.value();
                    if text.contains("```ignore") {
                        *s = syn::LitStr::new(&text.replace("```ignore", "```text"), s.span());
                        self.0 += 1;
                    }
                }
            }
        }
    }
    let mut docs = Docs(0);
    docs.visit_file_mut(file);
    docs.0
}

/// The items of the `builder` module (progenitor's per-operation builders).
fn builder_items(file: &mut syn::File) -> Option<&mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The operation id a generated send function names in its `OperationInfo`.
fn operation_id(f: &syn::ImplItemFn) -> Option<String> {
    let block = &f.block;
    let text = quote!(#block).to_string();
    text.split("operation_id :").nth(1).and_then(|rest| rest.split('"').nth(1)).map(String::from)
}

/// A field's name on the wire: its `#[serde(rename)]`, else its identifier.
fn wire_name(field: &syn::Field) -> String {
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

/// The function a routed operation's `send()` calls, chosen by its success value `T`: no body
/// (`()`), bytes (`ByteStream`), or JSON decoded into `T`.
fn route_function(value: &syn::Type) -> syn::Path {
    let text = quote!(#value).to_string().replace(' ', "");
    if text == "()" {
        syn::parse_quote!(crate::typed::empty)
    } else if text.ends_with("ByteStream") {
        syn::parse_quote!(crate::typed::bytes)
    } else {
        syn::parse_quote!(crate::typed::json::<_, #value, _>)
    }
}

/// The `T` and `E` of `Result<ResponseValue<T>, Error<E>>`.
fn send_types(output: &syn::ReturnType) -> Option<(syn::Type, syn::Type)> {
    let syn::ReturnType::Type(_, ty) = output else { return None };
    let syn::Type::Path(p) = &**ty else { return None };
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else { return None };
    let (Some(syn::GenericArgument::Type(ok)), Some(syn::GenericArgument::Type(err))) =
        (args.args.first(), args.args.iter().nth(1))
    else {
        return None;
    };
    let syn::Type::Path(response) = ok else { return None };
    let syn::PathArguments::AngleBracketed(value) = &response.path.segments.last()?.arguments else { return None };
    let Some(syn::GenericArgument::Type(value)) = value.args.first() else { return None };
    let syn::Type::Path(error) = err else { return None };
    let syn::PathArguments::AngleBracketed(error) = &error.path.segments.last()?.arguments else { return None };
    let Some(syn::GenericArgument::Type(error)) = error.args.first() else { return None };
    Some((value.clone(), error.clone()))
}

/// Routes every generated operation through pdrs's pipeline. progenitor writes each
/// operation's `send()` as one `async` body: check the builder's values and build the request,
/// then run the client hooks, send it, and `match` the status against the document's list.
/// This pass keeps the first half as a plain function, `build_request()`, which returns the
/// client, the request and the operation's name, and makes `send()` one call to a function of
/// [`crate::typed`] (`json`, `empty` or `bytes`, by the success type), which sends the request
/// through the pipeline and reads the answer the way raw calls do: any 2xx is the success,
/// any other status PagerDuty's error, whatever the document declares. The status-by-status
/// `match` is gone, and with it most of what rustc compiled per operation.
///
/// Returns how many operations were routed, or the names of those whose `send()` has no
/// `client.pre(..)` hook call to cut at: an operation that is not routed would skip the
/// pipeline (no auth, no retries), so the build stops instead.
pub fn route_operations(file: &mut syn::File) -> Result<usize, Vec<String>> {
    let Some(builders) = builder_items(file) else { return Ok(0) };
    let mut routed = 0;
    let mut unrouted = Vec::new();
    for item in builders.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let owner = impl_self_name(imp).unwrap_or_default();
        let mut added = Vec::new();
        for it in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = it else { continue };
            if f.sig.ident != "send" || f.sig.asyncness.is_none() {
                continue;
            }
            let name = operation_id(f).unwrap_or_else(|| owner.clone());
            let Some((value, error)) = send_types(&f.sig.output) else {
                unrouted.push(name);
                continue;
            };
            let cut =
                f.block.stmts.iter().position(|stmt| {
                    quote!(#stmt).to_string().replace(' ', "") == "client.pre(&mutrequest,&info).await?;"
                });
            let Some(cut) = cut else {
                unrouted.push(name);
                continue;
            };
            let mut build = f.clone();
            build.sig.ident = format_ident!("build_request");
            build.sig.asyncness = None;
            build.vis = syn::Visibility::Inherited;
            build.attrs.retain(|a| !a.path().is_ident("doc"));
            build.sig.output = syn::parse_quote! {
                -> Result<(&'a super::Client, ::reqwest::Request, OperationInfo), Error<#error>>
            };
            build.block.stmts.truncate(cut);
            build.block.stmts.push(syn::Stmt::Expr(syn::parse_quote!(Ok((client, request, info))), None));
            let function = route_function(&value);
            let attrs = &f.attrs;
            *f = syn::parse_quote! {
                #(#attrs)*
                pub fn send(self) -> impl ::std::future::Future<Output = ::std::result::Result<ResponseValue<#value>, crate::Error>> + 'a {
                    #function(self.build_request())
                }
            };
            added.push(syn::ImplItem::Fn(build));
            routed += 1;
        }
        imp.items.extend(added);
    }
    if unrouted.is_empty() {
        Ok(routed)
    } else {
        Err(unrouted)
    }
}

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

/// The item type of a list response: the `Vec<T>` (or `Option<Vec<T>>`) field named `items`
/// (by its wire name) of struct `response` in `types`.
fn item_type(types: &[Item], response: &str, items: &str) -> Option<syn::Type> {
    let strukt = types.iter().find_map(|item| match item {
        Item::Struct(s) if s.ident == response => Some(s),
        _ => None,
    })?;
    let field = strukt.fields.iter().find(|f| wire_name(f) == items)?;
    // Peel Option<..> and Vec<..>.
    fn inner<'t>(ty: &'t syn::Type, wrapper: &str) -> Option<&'t syn::Type> {
        let syn::Type::Path(p) = ty else { return None };
        let last = p.path.segments.last()?;
        if last.ident != wrapper {
            return None;
        }
        match &last.arguments {
            syn::PathArguments::AngleBracketed(a) => match a.args.first()? {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }
    let ty = inner(&field.ty, "Option").unwrap_or(&field.ty);
    let item = inner(ty, "Vec")?.clone();
    // Inside the builder module types are named `types::X`.
    Some(match item {
        syn::Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 && p.path.leading_colon.is_none() => {
            let ident = &p.path.segments[0];
            if ident.arguments.is_empty() && ident.ident.to_string().chars().next().is_some_and(char::is_uppercase) {
                syn::parse_quote!(types::#ident)
            } else {
                syn::Type::Path(p)
            }
        }
        other => other,
    })
}

/// Gives the builder of every paged operation (offset, cursor, `after`, analytics) a
/// `stream()`: every item of the listing, typed, on the paging engine of `iter_all` (the
/// operation table says how it pages and where the items are). Runs before
/// [`route_operations`], whose `build_request()` the stream starts from.
pub fn typed_streams(file: &mut syn::File, paging: &[(String, &str, Option<String>)]) -> usize {
    let types: Vec<Item> = file
        .items
        .iter()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let Some(builders) = builder_items(file) else { return 0 };
    let mut n = 0;
    for item in builders.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let mut added = Vec::new();
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            if f.sig.ident != "send" || f.sig.asyncness.is_none() {
                continue;
            }
            let Some(op_id) = operation_id(f) else { continue };
            let Some((_, kind, Some(items))) = paging.iter().find(|(name, _, _)| *name == op_id) else { continue };
            if *kind == "none" {
                continue;
            }
            let syn::ReturnType::Type(_, ty) = &f.sig.output else { continue };
            let text = quote!(#ty).to_string().replace(' ', "");
            let Some(success) = text
                .strip_prefix("Result<ResponseValue<types::")
                .and_then(|t| t.split_once(">,"))
                .map(|(s, _)| s.to_string())
            else {
                continue;
            };
            let Some(item_ty) = item_type(&types, &success, items) else { continue };
            added.push(syn::ImplItem::Fn(syn::parse_quote! {
                /// Every item of this listing, page after page, as a `Stream` of typed items
                /// on pdrs's paging engine (the checks of `RestClient::iter_all`: each record
                /// once, a typed error when pages do not add up, the 10,000 record cap
                /// reported). The query set on this builder applies to every page.
                pub fn stream(self) -> ::futures::stream::BoxStream<'a, crate::Result<#item_ty>> {
                    crate::typed::stream(self.build_request())
                }
            }));
            n += 1;
        }
        imp.items.extend(added);
    }
    n
}

/// Marks every operation's `send`, `build_request` and `stream` `#[inline]`, so that rustc
/// compiles an operation's request and response code (its future, its serde instantiations)
/// in the crate that calls it, and only for the operations that crate calls, not all of them
/// up front in pdrs. Returns how many functions were marked.
pub fn codegen_on_use(file: &mut syn::File) -> usize {
    let Some(builders) = builder_items(file) else { return 0 };
    let mut n = 0;
    for item in builders.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        for it in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = it else { continue };
            let name = f.sig.ident.to_string();
            if matches!(name.as_str(), "send" | "build_request" | "stream")
                && !f.attrs.iter().any(|a| a.path().is_ident("inline"))
            {
                f.attrs.push(syn::parse_quote!(#[inline]));
                n += 1;
            }
        }
    }
    n
}

/// Identifiers named anywhere in `tokens`.
fn idents(tokens: proc_macro2::TokenStream, out: &mut std::collections::BTreeSet<String>) {
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
fn field_idents(item: &Item) -> std::collections::BTreeSet<String> {
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
fn reachable(
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
fn carried_types(file: &mut syn::File) -> (std::collections::BTreeSet<String>, std::collections::BTreeSet<String>) {
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

/// The `T` of `Option<T>` (written `::std::option::Option<T>` or `Option<T>`).
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
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
