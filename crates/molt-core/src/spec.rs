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

use crate::text::{line_of, line_text};

mod kinds;

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

    /// Semantic checks serde cannot express. `text` is the source, used to find
    /// line numbers; pass `""` for a spec built in code.
    pub fn validate(&self, file: &str, text: &str) -> Result<(), SpecError> {
        let places = Places::scan(text);
        let err = |line: usize, context: Option<String>, field: Option<&str>, message: String| SpecError {
            file: file.to_owned(),
            line,
            context,
            field: field.map(str::to_owned),
            message,
        };
        let m = &self.migration;
        let mig = Some("[migration]".to_owned());
        if !is_branch_safe(&m.name) {
            return Err(err(
                places.key_line("migration", 0, "name"),
                mig,
                Some("name"),
                format!(
                    "field \"name\": \"{}\" is not a usable branch name; use letters, digits, '.', '_' and '-'",
                    m.name
                ),
            ));
        }
        if m.goal.trim().is_empty() {
            return Err(err(
                places.key_line("migration", 0, "goal"),
                mig,
                Some("goal"),
                "field \"goal\" is empty; say in a sentence what the migration is for".to_owned(),
            ));
        }
        if m.attempts == 0 {
            return Err(err(
                places.key_line("migration", 0, "attempts"),
                mig,
                Some("attempts"),
                "field \"attempts\" must be at least 1".to_owned(),
            ));
        }
        for (field, globs) in [("include", &m.include), ("protected", &m.protected)] {
            for g in globs {
                if let Err(e) = globset::Glob::new(g) {
                    return Err(err(
                        places.key_line("migration", 0, field),
                        mig,
                        Some(field),
                        format!("field \"{field}\": bad glob \"{g}\": {}", e.kind()),
                    ));
                }
            }
        }
        if let Some(model) = &self.model {
            let ctx = Some("[model]".to_owned());
            if model.model.trim().is_empty() {
                return Err(err(
                    places.key_line("model", 0, "model"),
                    ctx,
                    Some("model"),
                    "field \"model\" is empty; name the model to call".to_owned(),
                ));
            }
            for (field, value) in [("max_usd", model.max_usd), ("max_usd_per_task", model.max_usd_per_task)] {
                if let Some(v) = value {
                    if !(v.is_finite() && v > 0.0) {
                        return Err(err(
                            places.key_line("model", 0, field),
                            ctx,
                            Some(field),
                            format!("field \"{field}\" must be a positive number of dollars, not {v}"),
                        ));
                    }
                }
            }
        }
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, c) in self.checks.iter().enumerate() {
            let ctx = Some(format!("check \"{}\"", c.name));
            let line = |key: &str| places.key_line("check", i, key);
            if c.name.is_empty() || !c.name.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch)) {
                return Err(err(
                    line("name"),
                    ctx,
                    Some("name"),
                    "field \"name\": use letters, digits, '.', '_' and '-'".to_owned(),
                ));
            }
            if let Some(first) = seen.insert(&c.name, i) {
                return Err(err(
                    line("name"),
                    ctx,
                    Some("name"),
                    format!("duplicate check name (first defined on line {})", places.key_line("check", first, "name")),
                ));
            }
            if let Some((at, field, message)) = kinds::check_fields(c) {
                let at = match at {
                    kinds::At::Key => line(field),
                    kinds::At::Table => places.table_line("check", i),
                };
                return Err(err(at, ctx, Some(field), message));
            }
            if c.timeout_secs == 0 {
                return Err(err(
                    line("timeout_secs"),
                    ctx,
                    Some("timeout_secs"),
                    "field \"timeout_secs\" must be at least 1".to_owned(),
                ));
            }
            let only = |field: &str, present: bool, kind: CheckKind| -> Result<(), SpecError> {
                if present && c.kind != kind {
                    return Err(err(
                        line(field),
                        Some(format!("check \"{}\"", c.name)),
                        Some(field),
                        format!("field \"{field}\" only applies to {kind} checks, and this one is a {} check", c.kind),
                    ));
                }
                Ok(())
            };
            only("runs", c.runs.is_some(), CheckKind::Bench)?;
            only("max_regression", c.max_regression.is_some(), CheckKind::Bench)?;
            only("reference", c.reference.is_some(), CheckKind::Diff)?;
            only("rel_tol", c.rel_tol.is_some(), CheckKind::Diff)?;
            only("abs_tol", c.abs_tol.is_some(), CheckKind::Diff)?;
            only("ulps", c.ulps.is_some(), CheckKind::Diff)?;
            only("patterns", !c.patterns.is_empty(), CheckKind::Absent)?;
            only("files", !c.files.is_empty(), CheckKind::Absent)?;
            only("exclude", c.exclude.is_some(), CheckKind::Absent)?;
            if c.max_compiles_after_warmup.is_some() && !matches!(c.kind, CheckKind::Test | CheckKind::Build) {
                return Err(err(
                    line("max_compiles_after_warmup"),
                    ctx,
                    Some("max_compiles_after_warmup"),
                    format!(
                        "field \"max_compiles_after_warmup\" only applies to test and build checks, and this one is a {} check",
                        c.kind
                    ),
                ));
            }
            if c.runs == Some(0) {
                return Err(err(line("runs"), ctx, Some("runs"), "field \"runs\" must be at least 1".to_owned()));
            }
            if let Some(r) = c.max_regression {
                if !(r.is_finite() && r >= 0.0) {
                    return Err(err(
                        line("max_regression"),
                        ctx,
                        Some("max_regression"),
                        format!("field \"max_regression\" must be a fraction of at least 0 (0.05 = 5%), not {r}"),
                    ));
                }
            }
            if let Some(n) = c.sandbox.nice.filter(|&n| n > 19) {
                return Err(err(
                    line("sandbox"),
                    ctx,
                    Some("sandbox.nice"),
                    format!("field \"nice\" must be from 0 (molt's own priority) to 19 (the lowest), not {n}"),
                ));
            }
            if c.kind == CheckKind::Diff && c.reference.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(err(
                    places.table_line("check", i),
                    ctx,
                    Some("reference"),
                    "missing required field \"reference\": a diff check compares `run` against the output of `reference`"
                        .to_owned(),
                ));
            }
        }
        Ok(())
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

