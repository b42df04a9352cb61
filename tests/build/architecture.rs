//! The layers of ARCHITECTURE.md hold: no module of `src/` imports, directly or through others,
//! a module that imports it. A module is a file; an import is any `use crate::…`, `use
//! super::…` or `crate::x::…` path in it (re-exports followed to the module that defines the
//! name). Generated modules (`pdrs::rest`…) are not files of `src/` and are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// A module: its path from the crate root (`["listing", "engine"]`).
type Module = Vec<String>;

/// The module of each file of a crate's source folder (`main.rs` or `lib.rs` its root; the
/// binaries' folder left out).
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    fn walk(dir: &Path, src: &Path, out: &mut BTreeMap<Module, PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "bin") {
                    walk(&path, src, out);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut module: Module = relative.iter().map(|s| s.to_string_lossy().into_owned()).collect();
            if module.last().is_some_and(|last| last == "mod" || last == "lib" || (last == "main" && module.len() == 1))
            {
                module.pop();
            }
            out.insert(module, path);
        }
    }
    let mut out = BTreeMap::new();
    walk(src, src, &mut out);
    out
}

/// The paths a file names, each as absolute segments (`crate::`, `super::`, `self::` and paths
/// relative to the module resolved), and the names the file re-exports.
#[derive(Default)]
struct Paths {
    /// The file's own module.
    module: Module,
    /// How deep in inline `mod { }` blocks the visitor is.
    inline: usize,
    found: Vec<Vec<String>>,
    /// `pub use` / `pub(crate) use` of the file: the name it exports and the absolute path.
    exports: Vec<(String, Vec<String>)>,
}

impl Paths {
    /// Absolute segments of a path written in this file, if it leads into the crate.
    fn absolute(&self, segments: &[String]) -> Option<Vec<String>> {
        let first = segments.first()?;
        match first.as_str() {
            "crate" => Some(segments[1..].to_vec()),
            "super" => {
                let mut base = self.module.clone();
                let mut rest = segments;
                let mut inline = self.inline;
                while rest.first().is_some_and(|s| s == "super") {
                    if inline > 0 {
                        inline -= 1;
                    } else {
                        base.pop()?;
                    }
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                Some(base)
            }
            "self" if self.inline == 0 => {
                let mut base = self.module.clone();
                base.extend(segments[1..].iter().cloned());
                Some(base)
            }
            // A path relative to the module (`use engine::records;` in `listing`), or one that
            // names no module of the crate (`serde::Deserialize`, `Option`), which resolves to
            // the module itself and counts for nothing.
            _ if self.inline == 0 => {
                let mut base = self.module.clone();
                base.extend(segments.iter().cloned());
                Some(base)
            }
            _ => None,
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree, export: bool) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree, export);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.use_leaf(prefix, n.ident.to_string(), n.ident.to_string(), export),
            syn::UseTree::Rename(r) => self.use_leaf(prefix, r.ident.to_string(), r.rename.to_string(), export),
            syn::UseTree::Glob(_) => {
                if let Some(path) = self.absolute(prefix) {
                    self.found.push(path);
                }
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|item| self.use_tree(prefix, item, export)),
        }
    }

    fn use_leaf(&mut self, prefix: &[String], name: String, alias: String, export: bool) {
        let mut full = prefix.to_vec();
        if name != "self" {
            full.push(name);
        }
        if let Some(path) = self.absolute(&full) {
            if export {
                self.exports.push((alias, path.clone()));
            }
            self.found.push(path);
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let export = !matches!(item.vis, syn::Visibility::Inherited) && self.inline == 0;
        self.use_tree(&mut Vec::new(), &item.tree, export);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.inline += usize::from(item.content.is_some());
        syn::visit::visit_item_mod(self, item);
        self.inline -= usize::from(item.content.is_some());
    }

    // `pub(super)`, `pub(crate)`: a visibility names a module, it imports nothing.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(absolute) = self.absolute(&segments) {
            self.found.push(absolute);
        }
        syn::visit::visit_path(self, path);
    }
}

