//! The run report: `.molt/report.md`, `.molt/report.json` and a
//! self-contained `.molt/report.html`, built from what a run leaves in
//! `.molt/` (plan, state, baseline).
//!
//! The report is a plain data value ([`Report`]) built by a pure function
//! ([`build`]); the three files are renderings of it. Everything is sorted
//! and formatted deterministically, so the only thing that changes between two
//! renderings of the same run is `generated_at`, which tests redact. The HTML
//! page holds its charts as inline SVG and its style inline, with a content
//! security policy that forbids loading anything: it can be mailed, archived
//! or attached to a pull request and still show everything.
//!
//! The state keeps each final check as a one-line verdict, not as numbers, so
//! a benchmark's final median and spread are read back from that line (the
//! format [`molt_verify::MetricComparison::describe`] writes). When the line
//! lacks a metric (the check failed before measuring, or the run has not
//! finished) the report says so rather than guessing.

mod html;
mod markdown;
mod pr;
mod svg;

use std::path::PathBuf;

use molt_core::{CheckKind, Plan, Spec, TaskState};
use molt_verify::{fmt_num, Baseline};
use serde::Serialize;

use crate::state::{CheckSummary, RunState, TaskRecord};
use crate::summary::{summary_of, Coverage};
use crate::workspace::Workspace;
use crate::{Error, Result};

pub use html::{esc, html, STYLE};
pub use markdown::markdown;
pub use pr::{pull_request, PullRequestText, MARKER as PULL_REQUEST_MARKER, MAX_BODY_CHARS};
pub use svg::{bar_chart, Bar};

/// The format version of `report.json`.
pub const VERSION: u32 = 1;

/// Everything a report shows; `report.json` is this value.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    /// When the report was written (RFC 3339); the only non-deterministic field.
    pub generated_at: String,
    pub migration: String,
    pub goal: String,
    pub branch: String,
    /// The commit the migration branch started from.
    pub base: String,
    /// Whether the run got to its final checks.
    pub finished: bool,
    /// Every task committed and every final check passing (or fixed).
    pub passed: bool,
    pub states: StateCounts,
    pub coverage: Coverage,
    /// The coverage in one sentence.
    pub coverage_line: String,
    pub spent: Spent,
    /// In plan order.
    pub tasks: Vec<TaskRow>,
    /// In spec order: each check before (baseline) and after (final checks).
    pub checks: Vec<CheckRow>,
    /// Each benchmark metric before and after, with its spread.
    pub benchmarks: Vec<BenchRow>,
    /// Sites nobody could migrate, by task then location.
    pub unmapped: Vec<UnmappedSite>,
    /// What the report could not show, and why.
    pub notes: Vec<String>,
}

/// Tasks per state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StateCounts {
    pub committed: usize,
    pub failed: usize,
    pub blocked: usize,
    pub running: usize,
    pub pending: usize,
}

/// Model use over the whole run (planner included when the state knows it).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Spent {
    pub tokens: u64,
    pub cost_usd: f64,
    pub calls: u64,
}

/// A line for the checks that ran with network access, read from the
/// baseline (the same machine and sandbox ran every check of the run): those
/// whose spec allows it, and those this machine could not isolate.
fn network_notes(spec: &Spec, baseline: &Baseline) -> Vec<String> {
    let (mut allowed, mut exposed) = (Vec::new(), Vec::new());
    for check in &spec.checks {
        match baseline.get(&check.name) {
            Some(r) if !r.network_isolated && check.sandbox.network => allowed.push(format!("\"{}\"", check.name)),
            Some(r) if !r.network_isolated => exposed.push(format!("\"{}\"", check.name)),
            _ => {}
        }
    }
    let mut notes = Vec::new();
    if !exposed.is_empty() {
        notes.push(format!(
            "Checks ran WITHOUT network isolation (this machine could not give them a network namespace): {}.",
            exposed.join(", ")
        ));
    }
    if !allowed.is_empty() {
        notes
            .push(format!("Checks with network access, as the spec allows (sandbox.network): {}.", allowed.join(", ")));
    }
    notes
}

/// One task's line in the task table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRow {
    pub id: String,
    pub title: String,
    pub state: TaskState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    pub attempts: u32,
    pub tokens: u64,
    pub cost_usd: f64,
    /// Sites the plan gave the task.
    pub sites: usize,
    pub sites_rules: usize,
    pub sites_model: usize,
    pub sites_unmapped: usize,
    pub checks: Vec<CheckSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A check before and after the migration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckRow {
    pub name: String,
    pub kind: CheckKind,
    /// On the untouched tree; absent without a baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<CheckSummary>,
    /// On the migration branch; absent until the run finishes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<CheckSummary>,
}