fn is_branch_safe(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['.', '-'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// Where the tables and keys of a spec sit, found by a line scan of the source.
/// serde hands us values without places, and toml's own spans only come with
/// errors, so semantic errors look their line up here.
struct Places {
    tables: Vec<Table>,
}

/// One table of the source: its name, its index among tables of that name,
/// the line of its header, and its keys with their lines.
struct Table(String, usize, usize, Vec<(String, usize)>);

impl Places {
    fn scan(text: &str) -> Places {
        let mut tables: Vec<Table> = vec![Table(String::new(), 0, 0, Vec::new())];
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if let Some(name) = header_name(line) {
                let index = tables.iter().filter(|t| t.0 == name).count();
                tables.push(Table(name.to_owned(), index, i + 1, Vec::new()));
            } else if let Some((key, _)) = line.split_once('=') {
                let key = key.trim().trim_matches('"');
                if !key.is_empty() && !line.starts_with('#') {
                    if let Some(t) = tables.last_mut() {
                        t.3.push((key.to_owned(), i + 1));
                    }
                }
            }
        }
        Places { tables }
    }

    fn table(&self, name: &str, index: usize) -> Option<&Table> {
        self.tables.iter().find(|t| t.0 == name && t.1 == index)
    }

    fn table_line(&self, name: &str, index: usize) -> usize {
        self.table(name, index).map_or(0, |t| t.2)
    }

    fn key_line(&self, name: &str, index: usize, key: &str) -> usize {
        match self.table(name, index) {
            Some(t) => t.3.iter().find(|k| k.0 == key).map_or(t.2, |k| k.1),
            None => 0,
        }
    }

    /// The table (and its index) that `line` falls in.
    fn enclosing(&self, line: usize) -> Option<(&str, usize)> {
        self.tables.iter().rev().find(|t| t.2 <= line && !t.0.is_empty()).map(|t| (t.0.as_str(), t.1))
    }
}

fn header_name(line: &str) -> Option<&str> {
    let inner = line
        .strip_prefix("[[")
        .and_then(|l| l.split("]]").next())
        .or_else(|| line.strip_prefix('[').and_then(|l| l.split(']').next()))?;
    Some(inner.trim())
}

/// Rewrites a serde/toml error into one that names the line, table and field.
fn structural_error(file: &str, text: &str, e: &toml::de::Error) -> SpecError {
    let line = e.span().map_or(0, |s| line_of(text, s.start));
    let places = Places::scan(text);
    let message = e.message().trim().to_owned();

    // Name the table the error is in; checks by name where the source has one.
    let context = places.enclosing(line).map(|(table, index)| {
        if table == "check" {
            let name = places
                .table(table, index)
                .and_then(|t| t.3.iter().find(|k| k.0 == "name"))
                .map(|(_, l)| line_text(text, *l))
                .and_then(|l| l.split_once('=').map(|(_, v)| v.trim().trim_matches('"').to_owned()));
            match name {
                Some(n) => format!("check \"{n}\""),
                None => format!("check #{}", index + 1),
            }
        } else {
            format!("[{table}]")
        }
    });
    // The key written on the error's line, for errors about a value.
    let key_on_line = line_text(text, line)
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_owned())
        .filter(|k| !k.is_empty() && !k.contains(' '));

    let (field, message) = if let Some(rest) = message.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = expected.trim_start_matches(", expected ").trim_start_matches("one of ").replace('`', "");
        (Some(key.to_owned()), format!("unknown key \"{key}\"; expected one of {expected}"))
    } else if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        (Some(key.to_owned()), format!("missing required field \"{key}\""))
    } else if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (value, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = expected.trim_start_matches(", expected ").trim_start_matches("one of ").replace('`', "");
        let field = key_on_line.clone().unwrap_or_else(|| "value".to_owned());
        (Some(field.clone()), format!("unknown {field} \"{value}\"; expected one of {expected}"))
    } else if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "another type"));
        match &key_on_line {
            Some(k) => (Some(k.clone()), format!("field \"{k}\": expected {expected}, found {found}")),
            None => (None, format!("expected {expected}, found {found}")),
        }
    } else {
        (key_on_line, message)
    };
    SpecError { file: file.to_owned(), line, context, field, message }
}

