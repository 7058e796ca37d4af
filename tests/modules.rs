//! The crate's module graph has no circle: no module imports one that imports it back,
//! directly or through others (issue 25). Read from the sources: each `crate::` path, each
//! `super::` path, and each path to a module's own submodule is an edge to the module it
//! names.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Every source file of `src/` as its module path (`wasm::send`), with its text.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix("src").unwrap().with_extension("");
                let mut parts: Vec<String> = rel
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                if parts.last().is_some_and(|p| p == "mod") {
                    parts.pop();
                }
                let name = parts.join("::");
                if name != "lib" {
                    out.insert(name, fs::read_to_string(&path).unwrap());
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(Path::new("src"), &mut out);
    out
}

/// The identifier paths that follow `prefix` in `code` (`a::b::c`, and each of `{a, b}`).
fn paths_after<'a>(code: &'a str, prefix: &str) -> Vec<Vec<&'a str>> {
    let mut out = Vec::new();
    let ident = |s: &'a str| -> &'a str {
        let end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        &s[..end]
    };
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().last();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(list) = rest.strip_prefix('{') {
            let inner = &list[..list.find('}').unwrap_or(0)];
            for item in inner.split(',') {
                let item = item.trim();
                if !item.is_empty() {
                    out.push(item.split("::").map(|s| ident(s.trim())).collect());
                }
            }
            continue;
        }
        let mut segments = Vec::new();
        let mut s = rest;
        loop {
            let seg = ident(s);
            if seg.is_empty() {
                break;
            }
            segments.push(seg);
            match s[seg.len()..].strip_prefix("::") {
                Some(next) if !next.starts_with('{') => s = next,
                _ => break,
            }
        }
        out.push(segments);
    }
    out
}

/// The module a path names: its longest prefix that is a module of `known`.
fn module_of(path: &[&str], base: &str, known: &BTreeMap<String, String>) -> Option<String> {
    (1..=path.len()).rev().find_map(|n| {
        let name = if base.is_empty() {
            path[..n].join("::")
        } else {
            format!("{base}::{}", path[..n].join("::"))
        };
        known.contains_key(&name).then_some(name)
    })
}

#[test]
fn no_module_of_the_crate_imports_one_that_imports_it_back() {
    let known = modules();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, text) in &known {
        // Code only: comments and doc comments (whose examples use the crate's paths) aside.
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let parent = name.rsplit_once("::").map_or("", |(p, _)| p);
        let mut to = BTreeSet::new();
        for path in paths_after(&code, "crate::") {
            to.extend(module_of(&path, "", &known));
        }
        for path in paths_after(&code, "super::") {
            // A sibling module, else an item of the parent module itself.
            to.insert(module_of(&path, parent, &known).unwrap_or_else(|| parent.to_owned()));
        }
        // Paths to this module's own submodules (`options::client`).
        for child in known
            .keys()
            .filter_map(|k| k.strip_prefix(&format!("{name}::")))
        {
            if !child.contains("::") && code.contains(&format!("{child}::")) {
                to.insert(format!("{name}::{child}"));
            }
        }
        to.remove(name);
        to.remove("");
        edges.insert(name.clone(), to);
    }
    // Depth-first search for a path back to where it started.
    fn back(
        edges: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in edges.get(at).into_iter().flatten() {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if back(edges, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut circles = Vec::new();
    for start in edges.keys() {
        let mut path = vec![start.clone()];
        if back(&edges, start, start, &mut path, &mut BTreeSet::new()) {
            circles.push(path.join(" -> "));
        }
    }
    assert!(
        circles.is_empty(),
        "circles in the module graph:\n{}",
        circles.join("\n")
    );
    // The graph was read at all: the send machine imports the store protocol.
    assert!(edges["send"].contains("store") && edges["wasm::send"].contains("wasm::core"));
}
