//! [`CheckResultBuilder`]: a [`CheckResult`] made field by field, for the
//! checks that fill one in as they run and for tests.

use molt_core::CheckKind;

use super::{BenchResult, CheckResult, Compiles, DiffReport, Status, TestCounts};

impl CheckResult {
    /// A result of check `name` of kind `kind` that has not run yet: status
    /// [`Status::Error`], not passed, no exit code, nothing measured, not
    /// known to have been cut off from the network. Set what is known, then
    /// [`CheckResultBuilder::build`].
    pub fn builder(name: impl Into<String>, kind: CheckKind) -> CheckResultBuilder {
        CheckResultBuilder {
            result: CheckResult {
                name: name.into(),
                kind,
                passed: false,
                status: Status::Error,
                exit_code: None,
                duration_ms: 0,
                counts: None,
                failing: Vec::new(),
                message: None,
                output: String::new(),
                output_bytes: 0,
                bench: None,
                diff: None,
                compiles: None,
                network_isolated: false,
            },
        }
    }
}

/// Builds a [`CheckResult`] ([`CheckResult::builder`]).
#[derive(Debug, Clone)]
#[must_use]
pub struct CheckResultBuilder {
    result: CheckResult,
}

impl CheckResultBuilder {
    /// The status; `passed` follows it (`status == Pass`).
    pub fn status(mut self, status: Status) -> Self {
        self.result.status = status;
        self.result.passed = status == Status::Pass;
        self
    }

    /// A run that exited with `code`: the exit code, and the status it
    /// gives (0 passes, anything else fails with the message `exit code N`).
    pub fn exited(self, code: i32) -> Self {
        let this = self.exit_code(Some(code));
        if code == 0 {
            this.status(Status::Pass)
        } else {
            this.status(Status::Fail).message(format!("exit code {code}"))
        }
    }

    pub fn exit_code(mut self, code: Option<i32>) -> Self {
        self.result.exit_code = code;
        self
    }

    pub fn duration_ms(mut self, ms: u64) -> Self {
        self.result.duration_ms = ms;
        self
    }

    pub fn counts(mut self, counts: TestCounts) -> Self {
        self.result.counts = Some(counts);
        self
    }

    pub fn failing(mut self, tests: Vec<String>) -> Self {
        self.result.failing = tests;
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.result.message = Some(message.into());
        self
    }

    /// The output's tail, and its length as the bytes written.
    pub fn output(mut self, output: impl Into<String>) -> Self {
        self.result.output = output.into();
        self.result.output_bytes = self.result.output.len() as u64;
        self
    }

    pub fn bench(mut self, bench: BenchResult) -> Self {
        self.result.bench = Some(bench);
        self
    }

    pub fn diff(mut self, diff: DiffReport) -> Self {
        self.result.diff = Some(diff);
        self
    }

    pub fn compiles(mut self, compiles: Compiles) -> Self {
        self.result.compiles = Some(compiles);
        self
    }

    pub fn network_isolated(mut self, isolated: bool) -> Self {
        self.result.network_isolated = isolated;
        self
    }

    pub fn build(self) -> CheckResult {
        self.result
    }
}
