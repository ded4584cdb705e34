//! The interface every recipe offers the planner and the rules agent.

use molt_core::Site;

use crate::Result;

/// A migration recipe: finds the sites a migration must touch and rewrites
/// what it can deterministically. What it cannot map it says so, with the
/// reason, and the agent hands that to a model (or reports it as unmapped).
pub trait Recipe: Send + Sync {
    /// The recipe's name, as written in `molt.toml` (`x86-to-neon`).
    fn name(&self) -> &str;

    /// Every site in one file. `path` is repository-relative with `/`.
    /// Must be cheap to call on files the recipe does not care about.
    fn find_sites(&self, path: &str, text: &str) -> Vec<Site>;

    /// Rewrites the sites of `targets` in one file and returns the new text.
    /// Sites are re-found in `text` (other tasks may have moved them since the
    /// plan was made) and matched by their enclosing symbol and kind, so a
    /// target is a site from the plan, not a byte range.
    fn rewrite(&self, path: &str, text: &str, targets: &[Site]) -> Result<Rewrite>;

    /// What a model should be told about a site kind the rules left over.
    fn instruction(&self, kind: &str) -> String;

    /// What a model should be told about every task of this recipe, once.
    fn guidance(&self) -> String {
        String::new()
    }

    /// This recipe fitted to the repository at `root`, when it learns
    /// something from the whole of it that one file does not show (the
    /// x86 recipe: the macros a project defines for x86 only, in one header,
    /// and tests in others). `None`: use the recipe as it is. Called once
    /// per run, before the plan, on the repository as it is then.
    fn fit(&self, _root: &std::path::Path) -> Option<&'static dyn Recipe> {
        None
    }

    /// The order site kinds should be migrated in: earlier kinds first. Tasks
    /// of a later kind depend on tasks of an earlier kind in the same file.
    fn kind_order(&self) -> &[&str] {
        &[]
    }
}

/// The result of rewriting one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rewrite {
    /// The file's new text (equal to the input when nothing was rewritten).
    pub text: String,
    /// Files to create beside it (repository-relative path, contents); only
    /// created when absent.
    pub new_files: Vec<(String, String)>,
    /// Sites the rules migrated.
    pub mapped: Vec<Site>,
    /// Sites the rules could not migrate, each with the reason.
    pub unmapped: Vec<(Site, String)>,
}
