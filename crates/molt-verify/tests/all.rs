//! molt-verify against real commands in real temporary repositories.

use std::path::Path;
use std::time::{Duration, Instant};

use molt_core::{Check, CheckKind};
use molt_test_support::repo::{TempRepo, C_PROJECT_TESTS};
use molt_verify::{judge, run_check, Baseline, Outcome, RunOptions, Status, TestFormat};

mod torch;

fn check(name: &str, kind: CheckKind, run: &str) -> Check {
    Check {
        name: name.into(),
        run: run.into(),
        kind,
        timeout_secs: 120,
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

/// Whether process `pid` is gone (or a zombie, which no longer runs).
fn is_dead(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

/// Waits (a bounded while) for a killed process to disappear: delivery of
/// SIGKILL is asynchronous.
fn wait_dead(pid: &str) -> bool {
    let give_up = Instant::now() + Duration::from_secs(10);
    while Instant::now() < give_up {
        if is_dead(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn read_pid(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap().trim().to_owned()
}

#[test]
fn c_project_build_and_test_pass_with_counts() {
    let repo = TempRepo::with_c_project().unwrap();
    let opts = RunOptions::default();
    let build = run_check(&check("build", CheckKind::Build, "make"), repo.path(), &opts);
    assert_eq!(build.status, Status::Pass, "{build:#?}");
    let test = run_check(&check("test", CheckKind::Test, "make test"), repo.path(), &opts);
    assert_eq!(test.status, Status::Pass, "{test:#?}");
    let counts = test.counts.unwrap();
    assert_eq!((counts.format, counts.passed, counts.failed), (TestFormat::Plain, C_PROJECT_TESTS, 0));
}

#[test]
fn a_broken_function_fails_with_the_failing_test_names() {
    let repo = TempRepo::with_c_project().unwrap();
    let src = repo.read("src/mathx.c").unwrap().replace("return a + b;", "return a + b + 1;");
    repo.write("src/mathx.c", src).unwrap();
    let test = run_check(&check("test", CheckKind::Test, "make test"), repo.path(), &RunOptions::default());
    assert_eq!(test.status, Status::Fail);
    assert_eq!(test.failing, vec!["add_small", "add_negative"]);
    assert_eq!(test.message.as_deref(), Some("2 tests failed, exit code 2"));
    assert!(test.output.contains("FAIL add_small"), "{}", test.output);
}

#[test]
fn a_compile_error_reaches_the_excerpt() {
    let repo = TempRepo::with_c_project().unwrap();
    repo.write("src/mathx.c", "int add(int a, int b) { return a + ; }\n").unwrap();
    let build = run_check(&check("build", CheckKind::Build, "make"), repo.path(), &RunOptions::default());
    assert_eq!(build.status, Status::Fail);
    assert!(build.output.contains("--- stderr ---") && build.output.contains("error"), "{}", build.output);
}

#[test]
fn a_hanging_check_is_killed_at_its_timeout_with_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = check("hang", CheckKind::Test, "sleep 300 & echo $! > child.pid; echo started; sleep 300");
    c.timeout_secs = 1;
    let r = run_check(&c, dir.path(), &RunOptions::default());
    assert_eq!(r.status, Status::Timeout, "{r:#?}");
    assert!(!r.passed);
    assert!(r.message.as_deref().unwrap_or("").contains("killed at its timeout"), "{r:#?}");
    assert!(r.output.contains("started"));
    let child = read_pid(dir.path(), "child.pid");
    assert!(wait_dead(&child), "background child {child} survived the timeout");
}

#[test]
fn background_processes_do_not_outlive_a_finished_check() {
    let dir = tempfile::tempdir().unwrap();
    let c = check("leaky", CheckKind::Build, "sleep 300 & echo $! > child.pid; echo done");
    let r = run_check(&c, dir.path(), &RunOptions::default());
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    let child = read_pid(dir.path(), "child.pid");
    assert!(wait_dead(&child), "background child {child} was left running");
}

#[test]
fn fifty_megabytes_of_output_are_capped_and_the_summary_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        "loud",
        CheckKind::Test,
        "head -c 52428800 /dev/zero | tr '\\0' 'x'; echo; echo '7 passed, 0 failed'; head -c 1000000 /dev/zero >&2",
    );
    let opts = RunOptions::default();
    let r = run_check(&c, dir.path(), &opts);
    assert_eq!(r.status, Status::Pass, "{}", r.message.as_deref().unwrap_or(""));
    assert_eq!(r.output_bytes, 52_428_800 + 1 + 19 + 1_000_000);
    assert!(r.output.len() <= opts.excerpt_bytes + 200, "excerpt is {} bytes", r.output.len());
    assert!(r.output.contains("earlier bytes omitted"));
    assert_eq!(r.counts.map(|c| c.passed), Some(7));
}

#[test]
fn a_drop_in_test_count_fails_even_when_all_pass() {
    let repo = TempRepo::with_c_project().unwrap();
    let c = check("test", CheckKind::Test, "make test");
    let opts = RunOptions::default();
    let baseline = Baseline::from_results([run_check(&c, repo.path(), &opts)], None);
    assert_eq!(baseline.get("test").and_then(|r| r.tests_ran()), Some(C_PROJECT_TESTS));

    let tests = repo.read("tests/test_mathx.c").unwrap();
    let fewer: String = tests.lines().filter(|l| !l.contains("\"dot3\"")).map(|l| format!("{l}\n")).collect();
    repo.write("tests/test_mathx.c", fewer).unwrap();
    let now = run_check(&c, repo.path(), &opts);
    assert!(now.passed);
    let v = judge(&baseline, &now, &c);
    assert_eq!(v.outcome, Outcome::Fail);
    assert!(v.blocking);
    assert_eq!(v.reasons, vec!["ran 2 tests, fewer than the 3 of the baseline"]);
}

#[test]
fn a_check_failing_in_the_baseline_does_not_block() {
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        "arm64",
        CheckKind::Test,
        "test -f ported && echo '1 passed, 0 failed' || { echo '0 passed, 1 failed'; exit 1; }",
    );
    let opts = RunOptions::default();
    let baseline = Baseline::from_results([run_check(&c, dir.path(), &opts)], None);
    let v = judge(&baseline, &run_check(&c, dir.path(), &opts), &c);
    assert_eq!((v.outcome, v.blocking), (Outcome::StillFailing, false));
    std::fs::write(dir.path().join("ported"), "").unwrap();
    let v = judge(&baseline, &run_check(&c, dir.path(), &opts), &c);
    assert_eq!((v.outcome, v.blocking), (Outcome::Fixed, false));
}

#[test]
fn a_twenty_percent_bench_regression_fails_at_5_percent_and_passes_at_50() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bench.txt"), "warming up\nbench: kernel 100 ms\n").unwrap();
    let mut c = check("bench", CheckKind::Bench, "cat bench.txt");
    c.runs = Some(3);
    let opts = RunOptions::default();
    let base = run_check(&c, dir.path(), &opts);
    let metric = &base.bench.as_ref().unwrap().metrics[0];
    assert_eq!((metric.name.as_str(), metric.median, metric.values.len()), ("kernel", 100.0, 3));
    let baseline = Baseline::from_results([base], None);

    std::fs::write(dir.path().join("bench.txt"), "bench: kernel 120 ms\n").unwrap();
    let now = run_check(&c, dir.path(), &opts);
    c.max_regression = Some(0.05);
    let v = judge(&baseline, &now, &c);
    assert_eq!(v.outcome, Outcome::Fail);
    assert_eq!(v.detail(), "kernel 120 ms ±0.0% vs 100 ms ±0.0%: 20.0% worse (max 5.0%); benchmark \"kernel\" regressed past the allowed 5.0%");
    c.max_regression = Some(0.5);
    assert_eq!(judge(&baseline, &now, &c).outcome, Outcome::Pass);
}

#[test]
fn a_bench_without_metrics_is_timed() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = check("bench", CheckKind::Bench, "true");
    c.runs = Some(2);
    let r = run_check(&c, dir.path(), &RunOptions::default());
    let bench = r.bench.unwrap();
    assert_eq!((bench.runs, bench.metrics[0].name.as_str(), bench.metrics[0].unit.as_str()), (2, "wall", "s"));
}

