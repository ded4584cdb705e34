//! The scheduling loop: ready tasks start, `jobs` at a time, each on a
//! worker thread in a slot; the coordinating thread alone merges their
//! commits into the migration branch, in the order they finish (a task only
//! starts once its dependencies are merged, so that order respects the DAG),
//! and alone writes the state file.

use std::path::Path;
use std::sync::{mpsc, Arc, RwLock};

use molt_core::{EventKind, Plan, Spec, TaskId, TaskState};
use molt_recipes::Recipe;
use molt_verify::{Baseline, RunOptions as CheckOptions};

use super::slots::{Slot, SLOT_PREFIX};
use super::worker::{Done, End, ModelCtx, Worker};
use crate::state::{EventLog, RunState, TaskRecord};
use crate::summary::state_of;
use crate::workspace::Workspace;
use crate::Result;

/// What the loop shares with every worker it starts.
pub(super) struct Scheduler<'a> {
    pub(super) root: &'a Path,
    pub(super) spec: &'a Spec,
    pub(super) plan: &'a Plan,
    pub(super) recipe: &'static dyn Recipe,
    pub(super) baseline: &'a Baseline,
    pub(super) policy: &'a molt_core::PathPolicy,
    pub(super) check_opts: &'a CheckOptions,
    pub(super) log: &'a EventLog,
    pub(super) model: Option<&'a ModelCtx>,
    pub(super) git: &'a molt_git::MigrationRepo,
    /// A worktree at the base commit, for re-measuring a benchmark.
    pub(super) bench_base: Option<&'a molt_git::TaskWorktree>,
    pub(super) branch: &'a str,
    pub(super) jobs: usize,
    /// Start only this task (`RunConfig::only`).
    pub(super) only: Option<&'a TaskId>,
}

