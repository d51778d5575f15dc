//! The shared inner shape of the services, checked on their sources (`docs/architecture.md`,
//! "Inside a service"): every service has the same rooms, no file longer than 500 lines, no
//! function longer than 100, and no two files of one service importing each other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SERVICES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../services");
const ROOMS: [&str; 7] = [
    "lib.rs",
    "state.rs",
    "grpc.rs",
    "events.rs",
    "workers.rs",
    "store",
    "domain",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("readable source folder")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file (`store/mod.rs` → `store`, `domain/clock.rs` → `domain::clock`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let parts = match parts.last().map(String::as_str) {
        Some("mod") => &parts[..parts.len() - 1],
        _ => &parts[..],
    };
    parts.join("::")
}

/// Functions longer than 100 lines: a `fn` line up to the closing brace at its indentation.
fn long_functions(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let words: Vec<&str> = trimmed.split_whitespace().take(5).collect();
        let Some(pos) = words.iter().position(|w| *w == "fn") else {
            continue;
        };
        if !words[..pos]
            .iter()
            .all(|w| w.starts_with("pub") || ["async", "const", "unsafe"].contains(w))
            || line.trim_end().ends_with(';')
        {
            continue;
        }
        let close = format!("{}}}", " ".repeat(indent));
        let end = lines[i + 1..]
            .iter()
            .position(|l| l.starts_with(&close) && l.trim_end().len() == indent + 1)
            .map(|p| i + 1 + p);
        if let Some(end) = end
            && end - i + 1 > 100
        {
            out.push((
                words.get(pos + 1).copied().unwrap_or("?").to_string(),
                end - i + 1,
            ));
        }
    }
    out
}

/// The modules of the same crate a file refers to (`crate::x`, `super::x`).
fn references(
    module: &str,
    is_mod_rs: bool,
    text: &str,
    modules: &BTreeSet<String>,
) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", {
            let mut b: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
            if !is_mod_rs {
                b.pop();
            }
            b
        }),
    ] {
        for (at, _) in code.match_indices(prefix) {
            let before = code[..at].chars().last();
            if before.is_some_and(|c| {
                c.is_alphanumeric() || c == '_' || (prefix == "super::" && c == ':')
            }) {
                continue;
            }
            let rest: String = code[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let mut parts: Vec<String> = base.iter().map(|s| s.to_string()).collect();
            parts.extend(
                rest.split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
            for k in (1..=parts.len()).rev() {
                let candidate = parts[..k].join("::");
                if modules.contains(&candidate) {
                    out.insert(candidate);
                    break;
                }
            }
        }
    }
    out.remove(module);
    out
}

#[test]
fn every_service_has_the_shared_inner_shape() {
    let mut problems = Vec::new();
    let mut services: Vec<PathBuf> = std::fs::read_dir(SERVICES)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("src/lib.rs").exists())
        .collect();
    services.sort();
    for service in services.iter().filter(|s| !s.ends_with("motcua")) {
        let src = service.join("src");
        let name = service.file_name().unwrap().to_string_lossy();
        for room in ROOMS {
            if !src.join(room).exists() {
                problems.push(format!("{name}: no {room}"));
            }
        }
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
        let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let module = module_of(&src, file);
            let lines = text.lines().count();
            if lines > 500 {
                problems.push(format!("{name}: {module} has {lines} lines"));
            }
            for (f, n) in long_functions(&text) {
                problems.push(format!("{name}: {module}::{f} has {n} lines"));
            }
            deps.insert(
                module.clone(),
                references(&module, file.ends_with("mod.rs"), &text, &modules),
            );
        }
        for (a, refs) in &deps {
            for b in refs {
                if a < b && deps.get(b).is_some_and(|r| r.contains(a)) {
                    problems.push(format!("{name}: {a} and {b} import each other"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_checks_catch_what_they_should() {
    let long = format!("pub fn f() {{\n{}}}\n", "    x();\n".repeat(100));
    assert_eq!(long_functions(&long), [("f()".to_string(), 102)]);
    let modules: BTreeSet<String> = ["a", "b", "store", "store::tasks"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let refs = references(
        "store::cases",
        false,
        "use super::tasks::X;\nuse crate::a::Y; // crate::b\n",
        &modules,
    );
    assert_eq!(
        refs,
        ["a", "store::tasks"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}
