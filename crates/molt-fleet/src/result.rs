//! `result.json`: what one unit of a fleet did to one repository.
//!
//! The format is versioned ([`VERSION`]) and described by the JSON Schema in
//! `docs/schemas/fleet-result.schema.json`, which the suite checks result
//! files against. A unit always writes one, whatever happened: a clone that
//! failed is an `error` outcome with its stage and message, so the aggregate
//! report sees every index. The file is written whole or not at all (a
//! temporary file renamed into place): an engine that kills a unit leaves
//! no half-written result for the report to misread.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The format version of `result.json`.
pub const VERSION: u64 = 1;

/// What one unit of work did to one repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitResult {
    pub version: u64,
    /// The molt that wrote it.
    pub molt_version: String,
    pub repository: Repository,
    /// The fleet index, when the unit came from a fleet file.
    pub index: Option<usize>,
    pub revision: Revision,
    pub migration: Option<Migration>,
    pub outcome: Outcome,
    /// Why the outcome is not `migrated`, in a few words that group alike
    /// failures (`clone failed`, `checks failed`, `sites left unmapped`).
    pub reason: Option<String>,
    pub coverage: Option<Coverage>,
    pub tasks: Option<Tasks>,
    pub checks: Checks,
    pub branch: Option<Branch>,
    pub pull_request: Option<PullRequest>,
    /// The branch and the pull request were already as this run would make
    /// them, and were left alone.
    pub up_to_date: bool,
    pub tokens: u64,
    pub cost_usd: f64,
    /// The spending cap the unit ran under, from the fleet's budget.
    pub budget_usd: Option<f64>,
    /// When the unit started (RFC 3339).
    pub started_at: String,
    pub duration_ms: u64,
    pub error: Option<UnitError>,
}

/// How a unit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every task committed and every final check passing.
    Migrated,
    /// A task failed because its checks failed, or a final check fails.
    ChecksFailed,
    /// Tasks failed for another reason, were blocked, or the budget ran out.
    Incomplete,
    /// molt could not do its part: the clone, the spec, the machine, the push
    /// or the pull request.
    Error,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [Outcome::Migrated, Outcome::ChecksFailed, Outcome::Incomplete, Outcome::Error];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Migrated => "migrated",
            Outcome::ChecksFailed => "checks_failed",
            Outcome::Incomplete => "incomplete",
            Outcome::Error => "error",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repository {
    /// The URL cloned, without any user or password.
    pub url: String,
    /// A short name for tables, job names and artifacts.
    pub name: String,
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    /// The revision asked for (a branch, a tag or a commit), if any.
    pub requested: Option<String>,
    /// The commit the migration started from.
    pub commit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Migration {
    pub name: String,
    /// `repository` (the repository's own spec) or `fleet` (a fleet-wide one).
    pub spec_from: String,
    /// The spec's path: inside the repository, or the fleet-wide file.
    pub spec: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub total: usize,
    pub rules: usize,
    pub model: usize,
    pub unmapped: usize,
    pub failed: usize,
    pub blocked: usize,
    pub pending: usize,
}

impl Coverage {
    pub fn migrated(&self) -> usize {
        self.rules + self.model
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tasks {
    pub committed: usize,
    pub failed: usize,
    pub blocked: usize,
    pub pending: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Checks {
    /// On the untouched base commit.
    pub before: Vec<Check>,
    /// On the migration branch at the end.
    pub after: Vec<Check>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    /// pass, fixed, fail, still failing
    pub outcome: String,
    pub detail: String,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Branch {
    /// `molt/<migration>`.
    pub name: String,
    pub base: String,
    pub tip: String,
    /// The commits the base lacks, oldest first.
    pub commits: Vec<String>,
    /// What happened on the remote.
    pub push: PushAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushAction {
    /// Not asked to publish, or nothing to publish.
    NotPushed,
    Created,
    Updated,
    /// The remote's branch already holds this tree on this base.
    UpToDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub repo: String,
    pub number: u64,
    pub url: String,
    pub action: PullAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PullAction {
    Created,
    Updated,
    /// Open already, for a branch that did not change: left alone.
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitError {
    pub stage: Stage,
    pub message: String,
}

/// Where a unit stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Clone,
    Spec,
    Run,
    Push,
    PullRequest,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Clone => "clone",
            Stage::Spec => "spec",
            Stage::Run => "run",
            Stage::Push => "push",
            Stage::PullRequest => "pull_request",
        }
    }
}

impl UnitResult {
    /// The process exit code molt documents for this outcome: 0 migrated,
    /// 1 incomplete or checks failed, 2 a spec error, 3 the environment
    /// (clone, machine, push, forge).
    pub fn exit_code(&self) -> u8 {
        match (self.outcome, self.error.as_ref().map(|e| e.stage)) {
            (Outcome::Migrated, _) => 0,
            (Outcome::ChecksFailed | Outcome::Incomplete, _) => 1,
            (Outcome::Error, Some(Stage::Spec)) => 2,
            (Outcome::Error, _) => 3,
        }
    }

    /// Writes the result to `path` whole or not at all.
    pub fn write(&self, path: &Path) -> Result<()> {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let mut text =
            serde_json::to_string_pretty(self).map_err(|source| Error::ResultFile { path: path.into(), source })?;
        text.push('\n');
        std::fs::write(&tmp, text).map_err(|e| Error::io("writing", &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io("renaming into place", path, e))
    }

    /// Reads a result file, refusing other format versions.
    pub fn read(path: &Path) -> Result<UnitResult> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|source| Error::ResultFile { path: path.into(), source })?;
        let found = value.get("version").and_then(serde_json::Value::as_u64).unwrap_or(0);
        if found != VERSION {
            return Err(Error::ResultVersion { path: path.into(), found });
        }
        serde_json::from_value(value).map_err(|source| Error::ResultFile { path: path.into(), source })
    }
}
