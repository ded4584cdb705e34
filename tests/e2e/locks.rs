//! Git's lock files around a run: the ones a killed molt leaves are cleared
//! when the next run starts, the user's own are reported and left alone, and
//! one molt at a time holds a repository.

use std::path::Path;
use std::time::Duration;

use molt_test_support::crash::{self, End, KillPoint, Trigger};

use crate::resume::assert_finished_cleanly;
use crate::{fixture_repo, git, molt, molt_bin, Run};

fn events<'a>(lines: &'a [String], kind: &str) -> Vec<serde_json::Value> {
    let tag = format!("\"event\":\"{kind}\"");
    let lines: Vec<&'a String> = lines.iter().filter(|l| l.contains(&tag)).collect();
    lines.into_iter().map(|l| serde_json::from_str(l).expect("an event line")).collect()
}

/// Regression: a `kill -9` while libgit2 held a ref's lock left the `.lock`
/// file behind, and `molt resume` then failed the task ("failed to lock file
/// … refs/heads/molt-task/…/t08-k-max.lock") and blocked its dependants.
#[test]
fn stale_ref_and_worktree_index_locks_a_kill_left_do_not_stop_resume() {
    let dir = fixture_repo("kill-many");
    let repo = dir.path();
    let logs = tempfile::tempdir().unwrap();
    let head_before = git(repo, &["rev-parse", "HEAD"]).trim().to_owned();

    // Killed right after the first task landed: the slots' worktrees exist
    // and most tasks are still to do.
    let kill = KillPoint { at: Trigger::Event { event: "task_committed", nth: 1 }, delay: Duration::ZERO };
    let (lines, end) =
        crash::molt_until(&molt_bin(), repo, "run", 3, Some(kill), &logs.path().join("run.txt")).unwrap();
    assert!(matches!(end, End::Killed), "{end:?}\n{}", lines.join("\n"));

    // What a kill inside a ref update, a merge and a worktree reset leaves.
    let state = crash::load_state(repo).unwrap();
    let pending = state["tasks"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, r)| r["state"] != "committed")
        .map(|(id, _)| id.clone())
        .expect("a task left to do");
    let slot_admin = repo.join(".git/worktrees/molt-kill-port-_slot-0");
    assert!(slot_admin.is_dir(), "the killed run left no slot worktree");
    let planted = [
        format!(".git/refs/heads/molt-task/kill-port/{pending}.lock"),
        ".git/refs/heads/molt/kill-port.lock".to_owned(),
        ".git/worktrees/molt-kill-port-_slot-0/index.lock".to_owned(),
    ];
    for rel in &planted {
        std::fs::write(repo.join(rel), "").unwrap();
    }

    let (lines, end) =
        crash::molt_until(&molt_bin(), repo, "resume", 3, None, &logs.path().join("resume.txt")).unwrap();
    let err = std::fs::read_to_string(logs.path().join("resume.txt")).unwrap_or_default();
    assert!(matches!(end, End::Exited(s) if s.success()), "{end:?}\n{}\n{err}", lines.join("\n"));
    let removed = events(&lines, "stale_locks_removed");
    assert_eq!(removed.len(), 1, "{}", lines.join("\n"));
    let mut paths: Vec<String> =
        removed[0]["paths"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
    paths.sort();
    let mut expected = planted.to_vec();
    expected.sort();
    assert_eq!(paths, expected);
    assert!(events(&lines, "task_failed").is_empty(), "{}", lines.join("\n"));
    assert_finished_cleanly(repo, &head_before, &lines);
}

/// The user's own git may hold `.git/index.lock` or `.git/packed-refs.lock`
/// while molt runs: molt says so, does its work beside them, and leaves them
/// exactly as they were.
#[test]
fn a_lock_in_the_users_main_worktree_is_reported_and_left_alone() {
    let dir = fixture_repo("kill-many");
    let repo = dir.path();
    let held = ["index.lock", "packed-refs.lock"];
    for name in held {
        std::fs::write(repo.join(".git").join(name), "the user's git holds this\n").unwrap();
    }
    let run = Run::from(molt(repo, &["run", "--json", "--jobs", "2"]));
    assert_eq!(run.code, Some(0), "{run}");
    let lines: Vec<String> = run.stdout.lines().map(str::to_owned).collect();
    let warnings: Vec<String> =
        events(&lines, "warning").iter().map(|w| w["message"].as_str().unwrap().to_owned()).collect();
    for name in held {
        let lock = format!(".git/{name}");
        assert!(warnings.iter().any(|w| w.starts_with(&lock) && w.contains("leaves it alone")), "{warnings:?}");
        assert_eq!(
            std::fs::read_to_string(repo.join(&lock)).unwrap(),
            "the user's git holds this\n",
            "{lock} was touched"
        );
    }
    assert!(events(&lines, "stale_locks_removed").is_empty(), "{run}");
    assert!(run.stdout.contains("\"passed\":true"), "{run}");
    // The main worktree's HEAD and branch are the user's still.
    assert_eq!(git(repo, &["symbolic-ref", "HEAD"]).trim(), "refs/heads/main");
}

/// Two molts in one repository would each take the other's git locks for
/// stale ones: the second is refused, naming the first.
#[test]
fn a_second_molt_in_the_same_repository_is_refused() {
    let dir = fixture_repo("kill-many");
    let repo = dir.path();
    std::fs::create_dir_all(repo.join(".molt")).unwrap();
    let lock =
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(repo.join(".molt/run.lock")).unwrap();
    lock.lock().unwrap();
    // The holder's pid, as molt writes it: this test process, alive.
    let pid = std::process::id();
    std::fs::write(repo.join(".molt/run.lock"), pid.to_string()).unwrap();
    let run = Run::from(molt(repo, &["run", "--jobs", "2"]));
    assert_eq!(run.code, Some(3), "{run}");
    assert!(run.stderr.contains(&format!("another molt (pid {pid}) is running in")), "{run}");
    assert!(!repo.join(".molt/state.json").exists(), "the refused run wrote its state");
    drop(lock);
    let run = Run::from(molt(repo, &["run", "--jobs", "2"]));
    assert_eq!(run.code, Some(0), "{run}");
    assert!(Path::new(&repo.join(".molt/run.lock")).exists());
}