/// The module a path leads to: the deepest module its segments name, through the re-exports of
/// the modules on the way (`crate::Error` is `error`, `crate::typed::json` is `typed::send`).
fn target(
    path: &[String],
    modules: &BTreeMap<Module, PathBuf>,
    exports: &BTreeMap<Module, Vec<(String, Vec<String>)>>,
    depth: usize,
) -> Option<Module> {
    let mut at: Module = Vec::new();
    for (i, segment) in path.iter().enumerate() {
        let mut next = at.clone();
        next.push(segment.clone());
        if modules.contains_key(&next) {
            at = next;
            continue;
        }
        let exported = exports.get(&at).and_then(|e| e.iter().find(|(name, _)| name == segment));
        return match exported {
            Some((_, to)) if depth < 8 => {
                let mut to = to.clone();
                to.extend(path[i + 1..].iter().cloned());
                target(&to, modules, exports, depth + 1)
            }
            _ => Some(at),
        };
    }
    Some(at)
}

/// Every cycle among the modules: the strongly connected components with more than one module.
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct Tarjan<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<Module, usize>,
        low: BTreeMap<Module, usize>,
        stack: Vec<Module>,
        on_stack: BTreeSet<Module>,
        out: Vec<Vec<Module>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: &Module) {
            let n = self.index.len();
            self.index.insert(v.clone(), n);
            self.low.insert(v.clone(), n);
            self.stack.push(v.clone());
            self.on_stack.insert(v.clone());
            for w in self.edges.get(v).into_iter().flatten() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v.clone(), low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v.clone(), low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(&w);
                    let done = &w == v;
                    component.push(w);
                    if done {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.out.push(component);
                }
            }
        }
    }
    let mut tarjan = Tarjan {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !tarjan.index.contains_key(v) {
            tarjan.visit(v);
        }
    }
    tarjan.out
}

/// The module graph of a source folder: for each module, the modules it imports.
fn graph(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let modules = modules(src);
    let mut parsed = BTreeMap::new();
    for (module, path) in &modules {
        let text = std::fs::read_to_string(path).unwrap();
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut paths = Paths { module: module.clone(), ..Paths::default() };
        paths.visit_file(&file);
        parsed.insert(module.clone(), paths);
    }
    let exports: BTreeMap<Module, Vec<(String, Vec<String>)>> =
        parsed.iter().map(|(m, p)| (m.clone(), p.exports.clone())).collect();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (module, paths) in &parsed {
        let own = edges.entry(module.clone()).or_default();
        for path in &paths.found {
            let Some(to) = target(path, &modules, &exports, 0) else { continue };
            // The crate root only declares modules; a module's own paths are not imports.
            if !to.is_empty() && &to != module && !module.is_empty() {
                own.insert(to);
            }
        }
    }
    edges
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        module.join("::")
    }
}

#[test]
fn no_module_of_src_imports_one_that_imports_it() {
    no_cycle_in("src", 20);
}

#[test]
fn no_module_of_the_clis_src_imports_one_that_imports_it() {
    no_cycle_in("cli/src", 10);
}

/// The modules of the crate at `root` (a folder of the repository) form no import cycle.
fn no_cycle_in(root: &str, at_least: usize) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
    let edges = graph(&src);
    assert!(edges.len() > at_least, "the modules of {root}/ were read: {}", edges.len());
    let found = cycles(&edges);
    let described: Vec<String> = found
        .iter()
        .map(|component| {
            let members: BTreeSet<&Module> = component.iter().collect();
            let ties: Vec<String> = component
                .iter()
                .flat_map(|m| {
                    edges[m]
                        .iter()
                        .filter(|to| members.contains(to))
                        .map(move |to| format!("{} -> {}", name(m), name(to)))
                })
                .collect();
            format!("{}: {}", component.iter().map(name).collect::<Vec<_>>().join(", "), ties.join("; "))
        })
        .collect();
    assert!(
        described.is_empty(),
        "import cycles among the modules of {root}/ (see ARCHITECTURE.md):\n{}",
        described.join("\n")
    );
}

/// The check itself finds a cycle that is there, through a re-export and a `super::` path.
#[test]
fn the_cycle_check_finds_a_cycle_made_on_purpose() {
    let dir = std::env::temp_dir().join(format!("pdrs-architecture-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("inner")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod a; mod inner; pub use inner::b::Thing;\n").unwrap();
    std::fs::write(dir.join("a.rs"), "use crate::Thing;\npub struct A;\n").unwrap();
    std::fs::write(dir.join("inner/mod.rs"), "pub mod b;\n").unwrap();
    std::fs::write(dir.join("inner/b.rs"), "pub struct Thing(super::super::a::A);\n").unwrap();
    let found = cycles(&graph(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    let expected: Vec<Module> = vec![vec!["a".into()], vec!["inner".into(), "b".into()]];
    assert_eq!(found, vec![expected]);
}
