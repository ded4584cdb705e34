//! The rules agent: applies the recipe's deterministic rewrites for one task
//! inside the task's worktree.
//!
//! Every path comes from the plan, which a person may have edited, so each
//! must pass the spec's path policy ([`molt_core::PathPolicy`]) and must not
//! pass through a symbolic link before a byte is written. All files of the task are rewritten in memory first and
//! written only when every one of them succeeded (each write atomic), so a
//! failing task leaves nothing half-done.

use std::path::{Path, PathBuf};

use molt_core::{PathPolicy, Site, Task};
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

/// `rel` on disk under `root` when the policy lets an agent write it and it
/// does not pass through a symbolic link.
fn writable(policy: &PathPolicy, root: &Path, rel: &str) -> Result<PathBuf> {
    let rel = policy.writable(rel)?;
    molt_syntax::confine(root, &rel).map_err(Error::Confine)
}

/// Runs the recipe's rewrites for `task` in `worktree`.
pub fn apply(recipe: &dyn Recipe, task: &Task, worktree: &Path, policy: &PathPolicy) -> Result<RulesOutcome> {
    let mut out = RulesOutcome::default();
    let mut writes: Vec<(String, PathBuf, String)> = Vec::new();
    let mut paths: Vec<&str> = task.sites.iter().map(|s| s.path.as_str()).collect();
    paths.dedup();
    let mut seen = std::collections::BTreeSet::new();
    for path in paths {
        if !seen.insert(path) {
            continue;
        }
        let full = writable(policy, worktree, path)?;
        // Messages name repository-relative paths, not the worktree's.
        let text = std::fs::read_to_string(&full).map_err(|e| Error::io(Path::new(path), e))?;
        let targets: Vec<Site> = task.sites.iter().filter(|s| s.path == path).cloned().collect();
        let rewrite = recipe.rewrite(path, &text, &targets)?;
        out.mapped.extend(rewrite.mapped);
        out.unmapped.extend(rewrite.unmapped);
        if rewrite.text != text {
            writes.push((path.to_owned(), full, rewrite.text));
        }
        for (new_path, contents) in rewrite.new_files {
            let full = writable(policy, worktree, &new_path)?;
            if !full.exists() && !writes.iter().any(|w| w.0 == new_path) {
                writes.push((new_path, full, contents));
            }
        }
    }
    // A task worktree is scratch: a crash mid-write is undone by the reset a
    // resumed run does before the task starts again, so no fsync is needed.
    for (rel, full, contents) in writes {
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(Path::new(&rel), e))?;
        }
        std::fs::write(&full, contents.as_bytes()).map_err(|e| Error::io(Path::new(&rel), e))?;
        out.changed.push(rel);
    }
    Ok(out)
}
