//! Benchmark metrics: lines `bench: NAME VALUE UNIT` in a bench check's
//! output (or the wall time when there are none), summarized over K runs as
//! median and spread, and compared against a baseline.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::result::BenchMetric;

/// One metric reading from one run.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchSample {
    pub name: String,
    pub value: f64,
    pub unit: String,
}

/// The metric lines of one run's output: `bench: NAME VALUE [UNIT]`. A name
/// given twice keeps its last value.
pub fn parse_bench_lines(text: &str) -> Vec<BenchSample> {
    static LINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\s*bench:\s+(\S+)\s+([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:[ \t]+(\S+))?[ \t]*\r?$")
            .unwrap_or_else(|e| panic!("bad built-in pattern: {e}"))
    });
    let mut out: Vec<BenchSample> = Vec::new();
    for c in LINE.captures_iter(text) {
        let Ok(value) = c[2].parse::<f64>() else { continue };
        if !value.is_finite() {
            continue;
        }
        let sample = BenchSample { name: c[1].to_owned(), value, unit: c.get(3).map_or("", |m| m.as_str()).to_owned() };
        match out.iter_mut().find(|s| s.name == sample.name) {
            Some(old) => *old = sample,
            None => out.push(sample),
        }
    }
    out
}

/// Whether a larger value of this unit is better (throughput) rather than
/// worse (time, size).
fn higher_is_better(unit: &str) -> bool {
    let u = unit.to_ascii_lowercase();
    u.ends_with("/s")
        || (u.ends_with("ps") && u != "ps")
        || ["ops", "flops", "gflops", "tflops", "hz", "khz", "mhz", "ghz", "score", "x"].contains(&u.as_str())
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Summarizes K runs' samples into one metric per name, in order of first
/// appearance.
pub fn summarize_runs(runs: &[Vec<BenchSample>]) -> Vec<BenchMetric> {
    let mut names: Vec<(String, String)> = Vec::new();
    for sample in runs.iter().flatten() {
        if !names.iter().any(|(n, _)| *n == sample.name) {
            names.push((sample.name.clone(), sample.unit.clone()));
        }
    }
    names
        .into_iter()
        .map(|(name, unit)| {
            let values: Vec<f64> = runs.iter().flatten().filter(|s| s.name == name).map(|s| s.value).collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let med = median(&sorted);
            let (min, max) = (sorted.first().copied().unwrap_or(f64::NAN), sorted.last().copied().unwrap_or(f64::NAN));
            let spread = if med != 0.0 { (max - min) / 2.0 / med.abs() } else { 0.0 };
            BenchMetric { higher_is_better: higher_is_better(&unit), name, unit, values, median: med, min, max, spread }
        })
        .collect()
}

/// One metric of a candidate set against the same metric of the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricComparison {
    pub name: String,
    pub unit: String,
    pub baseline_median: f64,
    pub baseline_spread: f64,
    pub median: f64,
    pub spread: f64,
    /// How much worse the candidate is, as a fraction of the baseline: 0.2 is
    /// 20% worse, -0.1 is 10% better, whichever direction "better" is.
    pub regression: f64,
    pub max_regression: f64,
    pub regressed: bool,
    /// Slower past the gate by the medians, but some candidate run was as fast
    /// as some baseline run: on a noisy machine that is not a regression.
    #[serde(default)]
    pub within_noise: bool,
}

impl MetricComparison {
    pub fn new(base: &BenchMetric, cand: &BenchMetric, max_regression: f64) -> Self {
        let delta = if base.higher_is_better { base.median - cand.median } else { cand.median - base.median };
        let regression = if base.median != 0.0 { delta / base.median.abs() } else { 0.0 };
        // A tiny epsilon keeps "exactly 5% slower at max 5%" on the passing side
        // despite floating-point rounding; a NaN (no usable numbers) regresses.
        let over = regression.is_nan() || regression > max_regression + 1e-12;
        // A regression must also stand out of the noise: every candidate run
        // worse than every baseline run. With one run each this is the
        // medians' comparison; with five it keeps a loaded machine's jitter on
        // one of many metrics from failing a task.
        let separated = if base.higher_is_better { cand.max < base.min } else { cand.min > base.max };
        let regressed = regression.is_nan() || (over && separated);
        MetricComparison {
            name: base.name.clone(),
            unit: base.unit.clone(),
            baseline_median: base.median,
            baseline_spread: base.spread,
            median: cand.median,
            spread: cand.spread,
            regression,
            max_regression,
            regressed,
            within_noise: over && !regressed,
        }
    }

    /// `kernel 120 ms ±1.0% vs 100 ms ±0.5%: 20.0% worse (max 5.0%)`.
    pub fn describe(&self) -> String {
        let unit = if self.unit.is_empty() { String::new() } else { format!(" {}", self.unit) };
        let change = if self.regression > 0.0 {
            format!("{:.1}% worse", self.regression * 100.0)
        } else {
            format!("{:.1}% better", -self.regression * 100.0)
        };
        let noise = if self.within_noise { "; within noise, the runs overlap" } else { "" };
        format!(
            "{} {}{unit} ±{:.1}% vs {}{unit} ±{:.1}%: {change} (max {:.1}%){noise}",
            self.name,
            fmt_num(self.median),
            self.spread * 100.0,
            fmt_num(self.baseline_median),
            self.baseline_spread * 100.0,
            self.max_regression * 100.0
        )
    }
}

/// A number with at most 4 decimals and no trailing zeros: how bench
/// medians are written, here and in molt's reports.
pub fn fmt_num(x: f64) -> String {
    if x.is_finite() && x == x.trunc() && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let s = format!("{x:.4}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests;
