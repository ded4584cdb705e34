//! `molt fleet report DIR`: the result files of a fleet, aggregated into
//! `fleet-report.md`, `fleet-report.json` and a self-contained
//! `fleet-report.html` (the run report's style and inline SVG charts, no
//! script, nothing loaded).
//!
//! The folder is searched to any depth, because engines lay results out
//! differently: a Kubernetes volume holds `result-<index>.json` side by side,
//! while GitHub's download-artifact puts each artifact in a folder of its
//! own. An index retried by the engine may leave more than one file; the one
//! that started last counts. [`build`] is pure, as the run report's is.

mod html;
mod markdown;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::result::{Outcome, PullAction, UnitResult};
use crate::{Error, Result};

pub use html::html;
pub use markdown::markdown;

/// The format version of `fleet-report.json`.
pub const VERSION: u32 = 1;

/// The files' names, without their extensions.
pub const STEM: &str = "fleet-report";

/// Everything the fleet report shows; `fleet-report.json` is this value.
#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    pub version: u32,
    pub generated_at: String,
    pub title: String,
    pub repositories: usize,
    /// Every outcome, with its count (zeros included).
    pub outcomes: BTreeMap<Outcome, usize>,
    /// Repositories whose branch and pull request were already up to date.
    pub up_to_date: usize,
    pub pull_requests: PullCounts,
    pub totals: Totals,
    /// Repositories that did not migrate, grouped by reason, largest group first.
    pub failures: Vec<FailureGroup>,
    pub rows: Vec<Row>,
    /// Result files that an index's later result replaced.
    pub superseded: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PullCounts {
    /// Open pull requests the results name.
    pub open: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub sites: usize,
    pub sites_migrated: usize,
    pub sites_unmapped: usize,
    pub commits: usize,
    pub tokens: u64,
    pub cost_usd: f64,
    /// The units' durations added up (machine time, not wall time).
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailureGroup {
    pub reason: String,
    pub repositories: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub index: Option<usize>,
    pub name: String,
    pub url: String,
    pub labels: Vec<String>,
    pub commit: Option<String>,
    pub outcome: Outcome,
    pub reason: Option<String>,
    /// The error's message, for `error` outcomes.
    pub error: Option<String>,
    pub sites: usize,
    pub sites_migrated: usize,
    pub commits: usize,
    pub pull_request: Option<String>,
    pub up_to_date: bool,
    pub tokens: u64,
    pub cost_usd: f64,
    pub duration_ms: u64,
}

/// Every result file under `dir`, to any depth, except the report's own.
pub fn load(dir: &Path) -> Result<Vec<UnitResult>> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(Error::NoResults(dir.to_owned()));
    }
    files.iter().map(|f| UnitResult::read(f)).collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("reading the folder", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("reading the folder", dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            collect(&path, out)?;
        } else if name.ends_with(".json") && !name.starts_with(STEM) && !name.starts_with('.') {
            out.push(path);
        }
    }
    Ok(())
}

