//! progenitor's usage snippets in doc comments shown as text, not run as doctests.

use syn::visit_mut::VisitMut;

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
