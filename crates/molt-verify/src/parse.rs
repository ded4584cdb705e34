//! Test runners' summaries, read from their output: cargo test, cargo nextest,
//! pytest, ctest, go test, and the plain line `N passed, M failed`.
//!
//! Each format has its own small parser; [`parse_test_output`] tries them from
//! the most specific to the least (nextest and pytest summaries also contain
//! `N passed, M failed`, so the plain parser goes last). Counts from several
//! summaries of one format (one per cargo test binary, one per go package) add
//! up.

use std::sync::LazyLock;

use regex::Regex;

use crate::result::{TestCounts, TestFormat};

/// Counts plus the failing tests' names, where the format gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSummary {
    pub counts: TestCounts,
    pub failing: Vec<String>,
}

/// Reads test counts and failing names from a check's output, or `None` when no
/// known summary is in it (then the exit code alone decides).
pub fn parse_test_output(text: &str) -> Option<TestSummary> {
    nextest(text)
        .or_else(|| cargo(text))
        .or_else(|| pytest(text))
        .or_else(|| ctest(text))
        .or_else(|| go(text))
        .or_else(|| plain(text))
}

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this file, covered by its tests.
    Regex::new(pattern).unwrap_or_else(|e| panic!("bad built-in pattern {pattern}: {e}"))
}

fn num(s: &str) -> u64 {
    s.parse().unwrap_or(0)
}

fn push_unique(names: &mut Vec<String>, name: &str) {
    let name = name.trim();
    if !name.is_empty() && !names.iter().any(|n| n == name) {
        names.push(name.to_owned());
    }
}

fn summary(format: TestFormat, passed: u64, failed: u64, skipped: u64, failing: Vec<String>) -> TestSummary {
    TestSummary { counts: TestCounts { format, passed, failed, skipped }, failing }
}

/// `test result: FAILED. 3 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out; ...`
/// and `test tests::x ... FAILED`.
fn cargo(text: &str) -> Option<TestSummary> {
    static RESULT: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?m)^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored"));
    static FAILED: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^test (.+?) \.\.\. FAILED\s*$"));
    let (mut passed, mut failed, mut skipped, mut any) = (0, 0, 0, false);
    for c in RESULT.captures_iter(text) {
        any = true;
        passed += num(&c[1]);
        failed += num(&c[2]);
        skipped += num(&c[3]);
    }
    if !any {
        return None;
    }
    let mut failing = Vec::new();
    for c in FAILED.captures_iter(text) {
        push_unique(&mut failing, &c[1]);
    }
    Some(summary(TestFormat::Cargo, passed, failed, skipped, failing))
}

/// `Summary [   0.012s] 4 tests run: 3 passed (1 slow), 1 failed, 2 skipped`
/// and `FAIL [   0.003s] (1/4) my-crate tests::x`.
fn nextest(text: &str) -> Option<TestSummary> {
    static SUMMARY: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?m)^\s*Summary \[[^\]]*\]\s+\d+(?:/\d+)? tests? run: (.*)$"));
    static PART: LazyLock<Regex> = LazyLock::new(|| re(r"(\d+) (passed|failed|timed out|skipped)"));
    static FAIL: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?m)^\s*(?:TRY \d+ )?(?:FAIL|TIMEOUT|SIGSEGV|SIGABRT|SIGBUS|SIGKILL|ABORT)\s*\[\s*[\d.]+m?s\]\s*(?:\(\s*\d+/\d+\)\s*)?(.+?)\s*$",
        )
    });
    let rest = SUMMARY.captures_iter(text).last()?.get(1)?.as_str().to_owned();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for c in PART.captures_iter(&rest) {
        match &c[2] {
            "passed" => passed += num(&c[1]),
            "skipped" => skipped += num(&c[1]),
            _ => failed += num(&c[1]),
        }
    }
    let mut failing = Vec::new();
    for c in FAIL.captures_iter(text) {
        push_unique(&mut failing, &c[1]);
    }
    Some(summary(TestFormat::Nextest, passed, failed, skipped, failing))
}

