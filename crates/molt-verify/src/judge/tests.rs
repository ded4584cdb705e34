use super::*;
use crate::bench::{summarize_runs, BenchSample};
use crate::result::{BenchResult, TestCounts, TestFormat};

fn check_of(kind: CheckKind) -> Check {
    Check {
        name: "c".into(),
        run: "true".into(),
        kind,
        timeout_secs: 60,
        env: Default::default(),
        runs: None,
        max_regression: None,
        reference: None,
        rel_tol: None,
        abs_tol: None,
        ulps: None,
        max_compiles_after_warmup: None,
        patterns: Vec::new(),
        files: Vec::new(),
        exclude: None,
        sandbox: Default::default(),
    }
}

fn result(kind: CheckKind, status: Status, counts: Option<(u64, u64)>) -> CheckResult {
    let mut r = CheckResult::builder("c", kind)
        .exited(if status == Status::Pass { 0 } else { 1 })
        .status(status)
        .duration_ms(5)
        .network_isolated(true);
    if let Some((passed, failed)) = counts {
        r = r.counts(TestCounts { format: TestFormat::Plain, passed, failed, skipped: 0 });
    }
    r.build()
}

fn bench(kind: CheckKind, value: f64) -> CheckResult {
    let mut r = result(kind, Status::Pass, None);
    let samples = vec![vec![BenchSample { name: "dot".into(), value, unit: "ns".into() }]];
    r.bench = Some(BenchResult { runs: 1, metrics: summarize_runs(&samples) });
    r
}

#[track_caller]
fn check(base: Option<CheckResult>, now: CheckResult, spec: &Check, expect: &str) {
    let baseline = Baseline::from_results(base, None);
    let v = judge(&baseline, &now, spec);
    let got = format!("{}{} | {}", v.outcome.as_str(), if v.blocking { " (blocks)" } else { "" }, v.detail());
    assert_eq!(got, expect);
}

#[test]
fn without_a_baseline_the_result_decides() {
    let t = check_of(CheckKind::Test);
    check(None, result(CheckKind::Test, Status::Pass, Some((3, 0))), &t, "pass | 3 passed, 0 failed");
    check(
        None,
        result(CheckKind::Test, Status::Fail, Some((2, 1))),
        &t,
        "fail (blocks) | 2 passed, 1 failed; exit code 1",
    );
}

#[test]
fn failing_in_the_baseline_does_not_block_and_is_fixed_only_when_passing() {
    let t = check_of(CheckKind::Test);
    let base = || Some(result(CheckKind::Test, Status::Fail, Some((1, 2))));
    check(
        base(),
        result(CheckKind::Test, Status::Fail, Some((2, 1))),
        &t,
        "still failing | 2 passed, 1 failed (baseline ran 3); exit code 1; already failing in the baseline, so it does not block",
    );
    check(
        base(),
        result(CheckKind::Test, Status::Pass, Some((3, 0))),
        &t,
        "fixed | 3 passed, 0 failed (baseline ran 3)",
    );
}

#[test]
fn fewer_tests_than_the_baseline_fail() {
    let t = check_of(CheckKind::Test);
    let base = || Some(result(CheckKind::Test, Status::Pass, Some((3, 0))));
    check(
        base(),
        result(CheckKind::Test, Status::Pass, Some((2, 0))),
        &t,
        "fail (blocks) | 2 passed, 0 failed (baseline ran 3); ran 2 tests, fewer than the 3 of the baseline",
    );
    check(
        base(),
        result(CheckKind::Test, Status::Pass, None),
        &t,
        "fail (blocks) | the test count could not be read, and the baseline ran 3 tests",
    );
    check(
        base(),
        result(CheckKind::Test, Status::Pass, Some((4, 0))),
        &t,
        "pass | 4 passed, 0 failed (baseline ran 3)",
    );
}

#[test]
fn newly_failing_tests_are_named() {
    let t = check_of(CheckKind::Test);
    let mut base = result(CheckKind::Test, Status::Fail, Some((2, 1)));
    base.failing = vec!["a".into()];
    let mut now = result(CheckKind::Test, Status::Fail, Some((1, 2)));
    now.failing = vec!["a".into(), "b".into()];
    check(
        Some(base),
        now,
        &t,
        "still failing | 1 passed, 2 failed (baseline ran 3); exit code 1; newly failing: b; already failing in the baseline, so it does not block",
    );
}

#[test]
fn benchmark_gate_shows_the_spread() {
    let mut b = check_of(CheckKind::Bench);
    b.max_regression = Some(0.05);
    check(
        Some(bench(CheckKind::Bench, 100.0)),
        bench(CheckKind::Bench, 120.0),
        &b,
        "fail (blocks) | dot 120 ns ±0.0% vs 100 ns ±0.0%: 20.0% worse (max 5.0%); benchmark \"dot\" regressed past the allowed 5.0%",
    );
    b.max_regression = Some(0.5);
    check(
        Some(bench(CheckKind::Bench, 100.0)),
        bench(CheckKind::Bench, 120.0),
        &b,
        "pass | dot 120 ns ±0.0% vs 100 ns ±0.0%: 20.0% worse (max 50.0%)",
    );
    check(None, bench(CheckKind::Bench, 120.0), &b, "pass | dot 120 ns ±0.0%");
    let mut missing = bench(CheckKind::Bench, 1.0);
    if let Some(bench) = &mut missing.bench {
        bench.metrics[0].name = "other".into();
    }
    check(
        Some(bench(CheckKind::Bench, 100.0)),
        missing,
        &b,
        "fail (blocks) | other 1 ns ±0.0%; benchmark metric \"dot\" of the baseline is missing",
    );
}

/// Outcomes kept as text (state file, reports) read back as the same
/// outcome; only pass and fixed count as passing.
#[test]
fn an_outcome_reads_back_from_its_name() {
    for o in [Outcome::Pass, Outcome::Fixed, Outcome::Fail, Outcome::StillFailing] {
        assert_eq!(Outcome::from_name(o.as_str()), Some(o));
    }
    assert_eq!(Outcome::from_name("passed"), None);
    let passing: Vec<&str> = [Outcome::Pass, Outcome::Fixed, Outcome::Fail, Outcome::StillFailing]
        .into_iter()
        .filter(|o| o.passed())
        .map(Outcome::as_str)
        .collect();
    assert_eq!(passing, ["pass", "fixed"]);
}

#[test]
fn detail_names_compiles_after_warmup_and_how_close_a_diff_came() {
    let mut xla = result(CheckKind::Test, Status::Pass, None);
    xla.compiles = Some(crate::result::Compiles { warmup: 5, end: 5 });
    check(None, xla, &check_of(CheckKind::Test), "pass | 0 compiles after warm-up (5 in warm-up)");
    let report = |numbers, abs| crate::result::DiffReport {
        equal: true,
        reference_lines: 17,
        candidate_lines: 17,
        numbers_compared: numbers,
        differing_lines: 0,
        differences: Vec::new(),
        max_abs_err: abs,
        max_rel_err: abs / 4.0,
        max_ulps: 0,
    };
    let mut diff = result(CheckKind::Diff, Status::Pass, None);
    diff.diff = Some(report(4, 1e-6));
    check(
        None,
        diff.clone(),
        &check_of(CheckKind::Diff),
        "pass | 17 lines match (largest difference: abs 1.0e-6, rel 2.5e-7)",
    );
    diff.diff = Some(report(0, 0.0));
    check(None, diff, &check_of(CheckKind::Diff), "pass | 17 lines identical");
}
