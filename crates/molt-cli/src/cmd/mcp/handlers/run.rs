//! The tools about the migration: checks, the plan, the run's state, one
//! task, a recipe's cases.

use molt_verify::{judge, run_check, RunOptions};
use serde_json::{json, Map, Value};

use super::{bool_arg, relative, str_arg};
use crate::cmd::mcp::page::{self, head, listing, tail};
use crate::cmd::mcp::tools::Answer;
use crate::cmd::mcp::Repo;

/// What every check's output shares in one `verify` answer.
const CHECK_OUTPUT_BYTES: usize = 24_000;
/// A recipe case's diff is cut to this many bytes.
const CASE_DIFF_BYTES: usize = 8_000;

/// An error from a library, with the repository's path taken out.
fn err(repo: &Repo, e: impl std::fmt::Display) -> String {
    relative(repo, &format!("{e:#}"))
}

/// `verify`: `molt verify`'s checks and judging, without saving a baseline.
pub fn verify(repo: &Repo, args: &Map<String, Value>) -> Answer {
    let names: Vec<String> = args
        .get("checks")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let spec_name = repo.spec_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let checks = crate::cmd::verify::select_checks(&repo.spec, &names, &spec_name)?;
    let stored = molt_agent::workspace::Workspace::new(&repo.root).load_baseline().map_err(|e| err(repo, e))?;
    let reference = stored.clone().unwrap_or_default();
    let per_check = CHECK_OUTPUT_BYTES / checks.len().max(1);
    let mut results = Vec::new();
    let mut blocking = 0;
    for check in checks {
        let result = run_check(check, &repo.root, &RunOptions::default());
        let verdict = judge(&reference, &result, check);
        blocking += usize::from(verdict.blocking);
        let (output, cut) = tail(&verdict.result.output, per_check);
        // molt-verify keeps an excerpt already; say so when it is short of the whole.
        let total = verdict.result.output_bytes;
        let cut = cut.or_else(|| {
            (total > output.len() as u64).then(|| format!("cut: the last {} of {total} bytes are shown", output.len()))
        });
        results.push(json!({
            "check": verdict.check,
            "kind": verdict.kind,
            "result": crate::cmd::verify::result_word(&verdict),
            "blocking": verdict.blocking,
            "detail": verdict.detail(),
            "reasons": verdict.reasons,
            "duration_ms": verdict.result.duration_ms,
            "exit_code": verdict.result.exit_code,
            "output": output,
            "output_cut": cut,
        }));
    }
    Ok(json!({
        "passed": blocking == 0,
        "blocking": blocking,
        "baseline": if stored.is_some() {
            "judged against .molt/baseline.json"
        } else {
            "no baseline (.molt/baseline.json): results are not compared; `molt verify --save-baseline` stores one"
        },
        "checks": results,
    }))
}

/// `plan`: the stored plan, or the rules' plan made as `molt plan --no-model` makes it.
pub fn plan(repo: &Repo, args: &Map<String, Value>) -> Answer {
    let stored = molt_agent::workspace::Workspace::new(&repo.root).load_plan().map_err(|e| err(repo, e))?;
    let mut notes = Vec::new();
    let plan = match stored {
        Some(p) if !bool_arg(args, "force") => p,
        _ => {
            let _lock = molt_agent::workspace::Workspace::new(&repo.root).lock().map_err(|e| err(repo, e))?;
            let planned =
                molt_agent::run::make_plan(&repo.root, repo.spec_path.parent().unwrap_or(&repo.root), &repo.spec, None)
                    .map_err(|e| err(repo, e))?;
            notes = planned.notes;
            planned.plan
        }
    };
    let order = plan.topological_order().unwrap_or_default();
    let tasks: Vec<Value> = order
        .iter()
        .filter_map(|id| plan.task(id))
        .map(|t| {
            let (instruction, cut) = head(&t.instruction, 2000);
            json!({ "id": t.id, "title": t.title, "files": t.files, "sites": t.sites.len(),
                    "depends_on": t.depends_on, "checks": t.checks, "instruction": instruction,
                    "instruction_cut": cut })
        })
        .collect();
    let (shown, next) = page::page(&tasks, str_arg(args, "cursor"), 100)?;
    let mut answer = listing("tasks", shown, tasks.len(), next);
    answer["migration"] = json!(plan.migration);
    answer["notes"] = json!(notes);
    Ok(answer)
}

