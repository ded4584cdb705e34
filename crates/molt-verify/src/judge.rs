//! Judging a check result against the baseline, with the guards against
//! gaming: a check failing in the baseline does not block (and is only "fixed"
//! when it now passes), fewer test cases than the baseline fail, a benchmark
//! whose median regressed past `max_regression` fails.

use molt_core::{Check, CheckKind};
use serde::{Deserialize, Serialize};

use crate::baseline::Baseline;
use crate::bench::{fmt_num, MetricComparison};
use crate::result::{CheckResult, Status};

/// What a result means for the edit under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Passed, with all guards.
    Pass,
    /// Failed in the baseline and passes now, with all guards.
    Fixed,
    /// Failed (or a guard failed) where the baseline passed: blocks the edit.
    Fail,
    /// Failed in the baseline and still fails: reported, does not block.
    StillFailing,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fixed => "fixed",
            Self::Fail => "fail",
            Self::StillFailing => "still failing",
        }
    }

    /// The outcome [`Outcome::as_str`] names, for outcomes kept as text (the
    /// state file, the reports).
    pub fn from_name(name: &str) -> Option<Outcome> {
        [Self::Pass, Self::Fixed, Self::Fail, Self::StillFailing].into_iter().find(|o| o.as_str() == name)
    }

    /// Whether the check passes now: it passed, or it was fixed.
    pub fn passed(self) -> bool {
        matches!(self, Self::Pass | Self::Fixed)
    }
}

/// The judgement of one check's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub check: String,
    pub kind: CheckKind,
    pub outcome: Outcome,
    /// Whether this verdict keeps an edit off the migration branch.
    pub blocking: bool,
    /// Why it is not a plain pass, one sentence each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_tests_ran: Option<u64>,
    /// Each benchmark metric against the baseline's, with both spreads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bench: Vec<MetricComparison>,
    pub result: CheckResult,
}

impl Verdict {
    /// One line for tables, events and prompts: counts, bench medians with
    /// their spread, and the reasons.
    pub fn detail(&self) -> String {
        let mut parts = Vec::new();
        if let Some(c) = self.result.counts {
            let mut s = format!("{} passed, {} failed", c.passed, c.failed);
            if c.skipped > 0 {
                s.push_str(&format!(", {} skipped", c.skipped));
            }
            if let Some(b) = self.baseline_tests_ran {
                s.push_str(&format!(" (baseline ran {b})"));
            }
            parts.push(s);
        }
        if let Some(d) = self.result.diff.as_ref().filter(|d| d.equal) {
            parts.push(if d.numbers_compared == 0 {
                format!("{} lines identical", d.reference_lines)
            } else {
                format!(
                    "{} lines match (largest difference: abs {:.1e}, rel {:.1e})",
                    d.reference_lines, d.max_abs_err, d.max_rel_err
                )
            });
        }
        if let Some(c) = self.result.compiles {
            parts.push(format!("{} compiles after warm-up ({} in warm-up)", c.after_warmup(), c.warmup));
        }
        if !self.bench.is_empty() {
            parts.extend(self.bench.iter().map(MetricComparison::describe));
        } else if let Some(bench) = &self.result.bench {
            parts.extend(bench.metrics.iter().map(|m| {
                let unit = if m.unit.is_empty() { String::new() } else { format!(" {}", m.unit) };
                format!("{} {}{unit} ±{:.1}%", m.name, fmt_num(m.median), m.spread * 100.0)
            }));
        }
        parts.extend(self.reasons.iter().cloned());
        parts.join("; ")
    }
}

/// Judges `result` of `check` against `baseline` (pass `&Baseline::default()`
/// when there is none: then the result alone decides).
pub fn judge(baseline: &Baseline, result: &CheckResult, check: &Check) -> Verdict {
    let base = baseline.get(&check.name);
    let base_failed = base.is_some_and(|b| !b.passed);
    let mut reasons = Vec::new();
    let mut ok = result.passed;
    if !result.passed {
        reasons.push(result.message.clone().unwrap_or_else(|| result.status.to_string()));
    }

    // Test-count guard: deleting or skipping tests must not turn a check green.
    let baseline_tests_ran = base.and_then(CheckResult::tests_ran);
    if let Some(before) = baseline_tests_ran {
        match result.tests_ran() {
            Some(now) if now < before => {
                ok = false;
                reasons.push(format!("ran {now} tests, fewer than the {before} of the baseline"));
            }
            None if result.passed => {
                ok = false;
                reasons.push(format!("the test count could not be read, and the baseline ran {before} tests"));
            }
            _ => {}
        }
    }

    // Benchmark gate, against a baseline that ran.
    let mut bench = Vec::new();
    if let (true, Some(cand), Some(base)) =
        (result.passed, result.bench.as_ref(), base.filter(|b| b.passed).and_then(|b| b.bench.as_ref()))
    {
        let max = check.bench_max_regression();
        for metric in &base.metrics {
            match cand.metric(&metric.name) {
                Some(now) => {
                    let cmp = MetricComparison::new(metric, now, max);
                    if cmp.regressed {
                        ok = false;
                        reasons.push(format!(
                            "benchmark \"{}\" regressed past the allowed {:.1}%",
                            cmp.name,
                            max * 100.0
                        ));
                    }
                    bench.push(cmp);
                }
                None => {
                    ok = false;
                    reasons.push(format!("benchmark metric \"{}\" of the baseline is missing", metric.name));
                }
            }
        }
    }

    if base_failed && !ok {
        let before: &[String] = base.map_or(&[], |b| b.failing.as_slice());
        let new: Vec<&str> =
            result.failing.iter().filter(|n| !before.contains(n)).map(String::as_str).take(10).collect();
        if !new.is_empty() {
            reasons.push(format!("newly failing: {}", new.join(", ")));
        }
        reasons.push("already failing in the baseline, so it does not block".to_owned());
    }
    let outcome = match (ok, base_failed) {
        (true, false) => Outcome::Pass,
        (true, true) => Outcome::Fixed,
        (false, false) => Outcome::Fail,
        (false, true) => Outcome::StillFailing,
    };
    Verdict {
        check: check.name.clone(),
        kind: check.kind,
        outcome,
        blocking: outcome == Outcome::Fail,
        reasons,
        baseline_status: base.map(|b| b.status),
        baseline_tests_ran,
        bench,
        result: result.clone(),
    }
}

#[cfg(test)]
mod tests;
