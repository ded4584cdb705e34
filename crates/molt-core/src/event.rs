//! Events a run appends to `.molt/events.jsonl`, one JSON object a line.
//!
//! Events are the run's durable log and, with `--json`, its output: CI bots and
//! snapshot tests read them. Each line carries the time and the run id, then an
//! `event` tag and the fields of that kind. New kinds may be added; existing
//! fields keep their meaning.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::plan::TaskId;

/// One line of `events.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub ts: DateTime<Utc>,
    pub run: String,
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    pub fn new(ts: DateTime<Utc>, run: impl Into<String>, kind: EventKind) -> Self {
        Self { ts, run: run.into(), kind }
    }

    /// The JSON line, without its newline.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    RunStarted {
        migration: String,
        branch: String,
        tasks: usize,
        jobs: usize,
    },
    PlanWritten {
        tasks: usize,
    },
    TaskStarted {
        task: TaskId,
        attempt: u32,
    },
    EditApplied {
        task: TaskId,
        agent: String,
        files: Vec<String>,
    },
    CheckFinished {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        task: Option<TaskId>,
        check: String,
        passed: bool,
        duration_ms: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    ModelCall {
        task: TaskId,
        input_tokens: u64,
        output_tokens: u64,
        cost_usd: f64,
    },
    ModelRetry {
        task: Option<TaskId>,
        attempt: u32,
        reason: String,
        wait_ms: u64,
    },
    TaskCommitted {
        task: TaskId,
        commit: String,
    },
    TaskFailed {
        task: TaskId,
        attempt: u32,
        reason: String,
        /// The machine failed the task (a git lock, a killed process, a full
        /// disk), not the code: `molt resume` tries it again.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        environment: bool,
    },
    TaskBlocked {
        task: TaskId,
        by: TaskId,
    },
    /// Git lock files a killed molt left in its own namespaces, removed
    /// when the next run or resume started.
    StaleLocksRemoved {
        paths: Vec<String>,
    },
    /// Something the user should know that does not stop the run.
    Warning {
        message: String,
    },
    RunFinished {
        committed: usize,
        failed: usize,
        blocked: usize,
        pending: usize,
        passed: bool,
    },
}
