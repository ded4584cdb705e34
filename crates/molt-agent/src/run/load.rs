//! What a run starts from besides the spec: the files it may look at and a
//! new plan (made and written). The recipe and the model are set up by the
//! workspace (`workspace/setup.rs`).

use std::path::Path;

use molt_core::{Plan, Spec};

use crate::planner::{self, SourceFile};
use crate::workspace::Workspace;
use crate::{Error, Result};

/// The files a migration may look at, read from `root` (a worktree at the
/// base commit), filtered by the spec's include globs: molt-syntax's walk
/// with [`molt_syntax::WalkOptions::sources`] (no hidden folders, no
/// [`molt_syntax::BUILD_OUTPUT_DIRS`], nothing over
/// [`molt_syntax::MAX_SOURCE_BYTES`]); files that are not UTF-8 are left out.
pub fn source_files(root: &Path, spec: &Spec) -> Result<Vec<SourceFile>> {
    let include = molt_core::policy::glob_set(&spec.migration.include, false, "include")?;
    let walked = molt_syntax::walk_files(root, &molt_syntax::WalkOptions::sources()).map_err(|e| Error::io(root, e))?;
    Ok(walked
        .into_iter()
        .filter(|f| include.is_match(&f.rel))
        .filter_map(|f| Some(SourceFile { text: std::fs::read_to_string(&f.abs).ok()?, path: f.rel }))
        .collect())
}

/// A plan just made, with what the user should know about how.
#[derive(Debug)]
pub struct Planned {
    pub plan: Plan,
    /// Warnings, one sentence each: a planner agent that gave no valid plan
    /// (the rules' plan stands).
    pub notes: Vec<String>,
}

/// Builds the plan from the tree at HEAD and writes `.molt/plan.json`.
/// `spec_dir` is the spec's folder, which a recipe path is relative to: the
/// repository's root, or elsewhere for a fleet-wide spec.
pub fn make_plan(
    repo_root: &Path,
    spec_dir: &Path,
    spec: &Spec,
    model: Option<(&tokio::runtime::Handle, &molt_llm::Client)>,
) -> Result<Planned> {
    let mut notes = Vec::new();
    let ws = Workspace::new(repo_root);
    let recipe = ws.recipe(spec, spec_dir)?;
    let git = ws.git(&spec.migration.name)?;
    let base = git.ensure_migration_branch().map_err(Error::from_git)?;
    let wt = git.add_task_worktree("plan", &base).map_err(Error::from_git)?;
    let files = source_files(&wt.path, spec);
    let _ = git.remove_task_worktree(&wt);
    let _ = git.delete_task_branch("plan");
    let files = files?;
    let mut plan = planner::rules_plan(spec, recipe, &files);
    if let Some((rt, client)) = model {
        // The planner agent refines the rules' plan; when it gives no valid
        // plan the rules' plan stands (and without a recipe there is none).
        let refined = crate::planner_agent::refine(rt, client, spec, &files, &plan);
        if refined.accepted {
            plan = refined.plan;
        } else if plan.tasks.is_empty() {
            return Err(Error::Plan(format!(
                "the planner agent gave no valid plan: {}",
                refined.rejections.join("; ")
            )));
        } else {
            let why: String = refined.rejections.join("; ").chars().take(400).collect();
            notes.push(format!(
                "the model is configured but its planner gave no valid plan ({why}); the recipe's own plan is used"
            ));
        }
    } else if spec.migration.recipe.is_none() {
        return Err(Error::Plan(
            "the spec names no recipe and no [model]: set `recipe = \"x86-to-neon\"` in [migration], or add a \
             [model] table so a planner agent can plan from the goal"
                .to_owned(),
        ));
    }
    plan.validate()?;
    ws.save_plan(&plan)?;
    Ok(Planned { plan, notes })
}
