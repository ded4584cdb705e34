//! The repository's own rules, checked by `cargo xtask tidy` and by the test
//! suite (the test at the bottom), so a rule cannot rot unnoticed.
//!
//! - Every library crate's `lib.rs` opens with a `//!` paragraph that says what
//!   the crate is for and what it must not depend on or do.
//! - No library crate prints: each `lib.rs` denies `clippy::print_stdout` and
//!   `clippy::print_stderr`, and clippy runs with `-D warnings`.
//! - Every crate inherits the workspace lints.
//! - Each crate under `crates/` depends (`[dependencies]`) only on the molt
//!   crates that the table "Dependencies between molt's crates" in
//!   docs/architecture.md allows it, and every such crate is in that table.

use std::path::Path;

use anyhow::{bail, Context, Result};

pub fn run(root: &Path) -> Result<()> {
    let mut problems = check(root)?;
    problems.extend(check_dependencies(root)?);
    if !problems.is_empty() {
        bail!("tidy found {} problem(s):\n  {}", problems.len(), problems.join("\n  "));
    }
    eprintln!("tidy: ok");
    Ok(())
}

pub fn check(root: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let crates = root.join("crates");
    let mut dirs: Vec<_> = std::fs::read_dir(&crates)
        .with_context(|| format!("reading {}", crates.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs.iter().map(|d| d.as_path()).chain([root.join("tests").as_path(), root.join("xtask").as_path()]) {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))?;
        if !manifest.contains("[lints]\nworkspace = true") {
            problems.push(format!("{name}/Cargo.toml: add `[lints] workspace = true`"));
        }
        if dir.parent() == Some(crates.as_path()) && !manifest.contains(&format!("name = \"{name}\"")) {
            problems.push(format!("{name}/Cargo.toml: the package name must equal the folder name"));
        }
        let lib = dir.join("src/lib.rs");
        if dir.parent() != Some(crates.as_path()) || !lib.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&lib)?;
        let doc: Vec<&str> = text.lines().take_while(|l| l.starts_with("//!")).collect();
        if doc.is_empty() {
            problems.push(format!("{name}/src/lib.rs: open with a `//!` paragraph on the crate's role"));
        } else if !doc.iter().any(|l| l.contains("must not") || l.contains("must never")) {
            problems.push(format!(
                "{name}/src/lib.rs: the `//!` paragraph must say what the crate must not depend on or do"
            ));
        }
        if !text.contains("#![deny(clippy::print_stdout, clippy::print_stderr)]") {
            problems.push(format!("{name}/src/lib.rs: add `#![deny(clippy::print_stdout, clippy::print_stderr)]`"));
        }
    }
    Ok(problems)
}

/// The heading of the table in docs/architecture.md that says which molt
/// crates each crate may depend on.
const DEPENDENCY_TABLE: &str = "### Dependencies between molt's crates";

/// Each crate's `[dependencies]` on molt crates against the table in
/// docs/architecture.md: one problem per dependency the table does not allow
/// and per crate the table does not name.
pub fn check_dependencies(root: &Path) -> Result<Vec<String>> {
    let doc_path = root.join("docs/architecture.md");
    let doc = std::fs::read_to_string(&doc_path).with_context(|| format!("reading {}", doc_path.display()))?;
    let allowed = dependency_table(&doc)
        .with_context(|| format!("{}: no table under `{DEPENDENCY_TABLE}`", doc_path.display()))?;
    let mut problems = Vec::new();
    let crates = root.join("crates");
    let mut dirs: Vec<_> = std::fs::read_dir(&crates)
        .with_context(|| format!("reading {}", crates.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))?;
        let Some(may) = allowed.iter().find(|(krate, _)| *krate == name).map(|(_, may)| may) else {
            problems.push(format!("docs/architecture.md: add {name} to the table under `{DEPENDENCY_TABLE}`"));
            continue;
        };
        for dep in molt_dependencies(&manifest) {
            if !may.contains(&dep) {
                problems.push(format!(
                    "{name}/Cargo.toml: depends on {dep}, which the table under `{DEPENDENCY_TABLE}` in \
                     docs/architecture.md does not allow"
                ));
            }
        }
    }
    Ok(problems)
}

