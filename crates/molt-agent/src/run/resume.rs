//! Resume reconciliation, pure: the state file as a killed or finished run
//! left it, the plan as it is now and the commits on the migration branch
//! decide what each task's state is when a run starts.

use molt_core::{Plan, TaskId, TaskState};

use crate::state::{RunState, TaskRecord};

/// The state of a run that has none yet (or whose state file belongs to
/// another migration): every task pending, from `base`.
pub(crate) fn fresh_state(migration: &str, branch: &str, base: &str, run: String) -> RunState {
    RunState {
        version: 1,
        run,
        migration: migration.to_owned(),
        branch: branch.to_owned(),
        base: base.to_owned(),
        tasks: std::collections::BTreeMap::new(),
        final_checks: Vec::new(),
        finished: false,
        spent: None,
    }
}

/// Brings `state` in line with `plan` and with `on_branch`, the commits on
/// the migration branch as (task id of their `Molt-Task` trailer, commit),
/// oldest or newest first as git lists them.
///
/// - Tasks added to the plan by hand since the last run start pending;
///   tasks no longer in the plan are forgotten.
/// - Tasks that were in flight when molt died start again.
/// - The migration branch is the truth: a task whose commit is on it is
///   committed, whatever the state file says.
/// - Failed tasks get another chance on a resumed run; blocked ones follow.
pub(super) fn reconcile<'a>(
    state: &mut RunState,
    plan: &Plan,
    on_branch: impl IntoIterator<Item = (&'a str, &'a str)>,
) {
    for t in &plan.tasks {
        let rec = state.tasks.entry(t.id.clone()).or_insert_with(TaskRecord::pending);
        if rec.state == TaskState::Running {
            rec.state = TaskState::Pending;
        }
    }
    state.tasks.retain(|id, _| plan.task(id).is_some());
    for (id, oid) in on_branch {
        if let Some(rec) = state.tasks.get_mut(&TaskId::new(id)) {
            if rec.state != TaskState::Committed {
                rec.state = TaskState::Committed;
                rec.commit = Some(oid.to_owned());
            }
        }
    }
    for rec in state.tasks.values_mut() {
        if matches!(rec.state, TaskState::Failed | TaskState::Blocked) {
            rec.state = TaskState::Pending;
            rec.error = None;
        }
    }
    state.finished = false;
}

#[cfg(test)]
mod tests;
