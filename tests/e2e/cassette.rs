//! A migration under test: mini-gather's model traffic, recorded once into a
//! cassette committed at `fixtures/cassettes/mini-gather.jsonl`, is replayed
//! here offline (no model server, no key; the model's base URL points at a
//! port nothing listens on), and what a reviewer reads is snapshot-tested:
//! the plan, each task's diff, the event stream and report.md.
//!
//! `cargo xtask record` re-records the cassette: it runs this test with
//! `MOLT_RECORD_CASSETTES=1`, which first runs the scenario against the
//! scripted model server below (the model reads gather8, makes an edit that
//! breaks the x86 test, sees the failure, fixes it and finishes) with
//! `--record`, writes the cassette into fixtures/, then replays it as usual.
//! One job, so the event stream has one order.

use std::path::Path;
use std::process::Command;

use molt_test_support::model_server::{ModelServer, Turn, Wire};
use serde_json::{json, Value};

use crate::model::{RIGHT, WRONG};
use crate::{fixture_repo, git, molt_bin, workspace_root};

/// Where the cassette lives, from the workspace root.
const CASSETTE: &str = "fixtures/cassettes/mini-gather.jsonl";
const BRANCH: &str = "molt/mini-port";

/// The model's side of the scenario, for recording.
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

/// `molt run --json --jobs 1` plus `extra`, with only the model variables in `env`.
fn run_molt(repo: &Path, extra: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
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

fn planned_repo() -> tempfile::TempDir {
    let dir = fixture_repo("mini-gather");
    let planned = crate::molt(dir.path(), &["plan", "--no-model"]);
    assert!(planned.status.success(), "{}", String::from_utf8_lossy(&planned.stderr));
    dir
}

/// Runs the scenario against the scripted model and writes its cassette.
fn record(cassette: &Path) {
    let dir = planned_repo();
    let server = ModelServer::start_blocking(Wire::OpenAi, scripted_model());
    let tape = tempfile::tempdir().unwrap();
    let fresh = tape.path().join("cassette.jsonl");
    let base_url = server.base_url();
    let env = [("OPENAI_API_KEY", "sk-record-only-not-a-key"), ("OPENAI_BASE_URL", base_url.as_str())];
    let (code, stdout, stderr) = run_molt(dir.path(), &["--record", fresh.to_str().unwrap()], &env);
    assert_eq!(code, Some(0), "recording failed\n{stdout}\n{stderr}");
    assert_eq!(server.remaining(), 0, "the scripted model was not used up");
    let tape_text = std::fs::read_to_string(&fresh).unwrap();
    assert!(!tape_text.contains("sk-record-only") && !tape_text.to_ascii_lowercase().contains("authorization"));
    std::fs::create_dir_all(cassette.parent().unwrap()).unwrap();
    std::fs::copy(&fresh, cassette).unwrap();
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
    let cassette = workspace_root().join(CASSETTE);
    if std::env::var_os("MOLT_RECORD_CASSETTES").is_some() {
        record(&cassette);
    }
    assert!(cassette.is_file(), "{CASSETTE} is missing; `cargo xtask record` writes it");

    let dir = planned_repo();
    let repo = dir.path();
    // Nothing listens on port 9: a request that got past the cassette fails.
    let env = [("OPENAI_API_KEY", "sk-replay-not-used"), ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")];
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
    insta::assert_snapshot!("cassette_plan", plan.replace(&repo_path, "[repo]"));

    // Each task's diff, in the order the tasks reached the migration branch.
    // The recipe's wrapper headers are listed but not shown: they are the
    // recipe's files, copied as they are, and have tests of their own.
    let commits = git(repo, &["log", "--reverse", "--no-merges", "--format=%H", &format!("main..{BRANCH}")]);
    let mut diffs = String::new();
    for sha in commits.lines() {
        diffs.push_str(&git(repo, &["show", "--format=### %s%n%(trailers)", "--name-status", sha]));
        diffs.push('\n');
        diffs.push_str(&git(repo, &["show", "--format=", "--patch", sha, "--", ".", ":(exclude)src/molt_simd_*.h"]));
        diffs.push('\n');
    }
    assert_eq!(commits.lines().count(), 4, "{diffs}");
    insta::assert_snapshot!("cassette_diffs", diffs);

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
    assert_eq!(events.iter().filter(|e| e.contains("\"event\":\"model_call\"")).count(), 5);
    insta::assert_snapshot!("cassette_events", events.join("\n"));

    let report = std::fs::read_to_string(repo.join(".molt/report.md")).unwrap();
    insta::with_settings!({ filters => filters }, {
        insta::assert_snapshot!("cassette_report", report);
    });
}
