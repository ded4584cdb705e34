//! Crash safety: `molt run` killed with SIGKILL at many moments (during
//! edits, checks, commits, merges and state writes), then `molt resume`d and
//! killed again, until a resume is let finish. Nothing finished may be lost,
//! nothing may be committed twice, nothing unchecked may reach the migration
//! branch, and the user's branch and working tree stay as they were.
//!
//! The kill points are pseudo-random from a seed printed on stderr; set
//! `MOLT_KILL_SEED` to replay a failing sequence.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use crate::{fixture_repo, git, molt_bin};

const BRANCH: &str = "molt/kill-port";

/// Kills per run of the test: enough to land in every phase of a task now
/// and then, few enough to keep the test well under a minute on two cores.
const KILLS: usize = 5;

/// A small linear congruential generator (Knuth's MMIX constants): enough to
/// spread kill points, with no dependency.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn seed() -> u64 {
    match std::env::var("MOLT_KILL_SEED") {
        Ok(s) => s.trim().parse().unwrap_or_else(|e| panic!("MOLT_KILL_SEED={s}: {e}")),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 ^ u64::from(std::process::id())),
    }
}

/// Where to kill a molt process: right after it prints line `after_line` of
/// its `--json` output, and `delay` later.
#[derive(Debug, Clone, Copy)]
struct KillPoint {
    after_line: usize,
    delay: Duration,
}

/// How one molt process ended.
#[derive(Debug)]
enum End {
    Killed,
    Exited(ExitStatus),
}

/// One `molt <command> --json` in `repo`, killed at `kill` unless it ends
/// first. Returns its stdout lines and how it ended; stderr goes to `stderr`.
fn molt_until(repo: &Path, command: &str, kill: Option<KillPoint>, stderr: &Path) -> (Vec<String>, End) {
    let err = std::fs::File::create(stderr).expect("stderr file");
    let mut child: Child = Command::new(molt_bin())
        .args([command, "--json", "--jobs", "3"])
        .current_dir(repo)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(err)
        .spawn()
        .expect("spawning molt");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = Vec::new();
    let mut reader = BufReader::new(stdout).lines();
    while let Some(Ok(line)) = reader.next() {
        lines.push(line);
        if let Some(k) = kill.filter(|k| k.after_line == lines.len()) {
            std::thread::sleep(k.delay);
            // SIGKILL on Unix: no destructor, no flush, no cleanup runs.
            let _ = child.kill();
            let status = child.wait().expect("waiting for killed molt");
            if status.code().is_none() {
                return (lines, End::Killed);
            }
            // It ended on its own just before the signal: keep what it printed.
            lines.extend(reader.map_while(Result::ok));
            return (lines, End::Exited(status));
        }
    }
    let status = child.wait().expect("waiting for molt");
    (lines, End::Exited(status))
}

/// `.molt/state.json` must parse whenever molt has died; returns it.
fn state_after_kill(repo: &Path, context: &str) -> serde_json::Value {
    let path = repo.join(".molt/state.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{context}: reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{context}: state.json does not parse: {e}\n{text}"))
}

/// Tasks of the state not yet committed.
fn uncommitted(state: &serde_json::Value) -> usize {
    state["tasks"].as_object().map_or(0, |t| t.values().filter(|r| r["state"] != "committed").count())
}

fn summary_of(lines: &[String]) -> serde_json::Value {
    lines
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find_map(|v| v.get("summary").cloned())
        .unwrap_or_else(|| panic!("no summary line in:\n{}", lines.join("\n")))
}

/// What must hold once a resume has finished, however many kills came before.
fn assert_finished_cleanly(repo: &Path, head_before: &str, lines: &[String]) {
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

    // Every task committed exactly once; every other commit is a merge.
    let log = git(
        repo,
        &[
            "log",
            "--format=%H%x1f%P%x1f%(trailers:key=Molt-Task,valueonly,separator=%x2C)%x1f\
             %(trailers:key=Molt-Checks,valueonly,separator=%x2C)%x1f%(trailers:key=Molt-Merge,valueonly,separator=%x2C)%x1e",
            &format!("{head_before}..{BRANCH}"),
        ],
    );
    let mut committed: BTreeMap<String, usize> = BTreeMap::new();
    for record in log.split('\x1e').map(str::trim).filter(|r| !r.is_empty()) {
        let f: Vec<&str> = record.split('\x1f').map(str::trim).collect();
        let [oid, parents, task, checks, merge] = f[..] else { panic!("bad log record {record:?}") };
        if !merge.is_empty() {
            assert!(task.is_empty() && checks.is_empty(), "{oid}: a merge that claims a task: {record:?}");
            assert_eq!(parents.split(' ').count(), 2, "{oid}: Molt-Merge on a commit with parents {parents}");
            continue;
        }
        assert!(!task.is_empty(), "{oid}: a commit with neither Molt-Task nor Molt-Merge");
        assert!(!checks.is_empty(), "{oid} ({task}): no Molt-Checks trailer");
        for check in checks.split(',').map(str::trim) {
            assert!(
                check.ends_with("=pass") || check.ends_with("=fixed"),
                "{oid} ({task}): committed with check {check}"
            );
        }
        *committed.entry(task.to_owned()).or_default() += 1;
    }
    let twice: Vec<_> = committed.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "tasks committed more than once: {twice:?}");
    let lost: Vec<_> = task_ids.iter().filter(|id| !committed.contains_key(*id)).collect();
    assert!(lost.is_empty(), "tasks lost: {lost:?}");
    assert_eq!(committed.len(), task_ids.len(), "commits of tasks not in the plan: {committed:?}");

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
        let kill = (round <= KILLS).then(|| KillPoint {
            after_line: 1 + rng.below(remaining_lines) as usize,
            delay: Duration::from_millis(if rng.below(2) == 0 { 0 } else { rng.below(40) }),
        });
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
