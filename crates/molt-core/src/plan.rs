//! The plan: a migration as a DAG of small tasks, stored as `.molt/plan.json`.
//!
//! The file is meant to be edited by hand, so loading validates everything a
//! person can get wrong (duplicate ids, dependencies on tasks that do not
//! exist, cycles) and names the task, the line and, for a cycle, the whole
//! loop. The DAG logic (topological order, the ready set, what a failure
//! blocks) is pure and deterministic: ties are broken by the order of the
//! tasks in the file, so the same plan always runs in the same order.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::site::Site;
use crate::text::line_of;

/// A task's id: short, stable, unique within a plan (`t01-matmul`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub String);

impl TaskId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for TaskId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Format version of the file; bumped on incompatible changes.
    #[serde(default = "default_version")]
    pub version: u32,
    /// The migration the plan belongs to (`[migration] name`).
    pub migration: String,
    pub tasks: Vec<Task>,
}

fn default_version() -> u32 {
    1
}

/// One unit of work: small enough for one agent and one commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub id: TaskId,
    /// One line, used in commit subjects and tables.
    pub title: String,
    /// What the agent must do, in full.
    #[serde(default)]
    pub instruction: String,
    /// Files the task may edit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The sites this task migrates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<Site>,
    /// Tasks that must be committed before this one starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<TaskId>,
    /// Names of the spec's checks that gate this task; empty means all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<String>,
    /// Rough token cost of doing the task with a model.
    #[serde(default)]
    pub estimate_tokens: u64,
}

/// Where a task stands in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Pending,
    Running,
    Committed,
    Failed,
    /// A dependency failed, so this task cannot run.
    Blocked,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Committed => "committed",
            Self::Failed => "failed",
            Self::Blocked => "blocked",
        }
    }

    /// Whether the task will not change state again in this run.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Committed | Self::Failed | Self::Blocked)
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something wrong with a plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{file}:{line}:{column}: {message}")]
    Syntax { file: String, line: usize, column: usize, message: String },
    #[error("{}duplicate task id \"{id}\" (also on line {first_line})", at(file, *line))]
    DuplicateId { file: String, line: usize, first_line: usize, id: TaskId },
    #[error("{}task \"{task}\": field \"depends_on\": no task \"{missing}\"{}", at(file, *line), suggest(.suggestion))]
    DanglingDependency { file: String, line: usize, task: TaskId, missing: TaskId, suggestion: Option<TaskId> },
    #[error("{}dependency cycle: {}", at(file, *line), cycle_text(.cycle))]
    Cycle { file: String, line: usize, cycle: Vec<TaskId> },
    #[error("{}task \"{task}\": {message}", at(file, *line))]
    Invalid { file: String, line: usize, task: TaskId, message: String },
}

fn at(file: &str, line: usize) -> String {
    match (file.is_empty(), line) {
        (true, _) => String::new(),
        (false, 0) => format!("{file}: "),
        (false, l) => format!("{file}:{l}: "),
    }
}

fn suggest(s: &Option<TaskId>) -> String {
    s.as_ref().map(|s| format!("; did you mean \"{s}\"?")).unwrap_or_default()
}

fn cycle_text(cycle: &[TaskId]) -> String {
    let mut names: Vec<&str> = cycle.iter().map(TaskId::as_str).collect();
    if let Some(first) = cycle.first() {
        names.push(first.as_str());
    }
    names.join(" -> ")
}

/// Worktree and branch names molt uses for its own steps, which a task id
/// may not take.
const RESERVED_TASK_IDS: [&str; 4] = ["baseline", "final", "bench-base", "plan"];

/// Whether `id` can name a task: it becomes a git branch
/// (`molt-task/<migration>/<id>`) and a folder, so it follows git's
/// ref-name rules and then some: letters, digits, `.`, `_` and `-`, not
/// starting with `.` or `-`, no `..`, not ending in `.` or `.lock`, at most
/// 100 characters, and not a name molt keeps for itself.
pub fn check_task_id(id: &str) -> Result<(), String> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err("use letters, digits, '.', '_' and '-'".to_owned());
    }
    if id.len() > 100 {
        return Err("at most 100 characters".to_owned());
    }
    if id.starts_with(['.', '-']) || id.contains("..") || id.ends_with('.') || id.ends_with(".lock") {
        return Err(format!(
            "\"{id}\" is not a valid git branch name (no leading '.' or '-', no \"..\", no trailing '.' or \".lock\")"
        ));
    }
    if RESERVED_TASK_IDS.contains(&id) || id.starts_with("_slot-") {
        return Err(format!("\"{id}\" is a name molt keeps for its own worktrees; choose another"));
    }
    Ok(())
}