/// The rows of the dependency table: a crate and the molt crates it may
/// depend on. `None` when the heading is missing.
fn dependency_table(doc: &str) -> Option<Vec<(String, Vec<String>)>> {
    let start = doc.find(DEPENDENCY_TABLE)?;
    let rows = doc[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|row| {
            let mut cells = row.split('|').skip(1);
            let krate = cells.next()?.trim().trim_matches('`').to_owned();
            let may = cells
                .next()?
                .split(',')
                .map(|c| c.trim().trim_matches('`').to_owned())
                .filter(|c| c.starts_with("molt-"))
                .collect();
            krate.starts_with("molt-").then_some((krate, may))
        })
        .collect();
    Some(rows)
}

/// The molt crates a manifest's `[dependencies]` names (not its
/// dev-dependencies).
fn molt_dependencies(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .skip_while(|l| l.trim() != "[dependencies]")
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .filter_map(|l| l.split(['.', '=', ' ']).next())
        .filter(|name| name.starts_with("molt-"))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_is_tidy() {
        let mut problems = check(&crate::project_root()).unwrap();
        problems.extend(check_dependencies(&crate::project_root()).unwrap());
        assert!(problems.is_empty(), "tidy problems:\n{}", problems.join("\n"));
    }

    // Guards against a dependency check that passes everything: a crate that
    // depends on a molt crate the table does not allow, and a crate the table
    // does not name, are reported; dev-dependencies are not checked.
    #[test]
    fn tidy_reports_a_dependency_the_table_does_not_allow() {
        let dir = std::env::temp_dir().join(format!("molt-tidy-deps-{}", std::process::id()));
        for krate in ["molt-core", "molt-syntax", "molt-new"] {
            std::fs::create_dir_all(dir.join("crates").join(krate)).unwrap();
        }
        std::fs::create_dir_all(dir.join("docs")).unwrap();
        std::fs::write(
            dir.join("docs/architecture.md"),
            format!("{DEPENDENCY_TABLE}\n\n| crate | may depend on |\n| --- | --- |\n| `molt-core` | |\n| `molt-syntax` | `molt-core` |\n"),
        )
        .unwrap();
        std::fs::write(
            dir.join("crates/molt-core/Cargo.toml"),
            "[dependencies]\nmolt-syntax.workspace = true\n\n[dev-dependencies]\nmolt-test-support.workspace = true\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("crates/molt-syntax/Cargo.toml"),
            "[dependencies]\nmolt-core = { path = \"../molt-core\" }\n",
        )
        .unwrap();
        std::fs::write(dir.join("crates/molt-new/Cargo.toml"), "[dependencies]\n").unwrap();
        let problems = check_dependencies(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("molt-core/Cargo.toml: depends on molt-syntax"), "{problems:?}");
        assert!(problems[1].contains("add molt-new to the table"), "{problems:?}");
    }

    // Guards against a tidy check that passes everything: a crate without the
    // doc paragraph or the print lints must be reported.
    #[test]
    fn tidy_reports_an_undocumented_crate() {
        let dir = std::env::temp_dir().join(format!("molt-tidy-{}", std::process::id()));
        let krate = dir.join("crates/molt-bad/src");
        std::fs::create_dir_all(&krate).unwrap();
        std::fs::create_dir_all(dir.join("tests")).unwrap();
        std::fs::create_dir_all(dir.join("xtask")).unwrap();
        let lints = "[lints]\nworkspace = true\n";
        std::fs::write(dir.join("tests/Cargo.toml"), lints).unwrap();
        std::fs::write(dir.join("xtask/Cargo.toml"), lints).unwrap();
        std::fs::write(dir.join("crates/molt-bad/Cargo.toml"), "[package]\nname = \"molt-bad\"\n").unwrap();
        std::fs::write(krate.join("lib.rs"), "pub fn f() {}\n").unwrap();
        let problems = check(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(problems.len(), 3, "{problems:?}");
    }
}
