//! What a run ended with: its summary, the coverage of its sites, and the
//! checks in the form the state file and the reports keep them.

use std::path::PathBuf;

use molt_core::{Plan, Spec, TaskId, TaskState};
use molt_verify::{Baseline, Outcome, Verdict};

use crate::state::{CheckSummary, RunState};

/// What a run ended with.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    pub migration: String,
    pub branch: String,
    pub committed: usize,
    pub failed: usize,
    pub blocked: usize,
    pub pending: usize,
    pub baseline: Vec<CheckSummary>,
    pub final_checks: Vec<CheckSummary>,
    pub coverage: Coverage,
    /// Every task committed and every final check passing (or fixed).
    pub passed: bool,
    /// Why the run stopped early (the budget), and what to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// The reports written at the end of the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<PathBuf>,
}

/// How the sites of a migration were handled.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Coverage {
    pub total: usize,
    pub rules: usize,
    pub model: usize,
    /// Sites no agent could migrate (the rules have no mapping and no model
    /// took them).
    pub unmapped: usize,
    /// Sites of tasks that failed for another reason (checks, conflicts).
    #[serde(skip_serializing_if = "is_zero")]
    pub failed: usize,
    /// Sites of tasks blocked behind a failed one.
    #[serde(skip_serializing_if = "is_zero")]
    pub blocked: usize,
    /// Sites of tasks not run yet (a stopped run).
    #[serde(skip_serializing_if = "is_zero")]
    pub pending: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Coverage {
    /// One line that says where every site went: the figures add up to the
    /// total.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} of {} sites migrated (rules: {}, model: {}, unmapped: {})",
            self.rules + self.model,
            self.total,
            self.rules,
            self.model,
            self.unmapped
        );
        let elsewhere: Vec<String> = [
            (self.failed, "in failed tasks"),
            (self.blocked, "in blocked tasks"),
            (self.pending, "in tasks not run yet"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if !elsewhere.is_empty() {
            line.push_str(&format!("; not migrated: {}", elsewhere.join(", ")));
        }
        line
    }
}

pub(crate) fn summarize(verdicts: &[Verdict]) -> Vec<CheckSummary> {
    verdicts
        .iter()
        .map(|v| CheckSummary {
            name: v.check.clone(),
            outcome: v.outcome.as_str().to_owned(),
            blocking: v.blocking,
            detail: v.detail(),
            duration_ms: v.result.duration_ms,
        })
        .collect()
}

pub(crate) fn baseline_summary(b: &Baseline, spec: &Spec) -> Vec<CheckSummary> {
    spec.checks
        .iter()
        .filter_map(|c| b.get(&c.name))
        .map(|r| CheckSummary {
            name: r.name.clone(),
            outcome: if r.passed { Outcome::Pass } else { Outcome::Fail }.as_str().to_owned(),
            blocking: false,
            detail: r
                .counts
                .map(|c| format!("{} passed, {} failed", c.passed, c.failed))
                .unwrap_or_else(|| r.status.as_str().to_owned()),
            duration_ms: r.duration_ms,
        })
        .collect()
}

pub(crate) fn state_of(state: &RunState, id: &TaskId) -> TaskState {
    state.tasks.get(id).map_or(TaskState::Pending, |r| r.state)
}

/// The summary of a run from its state, for `molt run` and `molt status`.
pub fn summary_of(spec: &Spec, plan: &Plan, state: &RunState, baseline: &Baseline) -> RunSummary {
    let total: usize = plan.tasks.iter().map(|t| t.sites.len()).sum();
    let mut cov = Coverage { total, ..Coverage::default() };
    for (id, rec) in &state.tasks {
        let sites = plan.task(id).map_or(0, |t| t.sites.len());
        if rec.state == TaskState::Committed {
            cov.rules += rec.sites_rules;
            cov.model += rec.sites_model;
            // Sites whose task committed but which no agent claimed were
            // already migrated (e.g. by an earlier task's rewrite).
            cov.rules += sites.saturating_sub(rec.sites_rules + rec.sites_model + rec.unmapped.len());
        }
        cov.unmapped += rec.unmapped.len();
        let rest = sites.saturating_sub(rec.unmapped.len());
        match rec.state {
            TaskState::Committed => {}
            TaskState::Failed => cov.failed += rest,
            TaskState::Blocked => cov.blocked += rest,
            TaskState::Pending | TaskState::Running => cov.pending += rest,
        }
    }
    let final_ok = !state.final_checks.is_empty()
        && state.final_checks.iter().all(|c| Outcome::from_name(&c.outcome).is_some_and(Outcome::passed));
    let committed = state.count(TaskState::Committed);
    RunSummary {
        migration: spec.migration.name.clone(),
        branch: spec.branch(),
        committed,
        failed: state.count(TaskState::Failed),
        blocked: state.count(TaskState::Blocked),
        pending: state.count(TaskState::Pending) + state.count(TaskState::Running),
        baseline: baseline_summary(baseline, spec),
        final_checks: state.final_checks.clone(),
        coverage: cov,
        passed: committed == plan.tasks.len() && (final_ok || spec.checks.is_empty()),
        stopped: None,
        reports: Vec::new(),
    }
}
