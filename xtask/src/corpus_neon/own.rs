//! The corpus projects' own builds and tests: each project's `molt.toml`
//! (beside this file) has checks that build it with its own build system,
//! natively and for aarch64, and run its own tests, the aarch64 ones under
//! `qemu-aarch64 -L /usr/aarch64-linux-gnu`. The checks run through
//! molt-verify, as `molt run` runs them, so their test counts are read the
//! same way (CTest's summary, or the exit code where a runner prints none).
//!
//! Where a crate ships the library without its tests, the missing pieces
//! come pinned by version and SHA-256 from another registry (PyPI's sdist of
//! the same project) or from a crate that bundles a dependency's sources.

use std::path::Path;

use anyhow::{Context, Result};
use molt_core::{CheckKind, Spec};
use molt_verify::{run_check, CheckResult, RunOptions};

use crate::corpus_syntax::{self, Member};

/// A project's own build and tests.
pub(crate) struct OwnTests {
    /// The project's `molt.toml`, written into its root.
    pub(crate) spec: &'static str,
    /// What the tests need that the crate lacks.
    pub(crate) deps: &'static [Dep],
}

/// A file or folder of a pinned archive, copied into the project.
pub(crate) struct Dep {
    pub(crate) member: Member,
    /// Inside the archive's root.
    pub(crate) from: &'static str,
    /// Inside the project.
    pub(crate) to: &'static str,
}

/// What the project's own checks said.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) results: Vec<CheckResult>,
}

impl Outcome {
    /// The named check's result.
    fn get(&self, name: &str) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.name == name)
    }

    /// "yes" or why not, for the aarch64 build.
    pub(crate) fn arm_build(&self) -> String {
        match self.get("build-aarch64") {
            Some(r) if r.passed => "yes".to_owned(),
            Some(r) => {
                let error = r.output.lines().find(|l| l.contains("error")).unwrap_or("").trim();
                format!("no ({}: {})", r.message.as_deref().unwrap_or("failed"), error.replace('|', "/"))
            }
            None => "not run".to_owned(),
        }
    }

    /// "passed/total" of the aarch64 tests under qemu, from the runner's own
    /// summary, or the test program's exit where it prints none.
    pub(crate) fn arm_tests(&self) -> String {
        tests_text(self.get("test-aarch64-qemu"))
    }

    /// Whether the aarch64 build chooses the ported kernels: the project's
    /// check `dispatch-aarch64-qemu` (a program that asks the project's own
    /// dispatcher, under qemu), with the last line it printed.
    pub(crate) fn arm_dispatch(&self) -> String {
        match self.get("dispatch-aarch64-qemu") {
            None => "no check".to_owned(),
            Some(r) => {
                let said = r.output.lines().rev().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
                let said: String = said.chars().take(80).collect::<String>().replace('|', "/");
                format!("{} ({said})", if r.passed { "yes" } else { "no" })
            }
        }
    }

    pub(crate) fn x86_tests(&self) -> String {
        tests_text(self.get("test-x86-64"))
    }
}

fn tests_text(r: Option<&CheckResult>) -> String {
    match r {
        None => "not run".to_owned(),
        Some(r) => match &r.counts {
            Some(c) => format!("{}/{}", c.passed, c.passed + c.failed),
            None if r.passed => "1/1 (exit 0)".to_owned(),
            None => format!("0/1 ({})", r.message.as_deref().unwrap_or("failed")),
        },
    }
}

/// Writes the project's `molt.toml` into `work` (before the port, as a user
/// would have it).
pub(crate) fn write_spec(own: &OwnTests, work: &Path) -> Result<Spec> {
    let spec = Spec::parse("molt.toml", own.spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(work.join("molt.toml"), own.spec).context("writing molt.toml")?;
    Ok(spec)
}

/// Brings in the tests' pinned dependencies and runs every check of the
/// spec in `work`, in order; a test check whose build failed is not run.
pub(crate) fn run(own: &OwnTests, spec: &Spec, work: &Path) -> Result<Outcome> {
    for dep in own.deps {
        let root = corpus_syntax::fetch(&dep.member)?;
        let from = root.join(dep.from);
        let to = work.join(dep.to);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if from.is_dir() {
            super::copy_without(&from, &to, &[])?;
        } else {
            std::fs::copy(&from, &to).with_context(|| format!("copying {}", from.display()))?;
        }
    }
    let options = RunOptions::default();
    let mut outcome = Outcome::default();
    let mut build_ok = true;
    for check in &spec.checks {
        if check.kind == CheckKind::Build {
            let r = run_check(check, work, &options);
            build_ok = r.passed;
            outcome.results.push(r);
        } else if build_ok {
            outcome.results.push(run_check(check, work, &options));
        }
    }
    Ok(outcome)
}
