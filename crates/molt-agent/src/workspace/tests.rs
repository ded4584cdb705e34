use super::lock::RUN_LOCK_WAIT;
use super::*;

/// A lock file as another holder leaves it: locked through its own open
/// file description, with `pid` written in it.
fn held_by(repo: &Path, pid: u32) -> std::fs::File {
    let path = Workspace::new(repo).lock_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).unwrap();
    file.lock().unwrap();
    std::fs::write(&path, pid.to_string()).unwrap();
    file
}

#[test]
fn a_live_holder_is_named_at_once() {
    let repo = tempfile::tempdir().unwrap();
    let _held = held_by(repo.path(), std::process::id());
    let started = std::time::Instant::now();
    let err = Workspace::new(repo.path()).lock().unwrap_err();
    assert!(err.to_string().contains(&format!("another molt (pid {}) is running", std::process::id())), "{err}");
    assert!(started.elapsed() < RUN_LOCK_WAIT / 2, "waited for a live holder");
}

/// Regression: a resume right after a `kill -9` was refused as "another molt
/// is running" while a child the killed molt had just forked (not yet
/// exec'd) still shared its lock. A holder whose molt is gone is waited for.
#[test]
fn a_lock_whose_molt_is_gone_is_waited_for() {
    let repo = tempfile::tempdir().unwrap();
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    let held = held_by(repo.path(), gone.id());
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(held);
    });
    let lock = Workspace::new(repo.path()).lock().unwrap();
    release.join().unwrap();
    let written = std::fs::read_to_string(Workspace::new(repo.path()).lock_path()).unwrap();
    assert_eq!(written, std::process::id().to_string());
    drop(lock);
    // Let go with the process's handle: the next molt takes it.
    Workspace::new(repo.path()).lock().unwrap();
}

#[test]
fn the_state_plan_and_baseline_round_trip_and_leave_no_temp_file() {
    let repo = tempfile::tempdir().unwrap();
    let ws = Workspace::new(repo.path());
    assert_eq!(ws.load_state().unwrap(), None);
    assert_eq!(ws.load_plan().unwrap(), None);
    assert_eq!(ws.load_baseline().unwrap(), None);
    assert!(!ws.has_state());
    let state = crate::run::resume::fresh_state("m", "molt/m", "abc", "run-1".to_owned());
    ws.save_state(&state).unwrap();
    ws.save_state(&state).unwrap();
    assert!(ws.has_state());
    assert_eq!(ws.load_state().unwrap(), Some(state));
    let baseline = Baseline::from_results([], Some("abc".into()));
    assert_eq!(ws.save_baseline(&baseline).unwrap(), repo.path().join(".molt/baseline.json"));
    assert_eq!(ws.load_baseline().unwrap(), Some(baseline));
    let mut names: Vec<_> = std::fs::read_dir(ws.dir()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["baseline.json", "state.json"]);
}

#[test]
fn what_is_written_is_redacted() {
    let repo = tempfile::tempdir().unwrap();
    let ws = Workspace::new(repo.path());
    let key = format!("sk-ant-api03-{}", "a".repeat(40));
    let path = ws.dir().join("report.md");
    ws.write(&path, &format!("the check printed {key}\n")).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(&key), "{text}");
}

#[test]
fn a_broken_state_file_is_an_error_that_names_it() {
    let repo = tempfile::tempdir().unwrap();
    let ws = Workspace::new(repo.path());
    std::fs::create_dir_all(ws.dir()).unwrap();
    std::fs::write(ws.state_path(), "{").unwrap();
    let err = ws.load_state().unwrap_err().to_string();
    assert!(err.contains("state.json") && err.contains("move it away"), "{err}");
}

#[test]
fn a_transcript_is_appended_line_by_line_and_redacted() {
    let repo = tempfile::tempdir().unwrap();
    let ws = Workspace::new(repo.path());
    let transcript = ws.transcript("t1");
    assert_eq!(transcript.path(), ws.transcript_path("t1"));
    let key = format!("sk-ant-api03-{}", "a".repeat(40));
    transcript.append(r#"{"turn":0}"#).unwrap();
    transcript.append(&format!(r#"{{"turn":1,"text":"{key}"}}"#)).unwrap();
    let text = std::fs::read_to_string(ws.transcript_path("t1")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0], r#"{"turn":0}"#);
    assert!(!text.contains(&key), "the key was written: {text}");
    assert!(lines[1].contains("[REDACTED:anthropic-key]"), "{text}");
}
