//! The rules agent: applies the recipe's deterministic rewrites for one task
//! inside the task's worktree.
//!
//! Every path comes from the plan, which a person may have edited, so each
//! must pass the spec's path policy ([`molt_core::PathPolicy`]) and must not
//! pass through a symbolic link before a byte is written. All files of the
//! task are rewritten in memory first, then reach the disk as one edit set
//! (invariant 1, [`molt_syntax::apply_to_repo`]): a whole-file splice per
//! rewritten file and a created file per new one (the recipe's own header,
//! not parsed: [`molt_syntax::ApplyOptions::recipe`]), re-parsed,
//! refused whole when a rewrite adds a syntax error, written atomically, so a
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
    let mut edits: Vec<molt_syntax::Edit> = Vec::new();
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
            edits.push(molt_syntax::Edit::Splice { path: path.to_owned(), start: 0, old: text, text: rewrite.text });
        }
        for (new_path, contents) in rewrite.new_files {
            let full = writable(policy, worktree, &new_path)?;
            if !full.exists() && !edits.iter().any(|e| e.file() == new_path) {
                edits.push(molt_syntax::Edit::CreateFile { path: new_path, text: contents });
            }
        }
    }
    if edits.is_empty() {
        return Ok(out);
    }
    let set = molt_syntax::EditSet {
        description: Some(format!("{}: the recipe's rewrites", task.id)),
        ..molt_syntax::EditSet::new(edits)
    };
    // A task worktree is scratch: a crash mid-write is undone by the reset a
    // resumed run does before the task starts again, so no fsync is needed.
    // The recipe's new files are its own headers, shipped whole and compiled by
    // its tests; tree-sitter cannot read one of declaration macros cleanly.
    let options =
        molt_syntax::ApplyOptions { policy: Some(policy.clone()), scratch: true, recipe: true, ..Default::default() };
    let applied = molt_syntax::apply_to_repo(worktree, &set, &options).map_err(Error::Rewrite)?;
    // In the order the rewrites came (the files first, then their new ones).
    let written: std::collections::BTreeSet<String> = applied.changes.into_iter().map(|c| c.path).collect();
    out.changed = set.edits.iter().map(|e| e.file()).filter(|f| written.contains(f)).collect();
    Ok(out)
}

#[cfg(test)]
mod tests;
