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
pub mod macros;
pub mod planner;
pub mod planner_agent;
pub mod prompts;
pub mod report;
pub mod rules;
pub mod run;
pub mod spec;
pub mod state;
pub mod summary;
pub mod tools;
pub mod workspace;

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
    /// The spec's `include` or `protected` globs do not compile.
    #[error(transparent)]
    Glob(#[from] molt_core::policy::GlobError),
    /// A prompt template that does not render.
    #[error("prompt template {name}: {source}")]
    Template {
        name: &'static str,
        #[source]
        source: minijinja::Error,
    },
    #[error(transparent)]
    Recipe(#[from] molt_recipes::Error),
    /// `migration.recipe` is a `git+URL@COMMIT` that does not parse.
    #[error("migration.recipe: {0}")]
    RecipePin(#[source] molt_git::Error),
    /// A recipe pinned in another git repository could not be fetched: the
    /// network, the URL or the credentials, not the spec.
    #[error("recipe: {0}")]
    RecipeFetch(#[source] molt_git::Error),
    /// There is nowhere to keep fetched recipes.
    #[error("recipe: neither XDG_CACHE_HOME nor HOME is set, so there is no recipe cache")]
    NoRecipeCache,
    /// An agent's path the policy refuses.
    #[error(transparent)]
    Refused(#[from] molt_core::Refusal),
    /// An agent's path that leaves the worktree (a symbolic link, `..`).
    #[error(transparent)]
    Confine(molt_syntax::Error),
    /// The recipe's rewrite of a task's files, refused as an edit set (it
    /// would add a syntax error, or leave the paths the policy allows).
    #[error("the recipe's rewrite was refused: {0}")]
    Rewrite(#[source] molt_syntax::Error),
    #[error("{0}")]
    State(String),
    /// `.molt/state.json` is not a state file molt can read.
    #[error("{path}: {source}; move it away to start the run afresh")]
    StateFile {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    /// A value molt writes that does not serialize.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// Another molt process holds the repository's run lock.
    #[error("{0}")]
    Busy(String),
    #[error(transparent)]
    Verify(#[from] molt_verify::Error),
    #[error("model: {0}")]
    Model(#[source] molt_llm::Error),
    /// The async runtime for model calls did not start.
    #[error("model: starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("git: {0}")]
    Git(#[source] molt_git::Error),
    /// The machine failed the task: a git lock held past molt's back-off, a
    /// full disk, another I/O error in git.
    #[error("git: {0}")]
    Environment(#[source] molt_git::Error),
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
            Error::Environment(e)
        } else {
            Error::Git(e)
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
