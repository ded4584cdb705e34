use super::*;

/// A lock file as another holder leaves it: locked through its own open
/// file description, with `pid` written in it.
fn held_by(repo: &Path, pid: u32) -> std::fs::File {
    std::fs::create_dir_all(molt_dir(repo)).unwrap();
    let path = molt_dir(repo).join("run.lock");
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
    let err = RunLock::acquire(repo.path()).unwrap_err();
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
    let lock = RunLock::acquire(repo.path()).unwrap();
    release.join().unwrap();
    let written = std::fs::read_to_string(molt_dir(repo.path()).join("run.lock")).unwrap();
    assert_eq!(written, std::process::id().to_string());
    drop(lock);
    // Let go with the process's handle: the next molt takes it.
    RunLock::acquire(repo.path()).unwrap();
}
