use super::*;

fn tol(rel: Option<f64>, abs: Option<f64>, ulps: Option<u64>) -> Tolerance {
    Tolerance { rel, abs, ulps }
}

#[track_caller]
fn check(reference: &str, candidate: &str, tol: Tolerance, expect: &str) {
    let report = compare_outputs(reference, candidate, &tol);
    let got = if report.equal { "equal\n".to_owned() } else { render(&report) };
    assert_eq!(got, expect);
}

#[test]
fn identical_and_reformatted_numbers_are_equal() {
    check("a 1\nb 2\n", "a 1\nb 2\n", Tolerance::default(), "equal\n");
    check("x = 1.0\n", "x = 1.00\n", Tolerance::default(), "equal\n");
    check("x = 1e3\n", "x = 1000\n", Tolerance::default(), "equal\n");
    check("nan inf -inf\n", "NaN inf -inf\n", Tolerance::default(), "equal\n");
}

#[test]
fn numbers_within_tolerance() {
    check("dot 1.000001\n", "dot 1.000002\n", tol(Some(1e-5), None, None), "equal\n");
    check("dot 0.0\n", "dot 1e-9\n", tol(None, Some(1e-8), None), "equal\n");
    let a = 0.1_f64;
    let b = f64::from_bits(a.to_bits() + 2);
    check(&format!("v {a:?}\n"), &format!("v {b:?}\n"), tol(None, None, Some(2)), "equal\n");
}

#[test]
fn numbers_outside_tolerance_are_shown() {
    check(
        "dot 1.0 2.0\n",
        "dot 1.0 2.1\n",
        tol(Some(1e-6), None, None),
        "1 of 1 lines differ (reference 1 lines, candidate 1); first 1:\n\
         line 1: 2.0 vs 2.1: abs err 0.1, rel err 0.0476, 225179981368525 ulps (tolerance: rel 1e-6)\n\
         \x20 reference: dot 1.0 2.0\n\
         \x20 candidate: dot 1.0 2.1\n",
    );
    check(
        "x 1\n",
        "x nan\n",
        Tolerance::default(),
        "1 of 1 lines differ (reference 1 lines, candidate 1); first 1:\n\
         line 1: 1 vs nan: abs err inf, rel err inf, max ulps (tolerance: exact)\n\
         \x20 reference: x 1\n\
         \x20 candidate: x nan\n",
    );
}

#[test]
fn text_and_line_count_must_match() {
    check(
        "sum 3\nok\n",
        "total 3\n",
        Tolerance::default(),
        "2 of 2 lines differ (reference 2 lines, candidate 1); first 2:\n\
         line 1: text differs\n\
         \x20 reference: sum 3\n\
         \x20 candidate: total 3\n\
         line 2: missing from the candidate's output\n\
         \x20 reference: ok\n",
    );
}

#[test]
fn only_the_first_differences_are_kept() {
    let r: String = (0..50).map(|i| format!("{i}\n")).collect();
    let c: String = (0..50).map(|i| format!("{}\n", i + 1)).collect();
    let report = compare_outputs(&r, &c, &Tolerance::default());
    assert_eq!(report.differing_lines, 50);
    assert_eq!(report.differences.len(), SHOWN);
    assert_eq!(report.numbers_compared, 50);
}

#[test]
fn ulps_distance() {
    assert_eq!(ulps_between(1.0, 1.0), 0);
    assert_eq!(ulps_between(0.0, -0.0), 0);
    assert_eq!(ulps_between(f64::from_bits(1), -f64::from_bits(1)), 2);
    assert_eq!(ulps_between(1.0, f64::from_bits(1.0f64.to_bits() + 3)), 3);
}