/// `==== 3 passed, 1 failed, 2 skipped in 0.12s ====` and
/// `FAILED tests/test_a.py::test_x - AssertionError`.
fn pytest(text: &str) -> Option<TestSummary> {
    static SUMMARY: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?m)^=*\s*((?:\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed|warnings?|deselected|rerun)(?:, )?)+|no tests ran)\s+in [\d.]+s\b",
        )
    });
    static PART: LazyLock<Regex> = LazyLock::new(|| re(r"(\d+) (\w+)"));
    static FAILED: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^(?:FAILED|ERROR) (\S+)"));
    let caps = SUMMARY.captures_iter(text).last()?;
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for c in PART.captures_iter(&caps[1]) {
        let n = num(&c[1]);
        match &c[2] {
            "passed" | "xpassed" => passed += n,
            "failed" | "error" | "errors" => failed += n,
            "skipped" | "xfailed" => skipped += n,
            _ => {}
        }
    }
    let mut failing = Vec::new();
    for c in FAILED.captures_iter(text) {
        push_unique(&mut failing, &c[1]);
    }
    Some(summary(TestFormat::Pytest, passed, failed, skipped, failing))
}

/// `75% tests passed, 1 tests failed out of 4`, then after
/// `The following tests FAILED:` lines like `2 - kernels (Failed)`.
fn ctest(text: &str) -> Option<TestSummary> {
    static SUMMARY: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?m)^\s*\d+% tests passed, (\d+) tests? failed out of (\d+)"));
    static NAME: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*\d+ - (.+?) \(([^()]*)\)\s*$"));
    let caps = SUMMARY.captures_iter(text).last()?;
    let failed = num(&caps[1]);
    let total = num(&caps[2]);
    let mut failing = Vec::new();
    let mut skipped = 0;
    let mut in_list = false;
    for line in text.lines() {
        if line.contains("The following tests FAILED:") {
            in_list = true;
            continue;
        }
        if line.contains("The following tests did not run:") {
            in_list = false;
            continue;
        }
        match NAME.captures(line) {
            Some(c) if in_list => push_unique(&mut failing, &c[1]),
            Some(c) if &c[2] == "Disabled" || &c[2] == "Skipped" => skipped += 1,
            _ => {}
        }
    }
    Some(summary(TestFormat::Ctest, total.saturating_sub(failed), failed, skipped, failing))
}

/// `--- PASS: TestX (0.00s)`, `--- FAIL: TestY/sub (0.00s)`, `--- SKIP: ...`, and
/// the package lines `ok  pkg 0.01s` / `FAIL pkg 0.01s`. Without `go test -v`
/// passing tests are not listed, so only failures are counted.
fn go(text: &str) -> Option<TestSummary> {
    static CASE: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^\s*--- (PASS|FAIL|SKIP): (\S+)"));
    static PKG: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^(ok|FAIL)\s+(\S+)\s+(?:[\d.]+s|\(cached\)|\[[^\]]*\])"));
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut failing = Vec::new();
    let mut any = false;
    for c in CASE.captures_iter(text) {
        any = true;
        match &c[1] {
            "PASS" => passed += 1,
            "FAIL" => {
                failed += 1;
                push_unique(&mut failing, &c[2]);
            }
            _ => skipped += 1,
        }
    }
    let mut failed_pkgs = Vec::new();
    for c in PKG.captures_iter(text) {
        any = true;
        if &c[1] == "FAIL" {
            failed_pkgs.push(c[2].to_owned());
        }
    }
    if !any {
        return None;
    }
    // A package that failed without a failing test (it did not build, or its
    // TestMain exited) still has to count as a failure.
    if failed == 0 && !failed_pkgs.is_empty() {
        failed = failed_pkgs.len() as u64;
        for pkg in &failed_pkgs {
            push_unique(&mut failing, pkg);
        }
    }
    Some(summary(TestFormat::Go, passed, failed, skipped, failing))
}

/// `N passed, M failed` (optionally `, K skipped`) anywhere in a line, summed
/// over lines; failing names from lines `FAIL name...` or `FAILED: name`.
fn plain(text: &str) -> Option<TestSummary> {
    static COUNTS: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(\d+) passed,\s*(\d+) failed(?:,\s*(\d+) skipped)?"));
    static FAIL: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^\s*FAIL(?:ED)?:?\s+([^\s:]+)"));
    let (mut passed, mut failed, mut skipped, mut any) = (0, 0, 0, false);
    for c in COUNTS.captures_iter(text) {
        any = true;
        passed += num(&c[1]);
        failed += num(&c[2]);
        skipped += c.get(3).map_or(0, |m| num(m.as_str()));
    }
    if !any {
        return None;
    }
    let mut failing = Vec::new();
    for c in FAIL.captures_iter(text) {
        push_unique(&mut failing, &c[1]);
    }
    Some(summary(TestFormat::Plain, passed, failed, skipped, failing))
}

#[cfg(test)]
mod tests;
