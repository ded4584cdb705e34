//! One repository of a fleet as a hermetic unit of work.
//!
//! A unit clones the repository into a scratch folder of its own, runs the
//! migration there, optionally pushes the migration branch and opens its
//! pull request, and returns a [`UnitResult`]; nothing it needs lives
//! anywhere else, so an engine may run any index on any machine, kill it
//! and run it again. What failed is data in the result, never a panic or an
//! early return: the aggregate report must see every repository.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use molt_agent::run::{ModelOverride, RunConfig};
use molt_agent::state::{Observer, RunState};
use molt_core::TaskState;

use crate::result::{
    Check, Checks, Coverage, Migration, Outcome, Repository, Revision, Stage, Tasks, UnitError, UnitResult,
};

mod publish;

pub use publish::Publish;

/// Which repository, at which revision, with which spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub url: String,
    /// A branch, a tag or a commit; `None` for the default branch.
    pub rev: Option<String>,
    pub name: String,
    pub labels: Vec<String>,
    /// The fleet index, recorded in the result.
    pub index: Option<usize>,
    pub spec: SpecSource,
    /// The model's spending cap for this repository.
    pub max_usd: Option<f64>,
}

/// Where a unit's spec comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum SpecSource {
    /// A path inside the repository (`molt.toml` by default).
    Repository(String),
    /// A fleet-wide spec file on this machine.
    Fleet(PathBuf),
}

/// Progress lines for people: "cloned ...", "pushed ...".
pub type Steps = Arc<dyn Fn(&str) + Send + Sync>;

/// How to run a unit.
#[derive(Clone)]
pub struct UnitOptions {
    /// The scratch folder's parent; the unit makes a fresh folder in it.
    pub work_dir: PathBuf,
    /// Keep the scratch folder (for debugging) instead of removing it.
    pub keep: bool,
    /// Tasks at once inside the repository.
    pub jobs: usize,
    /// Push the branch and open the pull request.
    pub publish: Option<Publish>,
    pub observer: Option<Observer>,
    pub steps: Option<Steps>,
    pub model_override: ModelOverride,
    pub cassette: molt_llm::CassetteMode,
    pub env: molt_llm::Env,
}

impl std::fmt::Debug for UnitOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitOptions")
            .field("work_dir", &self.work_dir)
            .field("jobs", &self.jobs)
            .finish_non_exhaustive()
    }
}

