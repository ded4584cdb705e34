//! The durable state of a run: `.molt/state.json` (written atomically after
//! every change) and `.molt/events.jsonl` (appended, one event a line);
//! [`crate::workspace::Workspace`] reads and writes them.
//!
//! The state is a cache of what the events and git refs already say: after a
//! crash, `resume` trusts the migration branch (a task whose commit is on it
//! is committed, whatever the state file says) and re-runs anything that was
//! in flight.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use molt_core::{Event, EventKind, TaskId, TaskState};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

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
    pub fn states(&self) -> BTreeMap<TaskId, TaskState> {
        self.tasks.iter().map(|(id, r)| (id.clone(), r.state)).collect()
    }

    pub fn count(&self, state: TaskState) -> usize {
        self.tasks.values().filter(|r| r.state == state).count()
    }
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
    /// Opens the log at `path` (the workspace's `events.jsonl`) for appending.
    pub(crate) fn open(path: &Path, run: &str, observer: Option<Observer>) -> Result<Self> {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| Error::io(path, e))?;
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
