//! Model prompts, rendered from the templates in the repository's `prompts/`
//! folder (compiled in, so the binary needs no files at run time).
//!
//! Templates are minijinja; what they may use is exactly the context structs
//! below, so a template cannot reach anything a prompt should not carry.

use minijinja::Environment;
use serde::Serialize;

use crate::{Error, Result};

const CODER_SYSTEM: &str = include_str!("../../../prompts/coder_system.md");
const CODER_TASK: &str = include_str!("../../../prompts/coder_task.md");
const CHECK_FAILURE: &str = include_str!("../../../prompts/check_failure.md");
const PLANNER_SYSTEM: &str = include_str!("../../../prompts/planner_system.md");
const PLANNER_TASK: &str = include_str!("../../../prompts/planner_task.md");

/// The system prompt of a coder agent.
#[derive(Debug, Clone, Serialize)]
pub struct CoderSystem<'a> {
    pub goal: &'a str,
    pub recipe: Option<&'a str>,
    pub protected: &'a [String],
    pub checks: Vec<&'a str>,
}

/// A symbol's text shown to the model up front.
#[derive(Debug, Clone, Serialize)]
pub struct SymbolText {
    pub path: String,
    pub start_line: usize,
    pub end_line: usize,
    pub text: String,
}

/// The first user message of a coder agent.
#[derive(Debug, Clone, Serialize)]
pub struct CoderTask<'a> {
    pub task: &'a molt_core::Task,
    /// `path:line: reason` of each site the rules left.
    pub unmapped: &'a [String],
    pub symbols: Vec<SymbolText>,
    /// Why earlier attempts failed, oldest first.
    pub history: &'a [String],
}

/// One check's result as the model sees it after a failed `finish` or
/// `run_checks`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub name: String,
    pub outcome: String,
    pub detail: String,
    pub failing: Vec<String>,
    pub output: String,
}

/// The planner agent's system prompt.
#[derive(Debug, Clone, Serialize)]
pub struct PlannerSystem {
    /// `name (kind)` of each check.
    pub checks: Vec<String>,
}

/// A candidate site as the planner sees it, numbered by its position.
#[derive(Debug, Clone, Serialize)]
pub struct PlannerSite {
    pub location: String,
    pub kind: String,
    pub text: String,
}

/// A candidate task as the planner sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PlannerTask {
    pub id: String,
    pub title: String,
    pub files: Vec<String>,
    /// Numbers of its sites.
    pub sites: Vec<usize>,
    pub after: Vec<String>,
}

/// The planner agent's first message.
#[derive(Debug, Clone, Serialize)]
pub struct PlannerRequest<'a> {
    pub goal: &'a str,
    /// The compact repository map.
    pub map: &'a str,
    pub sites: Vec<PlannerSite>,
    pub tasks: Vec<PlannerTask>,
}

#[derive(Debug, Clone, Serialize)]
struct Failure<'a> {
    checks: &'a [CheckReport],
}

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(false);
    env
}

fn render(name: &'static str, source: &str, ctx: impl Serialize) -> Result<String> {
    env().render_str(source, ctx).map_err(|source| Error::Template { name, source })
}

pub fn coder_system(ctx: &CoderSystem<'_>) -> Result<String> {
    render("coder_system.md", CODER_SYSTEM, ctx)
}

pub fn coder_task(ctx: &CoderTask<'_>) -> Result<String> {
    render("coder_task.md", CODER_TASK, ctx)
}

pub fn planner_system(ctx: &PlannerSystem) -> Result<String> {
    render("planner_system.md", PLANNER_SYSTEM, ctx)
}

pub fn planner_task(ctx: &PlannerRequest<'_>) -> Result<String> {
    render("planner_task.md", PLANNER_TASK, ctx)
}

pub fn check_failure(checks: &[CheckReport]) -> Result<String> {
    render("check_failure.md", CHECK_FAILURE, Failure { checks })
}

#[cfg(test)]
mod tests;