/// Runs one unit to its result.
pub fn run_unit(unit: &Unit, opts: &UnitOptions) -> UnitResult {
    let started = Instant::now();
    let mut result = UnitResult {
        version: crate::result::VERSION,
        molt_version: env!("CARGO_PKG_VERSION").to_owned(),
        repository: Repository {
            url: molt_git::strip_userinfo(&unit.url),
            name: unit.name.clone(),
            labels: unit.labels.clone(),
        },
        index: unit.index,
        revision: Revision { requested: unit.rev.clone(), commit: None },
        migration: None,
        outcome: Outcome::Error,
        reason: None,
        coverage: None,
        tasks: None,
        checks: Checks::default(),
        branch: None,
        pull_request: None,
        up_to_date: false,
        tokens: 0,
        cost_usd: 0.0,
        budget_usd: [unit.max_usd, opts.model_override.max_usd].into_iter().flatten().reduce(f64::min),
        started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        duration_ms: 0,
        error: None,
    };
    let scratch = opts.work_dir.join(format!(
        "molt-unit-{}-{}-{}",
        unit.name,
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    if let Err((stage, message)) = run_in(unit, opts, &scratch, &mut result) {
        result.outcome = Outcome::Error;
        result.reason = Some(format!("{} failed", stage.as_str().replace('_', " ")));
        result.error = Some(UnitError { stage, message });
    }
    if !opts.keep {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    result.duration_ms = started.elapsed().as_millis() as u64;
    result
}

type StageError = (Stage, String);

fn step(opts: &UnitOptions, line: &str) {
    if let Some(steps) = &opts.steps {
        steps(line);
    }
}

fn run_in(unit: &Unit, opts: &UnitOptions, scratch: &Path, result: &mut UnitResult) -> Result<(), StageError> {
    let root = scratch.join(&unit.name);
    let cloned =
        molt_git::clone_at(&unit.url, unit.rev.as_deref(), &root).map_err(|e| (Stage::Clone, e.to_string()))?;
    result.revision.commit = Some(cloned.commit.clone());
    step(opts, &format!("cloned {} at {}", result.repository.url, &cloned.commit[..cloned.commit.len().min(12)]));

    let (spec_path, spec_from, shown) = match &unit.spec {
        SpecSource::Repository(rel) => (root.join(rel), "repository", rel.clone()),
        SpecSource::Fleet(path) => (path.clone(), "fleet", path.display().to_string()),
    };
    if !spec_path.is_file() {
        let message = match &unit.spec {
            SpecSource::Repository(rel) => format!(
                "the repository has no {rel} at {}; give a fleet-wide spec (--spec, or spec in fleet.toml)",
                &cloned.commit[..cloned.commit.len().min(12)]
            ),
            SpecSource::Fleet(path) => format!("{}: no such spec", path.display()),
        };
        return Err((Stage::Spec, message));
    }
    let spec = molt_agent::spec::load_spec(&spec_path).map_err(|e| (Stage::Spec, e.to_string()))?;
    result.migration =
        Some(Migration { name: spec.migration.name.clone(), spec_from: spec_from.to_owned(), spec: shown });

    let mut model_override = opts.model_override.clone();
    model_override.max_usd = result.budget_usd;
    let cfg = RunConfig {
        repo: root.clone(),
        spec: spec_path,
        jobs: opts.jobs.max(1),
        allow_dirty: false,
        bench_runs: None,
        observer: opts.observer.clone(),
        model_override,
        cassette: opts.cassette.clone(),
        env: opts.env.clone(),
        only: None,
    };
    let summary = molt_agent::run::run(&cfg).map_err(|e| {
        use molt_agent::Error as E;
        let spec_error =
            matches!(e, E::Spec(_) | E::PlanFile(_) | E::Plan(_) | E::Glob(_) | E::Recipe(_) | E::RecipePin(_));
        let stage = if spec_error { Stage::Spec } else { Stage::Run };
        (stage, e.to_string())
    })?;
    let state = molt_agent::workspace::Workspace::new(&root)
        .load_state()
        .map_err(|e| (Stage::Run, e.to_string()))?
        .ok_or_else(|| (Stage::Run, "the run left no .molt/state.json".to_owned()))?;

    let c = &summary.coverage;
    result.coverage = Some(Coverage {
        total: c.total,
        rules: c.rules,
        model: c.model,
        unmapped: c.unmapped,
        failed: c.failed,
        blocked: c.blocked,
        pending: c.pending,
    });
    result.tasks = Some(Tasks {
        committed: summary.committed,
        failed: summary.failed,
        blocked: summary.blocked,
        pending: summary.pending,
    });
    let checks = |list: &[molt_agent::state::CheckSummary]| -> Vec<Check> {
        list.iter()
            .map(|c| Check {
                name: c.name.clone(),
                outcome: c.outcome.clone(),
                detail: c.detail.clone(),
                duration_ms: c.duration_ms,
            })
            .collect()
    };
    result.checks = Checks { before: checks(&summary.baseline), after: checks(&summary.final_checks) };
    if let Some(spent) = &state.spent {
        result.tokens = spent.run.tokens;
        result.cost_usd = spent.run.usd;
    }
    let (outcome, reason) = judge(&summary, &state);
    result.outcome = outcome;
    result.reason = reason;
    step(
        opts,
        &format!(
            "{}: {} of {} tasks committed, {}",
            spec.migration.name,
            summary.committed,
            state.tasks.len(),
            outcome
        ),
    );

    let git = molt_git::MigrationRepo::open(&root, &spec.migration.name).map_err(|e| (Stage::Run, e.to_string()))?;
    let tip = git.branch_tip(&summary.branch).map_err(|e| (Stage::Run, e.to_string()))?;
    let commits = git.commits_since(&state.base).map_err(|e| (Stage::Run, e.to_string()))?;
    result.branch = Some(crate::result::Branch {
        name: summary.branch.clone(),
        base: state.base.clone(),
        tip,
        commits,
        push: crate::result::PushAction::NotPushed,
    });
    if let Some(publish) = &opts.publish {
        let base = cloned.branch.clone().or(cloned.default_branch.clone());
        publish::publish(&git, &spec, &root, base, publish, opts, result)?;
    }
    Ok(())
}

/// The outcome of a run that got to its end, and the reason it is not
/// `migrated`.
fn judge(summary: &molt_agent::run::RunSummary, state: &RunState) -> (Outcome, Option<String>) {
    if summary.passed {
        return (Outcome::Migrated, None);
    }
    let passes = |outcome: &str| molt_verify::Outcome::from_name(outcome).is_some_and(molt_verify::Outcome::passed);
    let task_checks_failed = state
        .tasks
        .values()
        .any(|t| t.state == TaskState::Failed && !t.environment && t.checks.iter().any(|c| !passes(&c.outcome)));
    let final_failing = summary.final_checks.iter().any(|c| !passes(&c.outcome));
    if task_checks_failed || final_failing {
        return (Outcome::ChecksFailed, Some("checks failed".to_owned()));
    }
    let reason = if summary.stopped.is_some() {
        "stopped by the budget"
    } else if summary.coverage.unmapped > 0 {
        "sites left unmapped"
    } else if state.tasks.values().any(|t| t.state == TaskState::Failed && t.environment) {
        "tasks failed for the machine's reasons"
    } else {
        "tasks failed"
    };
    (Outcome::Incomplete, Some(reason.to_owned()))
}
