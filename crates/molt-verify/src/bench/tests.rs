use super::*;

#[track_caller]
fn check_lines(text: &str, expect: &str) {
    let got: Vec<String> =
        parse_bench_lines(text).iter().map(|s| format!("{}={} {}", s.name, s.value, s.unit)).collect();
    assert_eq!(got.join("; "), expect);
}

#[test]
fn metric_lines() {
    check_lines("", "");
    check_lines("bench: dot 12.5 ns\n", "dot=12.5 ns");
    check_lines("  bench: dot 1e3 ns/op\r\nbench: gemm 4.2 GFLOP/s\n", "dot=1000 ns/op; gemm=4.2 GFLOP/s");
    check_lines("bench: wall 3\n", "wall=3 ");
    check_lines("bench: dot 1 ns\nbench: dot 2 ns\n", "dot=2 ns");
    check_lines("mybench: x 1 ns\nbench: x nan ns\nbench: y 1 ns extra\n", "");
}

fn runs(values: &[f64], unit: &str) -> Vec<Vec<BenchSample>> {
    values.iter().map(|v| vec![BenchSample { name: "m".into(), value: *v, unit: unit.into() }]).collect()
}

#[test]
fn median_and_spread() {
    let m = &summarize_runs(&runs(&[10.0, 12.0, 11.0, 9.0, 30.0], "ms"))[0];
    assert_eq!(m.median, 11.0);
    assert_eq!((m.min, m.max), (9.0, 30.0));
    assert!((m.spread - 21.0 / 2.0 / 11.0).abs() < 1e-12);
    assert!(!m.higher_is_better);
    let m = &summarize_runs(&runs(&[1.0, 2.0, 3.0, 4.0], "GB/s"))[0];
    assert_eq!(m.median, 2.5);
    assert!(m.higher_is_better);
}

#[track_caller]
fn check_gate(base: f64, cand: f64, unit: &str, max: f64, expect: &str) {
    let b = &summarize_runs(&runs(&[base], unit))[0];
    let c = &summarize_runs(&runs(&[cand], unit))[0];
    let cmp = MetricComparison::new(b, c, max);
    assert_eq!(format!("{} {}", if cmp.regressed { "FAIL" } else { "ok" }, cmp.describe()), expect);
}

#[test]
fn regression_gate() {
    check_gate(100.0, 120.0, "ms", 0.05, "FAIL m 120 ms ±0.0% vs 100 ms ±0.0%: 20.0% worse (max 5.0%)");
    check_gate(100.0, 120.0, "ms", 0.5, "ok m 120 ms ±0.0% vs 100 ms ±0.0%: 20.0% worse (max 50.0%)");
    check_gate(100.0, 105.0, "ms", 0.05, "ok m 105 ms ±0.0% vs 100 ms ±0.0%: 5.0% worse (max 5.0%)");
    check_gate(100.0, 80.0, "ms", 0.05, "ok m 80 ms ±0.0% vs 100 ms ±0.0%: 20.0% better (max 5.0%)");
    // Throughput: lower is worse.
    check_gate(10.0, 8.0, "GB/s", 0.05, "FAIL m 8 GB/s ±0.0% vs 10 GB/s ±0.0%: 20.0% worse (max 5.0%)");
    check_gate(10.0, 12.5, "GB/s", 0.05, "ok m 12.5 GB/s ±0.0% vs 10 GB/s ±0.0%: 25.0% better (max 5.0%)");
}

// Guards against a loaded machine failing tasks: a median past the gate whose
// runs overlap the baseline's is noise, not a regression; one whose every run
// is slower than every baseline run still fails.
#[test]
fn regressions_must_stand_out_of_the_noise() {
    let gate = |base: &[f64], cand: &[f64]| {
        let b = &summarize_runs(&runs(base, "ns"))[0];
        let c = &summarize_runs(&runs(cand, "ns"))[0];
        MetricComparison::new(b, c, 0.05)
    };
    let noisy = gate(&[100.0, 101.0, 99.0, 140.0, 100.0], &[120.0, 98.0, 125.0, 119.0, 121.0]);
    assert!(!noisy.regressed && noisy.within_noise, "{}", noisy.describe());
    assert!(noisy.describe().ends_with("within noise, the runs overlap"), "{}", noisy.describe());
    let real = gate(&[100.0, 101.0, 99.0, 102.0, 100.0], &[120.0, 118.0, 125.0, 119.0, 121.0]);
    assert!(real.regressed && !real.within_noise, "{}", real.describe());
}
