//! Crash safety: `molt run` killed with SIGKILL at many moments (during
//! edits, checks, commits, merges and state writes), then `molt resume`d and
//! killed again, until a resume is let finish. Nothing finished may be lost,
//! nothing may be committed twice, nothing unchecked may reach the migration
//! branch, and the user's branch and working tree stay as they were.
//!
//! The kill points are pseudo-random from a seed printed on stderr; set
//! `MOLT_KILL_SEED` to replay a failing sequence.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use molt_test_support::crash::{self, audit_branch, uncommitted, End, KillPoint, Lcg};

use crate::{fixture_repo, git, molt_bin};

const BRANCH: &str = "molt/kill-port";

/// Kills per run of the test: enough to land in every phase of a task now
/// and then, few enough to keep the test well under a minute on two cores.
/// `cargo xtask soak` kills 20 times and more.
const KILLS: usize = 5;

fn seed() -> u64 {
    match std::env::var("MOLT_KILL_SEED") {
        Ok(s) => s.trim().parse().unwrap_or_else(|e| panic!("MOLT_KILL_SEED={s}: {e}")),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 ^ u64::from(std::process::id())),
    }
}

/// One `molt <command> --json --jobs 3` in `repo`, killed at `kill` unless it
/// ends first (see [`crash::molt_until`]).
fn molt_until(repo: &Path, command: &str, kill: Option<KillPoint>, stderr: &Path) -> (Vec<String>, End) {
    crash::molt_until(&molt_bin(), repo, command, 3, kill, stderr).expect("running molt")
}

/// `.molt/state.json` must parse whenever molt has died; returns it.
fn state_after_kill(repo: &Path, context: &str) -> serde_json::Value {
    let path = repo.join(".molt/state.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{context}: reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{context}: state.json does not parse: {e}\n{text}"))
}

fn summary_of(lines: &[String]) -> serde_json::Value {
    lines
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find_map(|v| v.get("summary").cloned())
        .unwrap_or_else(|| panic!("no summary line in:\n{}", lines.join("\n")))
}

/// What must hold once a resume has finished, however many kills came before.
pub(crate) fn assert_finished_cleanly(repo: &Path, head_before: &str, lines: &[String]) {
    let summary = summary_of(lines);
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.join(".molt/plan.json")).unwrap()).unwrap();
    let task_ids: Vec<String> =
        plan["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect();
    assert!(task_ids.len() >= 10, "{task_ids:?}");
    assert_eq!(summary["passed"], true, "{summary}");
    assert_eq!(summary["committed"].as_u64(), Some(task_ids.len() as u64), "{summary}");
    for c in summary["final_checks"].as_array().unwrap() {
        assert!(matches!(c["outcome"].as_str(), Some("pass" | "fixed")), "final check: {c}");
    }

    // Every task committed exactly once with passing checks; every other
    // commit is a merge.
    let audit = audit_branch(repo, head_before, BRANCH).expect("reading the migration branch");
    assert!(audit.strays.is_empty(), "{:?}", audit.strays);
    assert!(audit.unchecked.is_empty(), "{:?}", audit.unchecked);
    assert!(audit.twice().is_empty(), "tasks committed more than once: {:?}", audit.twice());
    assert!(audit.lost(&task_ids).is_empty(), "tasks lost: {:?}", audit.lost(&task_ids));
    assert!(audit.unknown(&task_ids).is_empty(), "commits of tasks not in the plan: {:?}", audit.unknown(&task_ids));

    // The user's branch, index and working tree are as they were.
    assert_eq!(git(repo, &["rev-parse", "HEAD"]).trim(), head_before);
    assert_eq!(git(repo, &["symbolic-ref", "HEAD"]).trim(), "refs/heads/main");
    assert_eq!(git(repo, &["status", "--porcelain", "--untracked-files=all"]), "");

    // No worktree is left registered besides the user's own.
    let worktrees = git(repo, &["worktree", "list", "--porcelain"]);
    assert_eq!(worktrees.lines().filter(|l| l.starts_with("worktree ")).count(), 1, "{worktrees}");

    // The event log is whole lines of JSON, kills and all.
    let events = std::fs::read_to_string(repo.join(".molt/events.jsonl")).unwrap();
    for line in events.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("events.jsonl: {e}: {line}"));
    }
}

