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
    matches!(last.as_str(), "Display" | "FromStr" | "TryFrom")
}

/// Makes every string enum open: `#[non_exhaustive]`, an `Unknown(String)` variant that keeps
/// values this version does not know, and serde/`Display`/`FromStr` impls that never fail.
pub fn open_enums(file: &mut syn::File) -> usize {
    let Some(items) = types_items(file) else { return 0 };
    let mut opened = std::collections::BTreeMap::new();
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        let Some(variants) = unit_variants(e) else { continue };
        if e.variants.iter().any(|v| v.ident == "Unknown") {
            continue;
        }
        e.attrs.retain(|a| !a.path().is_ident("derive"));
        e.attrs.push(syn::parse_quote!(#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]));
        e.attrs.push(syn::parse_quote!(#[non_exhaustive]));
        for v in e.variants.iter_mut() {
            v.attrs.retain(|a| !a.path().is_ident("serde"));
        }
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
                fn from(value: &str) -> Self { crate::open_enum::parse(value) }
            }
            impl ::std::convert::From<::std::string::String> for #ident {
                fn from(value: ::std::string::String) -> Self { crate::open_enum::parse(&value) }
            }
            impl ::serde::Serialize for #ident {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
            impl<'de> ::serde::Deserialize<'de> for #ident {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    crate::open_enum::deserialize(deserializer)
                }
            }
        };
        let parsed: syn::File = syn::parse2(tokens).expect("open enum impls parse");
        items.extend(parsed.items);
    }
    opened.len()
}

/// What the examples test needs to know of one operation.
pub struct OperationTypes {
    /// progenitor's operation id (snake case).
    pub operation_id: String,
    /// Rust type of the request body, relative to the module (`types::X`).
    pub body: Option<String>,
    /// Rust type of the success response.
    pub success: String,
    /// Rust type of the error response.
    pub error: String,
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
    let mut bodies = std::collections::HashMap::new();
    for item in builders {
        if let Item::Struct(s) = item {
            for field in &s.fields {
                if field.ident.as_ref().is_some_and(|i| i == "body") {
                    // `Result<types::X, String>`
                    let ty = &field.ty;
                    let text = quote!(#ty).to_string().replace(' ', "").replace(",>", ">");
                    if let Some(inner) = text.strip_prefix("Result<").and_then(|t| t.strip_suffix(",String>")) {
                        bodies.insert(s.ident.to_string(), inner.to_string());
                    }
                }
            }
        }
    }
    for item in builders {
        let Item::Impl(imp) = item else { continue };
        let Some(name) = impl_self_name(imp) else { continue };
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
                body: bodies.get(&name).cloned(),
                success: success.to_string(),
                error: error.to_string(),
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

/// Makes every generated `send()` return `crate::Error`: progenitor's body moves to a private
/// `send_generated()`, and `send()` runs it inside `crate::pipeline::typed_call`, which also
/// keeps the pipeline's own failures (deadline, refused redirect, body limit) typed.
pub fn typed_errors(file: &mut syn::File) -> usize {
    let Some(builders) = builder_items(file) else { return 0 };
    let mut n = 0;
    for item in builders.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let mut added = Vec::new();
        for it in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = it else { continue };
            if f.sig.ident != "send" || f.sig.asyncness.is_none() {
                continue;
            }
            let syn::ReturnType::Type(_, ty) = &f.sig.output else { continue };
            // Result<ResponseValue<T>, Error<E>>
            let syn::Type::Path(p) = &**ty else { continue };
            let Some(last) = p.path.segments.last() else { continue };
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else { continue };
            let Some(syn::GenericArgument::Type(ok)) = args.args.first() else { continue };
            let ok = ok.clone();
            let mut inner = f.clone();
            inner.sig.ident = format_ident!("send_generated");
            inner.vis = syn::Visibility::Inherited;
            inner.attrs.retain(|a| !a.path().is_ident("doc"));
            let attrs = &f.attrs;
            let outer: syn::ImplItemFn = syn::parse_quote! {
                #(#attrs)*
                pub fn send(self) -> impl ::std::future::Future<Output = ::std::result::Result<#ok, crate::Error>> + 'a {
                    crate::pipeline::typed_call(self.send_generated())
                }
            };
            *f = outer;
            added.push(syn::ImplItem::Fn(inner));
            n += 1;
        }
        imp.items.extend(added);
    }
    n
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
                quote!(.field(#key, &crate::auth::Redacted))
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
/// operation table says how it pages and where the items are).
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
            if f.sig.ident != "send_generated" {
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
                    let pipeline = self.client.inner.clone();
                    crate::paging::typed_stream(pipeline, self.send_generated())
                }
            }));
            n += 1;
        }
        imp.items.extend(added);
    }
    n
}

