//! Model runs that go wrong, end to end: the `molt` binary on a copy of
//! mini-gather, with a scripted model server on loopback playing a model that
//! speaks another wire format, answers garbage, reaches for files it may not
//! touch, never finishes, or runs out of budget, and a run replayed offline
//! from its cassette. Each test asserts the exit code, the events, what the
//! server received and what reached the migration branch.
//!
//! The plan of mini-gather: `t01-ops-x86-header` and `t03-sum` are done by the
//! rules, `t02-gather8` needs the model (the AVX2 gather has no mapping), and
//! `t04-makefile-x86-build-flag` depends on all three.

use std::path::Path;
use std::process::Command;

use molt_test_support::model_server::{ModelServer, ReceivedRequest, Turn, Wire};
use serde_json::{json, Value};

use crate::model::{RIGHT, WRONG};
use crate::{fixture_repo, git, molt_bin, Run};

pub(crate) const KEY: &str = "sk-test-molt-faults-0123456789";
const BRANCH: &str = "molt/mini-port";
pub(crate) const MODEL_TASK: &str = "t02-gather8";
const MAKEFILE_TASK: &str = "t04-makefile-x86-build-flag";

pub(crate) const SUMMARY: &str = "gather8 keeps the AVX2 gather on x86 and loads lanes one by one elsewhere.";