/// The migration's diff, as a person reviews it (the shipped wrapper headers
/// left out): the same as a run that was never killed.
fn migration_diff(repo: &Path, base: &str) -> String {
    let diff = git(
        repo,
        &[
            "diff",
            &format!("{base}..{BRANCH}"),
            "--",
            ".",
            ":(exclude)src/molt_simd_neon.h",
            ":(exclude)src/molt_simd_scalar.h",
        ],
    );
    diff.lines().filter(|l| !l.starts_with("index ")).collect::<Vec<_>>().join("\n")
}

#[test]
fn kill_9_at_random_moments_then_resume_loses_and_repeats_no_task() {
    let seed = seed();
    eprintln!("kill seed: {seed} (MOLT_KILL_SEED={seed} replays it)");
    let mut rng = Lcg(seed);
    let dir = fixture_repo("kill-many");
    let repo = dir.path();
    let logs = tempfile::tempdir().unwrap();
    let head_before = git(repo, &["rev-parse", "HEAD"]).trim().to_owned();
    let head_before = head_before.as_str();

    // A whole run prints about 4 lines a task plus a few; each kill lands
    // somewhere in what is left of the run, delayed by a few milliseconds half
    // the time so that it falls between events (inside a merge, a commit or a
    // state write) as well as right after them.
    let mut kills = Vec::new();
    let mut remaining_lines = 46u64;
    let mut round = 0;
    let finished = loop {
        round += 1;
        let command = if round == 1 { "run" } else { "resume" };
        let kill = (round <= KILLS).then(|| KillPoint::random(&mut rng, remaining_lines));
        let stderr = logs.path().join(format!("stderr-{round}.txt"));
        let started = std::time::Instant::now();
        let (lines, end) = molt_until(repo, command, kill, &stderr);
        eprintln!("round {round}: `molt {command}` {end:?} after {} line(s), {:.1?}", lines.len(), started.elapsed());
        let context = format!("seed {seed}, round {round} (`molt {command}`, kill at {kill:?})");
        match end {
            End::Killed => {
                kills.push(kill);
                let state = state_after_kill(repo, &context);
                // What the next process has left to print: its first line,
                // four a task, the final check and the end.
                remaining_lines = 1 + 4 * uncommitted(&state) as u64 + 3;
            }
            End::Exited(status) => {
                let err = std::fs::read_to_string(&stderr).unwrap_or_default();
                assert_eq!(status.code(), Some(0), "{context}: molt failed\n{}\n{err}", lines.join("\n"));
                break lines;
            }
        }
    };
    eprintln!("seed {seed}: survived {} kill(s) at {kills:?} over {round} process(es)", kills.len());
    assert_finished_cleanly(repo, head_before, &finished);
    insta::assert_snapshot!("resume_diff", migration_diff(repo, head_before));
}

#[test]
fn kill_9_during_the_baseline_checks_then_resume() {
    let dir = fixture_repo("kill-many");
    let repo = dir.path();
    let logs = tempfile::tempdir().unwrap();
    let head_before = git(repo, &["rev-parse", "HEAD"]).trim().to_owned();
    let head_before = head_before.as_str();

    let err = std::fs::File::create(logs.path().join("stderr-run.txt")).unwrap();
    let mut child = Command::new(molt_bin())
        .args(["run", "--json", "--jobs", "3"])
        .current_dir(repo)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .unwrap();
    // The baseline check has started once make has made its build folder in
    // the baseline worktree; it has not finished while baseline.json is absent.
    let building = repo.join(".molt/worktrees/baseline/build");
    while !building.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("molt ended ({status}) before the baseline check started");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!repo.join(".molt/baseline.json").exists(), "the kill came after the baseline was written");
    let state = state_after_kill(repo, "killed during the baseline");
    assert_eq!(uncommitted(&state), state["tasks"].as_object().unwrap().len(), "{state}");

    let (lines, end) = molt_until(repo, "resume", None, &logs.path().join("stderr-resume.txt"));
    let err = std::fs::read_to_string(logs.path().join("stderr-resume.txt")).unwrap_or_default();
    assert!(matches!(end, End::Exited(s) if s.success()), "resume failed: {end:?}\n{}\n{err}", lines.join("\n"));
    // The resumed run measured the baseline afresh, once.
    let baselines = lines.iter().filter(|l| l.contains("\"check\":\"baseline/x86-test\"")).count();
    assert_eq!(baselines, 1, "{}", lines.join("\n"));
    assert_finished_cleanly(repo, head_before, &lines);
}
