//! The house rule of CONTRIBUTING.md ("Layers"), checked on the code's own
//! imports: the library's modules stand on floors, imports point down or
//! sideways on the same floor, and nothing imports in a circle.
//!
//! Every `crate::`, `super::` and `self::` path in `src/` counts — in `use`
//! items, in code, and inside macro calls (`format!("{}",
//! crate::paths::display(p))`) — as does a path through a child module the
//! file declares. Doc comments do not: a link in prose imports nothing.
//! The floors are read from CONTRIBUTING.md itself, so the rule and its
//! check cannot drift apart.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A module that is a file of its own: `config::profile` for
/// `src/config/profile.rs`, `config` for `src/config/mod.rs`.
type Module = Vec<String>;

/// One import: where it is written and the module it reaches.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    from: String,
    to: String,
    /// The path as written, for the failure message.
    path: String,
}

#[test]
fn no_import_runs_up_a_floor_or_in_a_circle() {
    let floors = floors_from_contributing();
    let modules = library_modules();
    let imports = imports_of(&modules);
    assert!(
        imports.len() > 100,
        "the scan found only {} imports in src/: it is not reading the code",
        imports.len()
    );

    let mut problems = Vec::new();
    // Every top-level module stands on a floor.
    let units: BTreeSet<&str> = modules
        .keys()
        .filter_map(|m| m.first())
        .map(String::as_str)
        .collect();
    for unit in &units {
        if !floors.contains_key(*unit) {
            problems.push(format!(
                "src/{unit}: on no floor — add it to the table under \"Layers\" in CONTRIBUTING.md"
            ));
        }
    }
    for unit in floors.keys() {
        if !units.contains(unit.as_str()) {
            problems.push(format!(
                "CONTRIBUTING.md puts `{unit}` on a floor, but src/ has no such module — remove it from the table"
            ));
        }
    }
    // Down or sideways only.
    for import in &imports {
        let (from, to) = (unit_of(&import.from), unit_of(&import.to));
        if let (Some(low), Some(high)) = (floors.get(from), floors.get(to))
            && high.0 > low.0
        {
            problems.push(format!(
                "{} (floor {}, {}) imports {} — {} is on floor {} ({}), above it",
                import.from, low.0, low.1, import.path, to, high.0, high.1
            ));
        }
    }
    // No circle between top-level modules, nor between the files of one folder.
    let mut between_units = Graph::default();
    let mut within_folders: BTreeMap<&str, Graph> = BTreeMap::new();
    for import in &imports {
        let (from, to) = (unit_of(&import.from), unit_of(&import.to));
        if from != to {
            between_units.add(from, to, import);
        } else if import.from != from && import.to != from {
            // Two files of one folder; its mod.rs re-exports and is used
            // by its children as their common ground, like a floor of its own.
            within_folders
                .entry(from)
                .or_default()
                .add(&import.from, &import.to, import);
        }
    }
    problems.extend(between_units.cycles());
    for graph in within_folders.values() {
        problems.extend(graph.cycles());
    }

    assert!(
        problems.is_empty(),
        "the layer rule of CONTRIBUTING.md is broken:\n  {}",
        problems.join("\n  ")
    );
}

/// The scan itself, on code written to be caught: an import in a macro, a
/// path through `super` from a test module, a grouped `use`, and a doc link
/// that must not count.
#[test]
fn the_scan_sees_imports_in_code_macros_and_groups_but_not_in_docs() {
    let code = r#"
        //! See [`crate::shell`].
        use crate::{config::{self, Target}, error::Result};
        fn f() { log(format!("{}", crate::paths::display(p))); }
        #[cfg(test)]
        mod tests {
            use super::super::super::engine;
        }
    "#;
    let module = vec!["cmd".to_owned(), "status".to_owned()];
    let known: BTreeSet<Module> = [
        vec!["cmd".to_owned()],
        module.clone(),
        vec!["config".to_owned()],
        vec!["error".to_owned()],
        vec!["paths".to_owned()],
        vec!["engine".to_owned()],
        vec!["shell".to_owned()],
    ]
    .into_iter()
    .collect();
    let found: BTreeSet<String> = scan(&module, code, &known)
        .into_iter()
        .map(|import| import.to)
        .collect();
    let expected: BTreeSet<String> = ["config", "error", "paths", "engine"]
        .map(str::to_owned)
        .into_iter()
        .collect();
    assert_eq!(found, expected);
}