#[test]
fn a_diff_check_passes_within_tolerance_and_fails_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = check("neon-vs-x86", CheckKind::Diff, "printf 'dot = 32.000010\\nn = 3\\n'");
    c.reference = Some("printf 'dot = 32.000000\\nn = 3\\n'".into());
    c.rel_tol = Some(1e-6);
    let opts = RunOptions::default();
    let r = run_check(&c, dir.path(), &opts);
    assert_eq!(r.status, Status::Pass, "{}", r.output);
    assert_eq!(r.diff.as_ref().map(|d| d.numbers_compared), Some(1));

    c.run = "printf 'dot = 32.1\\nn = 3\\n'".into();
    let r = run_check(&c, dir.path(), &opts);
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.output,
        "1 of 2 lines differ (reference 2 lines, candidate 2); first 1:\n\
         line 1: 32.000000 vs 32.1: abs err 0.1, rel err 0.0031, 14073748835533 ulps (tolerance: rel 1e-6)\n\
         \x20 reference: dot = 32.000000\n\
         \x20 candidate: dot = 32.1\n"
    );
}

#[test]
fn a_diff_check_whose_reference_fails_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = check("d", CheckKind::Diff, "echo 1");
    c.reference = Some("echo broken >&2; exit 4".into());
    let r = run_check(&c, dir.path(), &RunOptions::default());
    assert_eq!(r.status, Status::Error);
    assert_eq!(r.message.as_deref(), Some("the reference command failed: exit code 4"));
    assert!(r.output.contains("broken"));
}

