//! The scheduler: runs a plan's tasks, `jobs` at a time, each in its own
//! worktree, and merges every green task into the migration branch in DAG
//! order before its dependants start.
//!
//! Workers are plain threads: every step of a task (rewrites, checks, git) is
//! blocking work, and a thread per running task keeps each task's failure
//! contained. Only the coordinating thread touches the state file, the plan
//! and the migration branch, so there is exactly one writer of each.
//!
//! The parts: [`options`] (how a run is configured), [`load`] (source files
//! and a new plan; the recipe and the model come from the workspace), [`resume`] (what the state, the plan and the migration
//! branch say each task's state is, pure), [`scheduler`] (the loop), a
//! [`worker`] per task in one of the [`slots`]. What a run ended with is
//! [`crate::summary`].

mod coder_input;
mod load;
mod options;
pub(crate) mod resume;
mod scheduler;
mod slots;
mod worker;

use molt_core::{EventKind, Spec};
use molt_verify::{Baseline, Outcome, RunOptions as CheckOptions};

pub use crate::summary::{Coverage, RunSummary};
pub use load::{make_plan, source_files, Planned};
pub use options::{ModelOverride, RunConfig};

use crate::spec::{load_spec, path_policy};
use crate::state::{EventLog, RunState};
use crate::summary::{summarize, summary_of};
use crate::workspace::setup::model_runtime;
use crate::workspace::Workspace;
use crate::{Error, Result};
use slots::{add_worktree, make_slots, remove_worktree, SlotMaker, SLOT_PREFIX};
use worker::{confirm_bench, ModelCtx};

