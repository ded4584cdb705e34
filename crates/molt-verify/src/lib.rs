//! molt-verify: runs the spec's checks (build, test, bench, diff) as child
//! processes with timeouts and a scrubbed environment, parses their results,
//! keeps baselines and judges a candidate tree against them. Two more check
//! kinds and options prove a port to an XLA device: `absent` (no line of the
//! checked files matches the spec's patterns, `absent.rs`) and
//! `max_compiles_after_warmup` (the recompilation gate, `compiles.rs`).
//!
//! It must not edit code or touch git: it only observes a tree. It knows the
//! spec's [`molt_core::Check`] and nothing of plans, agents or models.
//!
//! # Design
//!
//! - **One child process per run**, `sh -c <run>` in its own process group, with
//!   the working directory set to the tree under test and an environment built
//!   from an allowlist ([`check_env`]): secrets, AWS credentials and molt's own
//!   `MOLT_*` settings never reach a check. When the check exits or its timeout
//!   passes, the whole group is killed, so a check cannot leave daemons behind
//!   or hang past its limit through a grandchild. Where the platform allows
//!   it the check has no network, and its memory, CPU time and process count
//!   are bounded ([`sandbox`] says how and why); the result records whether
//!   the network was cut off. The exit is observed without
//!   reaping the child first, so the group id cannot be reused by an unrelated
//!   process before the kill.
//! - **Bounded memory**: stdout and stderr are drained on threads; only a tail of
//!   each (64 KiB by default) is kept, plus the lines that test summaries and
//!   benchmark metrics are parsed from, so a check printing gigabytes costs
//!   nothing but time, and test counts stay exact however long the output.
//! - **Pure parsers** ([`parse_test_output`], [`parse_bench_lines`],
//!   [`compare_outputs`]) take text and return data, which keeps them testable
//!   with many small cases.
//! - **Judging is separate from running**: [`run_check`] reports what happened;
//!   [`judge`] applies the guards against a [`Baseline`] (failing-in-baseline
//!   checks do not block, a drop in test count fails, a benchmark regression past
//!   `max_regression` fails). A scheduler can therefore store raw results in
//!   events and judge them again later.
//!
//! Everything here is synchronous and holds no global state, so many threads
//! may run checks at once (each in its own tree).
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod absent;
mod baseline;
mod bench;
mod check;
pub mod compile_db;
mod compiles;
mod diff;
mod env;
mod judge;
mod parse;
mod process;
mod result;
mod sandbox;

use std::path::PathBuf;

pub use baseline::Baseline;
pub use bench::{fmt_num, parse_bench_lines, summarize_runs, BenchSample, MetricComparison};
pub use check::{run_check, run_checks, RunOptions};
pub use compiles::parse_compiles;
pub use diff::{compare_outputs, Tolerance};
pub use env::{check_env, is_secret_name, ALLOWED_ENV};
pub use judge::{judge, Outcome, Verdict};
pub use parse::{parse_test_output, TestSummary};
pub use process::kill_running_checks;
pub use result::{
    BenchMetric, BenchResult, CheckResult, CheckResultBuilder, Compiles, DiffReport, Difference, Status, TestCounts,
    TestFormat,
};
pub use sandbox::{network_isolation_available, DEFAULT_CPU_SECS, DEFAULT_MEMORY_MB, DEFAULT_NICE, DEFAULT_PROCESSES};

/// Everything that can go wrong in this crate outside a check itself (a check
/// that fails is a [`CheckResult`], not an error).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a valid baseline file: {source}", path.display())]
    BadBaseline {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("bad glob \"{glob}\": {message}")]
    Glob { glob: String, message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
