//! Running a spec check in a tree and turning what happened into a
//! [`CheckResult`].

use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use molt_core::{Check, CheckKind};
use regex::Regex;

use crate::absent;
use crate::bench::{parse_bench_lines, summarize_runs, BenchSample};
use crate::compiles;
use crate::diff::{compare_outputs, render, Tolerance};
use crate::env::check_env;
use crate::parse::parse_test_output;
use crate::process::{self, Captured, Finished, Spawn};
use crate::result::{BenchResult, CheckResult, Status};
use crate::sandbox::Limits;

/// Knobs for running checks; the defaults suit both people and models.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Bytes of each of stdout and stderr kept (the tail); the rest is counted
    /// and dropped.
    pub output_cap: usize,
    /// Bytes of output put in [`CheckResult::output`], the excerpt a model reads.
    pub excerpt_bytes: usize,
    /// Largest stdout a diff check compares; a larger one is an error.
    pub diff_output_cap: usize,
    /// Overrides every bench check's `runs` (e.g. 1 for a quick local look).
    pub bench_runs: Option<u32>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self { output_cap: 64 * 1024, excerpt_bytes: 12 * 1024, diff_output_cap: 16 * 1024 * 1024, bench_runs: None }
    }
}

/// Runs the checks one after another in `worktree`.
pub fn run_checks(checks: &[Check], worktree: &Path, options: &RunOptions) -> Vec<CheckResult> {
    checks.iter().map(|c| run_check(c, worktree, options)).collect()
}

/// Runs one check in `worktree` and reports what happened. Never panics and
/// never returns an error: a check that cannot start is a result with status
/// `error`. Safe to call from many threads at once.
pub fn run_check(check: &Check, worktree: &Path, options: &RunOptions) -> CheckResult {
    let mut result = CheckResult::builder(&check.name, check.kind).build();
    let dir = match worktree.canonicalize() {
        Ok(dir) if dir.is_dir() => dir,
        Ok(dir) => return error(result, format!("{} is not a folder", dir.display())),
        Err(e) => return error(result, format!("cannot run in {}: {e}", worktree.display())),
    };
    let env = check_env(std::env::vars_os(), &check.env);
    let timeout = Duration::from_secs(check.timeout_secs.max(1));
    let limits = Limits::of(&check.sandbox, check.kind);
    let spawn = |script: &'_ str, cap: usize| {
        process::run(&Spawn { script, dir: &dir, env: &env, timeout, cap, limits })
            .map_err(|e| format!("could not start `sh -c {script}`: {e}"))
    };
    match check.kind {
        CheckKind::Build | CheckKind::Test => match spawn(&check.run, options.output_cap) {
            Ok(run) => {
                let result = finish_plain(result, &run, options);
                compiles::gate(check, result, &run.summary_text())
            }
            Err(e) => error(result, e),
        },
        CheckKind::Absent => absent::run(check, &dir, result),
        CheckKind::Bench => {
            let runs = options.bench_runs.unwrap_or_else(|| check.bench_runs()).max(1);
            let mut samples: Vec<Vec<BenchSample>> = Vec::new();
            let mut total = Duration::ZERO;
            let mut last = None;
            for i in 0..runs {
                let run = match spawn(&check.run, options.output_cap) {
                    Ok(run) => run,
                    Err(e) => return error(result, e),
                };
                total += run.duration;
                result.output_bytes += run.stdout.total + run.stderr.total;
                if !run.success() {
                    result.duration_ms = millis(total);
                    let mut result = finish_plain(result, &run, options);
                    if let Some(m) = &mut result.message {
                        *m = format!("run {} of {runs}: {m}", i + 1);
                    }
                    return result;
                }
                let mut found = parse_bench_lines(&run.summary_text());
                if found.is_empty() {
                    found.push(BenchSample {
                        name: "wall".into(),
                        value: run.duration.as_secs_f64(),
                        unit: "s".into(),
                    });
                }
                samples.push(found);
                last = Some(run);
            }
            let Some(run) = last else { return error(result, "no bench run".to_owned()) };
            let output_bytes = result.output_bytes;
            let mut result = finish_plain(result, &run, options);
            result.output_bytes = output_bytes;
            result.duration_ms = millis(total);
            result.bench = Some(BenchResult { runs, metrics: summarize_runs(&samples) });
            result
        }
        CheckKind::Diff => {
            let Some(reference) = check.reference.as_deref() else {
                return error(result, "a diff check needs a `reference` command".to_owned());
            };
            let reference = match spawn(reference, options.diff_output_cap) {
                Ok(run) => run,
                Err(e) => return error(result, e),
            };
            if !reference.success() {
                let why = describe_exit(&reference);
                let mut result = error(result, format!("the reference command failed: {why}"));
                result.output = excerpt(&reference.stdout, &reference.stderr, options.excerpt_bytes);
                return result;
            }
            let candidate = match spawn(&check.run, options.diff_output_cap) {
                Ok(run) => run,
                Err(e) => return error(result, e),
            };
            result.duration_ms = millis(reference.duration + candidate.duration);
            if !candidate.success() {
                let mut result = finish_plain(result, &candidate, options);
                result.duration_ms = millis(reference.duration + candidate.duration);
                return result;
            }
            for (who, run) in [("reference", &reference), ("candidate", &candidate)] {
                if run.stdout.truncated() {
                    return error(
                        result,
                        format!(
                            "the {who}'s output ({} bytes) is larger than the {} bytes a diff check compares",
                            run.stdout.total, options.diff_output_cap
                        ),
                    );
                }
            }
            let report = compare_outputs(
                &String::from_utf8_lossy(&reference.stdout.tail),
                &String::from_utf8_lossy(&candidate.stdout.tail),
                &Tolerance::of(check),
            );
            result.exit_code = candidate.exit_code;
            result.network_isolated = candidate.network_isolated;
            result.output_bytes = candidate.stdout.total + candidate.stderr.total;
            if report.equal {
                result.status = Status::Pass;
                result.output = excerpt(&Captured::default(), &candidate.stderr, options.excerpt_bytes);
            } else {
                result.status = Status::Fail;
                result.message = Some(match report.differing_lines {
                    1 => "1 line differs from the reference".to_owned(),
                    n => format!("{n} lines differ from the reference"),
                });
                let mut text = render(&report);
                text.truncate(floor_char_boundary(&text, options.excerpt_bytes));
                result.output = text;
            }
            result.passed = result.status == Status::Pass;
            result.diff = Some(report);
            result
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn error(mut result: CheckResult, message: String) -> CheckResult {
    result.status = Status::Error;
    result.passed = false;
    result.message = Some(message);
    result
}

/// The message of a check whose own process died of SIGKILL that molt did not
/// send: the kernel's out-of-memory killer or a person, not the code under
/// test (a crash of the code is SIGSEGV, SIGABRT, SIGBUS and the like).
pub(crate) const KILLED_FROM_OUTSIDE: &str = "killed by SIGKILL from outside molt (out of memory?)";

fn describe_exit(run: &Finished) -> String {
    if let Some(why) = &run.stopped_for {
        why.clone()
    } else if run.timed_out {
        format!("killed at its timeout after {:.1}s, with all its child processes", run.duration.as_secs_f64())
    } else {
        match run.exit_code {
            Some(code) => format!("exit code {code}"),
            None => match run.signal {
                Some(libc::SIGKILL) => KILLED_FROM_OUTSIDE.to_owned(),
                Some(n) => format!("killed by signal {n}"),
                None => "killed by a signal".to_owned(),
            },
        }
    }
}

/// Fills a result from a run whose verdict comes from its exit code and, where
/// the output has one, its test summary.
fn finish_plain(mut result: CheckResult, run: &Finished, options: &RunOptions) -> CheckResult {
    result.exit_code = run.exit_code;
    result.network_isolated = run.network_isolated;
    result.duration_ms = millis(run.duration);
    result.output_bytes = run.stdout.total + run.stderr.total;
    result.output = excerpt(&run.stdout, &run.stderr, options.excerpt_bytes);
    if result.kind == CheckKind::Test || result.kind == CheckKind::Build {
        if let Some(summary) = parse_test_output(&run.summary_text()) {
            result.counts = Some(summary.counts);
            result.failing = summary.failing;
        }
    }
    let failed_tests = result.counts.map_or(0, |c| c.failed);
    result.status = if run.timed_out {
        Status::Timeout
    } else if run.exit_code == Some(0) && failed_tests == 0 {
        Status::Pass
    } else {
        Status::Fail
    };
    result.passed = result.status == Status::Pass;
    if !result.passed {
        let mut why = describe_exit(run);
        if failed_tests > 0 {
            why = format!("{failed_tests} tests failed, {why}");
        }
        result.message = Some(why);
    }
    result
}

/// Removes ANSI escape sequences (colors, cursor moves).
pub(crate) fn strip_ansi(text: &str) -> String {
    static ANSI: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
            .unwrap_or_else(|e| panic!("bad built-in pattern: {e}"))
    });
    if text.contains('\x1b') {
        ANSI.replace_all(text, "").into_owned()
    } else {
        text.to_owned()
    }
}

fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    if at >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The last `budget` bytes of a stream, starting at a line boundary when one is
/// near, with a note of what was cut.
fn tail_text(stream: &Captured, budget: usize) -> String {
    let text = strip_ansi(&String::from_utf8_lossy(&stream.tail));
    if text.len() <= budget && !stream.truncated() {
        return text;
    }
    let mut start = text.len().saturating_sub(budget);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    if let Some(nl) = text[start..].find('\n') {
        if nl < 200 {
            start += nl + 1;
        }
    }
    let kept = &text[start..];
    let omitted = stream.total.saturating_sub(kept.len() as u64);
    format!("[... {omitted} earlier bytes omitted ...]\n{kept}")
}

/// The output a model reads: stdout's tail then stderr's, within `budget`
/// bytes, each labelled when both have something.
fn excerpt(stdout: &Captured, stderr: &Captured, budget: usize) -> String {
    let (out_len, err_len) = (stdout.tail.len(), stderr.tail.len());
    if err_len == 0 {
        return tail_text(stdout, budget);
    }
    if out_len == 0 {
        return tail_text(stderr, budget);
    }
    // Split the budget, giving what one stream does not need to the other.
    let half = budget / 2;
    let (out_budget, err_budget) = if out_len < half {
        (out_len, budget - out_len)
    } else if err_len < half {
        (budget - err_len, err_len)
    } else {
        (half, budget - half)
    };
    format!("--- stdout ---\n{}\n--- stderr ---\n{}", tail_text(stdout, out_budget), tail_text(stderr, err_budget))
}
