//! `molt run --ci` as a CI runner starts it: no terminal on any stream, stdin
//! closed, settings from molt.toml and the environment. stdout must be JSON
//! lines only (the events, `run_finished` among them, then the summary),
//! stderr the steps and the summary for people, and the exit code the
//! documented one.

use std::path::Path;
use std::process::{Command, Stdio};

use molt_test_support::model_server::{ModelServer, Turn, Wire};
use serde_json::{json, Value};

use crate::model::RIGHT;
use crate::{fixture_repo, git, molt_bin, rules_only_repo, Run};

const KEY: &str = "sk-test-molt-ci-0123456789";

impl Run {
    /// Every stdout line parsed; panics on a line that is not JSON.
    fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l:?}\n{self}")))
            .collect()
    }
}

/// Runs molt the way a CI runner does: pipes for stdout and stderr, nothing
/// on stdin, no TERM, and only the variables given.
fn ci_molt(repo: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(molt_bin());
    cmd.args(args).current_dir(repo).stdin(Stdio::null()).env_remove("RUST_LOG").env_remove("TERM");
    for var in [
        "NO_COLOR",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_BASE_URL",
        "GITHUB_STEP_SUMMARY",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::from(cmd.output().expect("running molt"))
}

fn assert_no_escapes(run: &Run) {
    assert!(!run.stdout.contains('\x1b') && !run.stderr.contains('\x1b'), "terminal escapes in CI output:\n{run}");
}

/// A whole run in CI mode that ends well: the model (a scripted server) maps
/// gather8, the rules do the rest. `MOLT_JOBS` sets the job count, the model
/// comes from molt.toml and its key from the environment.
#[test]
fn ci_mode_prints_json_lines_on_stdout_and_the_summary_on_stderr() {
    let dir = fixture_repo("mini-gather");
    let repo = dir.path();
    let planned = crate::molt(repo, &["plan", "--no-model"]);
    assert!(planned.status.success(), "{}", String::from_utf8_lossy(&planned.stderr));
    let server = ModelServer::start_blocking(
        Wire::OpenAi,
        vec![
            Turn::tool_call("replace_symbol", json!({ "symbol": "src/ops.c::gather8", "text": RIGHT }))
                .usage(1000, 150),
            Turn::tool_call("finish", json!({ "summary": "gather8 loads lanes one by one off x86." })).usage(1200, 20),
        ],
    );
    let base_url = server.base_url();
    let step = tempfile::tempdir().unwrap();
    let step_summary = step.path().join("summary.md");
    std::fs::write(&step_summary, "earlier step\n").unwrap();
    let run = ci_molt(
        repo,
        &["run", "--ci"],
        &[
            ("MOLT_JOBS", "1"),
            ("OPENAI_API_KEY", KEY),
            ("OPENAI_BASE_URL", &base_url),
            ("GITHUB_STEP_SUMMARY", step_summary.to_str().unwrap()),
        ],
    );
    assert_eq!(run.code, Some(0), "{run}");
    assert_no_escapes(&run);

    let lines = run.lines();
    let events: Vec<&Value> = lines.iter().filter(|v| v.get("event").is_some()).collect();
    let started = events.first().unwrap_or_else(|| panic!("no events:\n{run}"));
    assert_eq!(started["event"], "run_started", "{run}");
    assert_eq!(started["jobs"], 1, "MOLT_JOBS=1 sets the job count: {started}");
    let finished: Vec<&&Value> = events.iter().filter(|e| e["event"] == "run_finished").collect();
    assert_eq!(finished.len(), 1, "{run}");
    assert_eq!(finished[0]["passed"], true, "{run}");
    assert_eq!(events.iter().filter(|e| e["event"] == "model_call").count(), 2, "{run}");
    // The summary is the last line, after every event.
    let last = lines.last().unwrap();
    assert_eq!(last["summary"]["passed"], true, "{run}");
    assert_eq!(last["summary"]["failed"], 0, "{run}");
    assert_eq!(lines.iter().filter(|v| v.get("summary").is_some()).count(), 1, "{run}");

    // For people, on stderr: the steps, the check table and the verdict.
    for want in [
        "molt: mini-port: 4 tasks, 1 at a time, onto molt/mini-port",
        "  commit  t02-gather8 ",
        "mini-port: 4 of 4 tasks committed on molt/mini-port",
        "arm64-test",
        "result: migration complete",
    ] {
        assert!(run.stderr.contains(want), "stderr lacks {want:?}:\n{run}");
    }
    assert!(!run.stdout.contains(KEY) && !run.stderr.contains(KEY), "the key was printed:\n{run}");
    // In GitHub Actions the job's summary gets the report, after what was there.
    let summary_md = std::fs::read_to_string(&step_summary).unwrap();
    assert!(summary_md.starts_with("earlier step\n# molt report: mini-port\n"), "{summary_md}");
    assert!(summary_md.contains("| t02-gather8 | committed | openai/gpt-4o |"), "{summary_md}");
    assert_eq!(git(repo, &["status", "--porcelain"]), "", "the user's working tree changed");
}

/// The other exit codes in CI mode: an incomplete migration is 1 with the
/// same JSON stream, a spec error is 2 with one JSON error line.
#[test]
fn ci_mode_exit_codes_for_an_incomplete_run_and_a_spec_error() {
    // Rules only: gather8 has no mapping, so its task fails and the
    // Makefile task after it is blocked.
    let dir = rules_only_repo("mini-gather");
    let repo = dir.path();
    let spec = repo.join("molt.toml");

    let run = ci_molt(repo, &["run", "--ci", "--jobs", "2"], &[]);
    assert_eq!(run.code, Some(1), "{run}");
    assert_no_escapes(&run);
    let lines = run.lines();
    let finished = lines.iter().find(|v| v["event"] == "run_finished").unwrap_or_else(|| panic!("{run}"));
    assert_eq!(finished["passed"], false);
    assert_eq!(lines.last().unwrap()["summary"]["passed"], false, "{run}");
    assert!(run.stderr.contains("FAILED  t02-gather8"), "{run}");
    assert!(run.stderr.contains("result: migration incomplete"), "{run}");
    assert!(run.stderr.contains("report: "), "the summary names the report: {run}");

    // `molt resume --ci` is the same contract: the same stream, the same code.
    let run = ci_molt(repo, &["resume", "--ci"], &[]);
    assert_eq!(run.code, Some(1), "{run}");
    let lines = run.lines();
    assert!(lines.iter().any(|v| v["event"] == "run_finished"), "{run}");
    assert_eq!(lines.last().unwrap()["summary"]["passed"], false, "{run}");
    assert!(run.stderr.contains("result: migration incomplete"), "{run}");

    // A spec error: nothing runs, stdout says why as JSON, stderr in words.
    let text = std::fs::read_to_string(&spec).unwrap().replace("kind = \"test\"", "kind = \"tests\"");
    std::fs::write(&spec, text).unwrap();
    let run = ci_molt(repo, &["run", "--ci"], &[]);
    assert_eq!(run.code, Some(2), "{run}");
    let lines = run.lines();
    assert_eq!(lines.len(), 1, "{run}");
    assert_eq!(lines[0]["exit"], 2, "{run}");
    assert!(lines[0]["error"].as_str().unwrap().contains("unknown kind \"tests\""), "{run}");
    assert!(run.stderr.contains("error: ") && run.stderr.contains("molt.toml:"), "{run}");

    // MOLT_CI=1 is --ci.
    let run = ci_molt(repo, &["run"], &[("MOLT_CI", "1")]);
    assert_eq!(run.code, Some(2), "{run}");
    assert_eq!(run.lines()[0]["exit"], 2, "{run}");
}

/// The example workflow's `molt` command lines use only subcommands and
/// flags molt has: each is parsed by the binary (with `--help` appended, so
/// nothing runs) and must not be a usage error.
#[test]
fn the_example_github_workflow_calls_molt_as_it_is() {
    let workflow = std::fs::read_to_string(crate::workspace_root().join("examples/github-actions/molt.yml")).unwrap();
    let mut seen = Vec::new();
    for line in workflow.lines() {
        let line = line.trim().trim_start_matches("run:").trim();
        let Some(rest) = line.strip_prefix("molt ") else { continue };
        // Drop a redirection, put a word for each `${{ expression }}`, then
        // drop the shell quotes.
        let mut rest = rest.split(" > ").next().unwrap_or(rest).to_owned();
        while let (Some(start), Some(end)) = (rest.find("${{"), rest.find("}}")) {
            rest.replace_range(start..end + 2, "EXPR");
        }
        let mut args: Vec<String> = rest.split_whitespace().map(|a| a.trim_matches('"').to_owned()).collect();
        seen.push(args.first().cloned().unwrap_or_default());
        args.push("--help".to_owned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = crate::molt(Path::new("."), &args);
        assert_eq!(out.status.code(), Some(0), "molt {rest}: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(seen, ["run", "pr"], "{workflow}");
}
