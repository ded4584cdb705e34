use super::*;
use molt_core::CheckKind;

#[test]
fn parses_the_last_marker_line() {
    assert_eq!(parse_compiles("molt-compiles: warmup=3 end=3\n"), Some(Compiles { warmup: 3, end: 3 }));
    assert_eq!(
        parse_compiles("step 1\nmolt-compiles: warmup=1 end=9\nmore\n  molt-compiles:warmup=2   end=4\n"),
        Some(Compiles { warmup: 2, end: 4 })
    );
    assert_eq!(parse_compiles("molt-compiles: warmup=3\n"), None);
    assert_eq!(parse_compiles("xmolt-compiles: warmup=3 end=3\n"), None);
    assert_eq!(parse_compiles("molt-compiles: warmup=-1 end=3\n"), None);
    assert_eq!(Compiles { warmup: 5, end: 7 }.after_warmup(), 2);
}

fn check(max: Option<u64>, script: &str) -> Check {
    let mut text = format!(
        "[migration]\nname = \"m\"\ngoal = \"g\"\n\n[[check]]\nname = \"xla\"\nkind = \"test\"\nrun = '''{script}'''\n"
    );
    if let Some(max) = max {
        text.push_str(&format!("max_compiles_after_warmup = {max}\n"));
    }
    molt_core::Spec::parse("molt.toml", &text).unwrap_or_else(|e| panic!("{e}")).checks[0].clone()
}

/// Runs `script` as a test check in a temporary folder.
fn run(max: Option<u64>, script: &str) -> CheckResult {
    let dir = tempfile::tempdir().unwrap();
    crate::run_check(&check(max, script), dir.path(), &crate::RunOptions::default())
}

#[test]
fn the_gate_passes_within_the_limit_and_names_the_counts_past_it() {
    let r = run(Some(0), "echo 'molt-compiles: warmup=4 end=4'");
    assert!(r.passed, "{r:#?}");
    assert_eq!(r.compiles, Some(Compiles { warmup: 4, end: 4 }));
    let r = run(Some(1), "echo 'molt-compiles: warmup=4 end=5'");
    assert!(r.passed, "{r:#?}");
    let r = run(Some(0), "echo 'molt-compiles: warmup=4 end=9'");
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.message.as_deref(),
        Some("5 XLA graph compilations after warm-up (4 by the end of warm-up, 9 at the end); at most 0 allowed")
    );
    assert_eq!(r.kind, CheckKind::Test);
}

#[test]
fn a_missing_or_inconsistent_marker_fails_only_where_the_gate_is_set() {
    let r = run(Some(0), "echo all good");
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.message.as_deref().unwrap().starts_with("the output has no `molt-compiles: warmup=N end=M` line"),
        "{r:#?}"
    );
    let r = run(Some(0), "echo 'molt-compiles: warmup=4 end=2'");
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    // Without the gate the counts are recorded and nothing else happens.
    let r = run(None, "echo 'molt-compiles: warmup=4 end=9'");
    assert!(r.passed);
    assert_eq!(r.compiles.map(|c| c.after_warmup()), Some(5));
    assert!(run(None, "echo all good").passed);
}

#[test]
fn a_failing_program_keeps_its_own_message() {
    let r = run(Some(0), "echo 'molt-compiles: warmup=1 end=5'; exit 3");
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.message.as_deref(), Some("exit code 3"));
    assert_eq!(r.compiles, Some(Compiles { warmup: 1, end: 5 }));
}

/// The marker survives a program whose output is far past the kept tail:
/// the lines it is parsed from are kept apart from the tail.
#[test]
fn the_marker_is_read_past_the_kept_tail() {
    let r = run(Some(0), "echo 'molt-compiles: warmup=2 end=2'; head -c 300000 /dev/zero | tr '\\0' 'x'; echo");
    assert!(r.passed, "{:?}", r.message);
    assert_eq!(r.compiles, Some(Compiles { warmup: 2, end: 2 }));
}