impl Scheduler<'_> {
    /// Runs tasks until none is ready or running; `tip` follows the migration
    /// branch. Returns why the run stopped early (the budget), if it did: no
    /// new task starts then, and the running ones finish.
    pub(super) fn run(&self, state: &mut RunState, tip: &mut String, idle: Vec<Slot>) -> Result<Option<String>> {
        let (tx, rx) = mpsc::channel::<(Done, Slot)>();
        let bench_lock = Arc::new(RwLock::new(()));
        let mut running = 0usize;
        // Reusable worktrees, at most one per job.
        let mut idle = idle;
        let mut slots = idle.len();
        let mut merged_branches: Vec<TaskId> = Vec::new();
        // Set when the budget runs out: no new task starts, running ones finish.
        let mut stopping: Option<String> = None;
        loop {
            self.block_behind_failures(state);
            let mut ready = if stopping.is_some() { Vec::new() } else { self.plan.ready(&state.states()) };
            if let Some(only) = self.only {
                ready.retain(|id| id == only);
            }
            let mut starting = Vec::new();
            for id in ready.into_iter().take(self.jobs.saturating_sub(running)) {
                let Some(task) = self.plan.task(&id).cloned() else { continue };
                let rec = state.tasks.entry(id.clone()).or_insert_with(TaskRecord::pending);
                rec.state = TaskState::Running;
                rec.attempts += 1;
                starting.push((task, rec.attempts));
            }
            // One write for everything since the last: the task that finished
            // and the tasks that start (each write waits for the disk).
            Workspace::new(self.root).save_state(state)?;
            for (task, attempt) in starting {
                let id = task.id.clone();
                self.log.emit(EventKind::TaskStarted { task: id.clone(), attempt });
                let ctx = Worker {
                    root: self.root.to_path_buf(),
                    spec: self.spec.clone(),
                    recipe: self.recipe,
                    baseline: self.baseline.clone(),
                    base: tip.clone(),
                    policy: self.policy.clone(),
                    check_opts: self.check_opts.clone(),
                    log: self.log.clone(),
                    bench_lock: bench_lock.clone(),
                    model: self.model.cloned(),
                    bench_base: self.bench_base.map(|w| w.path.clone()),
                    first_attempt: attempt,
                };
                let mut slot = idle.pop().unwrap_or_else(|| {
                    slots += 1;
                    Slot { name: format!("{SLOT_PREFIX}{}", slots - 1), worktree: None }
                });
                let tx = tx.clone();
                running += 1;
                std::thread::spawn(move || {
                    let done = ctx.do_task(&task, &mut slot);
                    let _ = tx.send((done, slot));
                });
            }
            for id in merged_branches.drain(..) {
                let _ = self.git.delete_task_branch(id.as_str());
            }
            if running == 0 {
                break;
            }
            let Ok((done, slot)) = rx.recv() else { break };
            running -= 1;
            idle.push(slot);
            let Done { id, mut record, end } = done;
            // The worker counts its own retries; the spawn count is the floor.
            record.attempts = record.attempts.max(state.tasks.get(&id).map_or(1, |r| r.attempts));
            match end {
                End::Committed(commit) => {
                    // Merging happens here, one at a time, in the order tasks finish;
                    // a task only starts once its dependencies are merged, so this
                    // order respects the DAG.
                    match self.git.merge_task(id.as_str()) {
                        Ok(merged) => {
                            *tip = merged.oid;
                            record.state = TaskState::Committed;
                            record.commit = Some(commit.clone());
                            self.log.emit(EventKind::TaskCommitted { task: id.clone(), commit });
                        }
                        Err(e) => {
                            record.state = TaskState::Failed;
                            record.error = Some(format!("merge into {} failed: {e}", self.branch));
                            record.environment = e.is_environment();
                            self.log.emit(EventKind::TaskFailed {
                                task: id.clone(),
                                attempt: record.attempts,
                                reason: record.error.clone().unwrap_or_default(),
                                environment: record.environment,
                            });
                        }
                    }
                    // Deleted once the next tasks are on their way: the merge is
                    // what they wait for, the branch's deletion is not.
                    merged_branches.push(id.clone());
                    state.tasks.insert(id, record);
                }
                End::Budget => {
                    record.state = TaskState::Pending;
                    let reason = record.error.clone().unwrap_or_else(|| "the budget ran out".to_owned());
                    self.log.emit(EventKind::TaskFailed {
                        task: id.clone(),
                        attempt: record.attempts,
                        reason: reason.clone(),
                        environment: false,
                    });
                    stopping = Some(reason);
                    state.tasks.insert(id, record);
                }
                End::Failed { .. } => {
                    self.log.emit(EventKind::TaskFailed {
                        task: id.clone(),
                        attempt: record.attempts,
                        reason: record.error.clone().unwrap_or_default(),
                        environment: record.environment,
                    });
                    state.tasks.insert(id, record);
                }
            }
            if let Some(m) = self.model {
                let (run, tasks) = m.client.spent();
                state.spent = Some(crate::state::ModelSpent { run, tasks });
            }
        }
        Ok(stopping)
    }

    /// Marks the pending tasks behind a failed (or blocked) dependency as
    /// blocked, each with an event naming the dependency.
    fn block_behind_failures(&self, state: &mut RunState) {
        for id in self.plan.blocked_by_failures(&state.states()) {
            let Some(rec) = state.tasks.get(&id) else { continue };
            if rec.state != TaskState::Pending {
                continue;
            }
            let by = self
                .plan
                .task(&id)
                .and_then(|t| {
                    t.depends_on.iter().find(|d| matches!(state_of(state, d), TaskState::Failed | TaskState::Blocked))
                })
                .cloned()
                .unwrap_or_else(|| id.clone());
            if let Some(rec) = state.tasks.get_mut(&id) {
                rec.state = TaskState::Blocked;
            }
            self.log.emit(EventKind::TaskBlocked { task: id.clone(), by });
        }
    }
}