impl Plan {
    /// Parses and validates `plan.json` text. `file` is only used in errors.
    pub fn parse(file: &str, text: &str) -> Result<Plan, PlanError> {
        let plan: Plan = serde_json::from_str(text).map_err(|e| PlanError::Syntax {
            file: file.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
        })?;
        plan.validate_at(file, text)?;
        Ok(plan)
    }

    /// Pretty JSON, as written to `plan.json`.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Validates a plan built in memory.
    pub fn validate(&self) -> Result<(), PlanError> {
        self.validate_at("", "")
    }

    fn validate_at(&self, file: &str, text: &str) -> Result<(), PlanError> {
        let line = |id: &TaskId, nth: usize| id_line(text, id, nth);
        let mut first: HashMap<&TaskId, usize> = HashMap::new();
        for task in &self.tasks {
            if let Err(why) = check_task_id(&task.id.0) {
                return Err(PlanError::Invalid {
                    file: file.to_owned(),
                    line: line(&task.id, 0),
                    task: task.id.clone(),
                    message: format!("field \"id\": {why}"),
                });
            }
            if first.insert(&task.id, 0).is_some() {
                return Err(PlanError::DuplicateId {
                    file: file.to_owned(),
                    line: line(&task.id, 1),
                    first_line: line(&task.id, 0),
                    id: task.id.clone(),
                });
            }
        }
        for task in &self.tasks {
            for dep in &task.depends_on {
                if !first.contains_key(dep) {
                    let suggestion = self
                        .tasks
                        .iter()
                        .map(|t| (strsim_like(&t.id.0, &dep.0), &t.id))
                        .filter(|(d, _)| *d <= 3)
                        .min_by_key(|(d, _)| *d)
                        .map(|(_, id)| id.clone());
                    return Err(PlanError::DanglingDependency {
                        file: file.to_owned(),
                        line: line(&task.id, 0),
                        task: task.id.clone(),
                        missing: dep.clone(),
                        suggestion,
                    });
                }
                if dep == &task.id {
                    return Err(PlanError::Cycle {
                        file: file.to_owned(),
                        line: line(&task.id, 0),
                        cycle: vec![task.id.clone()],
                    });
                }
            }
        }
        if let Some(cycle) = self.find_cycle() {
            return Err(PlanError::Cycle { file: file.to_owned(), line: line(&cycle[0], 0), cycle });
        }
        Ok(())
    }

    pub fn task(&self, id: &TaskId) -> Option<&Task> {
        self.tasks.iter().find(|t| &t.id == id)
    }

