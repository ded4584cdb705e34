//! The planner agent: a model refines the rules-derived plan (or, without a
//! recipe, builds one from the goal alone).
//!
//! It sees the goal, a compact map of the repository (files, item signatures,
//! call edges; never whole files) and the candidate tasks, and answers by
//! calling one tool, `submit_plan`, whose arguments are the plan. The answer is
//! untrusted: every id, dependency, file, check and site is validated, and what
//! is wrong goes back to the model as the tool's error, up to a few tries.
//! When no valid plan comes back the rules-derived plan stands.

use std::collections::{BTreeMap, BTreeSet};

use molt_core::{Plan, Site, Spec, Task, TaskId};
use molt_llm::{CallScope, Client, ContentBlock, Message, Request, ToolSpec};
use serde::Deserialize;
use serde_json::json;

use crate::planner::SourceFile;

/// How many answers the model gets to produce a valid plan.
pub const MAX_TRIES: u32 = 3;

/// What the planner agent did.
#[derive(Debug, Clone)]
pub struct Refined {
    pub plan: Plan,
    /// Whether the model's plan was taken (false: the candidate stands).
    pub accepted: bool,
    /// The errors each rejected answer got, in order.
    pub rejections: Vec<String>,
    pub tokens: u64,
    pub cost_usd: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    tasks: Vec<AnswerTask>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerTask {
    id: String,
    title: String,
    #[serde(default)]
    instruction: String,
    #[serde(default)]
    files: Vec<String>,
    /// Numbers of the candidate sites this task migrates.
    #[serde(default)]
    sites: Vec<usize>,
    #[serde(default)]
    depends_on: Vec<String>,
    #[serde(default)]
    checks: Vec<String>,
}

fn submit_plan_tool() -> ToolSpec {
    ToolSpec {
        name: "submit_plan".to_owned(),
        description: "Submit the migration plan: a list of small tasks, each done by one agent in one commit. \
                      `sites` are the numbers of the candidate sites the task migrates (every site in exactly one \
                      task); `depends_on` are ids of tasks that must be committed first; `files` are repository \
                      paths the task may edit (existing files, or new ones it creates); `checks` are names of the \
                      spec's checks that gate the task (empty: all)."
            .to_owned(),
        input_schema: json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["tasks"],
            "properties": {
                "tasks": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["id", "title"],
                        "properties": {
                            "id": { "type": "string", "description": "short, unique: letters, digits, '-', '_', '.'" },
                            "title": { "type": "string" },
                            "instruction": { "type": "string" },
                            "files": { "type": "array", "items": { "type": "string" } },
                            "sites": { "type": "array", "items": { "type": "integer", "minimum": 0 } },
                            "depends_on": { "type": "array", "items": { "type": "string" } },
                            "checks": { "type": "array", "items": { "type": "string" } }
                        }
                    }
                }
            }
        }),
    }
}

/// The compact repository map: each file's items with signatures and calls.
pub fn repo_map(files: &[SourceFile]) -> String {
    let mut out = String::new();
    for f in files {
        let Ok(index) = molt_syntax::index_file(&f.path, f.text.as_bytes()) else {
            out.push_str(&format!("{} ({} lines)\n", f.path, f.text.lines().count()));
            continue;
        };
        out.push_str(&format!("{} ({} lines)\n", f.path, f.text.lines().count()));
        for item in index.items.iter().filter(|i| i.parent.is_none()) {
            let calls = if item.calls.is_empty() { String::new() } else { format!(" -> {}", item.calls.join(", ")) };
            out.push_str(&format!("  {}: {}{calls}\n", item.name, item.signature));
        }
    }
    out
}

fn planner_request<'a>(goal: &'a str, map: &'a str, plan: &Plan, sites: &[Site]) -> crate::prompts::PlannerRequest<'a> {
    crate::prompts::PlannerRequest {
        goal,
        map,
        sites: sites
            .iter()
            .map(|s| crate::prompts::PlannerSite {
                location: s.location(),
                kind: s.kind.clone(),
                text: s.text.lines().next().unwrap_or("").to_owned(),
            })
            .collect(),
        tasks: plan
            .tasks
            .iter()
            .map(|t| crate::prompts::PlannerTask {
                id: t.id.to_string(),
                title: t.title.clone(),
                files: t.files.clone(),
                sites: t.sites.iter().filter_map(|site| sites.iter().position(|x| x == site)).collect(),
                after: t.depends_on.iter().map(|d| d.to_string()).collect(),
            })
            .collect(),
    }
}

