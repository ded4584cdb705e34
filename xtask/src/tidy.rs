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
//! - No `.rs` file under `crates/`, `xtask/` or `tests/` is longer than
//!   [`MAX_LINES`], test code and the data tables of [`LONG_FILES`] aside.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

pub fn run(root: &Path) -> Result<()> {
    let mut problems = check(root)?;
    problems.extend(check_dependencies(root)?);
    problems.extend(check_file_lengths(root)?);
    if !problems.is_empty() {
        bail!("tidy found {} problem(s):\n  {}", problems.len(), problems.join("\n  "));
    }
    for note in stale_long_files(root, LONG_FILES) {
        eprintln!("tidy: note: {note}");
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

/// The most lines a source file may have: past it, split the file by
/// concern into submodules (`foo.rs` and `foo/bar.rs`).
pub const MAX_LINES: usize = 500;

/// Files allowed past [`MAX_LINES`] although they are not test code, each
/// with the reason. Meant for data tables (a file that is mostly one literal
/// table, long because the data is, not the code), recognised by a person
/// and listed here by path; a file of code belongs split instead.
const LONG_FILES: &[(&str, &str)] = &[];

/// Whether `rel` (relative to the repository root, with `/`) is test code,
/// which the line limit leaves alone: a `tests.rs` submodule, or a file
/// under a `tests/` folder (a crate's integration tests, the end-to-end
/// crate `tests/`).
fn is_test_file(rel: &str) -> bool {
    let mut parts: Vec<&str> = rel.split('/').collect();
    let file = parts.pop().unwrap_or_default();
    file == "tests.rs" || parts.contains(&"tests")
}

/// One problem per `.rs` file under `crates/`, `xtask/` and `tests/` longer
/// than [`MAX_LINES`], except test code and [`LONG_FILES`].
pub fn check_file_lengths(root: &Path) -> Result<Vec<String>> {
    file_lengths(root, LONG_FILES)
}

/// [`check_file_lengths`] with the allowlist `allowed`.
fn file_lengths(root: &Path, allowed: &[(&str, &str)]) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for top in ["crates", "xtask", "tests"] {
        rust_files(&root.join(top), &mut files)?;
    }
    files.sort();
    let mut problems = Vec::new();
    for path in files {
        let rel = path.strip_prefix(root)?.to_string_lossy().replace('\\', "/");
        if is_test_file(&rel) || allowed.iter().any(|(f, _)| *f == rel) {
            continue;
        }
        let lines = line_count(&path)?;
        if lines > MAX_LINES {
            problems.push(format!(
                "{rel}: {lines} lines, over {MAX_LINES}; split it by concern into submodules (`foo.rs` and \
                 `foo/bar.rs`), or, if it is a data table, add it to LONG_FILES in xtask/src/tidy.rs with the reason"
            ));
        }
    }
    Ok(problems)
}

/// The entries of `allowed` ([`LONG_FILES`]) that no longer need to be
/// there: the file is gone or within the limit. Printed as notes, not
/// problems, so that a split merged before its entry is removed does not
/// fail the build.
fn stale_long_files(root: &Path, allowed: &[(&str, &str)]) -> Vec<String> {
    allowed
        .iter()
        .filter(|(rel, _)| line_count(&root.join(rel)).map_or(true, |n| n <= MAX_LINES))
        .map(|(rel, _)| format!("{rel} is within {MAX_LINES} lines or gone; remove it from LONG_FILES"))
        .collect()
}

fn line_count(path: &Path) -> Result<usize> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text.lines().count())
}

/// Every `.rs` file under `dir` (none when it does not exist), build
/// outputs (`target/`) aside.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() && entry.file_name() != "target" {
            rust_files(&path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_is_tidy() {
        let mut problems = check(&crate::project_root()).unwrap();
        problems.extend(check_dependencies(&crate::project_root()).unwrap());
        problems.extend(check_file_lengths(&crate::project_root()).unwrap());
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

    // Guards against a length check that passes everything, or flags what
    // it must leave alone: only the two files of code past the limit are
    // reported, not one at the limit, test code, an allowlisted file or
    // build outputs.
    #[test]
    fn tidy_reports_files_over_the_line_limit() {
        let dir = std::env::temp_dir().join(format!("molt-tidy-lines-{}", std::process::id()));
        let lines = |n: usize| "// a line\n".repeat(n);
        let files = [
            ("crates/molt-x/src/big.rs", MAX_LINES + 1),
            ("crates/molt-x/src/at_limit.rs", MAX_LINES),
            ("crates/molt-x/src/big/tests.rs", MAX_LINES * 2),
            ("crates/molt-x/tests/all.rs", MAX_LINES * 2),
            ("crates/molt-x/target/debug/build/out.rs", MAX_LINES * 2),
            ("crates/molt-x/src/notes.txt", MAX_LINES * 2),
            ("xtask/src/allowed.rs", MAX_LINES * 2),
            ("xtask/src/long.rs", MAX_LINES * 2),
            ("tests/e2e/long.rs", MAX_LINES * 2),
        ];
        for (rel, n) in files {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, lines(n)).unwrap();
        }
        let allowed = [("xtask/src/allowed.rs", "a data table"), ("xtask/src/gone.rs", "split since")];
        let problems = file_lengths(&dir, &allowed).unwrap();
        let stale = stale_long_files(&dir, &allowed);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with(&format!("crates/molt-x/src/big.rs: {} lines", MAX_LINES + 1)), "{problems:?}");
        assert!(problems[1].starts_with("xtask/src/long.rs: "), "{problems:?}");
        assert_eq!(stale.len(), 1, "{stale:?}");
        assert!(stale[0].starts_with("xtask/src/gone.rs "), "{stale:?}");
    }

    #[test]
    fn test_code_is_told_from_code() {
        assert!(is_test_file("crates/molt-core/src/spec/tests.rs"));
        assert!(is_test_file("crates/molt-syntax/tests/all.rs"));
        assert!(is_test_file("tests/e2e/model_faults.rs"));
        assert!(!is_test_file("crates/molt-core/src/spec.rs"));
        assert!(!is_test_file("xtask/src/tests_helper.rs"));
        assert!(!is_test_file("crates/molt-core/src/contests/x.rs"));
    }
}
