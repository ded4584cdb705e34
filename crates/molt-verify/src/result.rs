//! What running a check produced. These types cross boundaries (events,
//! reports, prompts, `.molt/baseline.json`), so they are plain serde data.

use molt_core::CheckKind;
use serde::{Deserialize, Serialize};

mod builder;

pub use builder::CheckResultBuilder;

/// How a check run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It ran and everything it reports passed.
    Pass,
    /// It ran and reported failure (exit code, failed tests, differing output).
    Fail,
    /// It ran past its timeout and was killed with all its children.
    Timeout,
    /// It could not be run at all (missing worktree, `sh` not startable, a diff
    /// check whose reference command failed).
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Timeout => "timeout",
            Self::Error => "error",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The test runner whose summary the counts were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestFormat {
    Cargo,
    Nextest,
    Pytest,
    Ctest,
    Go,
    /// A line `N passed, M failed` (optionally `, K skipped`).
    Plain,
}

/// Test counts read from a check's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestCounts {
    pub format: TestFormat,
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl TestCounts {
    /// Cases that actually ran (passed or failed; skipped ones did not run).
    pub fn ran(&self) -> u64 {
        self.passed + self.failed
    }
}

/// Graph compilations a program reported (`molt-compiles: warmup=W end=E`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compiles {
    /// By the end of the warm-up steps.
    pub warmup: u64,
    /// At the end of the program.
    pub end: u64,
}

impl Compiles {
    /// Compilations after the warm-up.
    pub fn after_warmup(&self) -> u64 {
        self.end.saturating_sub(self.warmup)
    }
}

/// One benchmark metric over all runs of a bench check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchMetric {
    pub name: String,
    pub unit: String,
    /// One value per run, in run order.
    pub values: Vec<f64>,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Half the range relative to the median: the `±` shown beside a verdict.
    pub spread: f64,
    /// Throughput-like units (`.../s`, `ops`, `flops`) are better when higher;
    /// everything else (times) is better when lower.
    pub higher_is_better: bool,
}

/// The metrics of a bench check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchResult {
    pub runs: u32,
    pub metrics: Vec<BenchMetric>,
}

impl BenchResult {
    pub fn metric(&self, name: &str) -> Option<&BenchMetric> {
        self.metrics.iter().find(|m| m.name == name)
    }
}

/// One line where a diff check's candidate differs from its reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// 1-based line number in both outputs.
    pub line: usize,
    pub reference: Option<String>,
    pub candidate: Option<String>,
    /// Why the line differs, in words: which number, by how much.
    pub detail: String,
}

/// The comparison of a diff check's two outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffReport {
    pub equal: bool,
    pub reference_lines: usize,
    pub candidate_lines: usize,
    /// Numbers compared pairwise.
    pub numbers_compared: usize,
    /// Lines that differ in all; only the first few are kept in `differences`.
    pub differing_lines: usize,
    pub differences: Vec<Difference>,
    /// Largest errors seen over all number pairs that were compared.
    pub max_abs_err: f64,
    pub max_rel_err: f64,
    pub max_ulps: u64,
}

/// What one run of a check produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub name: String,
    pub kind: CheckKind,
    /// `status == Pass`, for readers that want a boolean.
    pub passed: bool,
    pub status: Status,
    /// The exit code of the (last) run; absent when killed by a signal or not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    pub duration_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<TestCounts>,
    /// Names of the failing tests, where the output names them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failing: Vec<String>,
    /// Why the check did not pass, in one line, when that is known without
    /// reading the output (`killed after 5s`, `exit code 2`, `3 tests failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The tail of stdout and stderr, ANSI codes removed: what a model needs to
    /// see to fix the failure.
    pub output: String,
    /// Bytes the check wrote in all (stdout plus stderr), before any capping.
    pub output_bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bench: Option<BenchResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<DiffReport>,
    /// The graph compilations the program reported, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compiles: Option<Compiles>,
    /// Whether the check ran cut off from the network (its own network
    /// namespace). False where the platform could not isolate it, where the
    /// spec let it reach the network, and in results written before molt
    /// recorded this.
    #[serde(default)]
    pub network_isolated: bool,
}

impl CheckResult {
    /// Why the machine rather than the code failed this check, when the
    /// result shows it: the check's process killed by a SIGKILL that molt
    /// did not send, or a full disk. A task that fails on such a check
    /// failed for an environment reason.
    pub fn environment_fault(&self) -> Option<&'static str> {
        if self.passed {
            None
        } else if self.message.as_deref() == Some(crate::check::KILLED_FROM_OUTSIDE) {
            Some("a check's process was killed from outside molt")
        } else if self.output.contains("No space left on device") {
            Some("the disk is full")
        } else {
            None
        }
    }
}

impl CheckResult {
    /// Test cases that ran, when the output said.
    pub fn tests_ran(&self) -> Option<u64> {
        self.counts.map(|c| c.ran())
    }
}