/// Asks the model to refine `candidate`. Blocking: runs the calls on `rt`.
pub fn refine(
    rt: &tokio::runtime::Handle,
    client: &Client,
    spec: &Spec,
    files: &[SourceFile],
    candidate: &Plan,
) -> Refined {
    let sites: Vec<Site> = candidate.tasks.iter().flat_map(|t| t.sites.iter().cloned()).collect();
    let system = crate::prompts::planner_system(&crate::prompts::PlannerSystem {
        checks: spec.checks.iter().map(|c| format!("{} ({})", c.name, c.kind)).collect(),
    });
    let map = repo_map(files);
    let user = crate::prompts::planner_task(&planner_request(&spec.migration.goal, &map, candidate, &sites));
    let (system, user) = match (system, user) {
        (Ok(s), Ok(u)) => (s, u),
        (Err(e), _) | (_, Err(e)) => {
            return Refined {
                plan: candidate.clone(),
                accepted: false,
                rejections: vec![e.to_string()],
                tokens: 0,
                cost_usd: 0.0,
            }
        }
    };
    let mut out =
        Refined { plan: candidate.clone(), accepted: false, rejections: Vec::new(), tokens: 0, cost_usd: 0.0 };
    let mut messages = vec![Message::user(user)];
    for _ in 0..MAX_TRIES {
        let request = Request {
            system: system.clone(),
            messages: messages.clone(),
            tools: vec![submit_plan_tool()],
            max_tokens: spec
                .model
                .as_ref()
                .and_then(|m| m.max_output_tokens)
                .unwrap_or(crate::coder::DEFAULT_MAX_OUTPUT_TOKENS),
            temperature: Some(0.0),
            stop: Vec::new(),
            stream: false,
        };
        let response = match rt.block_on(client.call(&CallScope::run(), &request, |_| {})) {
            Ok(r) => r,
            Err(molt_llm::Error::Malformed { detail, .. }) => {
                out.rejections.push(format!("unreadable answer: {detail}"));
                messages.push(Message::user(format!(
                    "Your answer could not be read ({detail}). Call submit_plan with valid JSON."
                )));
                continue;
            }
            Err(e) => {
                out.rejections.push(format!("model error: {e}"));
                return out;
            }
        };
        out.tokens += response.usage.total();
        out.cost_usd += response.cost_usd.unwrap_or(0.0);
        messages.push(response.to_message());
        let calls: Vec<(String, serde_json::Value)> = response
            .tool_calls()
            .iter()
            .filter(|c| c.name == "submit_plan")
            .map(|c| (c.id.to_owned(), c.input.clone()))
            .collect();
        let Some((id, input)) = calls.into_iter().next() else {
            out.rejections.push("no submit_plan call".to_owned());
            messages.push(Message::user("Answer by calling submit_plan with the plan."));
            continue;
        };
        match validate(spec, candidate, &sites, input) {
            Ok(plan) => {
                out.plan = plan;
                out.accepted = true;
                return out;
            }
            Err(errors) => {
                let text =
                    format!("The plan was rejected; fix these and call submit_plan again:\n- {}", errors.join("\n- "));
                out.rejections.push(errors.join("; "));
                messages.push(Message::tool_results(vec![ContentBlock::tool_result(id, text, true)]));
            }
        }
    }
    out
}

/// Turns the model's answer into a plan, or the list of what is wrong with it.
fn validate(
    spec: &Spec,
    candidate: &Plan,
    sites: &[Site],
    input: serde_json::Value,
) -> std::result::Result<Plan, Vec<String>> {
    let answer: Answer =
        serde_json::from_value(input).map_err(|e| vec![format!("the arguments do not match the schema: {e}")])?;
    let mut errors = Vec::new();
    let policy = crate::spec::path_policy(spec).map_err(|e| vec![e.to_string()])?;
    let checks: BTreeSet<&str> = spec.checks.iter().map(|c| c.name.as_str()).collect();
    let mut used: BTreeMap<usize, String> = BTreeMap::new();
    let mut tasks = Vec::new();
    if answer.tasks.is_empty() {
        errors.push("the plan has no tasks".to_owned());
    }
    for t in &answer.tasks {
        if let Err(why) = molt_core::plan::check_task_id(&t.id) {
            errors.push(format!("task id \"{}\": {why}", t.id.chars().take(100).collect::<String>()));
        }
        for f in &t.files {
            // The files a task may edit: the same policy every writer obeys.
            if let Err(refusal) = policy.writable(f) {
                errors.push(format!("task {}: file {refusal}", t.id));
            }
        }
        for c in &t.checks {
            if !checks.contains(c.as_str()) {
                errors.push(format!(
                    "task {}: no check \"{c}\"; the checks are {}",
                    t.id,
                    checks.iter().copied().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        let mut task_sites = Vec::new();
        for &n in &t.sites {
            match sites.get(n) {
                None => errors.push(format!("task {}: no candidate site {n} (there are {})", t.id, sites.len())),
                Some(site) => {
                    if let Some(other) = used.insert(n, t.id.clone()) {
                        errors.push(format!("site {n} is in both task {other} and task {}", t.id));
                    }
                    task_sites.push(site.clone());
                }
            }
        }
        let mut files = t.files.clone();
        for s in &task_sites {
            if !files.contains(&s.path) {
                files.push(s.path.clone());
            }
        }
        tasks.push(Task {
            id: TaskId::new(t.id.clone()),
            title: t.title.clone(),
            instruction: t.instruction.clone(),
            files,
            sites: task_sites,
            depends_on: t.depends_on.iter().map(|d| TaskId::new(d.clone())).collect(),
            checks: t.checks.clone(),
            estimate_tokens: candidate
                .tasks
                .iter()
                .filter(|c| c.sites.iter().any(|s| t.sites.iter().any(|&n| sites.get(n) == Some(s))))
                .map(|c| c.estimate_tokens)
                .sum::<u64>()
                .max(1500),
        });
    }
    let missing: Vec<String> = (0..sites.len()).filter(|n| !used.contains_key(n)).map(|n| n.to_string()).collect();
    if !missing.is_empty() {
        errors.push(format!("sites {} are in no task; every site must be in exactly one", missing.join(", ")));
    }
    let plan = Plan { version: 1, migration: candidate.migration.clone(), tasks };
    if let Err(e) = plan.validate() {
        errors.push(e.to_string());
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests;
