//! Migrations under test: each scenario's model traffic, recorded once into a
//! cassette committed under `fixtures/cassettes/`, is replayed here offline
//! (no model server, no key; the model's base URL points at a port nothing
//! listens on), and what a reviewer reads is snapshot-tested: the plan, each
//! task's diff, the event stream and report.md.
//!
//! - `mini-gather` (OpenAI wire, the built-in x86-to-neon recipe): the model
//!   reads gather8, makes an edit that breaks the x86 test, sees the failure,
//!   fixes it and finishes.
//! - `libold-events` (Anthropic wire, the c-api-rename recipe file): the
//!   recipe's rules rename the calls, and the model ports the callback
//!   registration the rules leave, changing two functions.
//!
//! `cargo xtask record` re-records the cassettes: it runs these tests with
//! `MOLT_RECORD_CASSETTES=1`, which first runs each scenario against its
//! scripted model server with `--record`, writes the cassette into
//! fixtures/, then replays it as usual. One job, so the event stream has one
//! order.

use std::path::Path;
use std::process::Command;

use molt_test_support::model_server::{ModelServer, Turn, Wire};
use serde_json::{json, Value};

use crate::model::{RIGHT, WRONG};
use crate::{fixture_repo, git, molt_bin, workspace_root};

/// One recorded migration.
struct Scenario {
    /// The snapshots' prefix; the cassette is `fixtures/cassettes/NAME.jsonl`.
    name: &'static str,
    /// A fresh repository, planned without a model.
    repo: fn() -> tempfile::TempDir,
    branch: &'static str,
    wire: Wire,
    /// The model's side, for recording.
    model: fn() -> Vec<Turn>,
    /// Commits expected on the migration branch, and model calls.
    commits: usize,
    model_calls: usize,
}

impl Scenario {
    fn cassette(&self) -> std::path::PathBuf {
        workspace_root().join(format!("fixtures/cassettes/{}.jsonl", self.name))
    }

    /// The variables that point molt at `base_url` with `key`.
    fn env(&self, key: &'static str, base_url: String) -> [(&'static str, String); 2] {
        match self.wire {
            Wire::OpenAi => [("OPENAI_API_KEY", key.to_owned()), ("OPENAI_BASE_URL", base_url)],
            Wire::Anthropic | Wire::Bedrock => {
                [("ANTHROPIC_API_KEY", key.to_owned()), ("ANTHROPIC_BASE_URL", base_url)]
            }
        }
    }
}

const MINI_GATHER: Scenario = Scenario {
    name: "mini-gather",
    repo: planned_repo,
    branch: "molt/mini-port",
    wire: Wire::OpenAi,
    model: scripted_model,
    commits: 4,
    model_calls: 5,
};

const LIBOLD_EVENTS: Scenario = Scenario {
    name: "libold-events",
    repo: libold_repo,
    branch: "molt/libnew",
    wire: Wire::Anthropic,
    model: callback_model,
    commits: 3,
    model_calls: 4,
};

/// mini-gather's model side.
fn scripted_model() -> Vec<Turn> {
    vec![
        Turn::tool_call("read_symbol", json!({ "symbol": "src/ops.c::gather8" })).usage(900, 40),
        Turn::tool_call("replace_symbol", json!({ "symbol": "src/ops.c::gather8", "text": WRONG })).usage(1200, 160),
        Turn::tool_call("run_checks", json!({})).usage(1400, 10),
        Turn::tool_call("replace_symbol", json!({ "symbol": "src/ops.c::gather8", "text": RIGHT })).usage(1900, 170),
        Turn::tool_call(
            "finish",
            json!({ "summary": "gather8 keeps the AVX2 gather on x86 and loads lanes one by one elsewhere." }),
        )
        .usage(2100, 30),
    ]
}

/// libold-events' model side: the callback gains its user data, and the
/// registration moves to on_event.
fn callback_model() -> Vec<Turn> {
    let on_any =
        "static void on_any(int event, void *user_data)\n{\n    (void)user_data;\n    events_seen += event;\n}";
    let setup = "void setup(void)\n{\n    on_event(EVENT_ALL, on_any, NULL);\n}";
    vec![
        Turn::tool_call("read_symbol", json!({ "symbol": "events.c::on_any" })).usage(700, 30),
        Turn::tool_call("replace_symbol", json!({ "symbol": "events.c::on_any", "text": on_any })).usage(900, 80),
        Turn::tool_call("replace_symbol", json!({ "symbol": "events.c::setup", "text": setup })).usage(1000, 60),
        Turn::tool_call("finish", json!({ "summary": "setup registers on_any for every event through on_event." }))
            .usage(1100, 20),
    ]
}

/// `molt run --json --jobs 1` plus `extra`, with only the model variables in `env`.
fn run_molt(repo: &Path, extra: &[&str], env: &[(&str, String)]) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(molt_bin());
    cmd.args(["run", "--json", "--jobs", "1"]).args(extra).current_dir(repo).env("NO_COLOR", "1");
    cmd.env_remove("RUST_LOG");
    for var in ["OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "MOLT_JOBS"] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("running molt");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn plan_without_model(dir: &Path) {
    let planned = crate::molt(dir, &["plan", "--no-model"]);
    assert!(planned.status.success(), "{}", String::from_utf8_lossy(&planned.stderr));
}

fn planned_repo() -> tempfile::TempDir {
    let dir = fixture_repo("mini-gather");
    plan_without_model(dir.path());
    dir
}

