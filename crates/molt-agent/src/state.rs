//! The durable state of a run: `.molt/state.json` (written atomically after
//! every change) and `.molt/events.jsonl` (appended, one event a line).
//!
//! The state is a cache of what the events and git refs already say: after a
//! crash, `resume` trusts the migration branch (a task whose commit is on it
//! is committed, whatever the state file says) and re-runs anything that was
//! in flight.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use molt_core::{Event, EventKind, Plan, TaskId, TaskState};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// `.molt/` under a repository.
pub fn molt_dir(repo: &Path) -> PathBuf {
    repo.join(".molt")
}

/// molt's lock on a repository, `.molt/run.lock`: one `molt run`, `resume`
/// or `plan` at a time. The kernel lets go of it when the process ends,
/// however it ends, so a `kill -9` never leaves it held. While it is held no
/// other molt process is at work in the repository, so any git lock file in
/// molt's own namespaces was left by a dead one and may be removed
/// ([`molt_git::MigrationRepo::clear_stale_locks`]).
#[derive(Debug)]
pub struct RunLock {
    _file: std::fs::File,
}

impl RunLock {
    /// Takes the lock, or says which process holds it.
    ///
    /// A child process that a killed molt had just forked holds the lock too
    /// until it has started its program (the lock is shared across `fork`
    /// and let go at `exec`), which under load takes a moment. So when the
    /// molt that wrote its pid into the file is gone, the lock is waited for
    /// (at most [`RUN_LOCK_WAIT`]); when that molt is alive, the answer is
    /// at once.
    pub fn acquire(repo: &Path) -> Result<RunLock> {
        let dir = molt_dir(repo);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join("run.lock");
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let started = std::time::Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => {
                    // The holder's pid, for the message another molt shows.
                    let _ = file.set_len(0);
                    let _ = write!(file, "{}", std::process::id());
                    return Ok(RunLock { _file: file });
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default().trim().to_owned();
                    let alive = holder.parse::<u32>().is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
                    if alive || started.elapsed() >= RUN_LOCK_WAIT {
                        return Err(Error::Busy(format!(
                            "another molt{} is running in {}; wait for it to end (or stop it) and try again",
                            if alive { format!(" (pid {holder})") } else { String::new() },
                            repo.display()
                        )));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
    }
}

/// How long [`RunLock::acquire`] waits for a lock whose molt is gone.
const RUN_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// One check's verdict, as kept in the state and shown in tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckSummary {
    pub name: String,
    /// pass, fixed, fail, still failing
    pub outcome: String,
    pub blocking: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    pub duration_ms: u64,
}

/// What happened to one task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub state: TaskState,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckSummary>,
    #[serde(default)]
    pub tokens: u64,
    #[serde(default)]
    pub cost_usd: f64,
    /// Sites migrated by rules and by a model.
    #[serde(default)]
    pub sites_rules: usize,
    #[serde(default)]
    pub sites_model: usize,
    /// Sites nobody could migrate, as `path:line: reason`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmapped: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The task failed for the machine's reason (a git lock, a killed
    /// process, a full disk), not the code's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub environment: bool,
}

impl TaskRecord {
    pub fn pending() -> Self {
        Self {
            state: TaskState::Pending,
            attempts: 0,
            agent: None,
            commit: None,
            checks: Vec::new(),
            tokens: 0,
            cost_usd: 0.0,
            sites_rules: 0,
            sites_model: 0,
            unmapped: Vec::new(),
            error: None,
            environment: false,
        }
    }
}

/// `.molt/state.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    pub version: u32,
    pub run: String,
    pub migration: String,
    pub branch: String,
    /// The commit the migration branch started from.
    pub base: String,
    pub tasks: BTreeMap<TaskId, TaskRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub final_checks: Vec<CheckSummary>,
    #[serde(default)]
    pub finished: bool,
    /// What the model calls cost so far, so a resumed run keeps counting
    /// against the same budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spent: Option<ModelSpent>,
}

/// Model spending, for the whole run and per task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelSpent {
    pub run: molt_core::budget::Spent,
    #[serde(default)]
    pub tasks: BTreeMap<String, molt_core::budget::Spent>,
}

impl RunState {
    pub fn path(repo: &Path) -> PathBuf {
        molt_dir(repo).join("state.json")
    }

    pub fn load(repo: &Path) -> Result<Option<RunState>> {
        let path = Self::path(repo);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|source| Error::StateFile { path: path.display().to_string(), source })
    }

    pub fn save(&self, repo: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        write_atomic_redacted(&Self::path(repo), &text)
    }

    pub fn states(&self) -> BTreeMap<TaskId, TaskState> {
        self.tasks.iter().map(|(id, r)| (id.clone(), r.state)).collect()
    }

    pub fn count(&self, state: TaskState) -> usize {
        self.tasks.values().filter(|r| r.state == state).count()
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a
/// reader (or a crash) never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| Error::io(&tmp, e))?;
    f.sync_all().map_err(|e| Error::io(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// [`write_atomic`] for files molt writes outside the repository's tree
/// (`.molt/`): secrets of a known shape are redacted first
/// ([`molt_core::redact`] says which and why).
pub fn write_atomic_redacted(path: &Path, text: &str) -> Result<()> {
    write_atomic(path, molt_core::redact::redact(text).as_bytes())
}

/// A sink for events besides the log file: the CLI's progress or JSON output.
pub type Observer = Arc<dyn Fn(&Event) + Send + Sync>;

/// Appends events to `.molt/events.jsonl` and hands each to an observer.
#[derive(Clone)]
pub struct EventLog {
    inner: Arc<Mutex<std::fs::File>>,
    run: String,
    observer: Option<Observer>,
}

impl std::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventLog").field("run", &self.run).finish_non_exhaustive()
    }
}

impl EventLog {
    pub fn open(repo: &Path, run: &str, observer: Option<Observer>) -> Result<Self> {
        let path = molt_dir(repo).join("events.jsonl");
        let file =
            std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Self { inner: Arc::new(Mutex::new(file)), run: run.to_owned(), observer })
    }

    /// Records an event. A failure to write the log is not worth failing a
    /// run over: the state file and git refs are the source of truth.
    ///
    /// Secrets of a known shape (a key a check printed, one a model repeated)
    /// are redacted from the event before it is written or observed.
    pub fn emit(&self, kind: EventKind) {
        let mut event = Event::new(Utc::now(), self.run.clone(), kind);
        let mut line = event.to_line();
        if let std::borrow::Cow::Owned(redacted) = molt_core::redact::redact(&line) {
            // The redacted line is the event from now on, for the observer too;
            // the marks hold no quote or backslash, so it still parses.
            if let Ok(parsed) = serde_json::from_str::<Event>(&redacted) {
                event = parsed;
            }
            line = redacted;
        }
        if let Ok(mut f) = self.inner.lock() {
            line.push('\n');
            let _ = f.write_all(line.as_bytes());
        }
        if let Some(o) = &self.observer {
            o(&event);
        }
    }
}

/// `.molt/plan.json`: the plan of a run, as the user left it.
pub fn plan_path(repo: &Path) -> PathBuf {
    molt_dir(repo).join("plan.json")
}

/// The plan in `.molt/plan.json`, validated; `None` when there is none yet.
pub fn load_plan(repo: &Path) -> Result<Option<Plan>> {
    let path = plan_path(repo);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(Plan::parse(".molt/plan.json", &text)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(&path, e)),
    }
}

#[cfg(test)]
mod tests;
