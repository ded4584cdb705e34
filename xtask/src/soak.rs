//! `cargo xtask soak`: the crash-safety promise, measured. `molt run` on the
//! kill-many fixture is killed with SIGKILL at `--kills` pseudo-random
//! moments (default 20), `molt resume`d after each, and the last resume is let
//! finish. After every kill `.molt/state.json` must load and the user's branch
//! and working tree must be as they were; at the end every task of the plan
//! must be committed exactly once, every commit must carry passing checks, and
//! nothing else may be on the migration branch. The figures are printed
//! either way; any broken promise fails the task.
//!
//! A migration that finishes before the kills are spent is audited and the
//! next starts from a fresh copy of the fixture, so every kill lands in a run.
//!
//! Half the kills fall at seeded random lines of molt's output; the other
//! half are aimed where a crash hurts: right after a `task_committed` event,
//! or a few milliseconds after a task's check finished (inside its commit or
//! its merge, where git's lock files are held). After the last resume no git
//! lock file may be left, and no task may have failed for an environment
//! reason (a lock, a killed process, a full disk).
//!
//! Options: `--kills N`, `--seed S` (replays a sequence; printed at the start),
//! `--jobs J` (molt's, default 3), `--dir DIR` (keep the repositories there).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use molt_test_support::crash::{
    audit_branch, load_state, molt_until, plan_task_ids, uncommitted, End, KillPoint, Lcg, UserTree,
};

use crate::demo::copy_tree;
use crate::{cargo, project_root, run};

const FIXTURE: &str = "kill-many";
const BRANCH: &str = "molt/kill-port";

struct Options {
    kills: usize,
    seed: u64,
    jobs: usize,
    dir: Option<PathBuf>,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        kills: 20,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 ^ u64::from(std::process::id())),
        jobs: 3,
        dir: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--kills" => o.kills = value()?.parse().context("--kills")?,
            "--seed" => o.seed = value()?.parse().context("--seed")?,
            "--jobs" => o.jobs = value()?.parse().context("--jobs")?,
            "--dir" => o.dir = Some(PathBuf::from(value()?)),
            other => bail!("unknown option {other} (expected --kills, --seed, --jobs, --dir)"),
        }
    }
    Ok(o)
}

/// The figures a soak prints.
#[derive(Debug, Default)]
struct Figures {
    kills_survived: usize,
    migrations: usize,
    rounds: usize,
    state_unloadable: Vec<String>,
    user_tree_touched: Vec<String>,
    tasks: usize,
    lost: Vec<String>,
    twice: Vec<String>,
    unknown: Vec<String>,
    unchecked: Vec<String>,
    strays: Vec<String>,
    /// `task_failed` events that blame the machine, as `context: reason`.
    environment_failures: Vec<String>,
    /// Git lock files left in a repository after its migration finished.
    stale_locks: Vec<String>,
    /// Kill points aimed at a commit or a merge, and in all (a run can end
    /// before its kill point comes).
    targeted_kills: usize,
    kill_points: usize,
}

impl Figures {
    fn broken(&self) -> bool {
        !(self.state_unloadable.is_empty()
            && self.user_tree_touched.is_empty()
            && self.lost.is_empty()
            && self.twice.is_empty()
            && self.unknown.is_empty()
            && self.unchecked.is_empty()
            && self.strays.is_empty()
            && self.environment_failures.is_empty()
            && self.stale_locks.is_empty())
    }

    fn print(&self, seed: u64) {
        println!("soak (seed {seed}):");
        println!(
            "  kills survived:            {} over {} molt processes, {} whole migrations",
            self.kills_survived, self.rounds, self.migrations
        );
        println!("  tasks (all migrations):    {}", self.tasks);
        println!("  tasks lost:                {} {:?}", self.lost.len(), self.lost);
        println!("  tasks committed twice:     {} {:?}", self.twice.len(), self.twice);
        println!("  commits without passing checks: {} {:?}", self.unchecked.len(), self.unchecked);
        println!(
            "  other commits on the branch:    {} {:?} {:?}",
            self.strays.len() + self.unknown.len(),
            self.strays,
            self.unknown
        );
        println!(
            "  kill points aimed at commits and merges: {} of {} (the rest at random lines)",
            self.targeted_kills, self.kill_points
        );
        println!(
            "  tasks failed for an environment reason: {} {:?}",
            self.environment_failures.len(),
            self.environment_failures
        );
        println!("  stale git locks left:      {} {:?}", self.stale_locks.len(), self.stale_locks);
        println!("  state.json unloadable:     {} {:?}", self.state_unloadable.len(), self.state_unloadable);
        println!("  user's branch/tree touched: {} {:?}", self.user_tree_touched.len(), self.user_tree_touched);
    }
}

