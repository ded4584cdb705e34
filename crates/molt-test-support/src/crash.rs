//! Killing `molt` with SIGKILL at chosen moments and auditing what it left:
//! the pieces the crash-safety test and `cargo xtask soak` share.
//!
//! The audit reads only what a user could read: the migration branch's
//! commits and their `Molt-*` trailers, `.molt/state.json`, the user's branch
//! and working tree. It returns figures instead of panicking, so a soak can
//! count and a test can assert.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};

/// A small linear congruential generator (Knuth's MMIX constants): enough to
/// spread kill points, with no dependency.
#[derive(Debug, Clone)]
pub struct Lcg(pub u64);

impl Lcg {
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Where to kill a molt process: when a line of its `--json` output meets
/// the trigger, and `delay` later.
#[derive(Debug, Clone, Copy)]
pub struct KillPoint {
    pub at: Trigger,
    pub delay: Duration,
}

/// The line of molt's `--json` output that a kill waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The `n`-th line (1-based).
    Line(usize),
    /// The `nth` (1-based) event of this kind, e.g. `task_committed`.
    Event { event: &'static str, nth: usize },
}

impl KillPoint {
    /// A kill point somewhere in the `remaining_lines` a process has left to
    /// print, right after a line half the time and a few milliseconds later
    /// the other half (inside a merge, a commit or a state write).
    pub fn random(rng: &mut Lcg, remaining_lines: u64) -> KillPoint {
        KillPoint {
            at: Trigger::Line(1 + rng.below(remaining_lines) as usize),
            delay: Duration::from_millis(if rng.below(2) == 0 { 0 } else { rng.below(40) }),
        }
    }

    /// A kill aimed where a crash hurts most, for a process with `tasks`
    /// tasks left to commit: right after one of its `task_committed` events
    /// (the state write and the next task's branch and worktree reset
    /// follow), or a few milliseconds after a task's check finished, which
    /// lands in the task's commit or its merge into the migration branch
    /// (ref updates under git's lock files).
    pub fn targeted(rng: &mut Lcg, tasks: u64) -> KillPoint {
        let nth = 1 + rng.below(tasks.max(1)) as usize;
        if rng.below(2) == 0 {
            KillPoint { at: Trigger::Event { event: "task_committed", nth }, delay: Duration::ZERO }
        } else {
            KillPoint {
                at: Trigger::Event { event: "check_finished", nth },
                delay: Duration::from_millis(rng.below(12)),
            }
        }
    }

    fn hit(&self, lines: &[String], counted: &mut usize) -> bool {
        match self.at {
            Trigger::Line(n) => lines.len() == n,
            Trigger::Event { event, nth } => {
                let last = lines.last().map_or("", String::as_str);
                // A task's own check, not a baseline or final one.
                let wanted = last.contains(&format!("\"event\":\"{event}\""))
                    && (event != "check_finished" || last.contains("\"task\":"));
                if wanted {
                    *counted += 1;
                }
                wanted && *counted == nth
            }
        }
    }
}

/// How one molt process ended.
#[derive(Debug)]
pub enum End {
    Killed,
    Exited(ExitStatus),
}

/// Runs `molt <command> --json --jobs <jobs>` in `repo`, killed at `kill`
/// unless it ends first. Returns its stdout lines and how it ended; stderr
/// goes to the file `stderr`.
pub fn molt_until(
    molt: &Path,
    repo: &Path,
    command: &str,
    jobs: usize,
    kill: Option<KillPoint>,
    stderr: &Path,
) -> Result<(Vec<String>, End)> {
    let err = std::fs::File::create(stderr).with_context(|| format!("creating {}", stderr.display()))?;
    let mut child: Child = Command::new(molt)
        .args([command, "--json", "--jobs", &jobs.to_string()])
        .current_dir(repo)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(err)
        .spawn()
        .with_context(|| format!("spawning {}", molt.display()))?;
    let stdout = child.stdout.take().context("molt's stdout was not piped")?;
    let mut lines = Vec::new();
    let mut reader = BufReader::new(stdout).lines();
    let mut counted = 0;
    while let Some(Ok(line)) = reader.next() {
        lines.push(line);
        if let Some(k) = kill.filter(|k| k.hit(&lines, &mut counted)) {
            std::thread::sleep(k.delay);
            // SIGKILL on Unix: no destructor, no flush, no cleanup runs.
            let _ = child.kill();
            let status = child.wait().context("waiting for the killed molt")?;
            if status.code().is_none() {
                return Ok((lines, End::Killed));
            }
            // It ended on its own just before the signal: keep what it printed.
            lines.extend(reader.map_while(std::result::Result::ok));
            return Ok((lines, End::Exited(status)));
        }
    }
    let status = child.wait().context("waiting for molt")?;
    Ok((lines, End::Exited(status)))
}

/// `.molt/state.json`, which must parse whenever molt has died.
pub fn load_state(repo: &Path) -> Result<serde_json::Value> {
    let path = repo.join(".molt/state.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} does not parse", path.display()))
}

/// Tasks of a state not yet committed.
pub fn uncommitted(state: &serde_json::Value) -> usize {
    state["tasks"].as_object().map_or(0, |t| t.values().filter(|r| r["state"] != "committed").count())
}