/// fixtures/libold-events with the c-api-rename example recipe in recipes/.
fn libold_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    crate::copy_tree(&workspace_root().join("fixtures/libold-events"), repo);
    crate::copy_tree(&workspace_root().join("fixtures/recipes/c-api-rename"), &repo.join("recipes/c-api-rename"));
    git(repo, &["init", "-q", "-b", "main"]);
    git(repo, &["add", "-A"]);
    git(repo, &["-c", "user.name=Test", "-c", "user.email=test@localhost", "commit", "-q", "-m", "libold"]);
    plan_without_model(repo);
    dir
}

/// Runs the scenario against the scripted model and writes its cassette.
fn record(scenario: &Scenario) {
    let cassette = scenario.cassette();
    let dir = (scenario.repo)();
    let server = ModelServer::start_blocking(scenario.wire, (scenario.model)());
    let tape = tempfile::tempdir().unwrap();
    let fresh = tape.path().join("cassette.jsonl");
    let env = scenario.env("sk-record-only-not-a-key", server.base_url());
    let (code, stdout, stderr) = run_molt(dir.path(), &["--record", fresh.to_str().unwrap()], &env);
    assert_eq!(code, Some(0), "recording failed\n{stdout}\n{stderr}");
    assert_eq!(server.remaining(), 0, "the scripted model was not used up");
    let tape_text = std::fs::read_to_string(&fresh).unwrap();
    assert!(!tape_text.contains("sk-record-only") && !tape_text.to_ascii_lowercase().contains("authorization"));
    std::fs::create_dir_all(cassette.parent().unwrap()).unwrap();
    std::fs::copy(&fresh, &cassette).unwrap();
}

/// `value` with times, run ids, commit ids and durations replaced, and the
/// repository's path written as `[repo]`.
fn redact(value: &mut Value, repo: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match key.as_str() {
                    "ts" | "run" | "commit" | "duration_ms" | "wait_ms" => *v = Value::String(format!("[{key}]")),
                    _ => redact(v, repo),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact(v, repo)),
        Value::String(s) if s.contains(repo) => *s = s.replace(repo, "[repo]"),
        _ => {}
    }
}

#[test]
fn the_committed_cassette_replays_offline_to_the_same_plan_diffs_events_and_report() {
    replay_and_snapshot(&MINI_GATHER);
}

#[test]
fn a_recipe_file_and_the_anthropic_wire_replay_offline_to_the_same_plan_diffs_events_and_report() {
    replay_and_snapshot(&LIBOLD_EVENTS);
}

/// Records the scenario first when `MOLT_RECORD_CASSETTES` is set, replays
/// its cassette offline, and snapshots what a reviewer reads.
fn replay_and_snapshot(scenario: &Scenario) {
    let cassette = scenario.cassette();
    if std::env::var_os("MOLT_RECORD_CASSETTES").is_some() {
        record(scenario);
    }
    assert!(cassette.is_file(), "{} is missing; `cargo xtask record` writes it", cassette.display());
    let name = scenario.name.replace('-', "_");

    let dir = (scenario.repo)();
    let repo = dir.path();
    // Nothing listens on port 9: a request that got past the cassette fails.
    let env = scenario.env("sk-replay-not-used", "http://127.0.0.1:9/v1".to_owned());
    let (code, stdout, stderr) = run_molt(repo, &["--replay", cassette.to_str().unwrap()], &env);
    assert_eq!(
        code,
        Some(0),
        "the replay failed; when a prompt, a tool or the fixture changed on purpose, re-record with \
         `cargo xtask record` and review the snapshots\n{stdout}\n{stderr}"
    );

    let repo_path = repo.canonicalize().unwrap().to_string_lossy().into_owned();
    let filters = vec![(r"Generated at: \S+", "Generated at: [time]"), (r"`[0-9a-f]{12}`", "`[commit]`")];

    // The plan, as `molt plan --no-model` wrote it and the run followed it.
    let plan = std::fs::read_to_string(repo.join(".molt/plan.json")).unwrap();
    insta::assert_snapshot!(format!("{name}_plan"), plan.replace(&repo_path, "[repo]"));

    // Each task's diff, in the order the tasks reached the migration branch.
    // The recipe's wrapper headers are listed but not shown: they are the
    // recipe's files, copied as they are, and have tests of their own.
    let commits = git(repo, &["log", "--reverse", "--no-merges", "--format=%H", &format!("main..{}", scenario.branch)]);
    let mut diffs = String::new();
    for sha in commits.lines() {
        diffs.push_str(&git(repo, &["show", "--format=### %s%n%(trailers)", "--name-status", sha]));
        diffs.push('\n');
        diffs.push_str(&git(repo, &["show", "--format=", "--patch", sha, "--", ".", ":(exclude)src/molt_simd_*.h"]));
        diffs.push('\n');
    }
    assert_eq!(commits.lines().count(), scenario.commits, "{diffs}");
    insta::assert_snapshot!(format!("{name}_diffs"), diffs);

    // The event stream: every field but times, ids and paths.
    let mut events = Vec::new();
    for line in stdout.lines() {
        let mut v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if v.get("event").is_none() {
            continue;
        }
        redact(&mut v, &repo_path);
        events.push(v.to_string());
    }
    assert_eq!(events.iter().filter(|e| e.contains("\"event\":\"model_call\"")).count(), scenario.model_calls);
    insta::assert_snapshot!(format!("{name}_events"), events.join("\n"));

    let report = std::fs::read_to_string(repo.join(".molt/report.md")).unwrap();
    insta::with_settings!({ filters => filters }, {
        insta::assert_snapshot!(format!("{name}_report"), report);
    });
}