/// The report of `results`; when two results are for the same repository
/// (a retried index), the later one counts.
pub fn build(title: &str, results: &[UnitResult], generated_at: &str) -> FleetReport {
    let mut latest: BTreeMap<(Option<usize>, String), &UnitResult> = BTreeMap::new();
    for r in results {
        let key = (r.index, r.repository.url.clone());
        match latest.get(&key) {
            Some(seen) if seen.started_at > r.started_at => {}
            _ => {
                latest.insert(key, r);
            }
        }
    }
    let superseded = results.len() - latest.len();
    let mut outcomes: BTreeMap<Outcome, usize> = Outcome::ALL.iter().map(|o| (*o, 0)).collect();
    let mut totals = Totals::default();
    let mut pulls = PullCounts::default();
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut rows = Vec::with_capacity(latest.len());
    let mut up_to_date = 0;
    for r in latest.values() {
        *outcomes.entry(r.outcome).or_default() += 1;
        let (sites, migrated, unmapped) =
            r.coverage.as_ref().map_or((0, 0, 0), |c| (c.total, c.migrated(), c.unmapped));
        let commits = r.branch.as_ref().map_or(0, |b| b.commits.len());
        totals.sites += sites;
        totals.sites_migrated += migrated;
        totals.sites_unmapped += unmapped;
        totals.commits += commits;
        totals.tokens += r.tokens;
        totals.cost_usd += r.cost_usd;
        totals.duration_ms += r.duration_ms;
        if let Some(p) = &r.pull_request {
            pulls.open += 1;
            match p.action {
                PullAction::Created => pulls.created += 1,
                PullAction::Updated => pulls.updated += 1,
                PullAction::Unchanged => pulls.unchanged += 1,
            }
        }
        up_to_date += usize::from(r.up_to_date);
        if r.outcome != Outcome::Migrated {
            let reason = r.reason.clone().unwrap_or_else(|| r.outcome.to_string());
            groups.entry(reason).or_default().push(r.repository.name.clone());
        }
        rows.push(Row {
            index: r.index,
            name: r.repository.name.clone(),
            url: r.repository.url.clone(),
            labels: r.repository.labels.clone(),
            commit: r.revision.commit.clone(),
            outcome: r.outcome,
            reason: r.reason.clone(),
            error: r.error.as_ref().map(|e| e.message.clone()),
            sites,
            sites_migrated: migrated,
            commits,
            pull_request: r.pull_request.as_ref().map(|p| p.url.clone()),
            up_to_date: r.up_to_date,
            tokens: r.tokens,
            cost_usd: r.cost_usd,
            duration_ms: r.duration_ms,
        });
    }
    let mut failures: Vec<FailureGroup> =
        groups.into_iter().map(|(reason, repositories)| FailureGroup { reason, repositories }).collect();
    failures.sort_by(|a, b| b.repositories.len().cmp(&a.repositories.len()).then(a.reason.cmp(&b.reason)));
    FleetReport {
        version: VERSION,
        generated_at: generated_at.to_owned(),
        title: title.to_owned(),
        repositories: rows.len(),
        outcomes,
        up_to_date,
        pull_requests: pulls,
        totals,
        failures,
        rows,
        superseded,
    }
}

/// Writes the three files into `out` and returns their paths (md, json, html).
pub fn write(report: &FleetReport, out: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).map_err(|e| Error::io("creating", out, e))?;
    let json = serde_json::to_string_pretty(report).map_err(|source| Error::ResultFile { path: out.into(), source })?;
    let mut paths = Vec::new();
    for (ext, text) in [("md", markdown(report)), ("json", json + "\n"), ("html", html(report))] {
        let path = out.join(format!("{STEM}.{ext}"));
        std::fs::write(&path, text).map_err(|e| Error::io("writing", &path, e))?;
        paths.push(path);
    }
    Ok(paths)
}

/// Now, as the report's `generated_at` writes it.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A few lines for a terminal: the summary, the outcomes, the failures by reason.
pub fn summary(r: &FleetReport) -> String {
    let mut s = markdown::summary_line(r);
    let counts: Vec<String> = r.outcomes.iter().map(|(o, n)| format!("{o}: {n}")).collect();
    s.push_str(&format!("\n{}", counts.join(", ")));
    for g in &r.failures {
        s.push_str(&format!("\n  {} ({}): {}", g.reason, g.repositories.len(), g.repositories.join(", ")));
    }
    s
}

pub(crate) fn fmt_usd(x: f64) -> String {
    format!("${x:.2}")
}

pub(crate) fn fmt_secs(ms: u64) -> String {
    if ms >= 60_000 {
        format!("{}m {:02}s", ms / 60_000, (ms % 60_000) / 1000)
    } else {
        format!("{:.1}s", ms as f64 / 1000.0)
    }
}

pub(crate) fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "n/a".to_owned()
    } else {
        format!("{:.0}%", 100.0 * part as f64 / whole as f64)
    }
}

#[cfg(test)]
mod tests;