/// The commented `molt.toml` that `molt init` writes. Every value in it is a
/// working default; `recipe` picks the checks a migration of that kind needs.
pub fn template(recipe: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str(
        "# molt.toml: what to migrate, how, and which checks must pass before an edit is kept.\n\
         # Run `molt help run` for the whole workflow.\n\n\
         [migration]\n",
    );
    match recipe {
        Some("x86-to-neon") => out.push_str(
            "name = \"graviton-port\"\n\
             goal = \"Port the x86 SSE/AVX2/FMA kernels to aarch64 NEON for AWS Graviton; keep the x86 path working and fast.\"\n\
             recipe = \"x86-to-neon\"      # a built-in recipe, a path to a recipe file, or git+URL@COMMIT#DIR\n",
        ),
        Some(other) => out.push_str(&format!(
            "name = \"migration\"\n\
             goal = \"Describe in a sentence or two what this migration must achieve.\"\n\
             recipe = \"{other}\"\n"
        )),
        None => out.push_str(
            "name = \"migration\"\n\
             goal = \"Describe in a sentence or two what this migration must achieve.\"\n\
             # recipe = \"x86-to-neon\"    # optional; without one a model plans the work from the goal\n",
        ),
    }
    // A build file is the agents' to change only when the spec names it
    // exactly (see policy.rs): the x86-to-neon recipe rewrites the Makefile's
    // x86-only flags.
    out.push_str(if recipe == Some("x86-to-neon") {
        "include = [\"**\", \"Makefile\"]  # files agents may edit (globs: `*` stops at `/`, `**` crosses it;\n\
         #                             a build, test or CI file only when named exactly, like \"Makefile\")\n"
    } else {
        "include = [\"**\"]              # files agents may edit (globs: `*` stops at `/`, `**` crosses it;\n\
         #                             a build, test or CI file only when named exactly, like \"Makefile\")\n"
    });
    out.push_str(
        "\
         protected = [\"tests/**\", \"test/**\"]   # files no agent may edit\n\
         attempts = 3                  # tries per task, each from a clean worktree\n\n\
         # Without a [model] table only the deterministic rules agent runs.\n\
         # [model]\n\
         # provider = \"anthropic\"       # openai | anthropic | bedrock\n\
         # model = \"claude-sonnet-4-5\"\n\
         # max_usd = 20.0               # the run stops cleanly past this and can be resumed\n\n",
    );
    match recipe {
        Some("x86-to-neon") => out.push_str(
            "[[check]]\n\
             name = \"x86-test\"\n\
             run = \"make test\"\n\
             kind = \"test\"\n\n\
             [[check]]\n\
             name = \"arm64-test\"\n\
             run = \"make test CC=aarch64-linux-gnu-gcc RUN='qemu-aarch64 -L /usr/aarch64-linux-gnu'\"\n\
             kind = \"test\"\n\n\
             [[check]]\n\
             name = \"bench\"\n\
             run = \"make bench\"\n\
             kind = \"bench\"\n\
             runs = 5\n\
             max_regression = 0.05         # fail when the median is more than 5% slower\n",
        ),
        _ => out.push_str(
            "[[check]]\n\
             name = \"build\"\n\
             run = \"make\"\n\
             kind = \"build\"              # build | test | bench | diff\n\n\
             [[check]]\n\
             name = \"test\"\n\
             run = \"make test\"\n\
             kind = \"test\"\n\
             timeout_secs = 600\n",
        ),
    }
    out
}

#[cfg(test)]
mod tests;
