//! How a run is configured: the options `molt run` and `molt resume` pass
//! (the command line's model overrides are [`ModelOverride`], which
//! [`crate::workspace::Workspace::model`] applies).

use std::path::PathBuf;

use crate::state::Observer;
pub use crate::workspace::setup::ModelOverride;

/// How to run a migration.
#[derive(Clone)]
pub struct RunConfig {
    /// The repository root (where molt.toml lives unless `spec` says otherwise).
    pub repo: PathBuf,
    /// The spec file.
    pub spec: PathBuf,
    /// Tasks at once.
    pub jobs: usize,
    /// Start even when included paths have uncommitted changes.
    pub allow_dirty: bool,
    /// Overrides every bench check's run count.
    pub bench_runs: Option<u32>,
    /// Receives every event as it is logged.
    pub observer: Option<Observer>,
    /// Model settings from the command line, over the spec's `[model]`.
    pub model_override: ModelOverride,
    /// Record model traffic to, or replay it from, a cassette.
    pub cassette: molt_llm::CassetteMode,
    /// The environment providers read their keys and base URLs from.
    pub env: molt_llm::Env,
    /// Run only this task (it must be ready: every dependency committed),
    /// through the same gate, and skip the final checks: `molt mcp`'s
    /// `run_task`. `None` runs the whole plan.
    pub only: Option<molt_core::TaskId>,
}

impl std::fmt::Debug for RunConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunConfig").field("repo", &self.repo).field("jobs", &self.jobs).finish_non_exhaustive()
    }
}