impl Run {
    /// The JSON lines of stdout (events, then the summary).
    pub(crate) fn json(&self) -> Vec<Value> {
        self.stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    pub(crate) fn events(&self, kind: &str) -> Vec<Value> {
        self.json().into_iter().filter(|v| v["event"] == kind).collect()
    }

    pub(crate) fn task_events(&self, kind: &str, task: &str) -> Vec<Value> {
        self.events(kind).into_iter().filter(|v| v["task"] == task).collect()
    }

    pub(crate) fn summary(&self) -> Value {
        match self.json().into_iter().find(|v| v.get("summary").is_some()) {
            Some(v) => v["summary"].clone(),
            None => panic!("no summary line in:\n{self}"),
        }
    }
}

/// Runs molt in `repo` with only the model variables given in `env`, so that
/// nothing from the environment of the test process reaches a provider.
pub(crate) fn molt_run(repo: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(molt_bin());
    cmd.args(args).current_dir(repo).env("NO_COLOR", "1").env_remove("RUST_LOG");
    for var in ["OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::from(cmd.output().expect("running molt"))
}

pub(crate) fn openai_env(server: &ModelServer) -> Vec<(&'static str, String)> {
    vec![("OPENAI_API_KEY", KEY.to_owned()), ("OPENAI_BASE_URL", server.base_url())]
}

pub(crate) fn as_env<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Replaces the body of molt.toml's `[model]` table and commits the spec on
/// `main`, as a user would before running molt.
fn set_model(repo: &Path, table: &str) {
    let path = repo.join("molt.toml");
    let text = std::fs::read_to_string(&path).expect("read molt.toml");
    let start = text.find("[model]\n").expect("molt.toml has a [model] table") + "[model]\n".len();
    let end = start + text[start..].find("\n[[check]]").expect("a check follows [model]");
    let new = format!("{}{}\n{}", &text[..start], table.trim(), &text[end..]);
    std::fs::write(&path, new).expect("write molt.toml");
    git(repo, &["commit", "-q", "-m", "molt.toml: model settings", "--", "molt.toml"]);
}

/// Writes the rules' plan, so that the model plays only the coder: without a
/// plan, `molt run` with a [model] would first ask the planner agent.
pub(crate) fn plan_with_rules(repo: &Path) {
    let planned = crate::molt(repo, &["plan", "--no-model"]);
    assert!(planned.status.success(), "{}", String::from_utf8_lossy(&planned.stderr));
}

/// The files the migration branch changed.
fn branch_paths(repo: &Path) -> Vec<String> {
    git(repo, &["diff", "--name-only", &format!("main...{BRANCH}")]).lines().map(str::to_owned).collect()
}

/// Nothing outside the spec's include globs reached the migration branch,
/// the protected tests and the spec are byte-identical to the base, and the
/// user's own working tree is untouched.
fn assert_only_included_paths_changed(repo: &Path) {
    let paths = branch_paths(repo);
    assert!(paths.iter().all(|p| p.starts_with("src/") || p == "Makefile"), "{paths:?}");
    // The base is where the branch started: the user may have committed on
    // main since (a larger budget in molt.toml).
    let base = git(repo, &["merge-base", "main", BRANCH]);
    for protected in ["tests/test_ops.c", "molt.toml"] {
        let base = git(repo, &["show", &format!("{}:{protected}", base.trim())]);
        let tip = git(repo, &["show", &format!("{BRANCH}:{protected}")]);
        assert_eq!(base, tip, "{protected} changed on the migration branch");
    }
    let fixture = crate::workspace_root().join("fixtures/mini-gather/tests/test_ops.c");
    assert_eq!(std::fs::read(repo.join("tests/test_ops.c")).unwrap(), std::fs::read(fixture).unwrap());
    assert_eq!(git(repo, &["status", "--porcelain"]), "", "the user's working tree changed");
}

/// The `Molt-Task` trailers of the migration branch, oldest first.
fn task_trailers(repo: &Path) -> Vec<String> {
    let log =
        git(repo, &["log", "--reverse", "--format=%(trailers:key=Molt-Task,valueonly)", &format!("main..{BRANCH}")]);
    log.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// The text of every message the model was sent in `r`, for `contains` checks.
fn messages(r: &ReceivedRequest) -> String {
    r.body["messages"].to_string()
}

/// The OpenAI `tool` messages of a request, in order.
fn tool_messages(r: &ReceivedRequest) -> Vec<String> {
    r.body["messages"]
        .as_array()
        .map(|m| m.iter().filter(|m| m["role"] == "tool").map(|m| m["content"].as_str().unwrap_or("").to_owned()))
        .into_iter()
        .flatten()
        .collect()
}

/// The five turns of model.rs: read, a wrong edit, the failing check, the
/// right edit, finish.
fn fixing_turns() -> Vec<Turn> {
    vec![
        Turn::tool_call("read_symbol", json!({ "symbol": "src/ops.c::gather8" })).usage(900, 40),
        Turn::tool_call("replace_symbol", json!({ "symbol": "src/ops.c::gather8", "text": WRONG })).usage(1200, 160),
        Turn::tool_call("run_checks", json!({})).usage(1400, 10),
        Turn::tool_call("replace_symbol", json!({ "symbol": "src/ops.c::gather8", "text": RIGHT })).usage(1900, 170),
        Turn::tool_call("finish", json!({ "summary": SUMMARY })).usage(2100, 30),
    ]
}

/// The same scenario as model.rs over the Anthropic Messages wire: the key
/// goes in `x-api-key` with the pinned `anthropic-version`, and the failing
/// check comes back as a `tool_result` block marked as an error.
#[test]
fn anthropic_wire_fixes_its_failing_edit_and_commits() {
    let dir = fixture_repo("mini-gather");
    let repo = dir.path();
    set_model(repo, "provider = \"anthropic\"\nmodel = \"claude-sonnet-4-5\"\nmax_usd = 5.0");
    plan_with_rules(repo);
    let server = ModelServer::start_blocking(Wire::Anthropic, fixing_turns());
    let url = server.base_url();
    let run = molt_run(
        repo,
        &["run", "--json", "--jobs", "2"],
        &[("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", url.as_str())],
    );
    assert_eq!(run.code, Some(0), "{run}");

    let requests = server.requests();
    assert_eq!(requests.len(), 5, "{run}");
    for r in &requests {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/v1/messages");
        assert_eq!(r.header("x-api-key"), Some(KEY));
        assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
        assert_eq!(r.header("authorization"), None, "the key goes only in x-api-key");
        assert!(r.streaming);
        assert_eq!(r.body["model"], "claude-sonnet-4-5");
        let tools: Vec<&str> = r.body["tools"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
        assert!(tools.contains(&"replace_symbol") && tools.contains(&"finish"), "{tools:?}");
        assert!(r.body["system"].to_string().contains("NEON"), "the system prompt is sent as `system`");
        assert!(!String::from_utf8_lossy(&r.raw_body).contains(KEY));
    }
    // The check failure after run_checks is a tool_result block with
    // is_error, answering the tool_use id of the call before it.
    let fourth = requests[3].body["messages"].as_array().unwrap();
    let call_id = fourth
        .iter()
        .rev()
        .find(|m| m["role"] == "assistant")
        .and_then(|m| m["content"].as_array())
        .and_then(|c| c.iter().find(|b| b["type"] == "tool_use"))
        .map(|b| b["id"].clone())
        .expect("the run_checks tool_use block");
    let last = fourth.last().unwrap();
    assert_eq!(last["role"], "user");
    let result = last["content"].as_array().unwrap().iter().find(|b| b["type"] == "tool_result").unwrap();
    assert_eq!(result["tool_use_id"], call_id);
    assert_eq!(result["is_error"], true, "{result}");
    assert!(result["content"].to_string().contains("FAIL - gather8"), "{result}");
    // The edits before it were answered as successes.
    let third = requests[2].body["messages"].as_array().unwrap();
    let edit = third.last().unwrap()["content"].as_array().unwrap().iter().find(|b| b["type"] == "tool_result");
    assert_eq!(edit.unwrap()["is_error"], false);

    let log = git(
        repo,
        &["log", "--format=%s | %(trailers:key=Molt-Agent,valueonly,separator=)", &format!("main..{BRANCH}")],
    );
    assert!(log.lines().any(|l| l.contains("gather8") && l.ends_with("anthropic/claude-sonnet-4-5")), "{log}");
    assert_eq!(run.events("model_call").len(), 5);
    assert_eq!(run.summary()["committed"], 4, "{run}");
    assert_only_included_paths_changed(repo);
}

/// A model that answers garbage before doing the task right: arguments that
/// are not JSON, prose with no tool call, a tool that does not exist, and
/// arguments of the wrong types. Each costs a turn and gets an answer the
/// model can act on; none ends the task or the run.
#[test]
fn garbage_answers_cost_turns_not_the_run() {
    let dir = fixture_repo("mini-gather");
    let repo = dir.path();
    plan_with_rules(repo);
    let server = ModelServer::start_blocking(
        Wire::OpenAi,
        vec![
            Turn::tool_call_raw("read_symbol", "{\"symbol\": src/ops.c::gather8"),
            Turn::text("The port looks simple; I will use a scalar loop on aarch64."),
            Turn::tool_call("rewrite_everything", json!({ "path": "src/ops.c" })),
            Turn::tool_call("replace_symbol", json!({ "symbol": 42, "text": ["not", "a", "string"] })),
            Turn::tool_call("replace_symbol", json!({ "symbol": "src/ops.c::gather8", "text": RIGHT })),
            Turn::tool_call("finish", json!({ "summary": SUMMARY })),
        ],
    );
    let env = openai_env(&server);
    let run = molt_run(repo, &["run", "--json", "--jobs", "2"], &as_env(&env));
    assert_eq!(run.code, Some(0), "{run}");
    assert!(!run.stderr.contains("panicked"), "{run}");

    let requests = server.requests();
    assert_eq!(requests.len(), 6, "{run}");
    assert_eq!(server.remaining(), 0);
    // 1: arguments that are not JSON; the next request says why the answer was dropped.
    let second = messages(&requests[1]);
    assert!(second.contains("could not be read") && second.contains("not valid JSON"), "{second}");
    // 2: prose without a tool call; the next request asks for the tools.
    let third = messages(&requests[2]);
    assert!(third.contains("The port looks simple") && third.contains("Make the change with the tools"), "{third}");
    // 3: an unknown tool; the answer lists the real ones.
    let fourth = tool_messages(&requests[3]);
    let unknown = fourth.last().unwrap();
    assert!(unknown.starts_with("ERROR:") && unknown.contains("unknown tool `rewrite_everything`"), "{unknown}");
    assert!(unknown.contains("replace_symbol"), "{unknown}");
    // 4: wrong argument types; the answer names the field and the type.
    let fifth = tool_messages(&requests[4]);
    let types = fifth.last().unwrap();
    assert!(types.starts_with("ERROR:") && types.contains("`symbol` must be string; got an integer"), "{types}");
    // 5: the right edit succeeds.
    let sixth = tool_messages(&requests[5]);
    assert!(sixth.last().unwrap().starts_with("done: "), "{sixth:?}");

    // The events show the garbage: a retry for the unreadable answer, a model
    // call for each of the five that could be read, and one attempt only.
    let retries = run.task_events("model_retry", MODEL_TASK);
    assert_eq!(retries.len(), 1, "{run}");
    assert!(retries[0]["reason"].as_str().unwrap().contains("not valid JSON"), "{}", retries[0]);
    assert_eq!(run.task_events("model_call", MODEL_TASK).len(), 5, "{run}");
    assert!(run.task_events("task_failed", MODEL_TASK).is_empty(), "{run}");
    assert_eq!(run.task_events("task_committed", MODEL_TASK).len(), 1, "{run}");
    let edits = run.task_events("edit_applied", MODEL_TASK);
    assert_eq!(edits.len(), 1, "only the good edit was applied: {edits:?}");
    assert_eq!(edits[0]["agent"], "openai/gpt-4o");

    let ops = git(repo, &["show", &format!("{BRANCH}:src/ops.c")]);
    assert!(ops.contains("NEON has no gather"), "{ops}");
    assert_eq!(run.summary()["committed"], 4, "{run}");
    assert_only_included_paths_changed(repo);
}

/// A model that reaches for files it may not write: a protected test, a path
/// out of the repository through `..`, an absolute path, and the spec. Every
/// attempt is a tool error, nothing is written anywhere, and the model then
/// does the task.
#[test]
fn edits_outside_the_allowed_files_are_refused_and_nothing_is_written() {
    let dir = fixture_repo("mini-gather");
    let repo = dir.path();
    plan_with_rules(repo);
    let elsewhere = tempfile::tempdir().unwrap();
    let absolute = elsewhere.path().join("escape.c");
    let absolute = absolute.to_str().unwrap().to_owned();
    let spec_before = std::fs::read(repo.join("molt.toml")).unwrap();
    let test_before = std::fs::read(repo.join("tests/test_ops.c")).unwrap();
    let server = ModelServer::start_blocking(
        Wire::OpenAi,
        vec![
            Turn::tool_call(
                "replace_symbol",
                json!({ "symbol": "tests/test_ops.c::check", "text": "static void check(int ok, const char *name)\n{\n    passed++;\n}" }),
            ),
            // Two refusals in one answer (a parallel tool call).
            Turn::tool_call("create_file", json!({ "path": "../outside.c", "text": "int outside;\n" }))
                .and_tool_call("create_file", json!({ "path": absolute, "text": "int escape;\n" })),
            Turn::tool_call("create_file", json!({ "path": "molt.toml", "text": "[migration]\nname = \"x\"\n" })),
            Turn::tool_call(
                "replace_symbol",
                json!({ "symbol": "tests/test_ops.c::main", "text": "int main(void) { return 0; }" }),
            ),
            Turn::tool_call("replace_symbol", json!({ "symbol": "src/ops.c::gather8", "text": RIGHT })),
            Turn::tool_call("finish", json!({ "summary": SUMMARY })),
        ],
    );
    let env = openai_env(&server);
    let run = molt_run(repo, &["run", "--json", "--jobs", "2"], &as_env(&env));
    assert_eq!(run.code, Some(0), "{run}");

    let requests = server.requests();
    assert_eq!(requests.len(), 6, "{run}");
    let answers: Vec<String> = requests[5].body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["content"].as_str().unwrap().to_owned())
        .collect();
    // Five refusals (one turn made two calls), then the good edit.
    assert_eq!(answers.len(), 6, "{answers:#?}");
    assert!(answers[5].starts_with("done: replace_item src/ops.c::gather8"), "{}", answers[5]);
    let expect = [
        "`tests/test_ops.c` is protected (it matches `tests/**`)",
        "`../outside.c` climbs out of the repository: `..` is not allowed",
        "is an absolute path",
        "`molt.toml` is the migration spec; it is off limits",
        "`tests/test_ops.c` is protected",
    ];
    for (answer, want) in answers.iter().zip(expect) {
        assert!(answer.starts_with("ERROR:") && answer.contains(want), "want {want:?} in {answer:?}");
    }
    assert!(answers[2].contains(&absolute), "{}", answers[2]);

    // Nothing was written: not the test, not the spec, not a file outside.
    assert_eq!(std::fs::read(repo.join("molt.toml")).unwrap(), spec_before);
    assert_eq!(std::fs::read(repo.join("tests/test_ops.c")).unwrap(), test_before);
    assert!(!Path::new(&absolute).exists(), "{absolute} was created");
    assert!(!repo.join("outside.c").exists() && !repo.join(".molt/outside.c").exists());
    assert!(!repo.join(".molt/worktrees/outside.c").exists());
    let edits = run.task_events("edit_applied", MODEL_TASK);
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert_eq!(edits[0]["files"], json!(["src/ops.c"]));
    assert_eq!(run.task_events("task_committed", MODEL_TASK).len(), 1, "{run}");
    assert_eq!(run.summary()["committed"], 4, "{run}");
    assert_only_included_paths_changed(repo);
}

/// A model that never finishes: it reads forever until `max_turns`. The task
/// fails after `attempts` attempts with the turn limit as its reason, the
/// Makefile task that depends on it is blocked, the rules tasks stay
/// committed, and molt exits 1.
#[test]
fn a_model_that_never_finishes_fails_its_task_at_the_turn_limit() {
    let dir = fixture_repo("mini-gather");
    let repo = dir.path();
    set_model(repo, "provider = \"openai\"\nmodel = \"gpt-4o\"\nmax_usd = 5.0\nmax_turns = 3");
    plan_with_rules(repo);
    let server = ModelServer::start_blocking_with(Wire::OpenAi, |_| {
        Turn::tool_call("read_symbol", json!({ "symbol": "src/ops.c::gather8" }))
    });
    let env = openai_env(&server);
    let run = molt_run(repo, &["run", "--json", "--jobs", "2"], &as_env(&env));
    assert_eq!(run.code, Some(1), "{run}");

    // attempts = 2 (fixture) times max_turns = 3, and not one call more.
    assert_eq!(server.requests().len(), 6, "{run}");
    let starts: Vec<u64> =
        run.task_events("task_started", MODEL_TASK).iter().filter_map(|e| e["attempt"].as_u64()).collect();
    assert_eq!(starts, [1, 2], "{run}");
    let failures = run.task_events("task_failed", MODEL_TASK);
    assert_eq!(failures.len(), 2, "one per attempt: {failures:?}");
    for f in &failures {
        assert_eq!(f["reason"], "the model used all 3 turns without finishing", "{f}");
    }
    let attempts: Vec<u64> = failures.iter().filter_map(|e| e["attempt"].as_u64()).collect();
    assert_eq!(attempts, [1, 2], "each failure names its own attempt: {failures:?}");
    assert!(run.task_events("edit_applied", MODEL_TASK).is_empty());

    let blocked = run.task_events("task_blocked", MAKEFILE_TASK);
    assert_eq!(blocked.len(), 1, "{run}");
    assert_eq!(blocked[0]["by"], MODEL_TASK);
    assert!(run.events("task_started").iter().all(|e| e["task"] != MAKEFILE_TASK), "{run}");

    let summary = run.summary();
    assert_eq!((summary["committed"].as_u64(), summary["failed"].as_u64()), (Some(2), Some(1)), "{summary}");
    assert_eq!(summary["blocked"], 1);
    assert_eq!(summary["passed"], false);
    assert_eq!(task_trailers(repo), ["t01-ops-x86-header", "t03-sum"]);
    let finished = run.events("run_finished");
    assert_eq!(finished.len(), 1);
    assert_eq!(finished[0]["passed"], false);

    // The state says the same, for `molt status` and `molt resume`.
    let state: Value = serde_json::from_str(&std::fs::read_to_string(repo.join(".molt/state.json")).unwrap()).unwrap();
    let rec = &state["tasks"][MODEL_TASK];
    assert_eq!(rec["state"], "failed", "{rec}");
    assert!(rec["error"].as_str().unwrap().contains("all 3 turns"), "{rec}");
    assert_eq!(state["tasks"][MAKEFILE_TASK]["state"], "blocked");
    assert_only_included_paths_changed(repo);
}

/// A budget that runs out mid-run: the first model call fits under `max_usd`,
/// the second does not. The run stops cleanly (exit 1, the way out named),
/// keeps what it committed, and `molt resume` with a larger budget (committed
/// to molt.toml) finishes every task, none twice.
#[test]
fn a_budget_that_runs_out_stops_cleanly_and_resume_finishes() {
    let dir = fixture_repo("mini-gather");
    let repo = dir.path();
    // gpt-4o: $2.50 in, $10 out per million. A call reserves its worst case
    // (8192 output tokens, about $0.08, plus the prompt), which fits under
    // $0.15 once; the first call then reports $0.11 spent, so the second
    // call's reservation does not fit.
    set_model(repo, "provider = \"openai\"\nmodel = \"gpt-4o\"\nmax_usd = 0.15");
    plan_with_rules(repo);
    let server = ModelServer::start_blocking(
        Wire::OpenAi,
        vec![
            Turn::tool_call("read_symbol", json!({ "symbol": "src/ops.c::gather8" })).usage(40_000, 1_000),
            Turn::tool_call("replace_symbol", json!({ "symbol": "src/ops.c::gather8", "text": RIGHT })),
        ],
    );
    let env = openai_env(&server);
    let run = molt_run(repo, &["run", "--json", "--jobs", "2"], &as_env(&env));
    assert_eq!(run.code, Some(1), "{run}");
    assert_eq!(server.requests().len(), 1, "the second call was refused before it was sent: {run}");
    assert_eq!(server.remaining(), 1);

    let stopped = run.summary()["stopped"].as_str().unwrap_or_else(|| panic!("no stop reason: {run}")).to_owned();
    assert!(stopped.contains("budget exhausted") && stopped.contains("max_usd"), "{stopped}");
    assert!(stopped.contains("Raise the budget in molt.toml and run `molt resume`"), "{stopped}");
    let failed = run.task_events("task_failed", MODEL_TASK);
    assert_eq!(failed.len(), 1, "{run}");
    assert!(failed[0]["reason"].as_str().unwrap().contains("max_usd"), "{}", failed[0]);
    assert!(run.events("task_started").iter().all(|e| e["task"] != MAKEFILE_TASK), "nothing starts after the stop");
    assert!(run.events("check_finished").iter().all(|e| !e["check"].as_str().unwrap().starts_with("final/")));
    assert_eq!(run.summary()["committed"], 2, "{run}");
    assert_eq!(task_trailers(repo), ["t01-ops-x86-header", "t03-sum"]);
    assert_only_included_paths_changed(repo);

    // The state loads and keeps what was spent and what is left.
    let state: Value = serde_json::from_str(&std::fs::read_to_string(repo.join(".molt/state.json")).unwrap()).unwrap();
    assert_eq!(state["tasks"][MODEL_TASK]["state"], "pending", "{state}");
    assert_eq!(state["tasks"][MAKEFILE_TASK]["state"], "pending", "{state}");
    assert!(state["spent"]["run"]["usd"].as_f64().unwrap() > 0.1, "{state}");
    let status = crate::molt(repo, &["status"]);
    assert_eq!(status.status.code(), Some(1), "an unfinished run: {}", String::from_utf8_lossy(&status.stderr));

    // A larger budget, committed as a user would, and resume.
    set_model(repo, "provider = \"openai\"\nmodel = \"gpt-4o\"\nmax_usd = 5.0");
    let server = ModelServer::start_blocking(
        Wire::OpenAi,
        vec![
            Turn::tool_call("replace_symbol", json!({ "symbol": "src/ops.c::gather8", "text": RIGHT })),
            Turn::tool_call("finish", json!({ "summary": SUMMARY })),
        ],
    );
    let env = openai_env(&server);
    let resumed = molt_run(repo, &["resume", "--json", "--jobs", "2"], &as_env(&env));
    assert_eq!(resumed.code, Some(0), "{resumed}");
    assert_eq!(server.requests().len(), 2);
    // The rules tasks are not run again.
    assert!(resumed.events("task_started").iter().all(|e| e["task"] == MODEL_TASK || e["task"] == MAKEFILE_TASK));
    assert_eq!(resumed.summary()["committed"], 4, "{resumed}");
    assert_eq!(resumed.summary()["passed"], true, "{resumed}");
    assert_eq!(
        task_trailers(repo),
        ["t01-ops-x86-header", "t03-sum", MODEL_TASK, MAKEFILE_TASK],
        "every task once, none twice"
    );
    let state: Value = serde_json::from_str(&std::fs::read_to_string(repo.join(".molt/state.json")).unwrap()).unwrap();
    assert!(state["spent"]["run"]["usd"].as_f64().unwrap() > 0.11, "spending carries over: {state}");
    assert_only_included_paths_changed(repo);
}

/// Record a run's model traffic, then replay it in a fresh copy of the
/// fixture with no server and no key: the same tasks commit with the same
/// diff, and the cassette holds no key.
#[test]
fn a_recorded_run_replays_offline_to_the_same_diff() {
    let cassettes = tempfile::tempdir().unwrap();
    let cassette = cassettes.path().join("cassette.jsonl");
    let cassette_arg = cassette.to_str().unwrap();

    let first = fixture_repo("mini-gather");
    plan_with_rules(first.path());
    let server = ModelServer::start_blocking(Wire::OpenAi, fixing_turns());
    let env = openai_env(&server);
    let recorded = molt_run(first.path(), &["run", "--json", "--jobs", "2", "--record", cassette_arg], &as_env(&env));
    assert_eq!(recorded.code, Some(0), "{recorded}");
    assert_eq!(server.requests().len(), 5);
    drop(server);

    let tape = std::fs::read_to_string(&cassette).unwrap();
    assert_eq!(tape.lines().count(), 5, "one line per call");
    assert!(!tape.contains(KEY), "the cassette holds the key");
    assert!(!tape.to_ascii_lowercase().contains("authorization"), "the cassette holds a header");

    let second = fixture_repo("mini-gather");
    plan_with_rules(second.path());
    let replayed = molt_run(second.path(), &["run", "--json", "--jobs", "2", "--replay", cassette_arg], &[]);
    assert_eq!(replayed.code, Some(0), "{replayed}");
    assert_eq!(replayed.events("model_call").len(), 5, "{replayed}");

    let diff = |repo: &Path| git(repo, &["diff", &format!("main...{BRANCH}")]);
    assert_eq!(diff(first.path()), diff(second.path()));
    // Tasks that run side by side may merge in either order: compare the sets,
    // and count the merge commits (a merge names the task merged second,
    // which depends on which finished first).
    let subjects = |repo: &Path| {
        let log = git(
            repo,
            &["log", "--format=%s | %(trailers:key=Molt-Agent,valueonly,separator=)", &format!("main..{BRANCH}")],
        );
        let mut lines: Vec<String> = log
            .lines()
            .map(|l| if l.starts_with("Merge task ") { "Merge task (either) | ".to_owned() } else { l.to_owned() })
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(subjects(first.path()), subjects(second.path()));
    assert_eq!(task_trailers(second.path()).len(), 4);
    assert_only_included_paths_changed(second.path());
}

/// A `[model]` that could not be reached or was never needed is not passed
/// over in silence: the planner agent's failure says the rules' plan is used,
/// and a run in which nothing called the model says so.
#[test]
fn a_model_that_is_unreachable_or_unused_is_named_in_warnings() {
    let dir = fixture_repo("kill-many");
    let repo = dir.path();
    let spec = repo.join("molt.toml");
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text = text.replace(
        "[[check]]",
        "[model]\nprovider = \"openai\"\nmodel = \"gpt-4o\"\nmax_usd = 1.0\ncall_attempts = 1\n\n[[check]]",
    );
    std::fs::write(&spec, text).unwrap();
    git(repo, &["commit", "-q", "-am", "a model"]);
    let server = ModelServer::start_blocking_with(Wire::OpenAi, |_| Turn::status(500));
    let env = openai_env(&server);
    let run = molt_run(repo, &["run", "--json", "--jobs", "2"], &as_env(&env));
    assert_eq!(run.code, Some(0), "{run}");
    let warnings: Vec<String> =
        run.events("warning").iter().map(|w| w["message"].as_str().unwrap_or_default().to_owned()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("its planner gave no valid plan") && w.contains("the recipe's own plan is used")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("a model (openai/gpt-4o) is configured, but nothing in this migration called it")),
        "{warnings:?}"
    );
    assert!(!server.requests().is_empty(), "the planner agent never asked");
}
