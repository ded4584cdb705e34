use super::*;

fn capture(cap: usize, chunks: &[&str]) -> Captured {
    let mut c = Capture::new(cap);
    for chunk in chunks {
        c.push(chunk.as_bytes());
    }
    c.finish()
}

#[test]
fn keeps_only_the_tail_and_counts_everything() {
    let c = capture(5, &["hello ", "world", "!"]);
    assert_eq!(c.tail, b"orld!");
    assert_eq!(c.total, 12);
    assert!(c.truncated());
    let c = capture(100, &["short"]);
    assert_eq!(c.tail, b"short");
    assert!(!c.truncated());
}

#[test]
fn keeps_summary_lines_across_chunk_boundaries() {
    let c = capture(4, &["noise\ntest result: ok. 3 pa", "ssed; 0 failed\nmore noise\n", "2 passed, 0 failed"]);
    assert_eq!(c.lines, vec!["test result: ok. 3 passed; 0 failed", "2 passed, 0 failed"]);
}

#[test]
fn strips_ansi_and_carriage_returns_from_summary_lines() {
    let c = capture(100, &["\x1b[32mok\x1b[0m 1 passed, 0 failed\r\n"]);
    assert_eq!(c.lines, vec!["ok 1 passed, 0 failed"]);
}

#[test]
fn cuts_very_long_lines() {
    let long = format!("{}passed\n", "x".repeat(10 * MAX_LINE));
    let c = capture(16, &[&long]);
    // Only the first MAX_LINE bytes are looked at: the keyword past them is lost.
    assert_eq!(c.lines.len(), 0);
    let c = capture(16, &["passed", &"y".repeat(2 * MAX_LINE), "\n"]);
    assert_eq!(c.lines.len(), 1);
    assert_eq!(c.lines[0].len(), MAX_LINE);
}

fn spawn(script: &str, timeout: Duration) -> Finished {
    let dir = tempfile::tempdir().unwrap();
    let env = vec![("PATH".to_owned(), std::env::var("PATH").unwrap_or_default())];
    run(&Spawn { script, dir: dir.path(), env: &env, timeout, cap: 1024, limits: Limits::none() }).unwrap()
}

#[test]
fn reports_exit_code_and_both_streams() {
    let f = spawn("echo out; echo err >&2; exit 3", Duration::from_secs(60));
    assert_eq!(f.exit_code, Some(3));
    assert!(!f.timed_out);
    assert_eq!(f.stdout.tail, b"out\n");
    assert_eq!(f.stderr.tail, b"err\n");
}

#[test]
fn runs_in_the_given_directory_with_only_the_given_environment() {
    let f = spawn("pwd; env | sort", Duration::from_secs(60));
    let out = String::from_utf8_lossy(&f.stdout.tail).into_owned();
    let mut lines = out.lines();
    assert!(lines.next().is_some_and(|l| l.contains("tmp") || l.starts_with('/')));
    let names: Vec<&str> = lines
        .filter_map(|l| l.split('=').next())
        .filter(|n| *n != "PWD" && *n != "SHLVL" && *n != "_" && *n != "OLDPWD")
        .collect();
    assert_eq!(names, vec!["PATH"]);
}