/// `floor name` → number, from the table under "## Layers" in CONTRIBUTING.md:
/// `| 6 commands | `cli`, `cmd` | … |`.
fn floors_from_contributing() -> BTreeMap<String, (u32, String)> {
    let text = fs::read_to_string(Path::new(ROOT).join("CONTRIBUTING.md"))
        .expect("CONTRIBUTING.md is readable");
    let section = text
        .split("\n## Layers")
        .nth(1)
        .expect("CONTRIBUTING.md has a \"## Layers\" section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    let mut floors = BTreeMap::new();
    for line in section.lines().filter(|line| line.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(floor), Some(modules)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        let Some((number, name)) = floor.split_once(' ') else {
            continue;
        };
        let Ok(number) = number.parse::<u32>() else {
            continue;
        };
        for module in modules.split('`').skip(1).step_by(2) {
            let previous = floors.insert(module.to_owned(), (number, name.to_owned()));
            assert!(
                previous.is_none(),
                "CONTRIBUTING.md puts `{module}` on two floors"
            );
        }
    }
    assert!(
        floors.len() > 10,
        "CONTRIBUTING.md's layer table names only {} modules",
        floors.len()
    );
    floors
}

/// The library's files (the binaries in `src/main.rs` and `src/bin/` stand
/// above every floor) and their text.
fn library_modules() -> BTreeMap<Module, String> {
    let src = Path::new(ROOT).join("src");
    let mut modules = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("src/ is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path != src.join("bin") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs") || path == src.join("main.rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).expect("under src/");
            let mut module: Module = relative
                .with_extension("")
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            let text = fs::read_to_string(&path).expect("a source file is readable");
            modules.insert(module, text);
        }
    }
    modules
}

fn imports_of(modules: &BTreeMap<Module, String>) -> Vec<Import> {
    let known: BTreeSet<Module> = modules.keys().cloned().collect();
    let mut imports: Vec<Import> = modules
        .iter()
        .filter(|(module, _)| !module.is_empty())
        .flat_map(|(module, text)| scan(module, text, &known))
        .collect();
    imports.sort();
    imports.dedup();
    imports
}

/// The imports of one file, `module`, given the crate's file modules.
fn scan(module: &Module, text: &str, known: &BTreeSet<Module>) -> Vec<Import> {
    let file = syn::parse_file(text)
        .unwrap_or_else(|err| panic!("src/{} does not parse: {err}", module.join("/")));
    let mut scanner = Scanner {
        file_module: module.clone(),
        scope: module.clone(),
        known,
        found: Vec::new(),
    };
    scanner.visit_file(&file);
    scanner.found
}

struct Scanner<'k> {
    file_module: Module,
    /// The module the visitor is in: the file's, plus inline `mod` blocks.
    scope: Module,
    known: &'k BTreeSet<Module>,
    found: Vec<Import>,
}