/// Runs (or resumes) the migration.
pub fn run(cfg: &RunConfig) -> Result<RunSummary> {
    let spec = load_spec(&cfg.spec)?;
    let root = cfg.repo.clone();
    let ws = Workspace::new(&root);
    let recipe = ws.recipe(&spec, cfg.spec.parent().unwrap_or(&cfg.repo))?;
    let git = ws.git(&spec.migration.name)?;
    git.preflight(&spec.migration.include, cfg.allow_dirty).map_err(Error::from_git)?;
    // One molt at a time in a repository. Holding the run lock, molt knows
    // that no other molt holds a git lock here, so the lock files a killed
    // one left in molt's own refs and worktrees can go: otherwise the first
    // task that touches such a ref fails on resume.
    let _run_lock = ws.lock()?;
    let locks = git.clear_stale_locks().map_err(Error::from_git)?;

    let branch = spec.branch();
    let mut tip = git.ensure_migration_branch().map_err(Error::from_git)?;

    // The model, when the spec (or the command line) names one. Its calls run on
    // one runtime shared by every worker thread, so connections and the rate
    // limiter are shared too.
    let runtime = model_runtime()?;
    let model = ws.model(&spec, &cfg.model_override, &cfg.cassette, &cfg.env, &runtime)?.map(|m| ModelCtx {
        agent: format!("{}/{}", m.config.provider, m.config.model),
        max_turns: m.config.max_turns.unwrap_or(30),
        max_output_tokens: m.config.max_output_tokens.unwrap_or(crate::coder::DEFAULT_MAX_OUTPUT_TOKENS),
        client: m.client,
        rt: m.rt,
    });
    let (plan, plan_notes) = match ws.load_plan()? {
        Some(p) => (p, Vec::new()),
        None => {
            let spec_dir = cfg.spec.parent().unwrap_or(&cfg.repo);
            let planned = make_plan(&root, spec_dir, &spec, model.as_ref().map(|m| (&m.rt, &m.client)))?;
            (planned.plan, planned.notes)
        }
    };
    let mut state = match ws.load_state()? {
        Some(s) if s.migration == spec.migration.name => s,
        _ => resume::fresh_state(
            &spec.migration.name,
            &branch,
            &tip,
            format!("run-{}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")),
        ),
    };
    let commits = git.commits_on_branch(&branch).map_err(Error::from_git)?;
    let on_branch = commits.iter().filter_map(|c| Some((c.trailer(molt_git::TASK_TRAILER)?, c.oid.as_str())));
    resume::reconcile(&mut state, &plan, on_branch);
    if let Some(only) = &cfg.only {
        only_ready(&plan, &state, only)?;
    }
    ws.save_state(&state)?;

    let log = ws.events(&state.run, cfg.observer.clone())?;
    log.emit(EventKind::RunStarted {
        migration: spec.migration.name.clone(),
        branch: branch.clone(),
        tasks: plan.tasks.len(),
        jobs: cfg.jobs,
    });
    for message in plan_notes {
        log.emit(EventKind::Warning { message });
    }
    if !locks.removed.is_empty() {
        log.emit(EventKind::StaleLocksRemoved {
            paths: locks.removed.iter().map(|p| p.display().to_string()).collect(),
        });
    }
    for lock in &locks.foreign {
        log.emit(EventKind::Warning {
            message: format!(
                "{} exists: a git process (yours, an editor's or an IDE's) may be at work in this repository; molt leaves it alone, and waits for it if a step of its own needs it",
                lock.display()
            ),
        });
    }

    let check_opts = CheckOptions { bench_runs: cfg.bench_runs, ..CheckOptions::default() };

    if let (Some(m), Some(spent)) = (&model, &state.spent) {
        m.client.restore_spent(spent.run, spent.tasks.clone());
    }

    // The job slots' worktrees are made while the baseline runs: each is a
    // checkout of the whole tree, one at a time, which otherwise the first
    // round of tasks would queue for. Slots a killed run left go first.
    let _ = git.remove_task_worktrees(SLOT_PREFIX);
    let unfinished = state.tasks.values().filter(|r| r.state != molt_core::TaskState::Committed).count();
    let mut slot_maker = Some(make_slots(&root, &spec.migration.name, &state.base, cfg.jobs.min(unfinished)));

    let baseline = baseline(&ws, &spec, &git, &state.base, &check_opts, &log, &mut slot_maker)?;
    let policy = path_policy(&spec)?;

    // The scheduling loop.
    let bench_base = if spec.checks.iter().any(|c| c.kind == molt_core::CheckKind::Bench) {
        Some(add_worktree(&git, "bench-base", &state.base)?)
    } else {
        None
    };
    let scheduler = scheduler::Scheduler {
        root: &root,
        spec: &spec,
        plan: &plan,
        recipe,
        baseline: &baseline,
        policy: &policy,
        check_opts: &check_opts,
        log: &log,
        model: model.as_ref(),
        git: &git,
        bench_base: bench_base.as_ref(),
        branch: &branch,
        jobs: cfg.jobs,
        only: cfg.only.as_ref(),
    };
    let idle = slot_maker.map(SlotMaker::join).unwrap_or_default();
    let stopping = scheduler.run(&mut state, &mut tip, idle)?;
    let _ = git.remove_task_worktrees(SLOT_PREFIX);
    if let Some(m) = &model {
        if m.client.spent().0.calls == 0 {
            log.emit(EventKind::Warning {
                message: format!(
                    "a model ({}) is configured, but nothing in this migration called it: the rules did every task",
                    m.agent
                ),
            });
        }
    }

    // One task alone (`only`): its own gate decided; the final checks are
    // for the whole migration, so they wait for a whole run.
    let stopping = match (&cfg.only, stopping) {
        (Some(only), None) => Some(format!("only task {only} was asked for")),
        (_, stopping) => stopping,
    };
    if let Some(reason) = stopping {
        if let Some(b) = &bench_base {
            let _ = git.remove_task_worktree(b);
            let _ = git.delete_task_branch(&b.task);
        }
        // A clean stop: everything committed stays, the rest waits for
        // `molt resume` with a larger budget. No final checks on half a run.
        ws.save_state(&state)?;
        let mut summary = summary_of(&spec, &plan, &state, &baseline);
        summary.stopped = Some(if cfg.only.is_some() {
            format!("{reason}; {} task(s) committed in all; the final checks run with `molt run`", summary.committed)
        } else {
            format!(
                "{reason}; the run stopped cleanly with {} task(s) committed. Raise the budget in molt.toml and run `molt resume`",
                summary.committed
            )
        });
        log.emit(EventKind::RunFinished {
            committed: summary.committed,
            failed: summary.failed,
            blocked: summary.blocked,
            pending: summary.pending,
            passed: false,
        });
        return Ok(summary);
    }

    // Final checks on the migration branch.
    let wt = git.add_task_worktree("final", &tip).map_err(Error::from_git)?;
    let mut verdicts = Vec::new();
    for check in &spec.checks {
        let r = molt_verify::run_check(check, &wt.path, &check_opts);
        let mut v = molt_verify::judge(&baseline, &r, check);
        if let (molt_core::CheckKind::Bench, Outcome::Fail, Some(base)) = (check.kind, v.outcome, &bench_base) {
            v = confirm_bench(check, &wt.path, &base.path, &check_opts);
        }
        log.emit(EventKind::CheckFinished {
            task: None,
            check: format!("final/{}", check.name),
            passed: v.outcome.passed(),
            duration_ms: r.duration_ms,
            detail: Some(v.detail()),
        });
        verdicts.push(v);
    }
    let _ = git.remove_task_worktree(&wt);
    let _ = git.delete_task_branch(&wt.task);
    if let Some(b) = &bench_base {
        let _ = git.remove_task_worktree(b);
        let _ = git.delete_task_branch(&b.task);
    }
    state.final_checks = summarize(&verdicts);
    state.finished = true;
    ws.save_state(&state)?;

    let mut summary = summary_of(&spec, &plan, &state, &baseline);
    // The reports are a view of .molt/; failing to write them loses nothing.
    summary.reports = crate::report::write_reports(&ws, &spec).unwrap_or_default();
    log.emit(EventKind::RunFinished {
        committed: summary.committed,
        failed: summary.failed,
        blocked: summary.blocked,
        pending: summary.pending,
        passed: summary.passed,
    });
    Ok(summary)
}

