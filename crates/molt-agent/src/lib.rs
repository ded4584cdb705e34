//! molt-agent: the planner, the agents that edit code, and the scheduler that
//! runs a migration as a durable graph of tasks.
//!
//! It wires the other crates together: sites come from molt-recipes, checks
//! from molt-verify, branches and commits from molt-git. Its state lives in
//! `.molt/` (plan.json, state.json, events.jsonl, baseline.json) so a run can
//! be resumed after any crash. It must not print to the terminal: it reports
//! through events and return values, and the CLI decides how to show them.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod coder;
pub mod planner;
pub mod planner_agent;
pub mod prompts;
pub mod report;
pub mod rules;
pub mod run;
pub mod state;
pub mod tools;

use std::path::Path;

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Spec(#[from] molt_core::SpecError),
    #[error(transparent)]
    PlanFile(#[from] molt_core::PlanError),
    #[error("{0}")]
    Plan(String),
    #[error("{0}")]
    Recipe(String),
    /// A recipe pinned in another git repository could not be fetched: the
    /// network, the URL or the credentials, not the spec.
    #[error("recipe: {0}")]
    RecipeFetch(String),
    #[error("{0}")]
    Path(String),
    #[error("{0}")]
    State(String),
    /// Another molt process holds the repository's run lock.
    #[error("{0}")]
    Busy(String),
    #[error("{0}")]
    Verify(String),
    #[error("model: {0}")]
    Model(String),
    #[error("git: {0}")]
    Git(String),
    /// The machine failed the task: a git lock held past molt's back-off, a
    /// full disk, another I/O error in git.
    #[error("git: {0}")]
    Environment(String),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io { path: path.display().to_string(), source }
    }

    /// A molt-git error, kept apart as an I/O error when it is the machine's
    /// (a held git lock, a full disk) so the task that met it counts as
    /// failed for an environment reason.
    pub fn from_git(e: molt_git::Error) -> Self {
        if e.is_environment() {
            Error::Environment(e.to_string())
        } else {
            Error::Git(e.to_string())
        }
    }

    /// Whether a task that ended with this error failed for the machine's
    /// reason rather than the code's (see docs/architecture.md).
    pub fn is_environment(&self) -> bool {
        match self {
            Error::Environment(_) => true,
            Error::Io { source, .. } => source.kind() != std::io::ErrorKind::InvalidData,
            _ => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