/// A median and its spread (half the range, relative to the median).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Measure {
    pub median: f64,
    pub spread: f64,
}

/// One benchmark metric before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchRow {
    pub check: String,
    pub metric: String,
    pub unit: String,
    pub higher_is_better: bool,
    pub before: Measure,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Measure>,
    /// How much worse after is than before, as a fraction of before (0.2 is
    /// 20% worse, -0.1 is 10% better), whichever direction is better.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<f64>,
    pub max_regression: f64,
    /// Whether the change is past `max_regression`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regressed: Option<bool>,
}

/// A site nobody could migrate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UnmappedSite {
    pub task: String,
    /// `path:line`.
    pub location: String,
    pub reason: String,
}

/// Builds the report of a run. Pure: the caller loads the files and picks the
/// `generated_at` stamp.
pub fn build(spec: &Spec, plan: &Plan, state: &RunState, baseline: &Baseline, generated_at: &str) -> Report {
    let summary = summary_of(spec, plan, state, baseline);
    let pending = TaskRecord::pending();

    let mut tasks: Vec<TaskRow> = plan
        .tasks
        .iter()
        .map(|t| task_row(t.id.as_str(), &t.title, t.sites.len(), state.tasks.get(&t.id).unwrap_or(&pending)))
        .collect();
    // Records of tasks the plan no longer has (an edited plan) still happened.
    for (id, rec) in &state.tasks {
        if plan.task(id).is_none() {
            tasks.push(task_row(id.as_str(), "", 0, rec));
        }
    }

    let mut states = StateCounts::default();
    for t in &tasks {
        match t.state {
            TaskState::Committed => states.committed += 1,
            TaskState::Failed => states.failed += 1,
            TaskState::Blocked => states.blocked += 1,
            TaskState::Running => states.running += 1,
            TaskState::Pending => states.pending += 1,
        }
    }

    let spent = match &state.spent {
        Some(s) => Spent { tokens: s.run.tokens, cost_usd: s.run.usd, calls: s.run.calls },
        None => Spent {
            tokens: tasks.iter().map(|t| t.tokens).sum(),
            cost_usd: tasks.iter().map(|t| t.cost_usd).sum(),
            calls: 0,
        },
    };

    let mut notes = Vec::new();
    if baseline.checks.is_empty() && !spec.checks.is_empty() {
        notes.push("There is no baseline (.molt/baseline.json), so no check has a before.".to_owned());
    }
    if !state.finished {
        notes.push("The run has not finished: there are no final checks yet.".to_owned());
    }
    notes.extend(network_notes(spec, baseline));

    let checks: Vec<CheckRow> = spec
        .checks
        .iter()
        .map(|c| CheckRow {
            name: c.name.clone(),
            kind: c.kind,
            before: summary.baseline.iter().find(|b| b.name == c.name).cloned(),
            after: state.final_checks.iter().find(|f| f.name == c.name).cloned(),
        })
        .collect();

    let mut benchmarks = Vec::new();
    for check in spec.checks.iter().filter(|c| c.kind == CheckKind::Bench) {
        let Some(metrics) = baseline.get(&check.name).and_then(|r| r.bench.as_ref()) else {
            if !baseline.checks.is_empty() {
                notes.push(format!("Benchmark \"{}\" has no metrics in the baseline.", check.name));
            }
            continue;
        };
        let after_detail = state.final_checks.iter().find(|f| f.name == check.name).map(|f| f.detail.as_str());
        let max = check.bench_max_regression();
        for m in &metrics.metrics {
            let after = after_detail.and_then(|d| parse_measure(d, &m.name, &m.unit));
            if state.finished && after.is_none() {
                notes.push(format!(
                    "Benchmark \"{}\" metric \"{}\" has no final measurement (the final check did not report it).",
                    check.name, m.name
                ));
            }
            let change = after.map(|a| {
                let delta = if m.higher_is_better { m.median - a.median } else { a.median - m.median };
                if m.median != 0.0 {
                    delta / m.median.abs()
                } else {
                    0.0
                }
            });
            benchmarks.push(BenchRow {
                check: check.name.clone(),
                metric: m.name.clone(),
                unit: m.unit.clone(),
                higher_is_better: m.higher_is_better,
                before: Measure { median: m.median, spread: m.spread },
                after,
                change,
                max_regression: max,
                regressed: change.map(|c| c.is_nan() || c > max + 1e-12),
            });
        }
    }

    let mut unmapped: Vec<UnmappedSite> = state
        .tasks
        .iter()
        .flat_map(|(id, rec)| {
            rec.unmapped.iter().map(move |u| {
                let (location, reason) = split_unmapped(u);
                UnmappedSite { task: id.as_str().to_owned(), location, reason }
            })
        })
        .collect();
    unmapped.sort();

    Report {
        version: VERSION,
        generated_at: generated_at.to_owned(),
        migration: spec.migration.name.clone(),
        goal: spec.migration.goal.clone(),
        branch: summary.branch,
        base: state.base.clone(),
        finished: state.finished,
        passed: summary.passed,
        states,
        coverage_line: summary.coverage.line(),
        coverage: summary.coverage,
        spent,
        tasks,
        checks,
        benchmarks,
        unmapped,
        notes,
    }
}

