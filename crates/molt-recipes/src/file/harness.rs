//! The recipe test harness: runs a recipe over a case's `before` tree and
//! compares the result, as a whole tree, with `after`; then runs it again over
//! its own output, which must not change (idempotence).
//!
//! It only reads: accepting new outputs (`--update`) is the caller's job,
//! with [`CaseReport::actual`] and [`CaseReport::left`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::recipe::Recipe;
use crate::{Error, Result};

/// One test case: files before and after, and optionally the sites the
/// rules must leave for the model, rendered as [`CaseReport::left`] renders them.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub before: BTreeMap<String, String>,
    pub after: BTreeMap<String, String>,
    pub left: Option<String>,
    /// The case's folder, for folder cases (`tests/NNN-name`).
    pub folder: Option<PathBuf>,
}

/// How a case came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    /// The output differs from `after`, the left sites differ, the second run
    /// changed the output, or the recipe failed.
    Failed,
    /// Otherwise right, but files that should not change were rewritten.
    Noisy,
}

/// The result of one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    pub name: String,
    pub outcome: Outcome,
    /// What went wrong, one line each.
    pub problems: Vec<String>,
    /// Unified diff from the expected tree to the actual one.
    pub diff: String,
    /// The tree the recipe produced.
    #[serde(skip)]
    pub actual: BTreeMap<String, String>,
    /// The sites left for the model, each with the instruction it would get.
    pub left: String,
}

/// Reads `dir/NNN-name/{before/,after/,left.txt}` cases, in name order. A
/// missing `dir` holds no cases; a missing `after/` means "no change".
pub fn load_cases(dir: &Path) -> Result<Vec<Case>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut folders: Vec<PathBuf> = read_dir(dir)?.into_iter().filter(|p| p.is_dir()).collect();
    folders.sort();
    let mut cases = Vec::new();
    for folder in folders {
        let name = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let before = read_tree(&folder.join("before"))?;
        let after_dir = folder.join("after");
        let after = if after_dir.is_dir() { read_tree(&after_dir)? } else { before.clone() };
        let left_file = folder.join("left.txt");
        let left = if left_file.is_file() { Some(read(&left_file)?) } else { None };
        cases.push(Case { name, before, after, left, folder: Some(folder) });
    }
    Ok(cases)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io(path.display().to_string(), e.to_string()))
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let io = |e: std::io::Error| Error::Io(dir.display().to_string(), e.to_string());
    std::fs::read_dir(dir).map_err(io)?.map(|e| e.map(|e| e.path()).map_err(io)).collect()
}

/// Every file under `root`, by `/`-separated relative path (molt-syntax's
/// walk of everything: hidden files too, no links).
fn read_tree(root: &Path) -> Result<BTreeMap<String, String>> {
    if !root.is_dir() {
        return Ok(BTreeMap::new());
    }
    let files = molt_syntax::walk_files(root, &molt_syntax::WalkOptions::everything())
        .map_err(|e| Error::Io(root.display().to_string(), e.to_string()))?;
    files.into_iter().map(|f| Ok((f.rel, read(&f.abs)?))).collect()
}

/// Runs the recipe over every file of a tree, as the rules agent would with
/// every site as a target. Returns the new tree and the rendered left sites.
pub fn apply_to_tree(
    recipe: &dyn Recipe,
    tree: &BTreeMap<String, String>,
) -> Result<(BTreeMap<String, String>, String)> {
    let mut out = tree.clone();
    let mut left = String::new();
    for (path, text) in tree {
        let sites = recipe.find_sites(path, text);
        if sites.is_empty() {
            continue;
        }
        let rewrite = recipe.rewrite(path, text, &sites)?;
        out.insert(path.clone(), rewrite.text);
        for (file, contents) in rewrite.new_files {
            out.entry(file).or_insert(contents);
        }
        for (site, why) in rewrite.unmapped {
            left.push_str(&format!("{}: {}: `{}`\n  why: {why}\n", site.location(), site.kind, site.text));
            for line in recipe.instruction(&site.kind).lines() {
                left.push_str(&format!("  | {line}\n"));
            }
        }
    }
    Ok((out, left))
}

fn tree_diff(expected: &BTreeMap<String, String>, actual: &BTreeMap<String, String>) -> (String, Vec<String>) {
    let mut diff = String::new();
    let mut changed = Vec::new();
    let paths: std::collections::BTreeSet<&String> = expected.keys().chain(actual.keys()).collect();
    for path in paths {
        let (e, a) = (expected.get(path), actual.get(path));
        if e != a {
            diff.push_str(&molt_syntax::unified_diff(path, e.map(String::as_str), a.map(String::as_str)));
            changed.push(path.clone());
        }
    }
    (diff, changed)
}

/// Runs one case.
pub fn run_case(recipe: &dyn Recipe, case: &Case) -> CaseReport {
    let mut report = CaseReport {
        name: case.name.clone(),
        outcome: Outcome::Passed,
        problems: Vec::new(),
        diff: String::new(),
        actual: case.before.clone(),
        left: String::new(),
    };
    let (actual, left) = match apply_to_tree(recipe, &case.before) {
        Ok(done) => done,
        Err(e) => {
            report.outcome = Outcome::Failed;
            report.problems.push(e.to_string());
            return report;
        }
    };
    let (diff, changed) = tree_diff(&case.after, &actual);
    let mut failed = false;
    let mut noisy = false;
    for path in &changed {
        if case.before.get(path) == case.after.get(path) {
            noisy = true;
            report.problems.push(format!("{path}: rewritten, but no change was expected"));
        } else {
            failed = true;
            report.problems.push(format!("{path}: differs from the expected output"));
        }
    }
    report.diff = diff;
    if let Some(expected) = &case.left {
        if expected.trim_end() != left.trim_end() {
            failed = true;
            report.problems.push("the sites left for the model differ from left.txt".to_owned());
            report.diff.push_str(&molt_syntax::unified_diff("left.txt", Some(expected), Some(&left)));
        }
    }
    // A second run over its own output must change nothing.
    match apply_to_tree(recipe, &actual) {
        Ok((again, _)) if again != actual => {
            failed = true;
            let (d, paths) = tree_diff(&actual, &again);
            report.problems.push(format!("not idempotent: a second run changes {}", paths.join(", ")));
            report.diff.push_str(&d);
        }
        Ok(_) => {}
        Err(e) => {
            failed = true;
            report.problems.push(format!("second run: {e}"));
        }
    }
    report.actual = actual;
    report.left = left;
    report.outcome = if failed {
        Outcome::Failed
    } else if noisy {
        Outcome::Noisy
    } else {
        Outcome::Passed
    };
    report
}