/// What one arm of progenitor's response `match` does, recognized from its body.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arm {
    /// `ResponseValue::from_response(response).await`: the JSON success value.
    Json,
    /// `Ok(ResponseValue::empty(response))`.
    Empty,
    /// `Ok(ResponseValue::stream(response))`.
    Stream,
    /// `Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))`.
    Error,
    /// `Err(Error::UnexpectedResponse(response))`.
    Unexpected,
}

fn arm_kind(body: &syn::Expr) -> Option<Arm> {
    if let syn::Expr::Block(b) = body {
        return match b.block.stmts.as_slice() {
            [syn::Stmt::Expr(inner, None)] if b.attrs.is_empty() && b.label.is_none() => arm_kind(inner),
            _ => None,
        };
    }
    let text = quote!(#body).to_string().replace([' ', '\n'], "").replace(",)", ")");
    Some(match text.as_str() {
        "ResponseValue::from_response(response).await" => Arm::Json,
        "Ok(ResponseValue::empty(response))" => Arm::Empty,
        "Ok(ResponseValue::stream(response))" => Arm::Stream,
        "Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))" => Arm::Error,
        "Err(Error::UnexpectedResponse(response))" => Arm::Unexpected,
        _ => return None,
    })
}

/// The status (`201u16`) or inclusive range (`200u16..=299u16`) an arm matches; `None` for `_`.
fn arm_statuses(pat: &syn::Pat) -> Option<Option<(u16, u16)>> {
    fn int(e: &syn::Expr) -> Option<u16> {
        match e {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => i.base10_parse().ok(),
            _ => None,
        }
    }
    match pat {
        syn::Pat::Wild(_) => Some(None),
        syn::Pat::Lit(l) => {
            let syn::Lit::Int(i) = &l.lit else { return None };
            i.base10_parse().ok().map(|n| Some((n, n)))
        }
        syn::Pat::Range(r) if matches!(r.limits, syn::RangeLimits::Closed(_)) => {
            Some(Some((int(r.start.as_deref()?)?, int(r.end.as_deref()?)?)))
        }
        _ => None,
    }
}

/// The call that replaces progenitor's send-and-match tail, when `tail` is exactly that tail:
/// the three hooks, then a `match` on the status whose arms are all recognized. The call
/// takes the prepared request as `prepared`.
fn dispatch_call(tail: &[syn::Stmt], prepared: syn::Expr, value: &syn::Type) -> Option<syn::Expr> {
    let [pre, exec, post, unwrap, syn::Stmt::Expr(syn::Expr::Match(m), None)] = tail else { return None };
    let text = |s: &syn::Stmt| quote!(#s).to_string().replace(' ', "");
    let expected = [
        "client.pre(&mutrequest,&info).await?;",
        "letresult=client.exec(request,&info).await;",
        "client.post(&result,&info).await?;",
        "letresponse=result?;",
    ];
    if [pre, exec, post, unwrap].iter().zip(expected).any(|(s, e)| text(s) != e) {
        return None;
    }
    let scrutinee = &m.expr;
    if quote!(#scrutinee).to_string().replace(' ', "") != "response.status().as_u16()" {
        return None;
    }
    let (mut success, mut errors, mut kind) = (Vec::new(), Vec::new(), None);
    for (i, arm) in m.arms.iter().enumerate() {
        if arm.guard.is_some() {
            return None;
        }
        let statuses = arm_statuses(&arm.pat)?;
        match (arm_kind(&arm.body)?, statuses) {
            (Arm::Unexpected, None) if i + 1 == m.arms.len() => {}
            (Arm::Error, Some((low, high))) if low == high => errors.push(low),
            (k @ (Arm::Json | Arm::Empty | Arm::Stream), Some(range)) if kind.is_none() || kind == Some(k) => {
                kind = Some(k);
                success.push(range);
            }
            _ => return None,
        }
    }
    let function: syn::Path = match kind? {
        Arm::Json => syn::parse_quote!(crate::respond::json::<_, #value, _>),
        Arm::Empty => syn::parse_quote!(crate::respond::empty),
        _ => syn::parse_quote!(crate::respond::stream),
    };
    let (low, high): (Vec<u16>, Vec<u16>) = success.into_iter().unzip();
    Some(syn::parse_quote! {
        #function(
            #prepared,
            &crate::respond::Statuses { success: &[#((#low, #high)),*], errors: &[#(#errors),*] }
        )
    })
}

/// Splits every operation's `send_generated` at the point where progenitor's code sends the
/// request. The part before (checking the builder's values, building the URL, query, headers
/// and body) stays, as a plain function returning the client, the request and the operation's
/// name. The part after (three hooks, then a `match` with an arm per declared status, each
/// awaiting its own decoding) becomes one call to a generic function of `crate::respond`,
/// made where `send_generated()` was awaited (`send`, `stream`). rustc then type-checks and
/// borrow-checks that `async` code once, not once per operation: most of the REST API's
/// compile time went there. An operation whose tail has any other shape is left as
/// progenitor wrote it. Returns how many operations were rewritten.
pub fn shared_dispatch(file: &mut syn::File) -> usize {
    struct Calls(syn::Expr);
    impl VisitMut for Calls {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            if quote!(#expr).to_string().replace(' ', "") == "self.send_generated()" {
                *expr = self.0.clone();
            } else {
                syn::visit_mut::visit_expr_mut(self, expr);
            }
        }
    }
    let Some(builders) = builder_items(file) else { return 0 };
    let mut n = 0;
    for item in builders.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let mut call = None;
        for it in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = it else { continue };
            if f.sig.ident != "send_generated" || f.sig.asyncness.is_none() || f.block.stmts.len() < 5 {
                continue;
            }
            let syn::ReturnType::Type(_, ty) = &f.sig.output else { continue };
            let syn::Type::Path(p) = &**ty else { continue };
            let Some(syn::PathArguments::AngleBracketed(args)) = p.path.segments.last().map(|s| &s.arguments) else {
                continue;
            };
            let Some(syn::GenericArgument::Type(error)) = args.args.iter().nth(1) else { continue };
            // Result<ResponseValue<T>, _>: the value type T
            let Some(syn::GenericArgument::Type(syn::Type::Path(response))) = args.args.first() else { continue };
            let Some(syn::PathArguments::AngleBracketed(value)) = response.path.segments.last().map(|s| &s.arguments)
            else {
                continue;
            };
            let Some(syn::GenericArgument::Type(value)) = value.args.first() else { continue };
            let start = f.block.stmts.len() - 5;
            let prepared = syn::parse_quote!(self.send_generated());
            let Some(dispatch) = dispatch_call(&f.block.stmts[start..], prepared, value) else { continue };
            let error = error.clone();
            f.sig.asyncness = None;
            f.sig.output = syn::parse_quote! {
                -> Result<(&'a super::Client, ::reqwest::Request, OperationInfo), #error>
            };
            f.block.stmts.truncate(start);
            f.block.stmts.push(syn::Stmt::Expr(syn::parse_quote!(Ok((client, request, info))), None));
            call = Some(dispatch);
            n += 1;
        }
        if let Some(call) = call {
            for it in imp.items.iter_mut() {
                if let syn::ImplItem::Fn(f) = it {
                    if f.sig.ident != "send_generated" {
                        Calls(call.clone()).visit_block_mut(&mut f.block);
                    }
                }
            }
        }
    }
    n
}

/// Marks every operation's `send`, `send_generated` and `stream` `#[inline]`, so that rustc
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
            if matches!(name.as_str(), "send" | "send_generated" | "stream")
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

/// Identifiers inside every `Error<..>` of `output` (progenitor's error response bodies).
fn error_bodies(output: &syn::ReturnType, out: &mut std::collections::BTreeSet<String>) {
    struct Visit<'o>(&'o mut std::collections::BTreeSet<String>);
    impl<'ast> syn::visit::Visit<'ast> for Visit<'_> {
        fn visit_path_segment(&mut self, segment: &'ast syn::PathSegment) {
            if segment.ident == "Error" {
                let args = &segment.arguments;
                idents(quote!(#args), self.0);
            }
            syn::visit::visit_path_segment(self, segment);
        }
    }
    syn::visit::Visit::visit_return_type(&mut Visit(out), output);
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

/// Derives each direction of serde only where an operation needs it: `Serialize` for the types
/// a request carries (bodies, query values), `Deserialize` for the types a response carries,
/// each with everything they contain; a type no operation uses keeps `Deserialize`. The other
/// direction is still derived with the `serde_all` feature. Returns the number of derives
/// moved behind that feature.
pub fn derive_serde_on_use(file: &mut syn::File) -> usize {
    use std::collections::{BTreeMap, BTreeSet};
    let mut sent = BTreeSet::new();
    let mut received = BTreeSet::new();
    if let Some(builders) = builder_items(file) {
        for item in builders.iter() {
            match item {
                Item::Struct(s) => idents(quote!(#s), &mut sent),
                Item::Impl(imp) => imp.items.iter().for_each(|it| {
                    if let syn::ImplItem::Fn(f) = it {
                        let output = &f.sig.output;
                        idents(quote!(#output), &mut received);
                        // Error bodies also go back out as JSON, in `crate::Error`.
                        error_bodies(output, &mut sent);
                    }
                }),
                _ => {}
            }
        }
    }
    let Some(items) = types_items(file) else { return 0 };
    let graph: BTreeMap<String, BTreeSet<String>> = items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some((s.ident.to_string(), field_idents(item))),
            Item::Enum(e) => Some((e.ident.to_string(), field_idents(item))),
            _ => None,
        })
        .collect();
    let sent = reachable(&graph, sent);
    let received = reachable(&graph, received);
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