impl Scanner<'_> {
    /// Records the file module a path `segments` (from `scope`) reaches.
    fn record(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else {
            return;
        };
        let mut absolute: Module = match first.as_str() {
            "crate" => Vec::new(),
            "self" | "super" => self.scope.clone(),
            // A child module this scope declares (`mod device;` then `device::…`).
            name => {
                let mut child = self.scope.clone();
                child.push(name.to_owned());
                if !self.known.contains(&child) {
                    return;
                }
                self.scope.clone()
            }
        };
        let mut rest = match first.as_str() {
            "crate" | "self" => &segments[1..],
            _ => segments,
        };
        while rest.first().is_some_and(|s| s == "super") {
            absolute.pop();
            rest = &rest[1..];
        }
        absolute.extend(rest.iter().cloned());
        // The longest prefix that is a file of its own.
        let target = (1..=absolute.len())
            .rev()
            .map(|len| absolute[..len].to_vec())
            .find(|prefix| self.known.contains(prefix));
        if let Some(target) = target
            && target != self.file_module
            && !target.starts_with(&self.file_module)
        {
            self.found.push(Import {
                from: self.file_module.join("::"),
                to: target.join("::"),
                path: segments.join("::"),
            });
        }
    }

    /// `crate::a::b`-shaped paths in a macro's tokens, which syn leaves unparsed.
    fn record_tokens(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            if let TokenTree::Group(group) = &tokens[i] {
                self.record_tokens(group.stream());
                i += 1;
                continue;
            }
            let mut segments = Vec::new();
            let mut j = i;
            while let Some(TokenTree::Ident(ident)) = tokens.get(j) {
                segments.push(ident.to_string());
                let colons = matches!(
                    (tokens.get(j + 1), tokens.get(j + 2)),
                    (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                        if a.as_char() == ':' && b.as_char() == ':'
                );
                if !colons {
                    break;
                }
                j += 3;
            }
            if segments.len() > 1 && matches!(segments[0].as_str(), "crate" | "super" | "self") {
                self.record(&segments);
            }
            i = j.max(i) + 1;
        }
    }

    fn record_use(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.record_use(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let mut full = prefix.clone();
                if name.ident != "self" {
                    full.push(name.ident.to_string());
                }
                self.record(&full);
            }
            syn::UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                if rename.ident != "self" {
                    full.push(rename.ident.to_string());
                }
                self.record(&full);
            }
            syn::UseTree::Glob(_) => {
                let full = prefix.clone();
                self.record(&full);
            }
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.record_use(prefix, tree);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Scanner<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if item.content.is_some() {
            self.scope.push(item.ident.to_string());
            syn::visit::visit_item_mod(self, item);
            self.scope.pop();
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.record_use(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() > 1 {
            self.record(&segments);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        self.record_tokens(mac.tokens.clone());
    }

    // Doc comments are attributes holding prose: nothing in them is an import.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}
}

/// The top-level module of a module path: `config` of `config::profile`.
fn unit_of(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

/// A directed graph of modules, each edge with one import that makes it.
#[derive(Default)]
struct Graph {
    edges: BTreeMap<String, BTreeMap<String, Import>>,
}

impl Graph {
    fn add(&mut self, from: &str, to: &str, import: &Import) {
        self.edges
            .entry(from.to_owned())
            .or_default()
            .entry(to.to_owned())
            .or_insert_with(|| import.clone());
        self.edges.entry(to.to_owned()).or_default();
    }

    /// Each circle (strongly connected set of two or more modules), with
    /// the imports that close it.
    fn cycles(&self) -> Vec<String> {
        let names: Vec<&String> = self.edges.keys().collect();
        let index: BTreeMap<&String, usize> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let reach = |from: usize| -> BTreeSet<usize> {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from];
            while let Some(node) = stack.pop() {
                for next in self.edges[names[node]].keys() {
                    if seen.insert(index[next]) {
                        stack.push(index[next]);
                    }
                }
            }
            seen
        };
        let reachable: Vec<BTreeSet<usize>> = (0..names.len()).map(reach).collect();
        let mut done = BTreeSet::new();
        let mut cycles = Vec::new();
        for node in 0..names.len() {
            if done.contains(&node) || !reachable[node].contains(&node) {
                continue;
            }
            let members: Vec<usize> = (0..names.len())
                .filter(|other| {
                    reachable[node].contains(other) && reachable[*other].contains(&node)
                })
                .collect();
            done.extend(members.iter().copied());
            if members.len() < 2 {
                continue;
            }
            let mut closing = Vec::new();
            for from in &members {
                for (to, import) in &self.edges[names[*from]] {
                    if members.contains(&index[to]) {
                        closing.push(format!("{} → {}", import.from, import.path));
                    }
                }
            }
            cycles.push(format!(
                "an import circle between {}: {}",
                members
                    .iter()
                    .map(|m| names[*m].as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                closing.join("; ")
            ));
        }
        cycles
    }
}

#[test]
fn a_circle_is_found_and_named() {
    let import = |from: &str, to: &str| Import {
        from: from.to_owned(),
        to: to.to_owned(),
        path: format!("crate::{to}"),
    };
    let mut graph = Graph::default();
    graph.add("a", "b", &import("a", "b"));
    graph.add("b", "c", &import("b", "c"));
    graph.add("c", "d", &import("c", "d"));
    assert!(graph.cycles().is_empty());
    graph.add("c", "a", &import("c", "a"));
    let cycles = graph.cycles();
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert!(cycles[0].contains("a, b, c"), "{}", cycles[0]);
    assert!(!cycles[0].contains('d'), "{}", cycles[0]);
}