#[test]
fn secrets_in_molts_environment_never_reach_a_check() {
    // Set in this test process only (nextest runs each test in its own).
    std::env::set_var("ANTHROPIC_API_KEY", "sk-ant-very-secret-1");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "aws-very-secret-2");
    std::env::set_var("MOLT_TEST_SETTING", "molt-very-secret-3");
    std::env::set_var("GITHUB_TOKEN", "ghp-very-secret-4");
    let dir = tempfile::tempdir().unwrap();
    let mut c = check("env", CheckKind::Build, "env");
    c.env.insert("CFLAGS".into(), "-O3".into());
    let r = run_check(&c, dir.path(), &RunOptions::default());
    assert_eq!(r.status, Status::Pass);
    assert!(!r.output.contains("very-secret"), "{}", r.output);
    assert!(r.output.contains("CFLAGS=-O3"), "{}", r.output);
    assert!(r.output.lines().any(|l| l.starts_with("PATH=")), "{}", r.output);
}

#[test]
fn a_missing_worktree_is_an_error_result() {
    let r = run_check(&check("x", CheckKind::Build, "true"), Path::new("/nonexistent/molt"), &RunOptions::default());
    assert_eq!(r.status, Status::Error);
    assert!(r.message.unwrap().contains("/nonexistent/molt"));
}

#[test]
fn checks_run_in_parallel_threads() {
    let repo = TempRepo::with_c_project().unwrap();
    let c = check("t", CheckKind::Build, "echo '2 passed, 0 failed'");
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8).map(|_| s.spawn(|| run_check(&c, repo.path(), &RunOptions::default()))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(results.iter().all(|r| r.passed && r.counts.map(|c| c.passed) == Some(2)));
}

/// A check that tries to reach a TCP listener this test opened on the host's
/// loopback. Run by bash (its `/dev/tcp`), so no client tool is needed.
fn connect_check(port: u16, network: bool) -> Check {
    let mut c =
        check("net", CheckKind::Test, &format!("bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}' && echo connected"));
    c.timeout_secs = 20;
    c.sandbox.network = network;
    c
}

