//! The rules agent: applies the recipe's deterministic rewrites for one task
//! inside the task's worktree.
//!
//! Every path comes from the plan, which a person may have edited, so each is
//! confined to the worktree and checked against the protected globs before a
//! byte is written. All files of the task are rewritten in memory first and
//! written only when every one of them succeeded (each write atomic), so a
//! failing task leaves nothing half-done.

use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use molt_core::{Site, Task};
use molt_recipes::Recipe;

use crate::{Error, Result};

/// What the rules did for a task.
#[derive(Debug, Clone, Default)]
pub struct RulesOutcome {
    /// Files written or created, repository-relative.
    pub changed: Vec<String>,
    pub mapped: Vec<Site>,
    pub unmapped: Vec<(Site, String)>,
}

/// Compiles protected globs.
pub fn protected_set(globs: &[String]) -> Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).map_err(|e| Error::Plan(format!("protected glob \"{g}\": {e}")))?);
    }
    b.build().map_err(|e| Error::Plan(e.to_string()))
}

/// Resolves a repository-relative path inside `root`, refusing anything that
/// could land outside it: absolute paths, `..`, and symlinks on the way.
pub fn confine(root: &Path, rel: &str) -> Result<PathBuf> {
    let p = Path::new(rel);
    if rel.is_empty() || p.is_absolute() {
        return Err(Error::Path(format!("{rel}: must be a path inside the repository")));
    }
    let mut out = root.to_path_buf();
    for c in p.components() {
        match c {
            Component::Normal(part) => {
                if part == ".git" || part == ".molt" {
                    return Err(Error::Path(format!("{rel}: molt never edits {}", part.to_string_lossy())));
                }
                out.push(part);
                if out.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) {
                    return Err(Error::Path(format!("{rel}: goes through a symbolic link")));
                }
            }
            Component::CurDir => {}
            _ => return Err(Error::Path(format!("{rel}: must be a path inside the repository"))),
        }
    }
    Ok(out)
}

/// Runs the recipe's rewrites for `task` in `worktree`.
pub fn apply(recipe: &dyn Recipe, task: &Task, worktree: &Path, protected: &GlobSet) -> Result<RulesOutcome> {
    let mut out = RulesOutcome::default();
    let mut writes: Vec<(String, PathBuf, String)> = Vec::new();
    let mut paths: Vec<&str> = task.sites.iter().map(|s| s.path.as_str()).collect();
    paths.dedup();
    let mut seen = std::collections::BTreeSet::new();
    for path in paths {
        if !seen.insert(path) {
            continue;
        }
        if protected.is_match(path) {
            return Err(Error::Path(format!("{path}: is protected; no agent may edit it")));
        }
        let full = confine(worktree, path)?;
        let text = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
        let targets: Vec<Site> = task.sites.iter().filter(|s| s.path == path).cloned().collect();
        let rewrite = recipe.rewrite(path, &text, &targets).map_err(|e| Error::Recipe(e.to_string()))?;
        out.mapped.extend(rewrite.mapped);
        out.unmapped.extend(rewrite.unmapped);
        if rewrite.text != text {
            writes.push((path.to_owned(), full, rewrite.text));
        }
        for (new_path, contents) in rewrite.new_files {
            if protected.is_match(&new_path) {
                return Err(Error::Path(format!("{new_path}: is protected; no agent may create it")));
            }
            let full = confine(worktree, &new_path)?;
            if !full.exists() && !writes.iter().any(|w| w.0 == new_path) {
                writes.push((new_path, full, contents));
            }
        }
    }
    // A task worktree is scratch: a crash mid-write is undone by the reset a
    // resumed run does before the task starts again, so no fsync is needed.
    for (rel, full, contents) in writes {
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&full, contents.as_bytes()).map_err(|e| Error::io(&full, e))?;
        out.changed.push(rel);
    }
    Ok(out)
}
