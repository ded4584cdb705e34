use molt_core::{Plan, Task, TaskId, TaskState};

use super::*;

/// A plan of independent tasks.
fn plan(ids: &[&str]) -> Plan {
    Plan {
        version: 1,
        migration: "m".to_owned(),
        tasks: ids
            .iter()
            .map(|id| Task {
                id: TaskId::new(*id),
                title: format!("task {id}"),
                instruction: String::new(),
                files: vec![],
                sites: vec![],
                depends_on: vec![],
                checks: vec![],
                estimate_tokens: 0,
            })
            .collect(),
    }
}

/// A state holding `tasks` in the given states.
fn state(tasks: &[(&str, TaskState)]) -> RunState {
    let mut s = fresh_state("m", "molt/m", "base", "run-1".to_owned());
    s.finished = true;
    for (id, st) in tasks {
        let mut rec = TaskRecord::pending();
        rec.state = *st;
        rec.error = Some(format!("{id} went wrong"));
        s.tasks.insert(TaskId::new(*id), rec);
    }
    s
}

fn states(s: &RunState) -> Vec<(&str, TaskState)> {
    s.tasks.iter().map(|(id, r)| (id.as_str(), r.state)).collect()
}

#[test]
fn a_fresh_state_has_no_tasks_and_starts_at_the_base() {
    let s = fresh_state("m", "molt/m", "abc", "run-1".to_owned());
    assert_eq!(
        (s.migration.as_str(), s.branch.as_str(), s.base.as_str(), s.run.as_str()),
        ("m", "molt/m", "abc", "run-1")
    );
    assert!(s.tasks.is_empty() && !s.finished && s.spent.is_none());
}

#[test]
fn new_tasks_start_pending_and_tasks_gone_from_the_plan_are_forgotten() {
    let mut s = state(&[("old", TaskState::Pending), ("kept", TaskState::Committed)]);
    reconcile(&mut s, &plan(&["kept", "new"]), []);
    assert_eq!(states(&s), [("kept", TaskState::Committed), ("new", TaskState::Pending)]);
    assert!(!s.finished);
}

#[test]
fn a_task_in_flight_when_molt_died_starts_again() {
    let mut s = state(&[("a", TaskState::Running)]);
    reconcile(&mut s, &plan(&["a"]), []);
    assert_eq!(states(&s), [("a", TaskState::Pending)]);
}

/// Regression guard for `kill -9` between a commit and the state write: the
/// migration branch, not the state file, says the task is done.
#[test]
fn a_task_whose_commit_is_on_the_branch_is_committed_whatever_the_state_says() {
    let mut s = state(&[("a", TaskState::Running), ("b", TaskState::Failed), ("c", TaskState::Pending)]);
    reconcile(&mut s, &plan(&["a", "b", "c"]), [("a", "c1"), ("b", "c2"), ("gone", "c3")]);
    assert_eq!(states(&s), [("a", TaskState::Committed), ("b", TaskState::Committed), ("c", TaskState::Pending)]);
    assert_eq!(s.tasks[&TaskId::new("a")].commit.as_deref(), Some("c1"));
    assert_eq!(s.tasks[&TaskId::new("b")].commit.as_deref(), Some("c2"));
}

#[test]
fn a_committed_task_keeps_its_commit() {
    let mut s = state(&[("a", TaskState::Committed)]);
    s.tasks.get_mut(&TaskId::new("a")).unwrap().commit = Some("first".to_owned());
    reconcile(&mut s, &plan(&["a"]), [("a", "second")]);
    assert_eq!(s.tasks[&TaskId::new("a")].commit.as_deref(), Some("first"));
}

#[test]
fn failed_and_blocked_tasks_get_another_chance_with_their_error_cleared() {
    let mut s = state(&[("f", TaskState::Failed), ("b", TaskState::Blocked), ("c", TaskState::Committed)]);
    reconcile(&mut s, &plan(&["f", "b", "c"]), []);
    assert_eq!(states(&s), [("b", TaskState::Pending), ("c", TaskState::Committed), ("f", TaskState::Pending)]);
    assert_eq!(s.tasks[&TaskId::new("f")].error, None);
    assert_eq!(s.tasks[&TaskId::new("b")].error, None);
    // A committed task's record is left as it was.
    assert!(s.tasks[&TaskId::new("c")].error.is_some());
}
