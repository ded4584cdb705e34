//! The recompilation gate: a program on an XLA device (PyTorch/XLA, and so
//! AWS Neuron) compiles a graph for every new shape of its step; a port that
//! compiles again on every step is the first performance trap on Trainium,
//! and it is invisible in a test's pass or fail.
//!
//! molt cannot see inside the program, so the program reports: it prints one
//! line `molt-compiles: warmup=W end=E`, where `W` is the number of graph
//! compilations by the end of its warm-up steps and `E` at its end (with
//! PyTorch/XLA, the sample count of `torch_xla.debug.metrics.metric_data(
//! "CompileTime")` at those two moments). A test or build check with
//! `max_compiles_after_warmup = N` fails when `E - W > N`, or when the line
//! is missing, since then nothing was proven. The last such line counts.

use std::sync::LazyLock;

use molt_core::Check;
use regex::Regex;

use crate::result::{CheckResult, Compiles, Status};

/// The marker's prefix, as the program prints it.
pub(crate) const MARKER: &str = "molt-compiles:";

/// The last `molt-compiles: warmup=W end=E` line of `text`.
pub fn parse_compiles(text: &str) -> Option<Compiles> {
    static LINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\s*molt-compiles:\s*warmup=(\d+)\s+end=(\d+)\s*$")
            .unwrap_or_else(|e| panic!("bad built-in pattern: {e}"))
    });
    let caps = LINE.captures_iter(text).last()?;
    Some(Compiles { warmup: caps[1].parse().ok()?, end: caps[2].parse().ok()? })
}

/// Records the program's compile counts in `result` and, where `check` sets
/// `max_compiles_after_warmup`, fails a passing result that breaks it.
pub(crate) fn gate(check: &Check, mut result: CheckResult, text: &str) -> CheckResult {
    result.compiles = parse_compiles(text);
    let Some(max) = check.max_compiles_after_warmup else { return result };
    if !result.passed {
        return result;
    }
    let why = match result.compiles {
        None => Some(format!(
            "the output has no `{MARKER} warmup=N end=M` line, so the compilations after warm-up \
             (at most {max} allowed) could not be counted"
        )),
        Some(c) if c.end < c.warmup => Some(format!(
            "`{MARKER} warmup={} end={}` counts fewer compilations at the end than after warm-up",
            c.warmup, c.end
        )),
        Some(c) if c.after_warmup() > max => Some(format!(
            "{} XLA graph compilations after warm-up ({} by the end of warm-up, {} at the end); at most {max} allowed",
            c.after_warmup(),
            c.warmup,
            c.end
        )),
        Some(_) => None,
    };
    if let Some(why) = why {
        result.status = Status::Fail;
        result.passed = false;
        result.message = Some(why);
    }
    result
}

#[cfg(test)]
mod tests;