/// The task ids of `.molt/plan.json`, in plan order.
pub fn plan_task_ids(repo: &Path) -> Result<Vec<String>> {
    let path = repo.join(".molt/plan.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let plan: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let tasks = plan["tasks"].as_array().context("plan.json has no tasks array")?;
    Ok(tasks.iter().filter_map(|t| t["id"].as_str().map(str::to_owned)).collect())
}

/// What the migration branch holds, commit by commit.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BranchAudit {
    /// Per task, how many commits claim it (`Molt-Task`).
    pub committed: BTreeMap<String, usize>,
    /// Merge commits (`Molt-Merge`).
    pub merges: usize,
    /// Commits that reached the branch without every check passing (or with
    /// no `Molt-Checks` trailer), as `oid (task): why`.
    pub unchecked: Vec<String>,
    /// Commits with neither `Molt-Task` nor `Molt-Merge`, or a merge that
    /// claims a task, as `oid: why`.
    pub strays: Vec<String>,
}

impl BranchAudit {
    /// Tasks of `plan` with no commit.
    pub fn lost(&self, plan: &[String]) -> Vec<String> {
        plan.iter().filter(|id| !self.committed.contains_key(*id)).cloned().collect()
    }

    /// Tasks committed more than once.
    pub fn twice(&self) -> Vec<String> {
        self.committed.iter().filter(|(_, n)| **n > 1).map(|(t, _)| t.clone()).collect()
    }

    /// Commits of tasks that are not in `plan`.
    pub fn unknown(&self, plan: &[String]) -> Vec<String> {
        self.committed.keys().filter(|t| !plan.contains(t)).cloned().collect()
    }
}

/// Reads the commits of `branch` since `base`.
pub fn audit_branch(repo: &Path, base: &str, branch: &str) -> Result<BranchAudit> {
    let log = git(
        repo,
        &[
            "log",
            "--format=%H%x1f%P%x1f%(trailers:key=Molt-Task,valueonly,separator=%x2C)%x1f\
             %(trailers:key=Molt-Checks,valueonly,separator=%x2C)%x1f%(trailers:key=Molt-Merge,valueonly,separator=%x2C)%x1e",
            &format!("{base}..{branch}"),
        ],
    )?;
    let mut audit = BranchAudit::default();
    for record in log.split('\x1e').map(str::trim).filter(|r| !r.is_empty()) {
        let f: Vec<&str> = record.split('\x1f').map(str::trim).collect();
        let [oid, parents, task, checks, merge] = f[..] else { bail!("bad git log record {record:?}") };
        if !merge.is_empty() {
            if !task.is_empty() || !checks.is_empty() {
                audit.strays.push(format!("{oid}: a merge that claims a task"));
            }
            if parents.split(' ').count() != 2 {
                audit.strays.push(format!("{oid}: Molt-Merge on a commit with parents {parents}"));
            }
            audit.merges += 1;
            continue;
        }
        if task.is_empty() {
            audit.strays.push(format!("{oid}: neither Molt-Task nor Molt-Merge"));
            continue;
        }
        if checks.is_empty() {
            audit.unchecked.push(format!("{oid} ({task}): no Molt-Checks trailer"));
        }
        for check in checks.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            if !(check.ends_with("=pass") || check.ends_with("=fixed")) {
                audit.unchecked.push(format!("{oid} ({task}): committed with check {check}"));
            }
        }
        *audit.committed.entry(task.to_owned()).or_default() += 1;
    }
    Ok(audit)
}

/// What may not change in the user's own repository: the branch `HEAD` is
/// on, the commit it points at, and a clean index and working tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserTree {
    pub head_ref: String,
    pub head: String,
    pub status: String,
}

impl UserTree {
    pub fn read(repo: &Path) -> Result<UserTree> {
        Ok(UserTree {
            head_ref: git(repo, &["symbolic-ref", "HEAD"])?.trim().to_owned(),
            head: git(repo, &["rev-parse", "HEAD"])?.trim().to_owned(),
            status: git(repo, &["status", "--porcelain", "--untracked-files=all"])?,
        })
    }
}

/// `git <args>` in `repo`; its stdout.
pub fn git(repo: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git").args(args).current_dir(repo).output().context("running git")?;
    if !out.status.success() {
        bail!("git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_stays_below_its_bound() {
        let mut rng = Lcg(7);
        assert!((0..1000).all(|_| rng.below(10) < 10));
        assert_eq!(rng.below(0), 0);
    }

    #[test]
    fn an_event_trigger_counts_only_its_own_events() {
        let k = KillPoint { at: Trigger::Event { event: "check_finished", nth: 2 }, delay: Duration::ZERO };
        let mut counted = 0;
        let mut lines = Vec::new();
        let mut hits = Vec::new();
        for line in [
            r#"{"event":"check_finished","check":"baseline/x"}"#,
            r#"{"event":"check_finished","task":"a","check":"x"}"#,
            r#"{"event":"task_committed","task":"a"}"#,
            r#"{"event":"check_finished","task":"b","check":"x"}"#,
            r#"{"event":"check_finished","task":"c","check":"x"}"#,
        ] {
            lines.push(line.to_owned());
            hits.push(k.hit(&lines, &mut counted));
        }
        assert_eq!(hits, [false, false, false, true, false]);
    }

    #[test]
    fn lost_twice_and_unknown_tasks_are_counted() {
        let mut audit = BranchAudit::default();
        audit.committed.insert("a".into(), 1);
        audit.committed.insert("b".into(), 2);
        audit.committed.insert("z".into(), 1);
        let plan = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert_eq!(audit.lost(&plan), ["c"]);
        assert_eq!(audit.twice(), ["b"]);
        assert_eq!(audit.unknown(&plan), ["z"]);
    }
}