pub fn soak(args: &[String]) -> Result<()> {
    let o = parse(args)?;
    run(cargo().args(["build", "-p", "molt-cli"]))?;
    let molt = target_dir().join("debug").join("molt");
    let temp = tempfile::tempdir().context("creating a temporary folder")?;
    let root = o.dir.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let logs = temp.path().join("logs");
    std::fs::create_dir_all(&logs).context("creating the log folder")?;
    eprintln!("soak: seed {} (--seed {} replays it), {} kills under {}", o.seed, o.seed, o.kills, root.display());

    // A migration that finishes before all its kills were spent is audited,
    // and the next one starts from a fresh copy of the fixture.
    let mut rng = Lcg(o.seed);
    let mut figures = Figures::default();
    while figures.kills_survived < o.kills || figures.migrations == 0 {
        figures.migrations += 1;
        let repo = root.join(format!("repo-{}", figures.migrations));
        fixture_repo(&project_root().join("fixtures").join(FIXTURE), &repo)?;
        migration(&molt, &repo, &logs, &o, &mut rng, &mut figures)?;
    }
    figures.print(o.seed);
    if figures.broken() {
        bail!("a crash-safety promise broke (seed {}); see the figures above", o.seed);
    }
    Ok(())
}

/// One migration of the fixture in `repo`, killed until the kills are spent
/// or a run finishes, then audited into `figures`.
fn migration(molt: &Path, repo: &Path, logs: &Path, o: &Options, rng: &mut Lcg, figures: &mut Figures) -> Result<()> {
    let before = UserTree::read(repo)?;
    // A whole run prints about 4 lines a task plus a few: each kill lands in
    // what is left of the run.
    let mut remaining_lines = 46u64;
    let mut remaining_tasks = 10u64;
    let mut round = 0;
    loop {
        round += 1;
        figures.rounds += 1;
        let command = if round == 1 { "run" } else { "resume" };
        let kill = (figures.kills_survived < o.kills).then(|| {
            figures.kill_points += 1;
            if rng.below(2) == 0 {
                KillPoint::random(rng, remaining_lines)
            } else {
                figures.targeted_kills += 1;
                KillPoint::targeted(rng, remaining_tasks)
            }
        });
        let stderr = logs.join(format!("stderr-{}-{round}.txt", figures.migrations));
        let started = std::time::Instant::now();
        let (lines, end) = molt_until(molt, repo, command, o.jobs, kill, &stderr)?;
        eprintln!(
            "migration {}, round {round}: `molt {command}` {end:?} after {} line(s), {:.1?}",
            figures.migrations,
            lines.len(),
            started.elapsed()
        );
        let context = format!("migration {}, round {round} (`molt {command}`, kill at {kill:?})", figures.migrations);
        for line in lines.iter().filter(|l| l.contains("\"event\":\"task_failed\"")) {
            if line.contains("\"environment\":true") {
                figures.environment_failures.push(format!("{context}: {line}"));
            }
        }
        if UserTree::read(repo)? != before {
            figures.user_tree_touched.push(context.clone());
        }
        match end {
            End::Killed => {
                figures.kills_survived += 1;
                match load_state(repo) {
                    Ok(state) => {
                        remaining_tasks = uncommitted(&state) as u64;
                        remaining_lines = 1 + 4 * remaining_tasks + 3;
                    }
                    Err(e) => figures.state_unloadable.push(format!("{context}: {e:#}")),
                }
            }
            End::Exited(status) if status.success() => break,
            End::Exited(status) => {
                let err = std::fs::read_to_string(&stderr).unwrap_or_default();
                bail!("{context}: molt failed with {status}\n{}\n{err}", lines.join("\n"));
            }
        }
    }
    figures.stale_locks.extend(lock_files(&repo.join(".git")).into_iter().map(|p| p.display().to_string()));
    let plan = plan_task_ids(repo)?;
    let audit = audit_branch(repo, &before.head, BRANCH)?;
    figures.tasks += plan.len();
    figures.lost.extend(audit.lost(&plan));
    figures.twice.extend(audit.twice());
    figures.unknown.extend(audit.unknown(&plan));
    figures.unchecked.extend(audit.unchecked);
    figures.strays.extend(audit.strays);
    Ok(())
}

/// Every `*.lock` file under `dir`.
fn lock_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(lock_files(&path));
        } else if path.extension().is_some_and(|e| e == "lock") {
            out.push(path);
        }
    }
    out
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| project_root().join("target"), PathBuf::from)
}

/// Copies a fixture (without build outputs) into `to` and makes it a git
/// repository with one commit on `main`.
fn fixture_repo(from: &Path, to: &Path) -> Result<()> {
    copy_tree(from, to)?;
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["config", "user.name", "Soak"],
        &["config", "user.email", "soak@localhost"],
        &["add", "-A"],
        &["commit", "-q", "-m", "fixture"],
    ] {
        molt_test_support::crash::git(to, args)?;
    }
    Ok(())
}