fn task_row(id: &str, title: &str, sites: usize, rec: &TaskRecord) -> TaskRow {
    TaskRow {
        id: id.to_owned(),
        title: title.to_owned(),
        state: rec.state,
        agent: rec.agent.clone(),
        attempts: rec.attempts,
        tokens: rec.tokens,
        cost_usd: rec.cost_usd,
        sites,
        sites_rules: rec.sites_rules,
        sites_model: rec.sites_model,
        sites_unmapped: rec.unmapped.len(),
        checks: rec.checks.clone(),
        commit: rec.commit.clone(),
        error: rec.error.clone(),
    }
}

/// `src/ops.c:12: no NEON mapping` into its location and reason.
fn split_unmapped(s: &str) -> (String, String) {
    match s.split_once(": ") {
        Some((loc, why)) => (loc.to_owned(), why.to_owned()),
        None => (s.to_owned(), String::new()),
    }
}

/// Reads metric `name`'s median and spread back from a verdict's detail line:
/// `kernel 120 ms ±1.0% vs 100 ms ±0.5%: 20.0% worse (max 5.0%)`, or without
/// a comparison `kernel 120 ms ±1.0%`. Parts are joined by `; `.
fn parse_measure(detail: &str, name: &str, unit: &str) -> Option<Measure> {
    detail.split("; ").find_map(|part| {
        let rest = part.strip_prefix(name)?.strip_prefix(' ')?;
        let (median, rest) = rest.split_once(' ')?;
        let rest = if unit.is_empty() { rest } else { rest.strip_prefix(unit)?.strip_prefix(' ')? };
        let rest = rest.strip_prefix('±')?;
        let (spread, tail) = rest.split_once('%')?;
        if !(tail.is_empty() || tail.starts_with(" vs ")) {
            return None;
        }
        Some(Measure { median: median.parse().ok()?, spread: spread.parse::<f64>().ok()? / 100.0 })
    })
}

/// Reads the workspace (plan, state, baseline) and builds the report of the
/// run it holds, stamped now.
pub fn load(ws: &Workspace, spec: &Spec) -> Result<Report> {
    let plan = ws
        .load_plan()?
        .ok_or_else(|| Error::State("there is no plan (.molt/plan.json); run `molt plan` or `molt run`".to_owned()))?;
    let state = ws
        .load_state()?
        .ok_or_else(|| Error::State("there is no run (.molt/state.json); start one with `molt run`".to_owned()))?;
    let baseline = ws.load_baseline()?.unwrap_or_default();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Ok(build(spec, &plan, &state, &baseline, &now))
}

/// Reads the workspace and writes `report.md`, `report.json` and
/// `report.html` there; returns their paths in that order.
pub fn write_reports(ws: &Workspace, spec: &Spec) -> Result<Vec<PathBuf>> {
    let report = load(ws, spec)?;

    let [md, json, page] = ws.report_paths();
    // Check details and task errors carry what checks and models printed:
    // secrets of a known shape are redacted from all three files.
    ws.write(&md, &markdown(&report))?;
    let mut text = serde_json::to_string_pretty(&report)?;
    text.push('\n');
    ws.write(&json, &text)?;
    ws.write(&page, &html(&report))?;
    Ok(vec![md, json, page])
}

/// Dollars with cents, or with four decimals below a cent so small model
/// bills do not read as free.
pub(crate) fn fmt_usd(x: f64) -> String {
    if x > 0.0 && x < 0.01 {
        format!("${x:.4}")
    } else {
        format!("${x:.2}")
    }
}

/// `120 ms ±1.0%`.
pub(crate) fn fmt_measure(m: &Measure, unit: &str) -> String {
    let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
    format!("{}{unit} ±{:.1}%", fmt_num(m.median), m.spread * 100.0)
}

/// `20.0% worse` / `3.5% better`.
pub(crate) fn fmt_change(change: f64) -> String {
    if change > 0.0 {
        format!("{:.1}% worse", change * 100.0)
    } else {
        format!("{:.1}% better", -change * 100.0)
    }
}

/// A short commit id for tables.
pub(crate) fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

#[cfg(test)]
mod tests;
