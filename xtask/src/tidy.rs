//! The repository's own rules, checked by `cargo xtask tidy` and by the test
//! suite (the test at the bottom), so a rule cannot rot unnoticed.
//!
//! - Every library crate's `lib.rs` opens with a `//!` paragraph that says what
//!   the crate is for and what it must not depend on or do.
//! - No library crate prints: each `lib.rs` denies `clippy::print_stdout` and
//!   `clippy::print_stderr`, and clippy runs with `-D warnings`.
//! - Every crate inherits the workspace lints.

use std::path::Path;

use anyhow::{bail, Context, Result};

pub fn run(root: &Path) -> Result<()> {
    let problems = check(root)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_is_tidy() {
        let problems = check(&crate::project_root()).unwrap();
        assert!(problems.is_empty(), "tidy problems:\n{}", problems.join("\n"));
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
