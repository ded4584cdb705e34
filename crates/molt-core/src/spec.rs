//! The migration spec, `molt.toml`: what to migrate, with which model, gated by
//! which checks.
//!
//! Loading is two-phase. Serde does the structural work (unknown keys, wrong
//! types, missing fields, unknown enum values) and its errors are rewritten to
//! name the file, the line, the table and the field in words a user can act on.
//! Then [`Spec::validate`] checks what serde cannot: unique check names, fields
//! that only make sense for some kinds of check, globs that compile. Every error
//! a user can cause reads `molt.toml:7: check "bench": ...`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

mod kinds;
mod places;
mod template;
mod validate;

use places::structural_error;
pub use template::template;

/// A whole `molt.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub migration: Migration,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelConfig>,
    #[serde(default, rename = "check", skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
}

/// The `[migration]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Migration {
    /// Short name; the migration branch is `molt/<name>`.
    pub name: String,
    /// What the migration is for, in a sentence or two. Models read it.
    pub goal: String,
    /// A built-in recipe name, a path to a recipe file or folder, or
    /// `git+URL@COMMIT[#SUBDIR]` for one pinned in another git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipe: Option<String>,
    /// Globs of the files the migration may look at and edit.
    #[serde(default = "default_include")]
    pub include: Vec<String>,
    /// Globs that no agent may edit (tests, by default).
    #[serde(default = "default_protected")]
    pub protected: Vec<String>,
    /// How many times a failed task is retried from a clean worktree.
    #[serde(default = "default_attempts")]
    pub attempts: u32,
}

fn default_include() -> Vec<String> {
    vec!["**".to_owned()]
}

fn default_protected() -> Vec<String> {
    vec!["tests/**".to_owned(), "test/**".to_owned()]
}

fn default_attempts() -> u32 {
    3
}

/// Which wire format a model speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Openai,
    Anthropic,
    Bedrock,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 3] = [Self::Openai, Self::Anthropic, Self::Bedrock];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Openai => "openai",
            Self::Anthropic => "anthropic",
            Self::Bedrock => "bedrock",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ProviderKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("unknown provider \"{s}\"; expected one of openai, anthropic, bedrock"))
    }
}

/// The optional `[model]` table. Without it only the rules agent runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    pub provider: ProviderKind,
    pub model: String,
    /// Overrides the provider's base URL (or `OPENAI_BASE_URL` and friends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Spending cap for the whole run, in US dollars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_usd: Option<f64>,
    /// Token cap (input plus output) for the whole run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
    /// Spending cap for one task, in US dollars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_usd_per_task: Option<f64>,
    /// Token cap for one task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens_per_task: Option<u64>,
    /// Largest answer a model may give in one call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// Shared limits for every agent of a run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_minute: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_per_minute: Option<u64>,
    /// Turns a coder agent may take on one attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_turns: Option<u32>,
    /// AWS region and profile, for Bedrock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Overrides the built-in price table for this model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
    /// Seconds to wait for a server to start answering (default 600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_timeout_secs: Option<u64>,
    /// Longest silence, in seconds, between two chunks of an answer (default 120).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout_secs: Option<u64>,
    /// Longest time, in seconds, one answer may take from request to last
    /// byte, so a stream that never ends is cut and retried (default 900).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_timeout_secs: Option<u64>,
    /// Tries of one model call, the first included, before it fails (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_attempts: Option<u32>,
}

impl ModelConfig {
    /// A model with no caps, limits or overrides: what `--provider` and
    /// `--model` give without a `[model]` table.
    pub fn new(provider: ProviderKind, model: impl Into<String>) -> Self {
        Self {
            provider,
            model: model.into(),
            base_url: None,
            max_usd: None,
            max_tokens: None,
            max_usd_per_task: None,
            max_tokens_per_task: None,
            max_output_tokens: None,
            requests_per_minute: None,
            tokens_per_minute: None,
            max_turns: None,
            region: None,
            profile: None,
            price: None,
            response_timeout_secs: None,
            idle_timeout_secs: None,
            answer_timeout_secs: None,
            call_attempts: None,
        }
    }
}

/// US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    #[serde(default)]
    pub cache_read: f64,
    #[serde(default)]
    pub cache_write: f64,
}

/// What a check proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    Build,
    Test,
    Bench,
    Diff,
    /// Structural: no line of the checked files matches any of `patterns`
    /// (what a port must have removed, such as a CUDA call). Runs no command.
    Absent,
}

