use super::*;

/// Renders a summary as `format passed/failed/skipped [failing, ...]`.
#[track_caller]
fn check(output: &str, expect: &str) {
    let got = match parse_test_output(output) {
        None => "none".to_owned(),
        Some(s) => {
            let c = s.counts;
            let format = serde_json::to_string(&c.format).unwrap_or_default().replace('"', "");
            format!("{format} {}/{}/{} [{}]", c.passed, c.failed, c.skipped, s.failing.join(", "))
        }
    };
    assert_eq!(got, expect, "output:\n{output}");
}

#[test]
fn nothing_known() {
    check("", "none");
    check("make: Nothing to be done for 'all'.\n", "none");
    check("error: could not compile `x`\n", "none");
}

#[test]
fn cargo_test() {
    check("running 3 tests\ntest a ... ok\ntest result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n", "cargo 3/0/0 []");
    check(
        "test tests::add ... ok\ntest tests::sub ... FAILED\n\nfailures:\n    tests::sub\n\ntest result: FAILED. 1 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s\n",
        "cargo 1/1/2 [tests::sub]",
    );
}

#[test]
fn cargo_test_sums_binaries_and_doc_tests() {
    check(
        "test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n\
         test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out\n\
         test src/lib.rs - f (line 3) ... FAILED\n\
         test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n",
        "cargo 5/1/1 [src/lib.rs - f (line 3)]",
    );
}

#[test]
fn nextest() {
    check("    Starting 3 tests across 1 binary\n        PASS [   0.004s] c t::a\n     Summary [   0.010s] 3 tests run: 3 passed, 0 skipped\n", "nextest 3/0/0 []");
    check(
        "        FAIL [   0.004s] molt-core plan::tests::cycle\n\
         ------------\n     Summary [   0.012s] 4 tests run: 3 passed (1 slow), 1 failed, 2 skipped\n\
         \x20       FAIL [   0.004s] molt-core plan::tests::cycle\n",
        "nextest 3/1/2 [molt-core plan::tests::cycle]",
    );
    check("        FAIL [   0.004s] (2/3) my-crate tests::x\n     Summary [   0.1s] 1 test run: 0 passed, 1 failed, 0 skipped\n", "nextest 0/1/0 [my-crate tests::x]");
    check(
        "  TIMEOUT [  60.002s] c slow\n     Summary [  60.1s] 2/3 tests run: 1 passed, 1 timed out, 1 skipped\n",
        "nextest 1/1/1 [c slow]",
    );
}

#[test]
fn pytest() {
    check("============ 3 passed in 0.12s ============\n", "pytest 3/0/0 []");
    check(
        "FAILED tests/test_a.py::test_x - AssertionError: 1 != 2\n\
         ERROR tests/test_b.py::test_y\n\
         ==== 1 failed, 3 passed, 2 skipped, 1 error, 1 xfailed, 2 warnings in 0.45s ====\n",
        "pytest 3/2/3 [tests/test_a.py::test_x, tests/test_b.py::test_y]",
    );
    check("4 passed, 1 deselected in 0.02s\n", "pytest 4/0/0 []");
    check("=== no tests ran in 0.01s ===\n", "pytest 0/0/0 []");
}

#[test]
fn ctest() {
    check("100% tests passed, 0 tests failed out of 4\n\nTotal Test time (real) =   0.02 sec\n", "ctest 4/0/0 []");
    check(
        "    Start 2: kernels\n2/4 Test #2: kernels ..........***Failed    0.01 sec\n\
         75% tests passed, 1 tests failed out of 4\n\nThe following tests FAILED:\n\t  2 - kernels (Failed)\n",
        "ctest 3/1/0 [kernels]",
    );
    check(
        "50% tests passed, 2 tests failed out of 4\nThe following tests did not run:\n\t  4 - gpu (Disabled)\nThe following tests FAILED:\n\t  1 - a b (SEGFAULT)\n\t  3 - slow (Timeout)\n",
        "ctest 2/2/1 [a b, slow]",
    );
}

#[test]
fn go_test() {
    check("ok  \texample.com/m/pkg\t0.012s\n", "go 0/0/0 []");
    check("ok  \texample.com/m/pkg\t(cached)\n", "go 0/0/0 []");
    check(
        "=== RUN   TestAdd\n--- PASS: TestAdd (0.00s)\n=== RUN   TestSub\n--- FAIL: TestSub (0.00s)\n    --- FAIL: TestSub/neg (0.00s)\n--- SKIP: TestGPU (0.00s)\nFAIL\nFAIL\texample.com/m/pkg\t0.010s\n",
        "go 1/2/1 [TestSub, TestSub/neg]",
    );
    check(
        "# example.com/m/pkg\n./a.go:3:1: syntax error\nFAIL\texample.com/m/pkg [build failed]\n",
        "go 0/1/0 [example.com/m/pkg]",
    );
}

#[test]
fn plain_line() {
    check("3 passed, 0 failed\n", "plain 3/0/0 []");
    check("FAIL test_add: expected 5, got 6\n2 passed, 1 failed\n", "plain 2/1/0 [test_add]");
    check("unit: 2 passed, 1 failed, 4 skipped\nFAILED: simd_dot\n", "plain 2/1/4 [simd_dot]");
    check("x86: 3 passed, 0 failed\nneon: 1 passed, 2 failed\n", "plain 4/2/0 []");
}

#[test]
fn specific_formats_win_over_the_plain_line() {
    // nextest and pytest summaries contain "N passed, M failed" too.
    check("     Summary [   0.1s] 3 tests run: 2 passed, 1 failed, 0 skipped\n", "nextest 2/1/0 []");
    check("== 2 passed, 1 failed in 0.1s ==\n", "pytest 2/1/0 []");
}