    /// A cycle among the dependencies, as the list of tasks along it, starting
    /// from the task that comes first in the file.
    fn find_cycle(&self) -> Option<Vec<TaskId>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            OnStack,
            Done,
        }
        let index: HashMap<&TaskId, usize> = self.tasks.iter().enumerate().map(|(i, t)| (&t.id, i)).collect();
        let mut mark = vec![Mark::New; self.tasks.len()];
        for start in 0..self.tasks.len() {
            if mark[start] != Mark::New {
                continue;
            }
            // Iterative DFS: (node, next dependency to look at).
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            mark[start] = Mark::OnStack;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let deps = &self.tasks[node].depends_on;
                if *next < deps.len() {
                    let dep = deps[*next].clone();
                    *next += 1;
                    let Some(&d) = index.get(&dep) else { continue };
                    match mark[d] {
                        Mark::New => {
                            mark[d] = Mark::OnStack;
                            stack.push((d, 0));
                        }
                        Mark::OnStack => {
                            let from = stack.iter().position(|&(n, _)| n == d).unwrap_or(0);
                            let mut cycle: Vec<TaskId> =
                                stack[from..].iter().map(|&(n, _)| self.tasks[n].id.clone()).collect();
                            // Report it in the direction a reader follows it: each task
                            // waits for the next.
                            let lowest = cycle.iter().enumerate().min_by_key(|(_, id)| index[id]).map_or(0, |(i, _)| i);
                            cycle.rotate_left(lowest);
                            return Some(cycle);
                        }
                        Mark::Done => {}
                    }
                } else {
                    mark[node] = Mark::Done;
                    stack.pop();
                }
            }
        }
        None
    }

    /// All tasks in an order where every task comes after its dependencies.
    /// Among tasks that could go next, the one earlier in the file goes first.
    /// Returns `None` when the plan has a cycle (validated plans never do).
    pub fn topological_order(&self) -> Option<Vec<TaskId>> {
        let index: HashMap<&TaskId, usize> = self.tasks.iter().enumerate().map(|(i, t)| (&t.id, i)).collect();
        let mut waiting: Vec<usize> = self.tasks.iter().map(|t| t.depends_on.len()).collect();
        let mut dependants: Vec<Vec<usize>> = vec![Vec::new(); self.tasks.len()];
        for (i, t) in self.tasks.iter().enumerate() {
            for dep in &t.depends_on {
                dependants[*index.get(dep)?].push(i);
            }
        }
        let mut ready: BTreeSet<usize> = (0..self.tasks.len()).filter(|&i| waiting[i] == 0).collect();
        let mut order = Vec::with_capacity(self.tasks.len());
        while let Some(i) = ready.pop_first() {
            order.push(self.tasks[i].id.clone());
            for &d in &dependants[i] {
                waiting[d] -= 1;
                if waiting[d] == 0 {
                    ready.insert(d);
                }
            }
        }
        (order.len() == self.tasks.len()).then_some(order)
    }

    /// Tasks that can start now: pending, with every dependency committed.
    /// Tasks missing from `states` count as pending. Plan order.
    pub fn ready(&self, states: &BTreeMap<TaskId, TaskState>) -> Vec<TaskId> {
        let state = |id: &TaskId| states.get(id).copied().unwrap_or(TaskState::Pending);
        self.tasks
            .iter()
            .filter(|t| state(&t.id) == TaskState::Pending)
            .filter(|t| t.depends_on.iter().all(|d| state(d) == TaskState::Committed))
            .map(|t| t.id.clone())
            .collect()
    }

    /// Tasks that can never run because a dependency, directly or through
    /// others, failed or is blocked. Plan order.
    pub fn blocked_by_failures(&self, states: &BTreeMap<TaskId, TaskState>) -> Vec<TaskId> {
        let Some(order) = self.topological_order() else { return Vec::new() };
        let mut dead: BTreeSet<&TaskId> = states
            .iter()
            .filter(|(_, s)| matches!(s, TaskState::Failed | TaskState::Blocked))
            .map(|(id, _)| id)
            .collect();
        let mut newly = BTreeSet::new();
        for id in &order {
            let Some(task) = self.task(id) else { continue };
            if dead.contains(id) {
                continue;
            }
            if task.depends_on.iter().any(|d| dead.contains(d)) {
                dead.insert(id);
                newly.insert(id.clone());
            }
        }
        self.tasks.iter().filter(|t| newly.contains(&t.id)).map(|t| t.id.clone()).collect()
    }

    /// Every task that `id` depends on, directly or not.
    pub fn ancestors(&self, id: &TaskId) -> BTreeSet<TaskId> {
        let mut out = BTreeSet::new();
        let mut todo = vec![id.clone()];
        while let Some(t) = todo.pop() {
            if let Some(task) = self.task(&t) {
                for d in &task.depends_on {
                    if out.insert(d.clone()) {
                        todo.push(d.clone());
                    }
                }
            }
        }
        out
    }
}

/// The line of the `nth` (0-based) `"id": "<id>"` in the source, 0 if not found.
fn id_line(text: &str, id: &TaskId, nth: usize) -> usize {
    if text.is_empty() {
        return 0;
    }
    let Ok(quoted) = serde_json::to_string(&id.0) else { return 0 };
    let mut found = 0;
    let mut from = 0;
    while let Some(pos) = text[from..].find("\"id\"") {
        let start = from + pos;
        let rest = text[start + 4..].trim_start();
        if let Some(value) = rest.strip_prefix(':') {
            if value.trim_start().starts_with(&quoted) {
                if found == nth {
                    return line_of(text, start);
                }
                found += 1;
            }
        }
        from = start + 4;
    }
    0
}

/// Levenshtein distance, small and allocation-light; ids are short.
fn strsim_like(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests;