/// `only` is in the plan and ready to run: not committed, every dependency committed.
fn only_ready(plan: &molt_core::Plan, state: &RunState, only: &molt_core::TaskId) -> Result<()> {
    let Some(task) = plan.task(only) else {
        let known: Vec<&str> = plan.tasks.iter().map(|t| t.id.as_str()).take(20).collect();
        return Err(Error::Plan(format!("no task `{only}` in the plan; its tasks include {}", known.join(", "))));
    };
    let states = state.states();
    if states.get(only) == Some(&molt_core::TaskState::Committed) {
        return Err(Error::Plan(format!("task `{only}` is already committed on the migration branch")));
    }
    let waiting: Vec<&str> = task
        .depends_on
        .iter()
        .filter(|d| states.get(*d) != Some(&molt_core::TaskState::Committed))
        .map(|d| d.as_str())
        .collect();
    if !waiting.is_empty() {
        return Err(Error::Plan(format!("task `{only}` waits for {} to be committed first", waiting.join(", "))));
    }
    Ok(())
}

/// The checks on the untouched base commit: `.molt/baseline.json` when a
/// run before this one measured them, measured and saved otherwise. A
/// benchmark is timed with nothing beside it, so the slots being made wait
/// for it.
fn baseline(
    ws: &Workspace,
    spec: &Spec,
    git: &molt_git::MigrationRepo,
    base: &str,
    check_opts: &CheckOptions,
    log: &EventLog,
    slot_maker: &mut Option<SlotMaker>,
) -> Result<Baseline> {
    if let Some(b) = ws.load_baseline()? {
        return Ok(b);
    }
    let wt = add_worktree(git, "baseline", base)?;
    let mut results = Vec::new();
    for check in &spec.checks {
        if check.kind == molt_core::CheckKind::Bench {
            // A benchmark is timed with nothing beside it.
            *slot_maker = slot_maker.take().map(|m| SlotMaker::Done(m.join()));
        }
        let r = molt_verify::run_check(check, &wt.path, check_opts);
        log.emit(EventKind::CheckFinished {
            task: None,
            check: format!("baseline/{}", check.name),
            passed: r.passed,
            duration_ms: r.duration_ms,
            detail: None,
        });
        results.push(r);
    }
    remove_worktree(git, &wt);
    let _ = git.delete_task_branch(&wt.task);
    let b = Baseline::from_results(results, Some(base.to_owned()));
    ws.save_baseline(&b)?;
    Ok(b)
}

#[cfg(test)]
mod tests;
