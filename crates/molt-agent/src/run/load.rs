//! What a run starts from besides the spec: the files it may look at and a
//! new plan (made and written). The recipe and the model are set up by the
//! workspace (`workspace/setup.rs`).

use std::path::Path;

use molt_core::{Plan, Spec};

use crate::planner::{self, SourceFile};
use crate::workspace::Workspace;
use crate::{Error, Result};

/// The files a migration may look at, read from `root` (a worktree at the
/// base commit), filtered by the spec's include globs.
pub fn source_files(root: &Path, spec: &Spec) -> Result<Vec<SourceFile>> {
    let include = molt_core::policy::glob_set(&spec.migration.include, false, "include")?;
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<_> =
            std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries.into_iter().rev() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    stack.push(path);
                }
                continue;
            }
            if !ft.is_file() {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            if !include.is_match(&rel) {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if meta.len() > 4 * 1024 * 1024 {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push(SourceFile { path: rel, text });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
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
