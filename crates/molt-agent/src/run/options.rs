//! How a run is configured: the options `molt run` and `molt resume` pass,
//! and the command line's model overrides.

use std::path::PathBuf;

use molt_core::Spec;

use crate::state::Observer;
use crate::{Error, Result};

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

/// `--provider` and `--model`, and a fleet's budget for one repository.
#[derive(Debug, Clone, Default)]
pub struct ModelOverride {
    pub provider: Option<molt_core::ProviderKind>,
    pub model: Option<String>,
    /// A spending cap over the spec's `max_usd`: the lower of the two holds.
    pub max_usd: Option<f64>,
}

/// The spec's `[model]` with the command line's overrides; `None` without a model.
pub fn model_config(spec: &Spec, o: &ModelOverride) -> Result<Option<molt_core::ModelConfig>> {
    match (&spec.model, &o.provider, &o.model) {
        (None, None, None) => Ok(None),
        (None, Some(provider), Some(model)) => {
            let mut m = molt_core::ModelConfig::new(*provider, model.clone());
            m.max_usd = o.max_usd;
            Ok(Some(m))
        }
        (None, _, _) => {
            Err(Error::Plan("--provider and --model go together when molt.toml has no [model] table".to_owned()))
        }
        (Some(m), p, name) => {
            let mut m = m.clone();
            if let Some(p) = p {
                m.provider = *p;
            }
            if let Some(name) = name {
                m.model = name.clone();
            }
            if let Some(cap) = o.max_usd {
                m.max_usd = Some(m.max_usd.map_or(cap, |own| own.min(cap)));
            }
            Ok(Some(m))
        }
    }
}

impl std::fmt::Debug for RunConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunConfig").field("repo", &self.repo).field("jobs", &self.jobs).finish_non_exhaustive()
    }
}