impl CheckKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Build => "build",
            Self::Test => "test",
            Self::Bench => "bench",
            Self::Diff => "diff",
            Self::Absent => "absent",
        }
    }
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `[[check]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub name: String,
    /// The command, run by `sh -c` in the task's worktree. For a `diff` check
    /// this is the candidate. Required for every kind but `absent`, which
    /// runs none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub run: String,
    pub kind: CheckKind,
    /// Seconds before the check and all its children are killed.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Extra environment for the command (the rest of the environment is scrubbed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// `bench`: how many times to run it; the median decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<u32>,
    /// `bench`: the largest accepted slowdown of the median, as a fraction (0.05 = 5%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_regression: Option<f64>,
    /// `diff`: the reference command whose output the candidate must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `diff`: numbers may differ by this relative error...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rel_tol: Option<f64>,
    /// `diff`: ...or by this absolute error...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abs_tol: Option<f64>,
    /// `diff`: ...or by this many units in the last place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ulps: Option<u64>,
    /// `test`, `build`: the most XLA graph compilations allowed after the
    /// program's warm-up, read from its `molt-compiles: warmup=N end=M` line
    /// (see molt-verify's `compiles.rs`). A port that recompiles every step
    /// fails here rather than on the hardware.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_compiles_after_warmup: Option<u64>,
    /// `absent`: regular expressions no line of the checked files may match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<String>,
    /// `absent`: globs of the files to search; the migration's `include`
    /// when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// `absent`: globs of files not searched; the migration's `protected`
    /// when left out (tests may name what the port removes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<Vec<String>>,
    /// What the check may use: network, memory, processes, CPU time.
    #[serde(default, skip_serializing_if = "CheckSandbox::is_default")]
    pub sandbox: CheckSandbox,
}

/// `sandbox = { ... }` of a `[[check]]`: the limits a check runs under. Every
/// field is optional; molt-verify's defaults are generous, and `0` lifts a limit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSandbox {
    /// Let the check reach the network. Off by default: where the platform
    /// allows it, a check runs in a network namespace of its own with only a
    /// private loopback.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub network: bool,
    /// Address space of each process, in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<u64>,
    /// Processes the check may run at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<u64>,
    /// CPU seconds of each process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_secs: Option<u64>,
    /// How much lower than molt's own the check's CPU priority is (a `nice`
    /// increment, 0 to 19): molt's scheduling, git work and model calls stay
    /// prompt while compilers fill the cores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nice: Option<u8>,
}

impl CheckSandbox {
    /// Whether nothing was set (the check runs under the defaults).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

fn default_timeout() -> u64 {
    600
}

impl Check {
    /// Runs a bench check is given, 5 unless the spec says otherwise.
    pub fn bench_runs(&self) -> u32 {
        self.runs.unwrap_or(5)
    }

    /// The regression gate of a bench check, 5% unless the spec says otherwise.
    pub fn bench_max_regression(&self) -> f64 {
        self.max_regression.unwrap_or(0.05)
    }
}

/// A spec error that points at the file, line and field a user must fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecError {
    pub file: String,
    /// 1-based; 0 when the error has no place in the file.
    pub line: usize,
    /// The table the error is in: `[migration]`, `check "bench"`, `check #2`.
    pub context: Option<String>,
    /// The field at fault, when there is one.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        write!(f, ": ")?;
        if let Some(context) = &self.context {
            write!(f, "{context}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl Spec {
    /// Parses and validates the text of a spec. `file` is only used in errors.
    pub fn parse(file: &str, text: &str) -> Result<Spec, SpecError> {
        let mut spec: Spec = toml::from_str(text).map_err(|e| structural_error(file, text, &e))?;
        spec.validate(file, text)?;
        for c in spec.checks.iter_mut().filter(|c| c.kind == CheckKind::Absent) {
            if c.files.is_empty() {
                c.files = spec.migration.include.clone();
            }
            if c.exclude.is_none() {
                c.exclude = Some(spec.migration.protected.clone());
            }
        }
        Ok(spec)
    }

    /// The check named `name`.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// The migration branch: `molt/<name>`.
    pub fn branch(&self) -> String {
        format!("molt/{}", self.migration.name)
    }
}

#[cfg(test)]
mod tests;