/// `status`: `molt status --json`'s records, a page at a time.
pub fn status(repo: &Repo, args: &Map<String, Value>) -> Answer {
    let Some(state) = molt_agent::workspace::Workspace::new(&repo.root).load_state().map_err(|e| err(repo, e))? else {
        return Err("no run yet (.molt/state.json is missing); run_task or `molt run` starts one".to_owned());
    };
    let tasks: Vec<Value> = state.tasks.iter().map(|(id, rec)| task_record(id, rec)).collect();
    let (shown, next) = page::page(&tasks, str_arg(args, "cursor"), 100)?;
    let mut answer = listing("tasks", shown, tasks.len(), next);
    answer["migration"] = json!(state.migration);
    answer["branch"] = json!(state.branch);
    answer["finished"] = json!(state.finished);
    Ok(answer)
}

fn task_record(id: &molt_core::TaskId, rec: &molt_agent::state::TaskRecord) -> Value {
    let mut v = serde_json::to_value(rec).unwrap_or_default();
    if let Some(e) = v.get("error").and_then(Value::as_str) {
        let (e, _) = tail(e, 4000);
        v["error"] = json!(e);
    }
    json!({ "task": id, "record": v })
}

/// `run_task`: `molt run`'s scheduler with only this task, one job, the
/// spec's model (if any), and no final checks.
pub fn run_task(repo: &Repo, args: &Map<String, Value>) -> Answer {
    let id = molt_core::TaskId::new(str_arg(args, "task").unwrap_or_default());
    let cfg = molt_agent::run::RunConfig {
        repo: repo.root.clone(),
        spec: repo.spec_path.clone(),
        jobs: 1,
        allow_dirty: bool_arg(args, "allow_dirty"),
        bench_runs: None,
        observer: None,
        model_override: Default::default(),
        cassette: molt_llm::CassetteMode::Off,
        env: molt_llm::Env::process(),
        only: Some(id.clone()),
    };
    let summary = molt_agent::run::run(&cfg).map_err(|e| err(repo, e))?;
    let state = molt_agent::workspace::Workspace::new(&repo.root).load_state().map_err(|e| err(repo, e))?;
    let record = state.as_ref().and_then(|s| s.tasks.get(&id)).map(|rec| task_record(&id, rec));
    let committed = record.as_ref().and_then(|r| r["record"]["state"].as_str()) == Some("committed");
    Ok(json!({
        "task": id,
        "committed": committed,
        "branch": summary.branch,
        "result": record,
        "note": summary.stopped,
    }))
}

/// `recipe_test`: `molt recipe test` on a recipe inside the repository (no `--update`).
pub fn recipe_test(repo: &Repo, args: &Map<String, Value>) -> Answer {
    let raw = str_arg(args, "path").unwrap_or_default();
    let rel = if raw == "." { ".".to_owned() } else { repo.policy.readable(raw).map_err(|r| r.to_string())? };
    let path = molt_syntax::confine(&repo.root, &rel).map_err(|e| err(repo, e))?;
    let (recipe, cases) = crate::cmd::recipe::load_with_cases(&path).map_err(|e| err(repo, e))?;
    let mut counts = [0usize; 3];
    let reports: Vec<Value> = cases
        .iter()
        .map(|case| {
            let report = molt_recipes::file::run_case(&recipe, case);
            counts[report.outcome as usize] += 1;
            let (diff, cut) = head(&report.diff, CASE_DIFF_BYTES);
            json!({ "case": report.name, "outcome": report.outcome, "problems": report.problems,
                    "diff": diff, "diff_cut": cut })
        })
        .collect();
    let (shown, next) = page::page(&reports, str_arg(args, "cursor"), 100)?;
    let mut answer = listing("cases", shown, reports.len(), next);
    let [passed, failed, noisy] = counts;
    answer["passed"] = json!(passed);
    answer["failed"] = json!(failed);
    answer["noisy"] = json!(noisy);
    Ok(answer)
}