#[test]
fn a_check_cannot_reach_a_listener_on_the_hosts_loopback() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let dir = tempfile::tempdir().unwrap();

    // Control: with the network allowed the same command connects, so the
    // isolated run below fails for the right reason.
    let open = run_check(&connect_check(port, true), dir.path(), &RunOptions::default());
    assert!(open.passed && open.output.contains("connected"), "{open:#?}");
    assert!(!open.network_isolated);
    assert!(listener.accept().is_ok(), "the control connection never arrived");

    let closed = run_check(&connect_check(port, false), dir.path(), &RunOptions::default());
    assert_eq!(closed.network_isolated, molt_verify::network_isolation_available());
    if closed.network_isolated {
        assert!(!closed.passed, "{closed:#?}");
        assert!(!closed.output.contains("connected"), "{}", closed.output);
        std::thread::sleep(Duration::from_millis(200));
        assert!(listener.accept().is_err(), "an isolated check reached the host's loopback");
    }
}

#[test]
fn an_isolated_check_still_has_a_loopback_of_its_own() {
    // Test suites that talk to themselves on 127.0.0.1 keep working.
    let dir = tempfile::tempdir().unwrap();
    let script = "python3 -c \"import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); \
                  c=socket.create_connection(s.getsockname()); print('loopback ok')\"";
    let have_python = std::process::Command::new("python3").arg("-c").arg("pass").status().is_ok_and(|s| s.success());
    assert!(have_python, "python3 is missing; `cargo xtask test` installs it");
    let r = run_check(&check("lo", CheckKind::Test, script), dir.path(), &RunOptions::default());
    assert!(r.passed && r.output.contains("loopback ok"), "{r:#?}");
}

#[test]
fn a_check_that_starts_too_many_processes_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let mut c =
        check("forks", CheckKind::Test, "for i in $(seq 300); do sleep 60 & done; wait; echo '1 passed, 0 failed'");
    c.sandbox.processes = Some(20);
    let started = Instant::now();
    let r = run_check(&c, dir.path(), &RunOptions::default());
    assert!(!r.passed, "{r:#?}");
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    assert!(started.elapsed() < Duration::from_secs(30), "the sleepers ran to their end");
}

#[test]
fn a_check_that_allocates_too_much_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    // dd allocates its block size in one piece.
    let script = "dd if=/dev/zero of=/dev/null bs=400M count=1 && echo '1 passed, 0 failed'";
    let mut c = check("alloc", CheckKind::Test, script);
    c.sandbox.memory_mb = Some(100);
    let r = run_check(&c, dir.path(), &RunOptions::default());
    assert!(!r.passed, "{r:#?}");
    assert!(r.output.contains("memory"), "{}", r.output);
    // Control: the same command passes under the default limit.
    c.sandbox.memory_mb = None;
    let r = run_check(&c, dir.path(), &RunOptions::default());
    assert!(r.passed, "{r:#?}");
}

#[test]
fn a_check_past_its_cpu_time_limit_is_stopped_and_told_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = check("spin", CheckKind::Test, "while :; do :; done");
    c.sandbox.cpu_secs = Some(1);
    c.timeout_secs = 60;
    let r = run_check(&c, dir.path(), &RunOptions::default());
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    assert!(r.message.as_deref().unwrap_or("").contains("CPU-time limit of 1s"), "{r:#?}");
}

/// The niceness field of a `/proc/PID/stat` line.
fn niceness(stat: &str) -> i32 {
    let rest = &stat[stat.rfind(')').unwrap() + 1..];
    rest.split_ascii_whitespace().nth(16).unwrap().parse().unwrap()
}

#[test]
fn a_check_runs_at_a_lower_cpu_priority_than_molt_unless_told_otherwise() {
    let own = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat: the suite runs on Linux");
    let own = niceness(&own);
    let dir = tempfile::tempdir().unwrap();
    let script = "cat /proc/self/stat > stat.txt && echo '1 passed, 0 failed'";
    let mut c = check("prio", CheckKind::Test, script);
    let r = run_check(&c, dir.path(), &RunOptions::default());
    assert!(r.passed, "{r:#?}");
    let seen = niceness(&std::fs::read_to_string(dir.path().join("stat.txt")).unwrap());
    assert_eq!(seen, (own + i32::from(molt_verify::DEFAULT_NICE)).min(19));
    c.sandbox.nice = Some(0);
    let r = run_check(&c, dir.path(), &RunOptions::default());
    assert!(r.passed, "{r:#?}");
    assert_eq!(niceness(&std::fs::read_to_string(dir.path().join("stat.txt")).unwrap()), own);
}
