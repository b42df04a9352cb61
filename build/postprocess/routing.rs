//! Every operation routed through pdrs's pipeline (`send()`), paged ones given `stream()`, and
//! both compiled where they are called.

use super::syntax::{builder_items, impl_self_name, operation_id, wire_name};
use quote::{format_ident, quote};
use syn::Item;

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
