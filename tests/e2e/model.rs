//! A run where the rules need a model: mini-gather's `gather8` uses an AVX2
//! gather the x86-to-neon table does not map. A scripted OpenAI-compatible
//! server plays the model: it reads the symbol, makes an edit that breaks the
//! x86 test, gets the failure back, fixes it and finishes.

use std::process::Command;

use molt_test_support::model_server::{ModelServer, Turn, Wire};
use serde_json::json;

use crate::{fixture_repo, git, molt_bin, walk};

const KEY: &str = "sk-test-molt-e2e-0123456789";

/// gather8 with an off-by-one on x86: the x86 test fails.
pub(crate) const WRONG: &str = "#if defined(__x86_64__) || defined(__i386__)
void gather8(const float *table, const int *idx, float *out)
{
    for (int i = 0; i < 8; i++)
        out[i] = table[idx[i] + 1];
}
#else
void gather8(const float *table, const int *idx, float *out)
{
    for (int i = 0; i < 8; i++)
        out[i] = table[idx[i]];
}
#endif";

/// gather8 kept on x86 and done lane by lane elsewhere.
pub(crate) const RIGHT: &str = "#if defined(__x86_64__) || defined(__i386__)
void gather8(const float *table, const int *idx, float *out)
{
    __m256i vi = _mm256_loadu_si256((const __m256i *)idx);
    __m256 v = (__m256)__builtin_ia32_gathersiv8sf(_mm256_setzero_ps(), table, (__v8si)vi, _mm256_castsi256_ps(_mm256_set1_epi32(-1)), 4);
    _mm256_storeu_ps(out, v);
}
#else
void gather8(const float *table, const int *idx, float *out)
{
    /* NEON has no gather: load the lanes one by one. */
    for (int i = 0; i < 8; i++)
        out[i] = table[idx[i]];
}
#endif";

#[test]
fn a_scripted_model_fixes_its_own_failing_edit_and_the_task_commits() {
    let dir = fixture_repo("mini-gather");
    let repo = dir.path();
    let server = ModelServer::start_blocking(
        Wire::OpenAi,
        vec![
            Turn::tool_call("read_symbol", json!({ "symbol": "src/ops.c::gather8" })).usage(900, 40),
            Turn::tool_call("replace_symbol", json!({ "symbol": "src/ops.c::gather8", "text": WRONG }))
                .usage(1200, 160),
            Turn::tool_call("run_checks", json!({})).usage(1400, 10),
            Turn::tool_call("replace_symbol", json!({ "symbol": "src/ops.c::gather8", "text": RIGHT }))
                .usage(1900, 170),
            Turn::tool_call(
                "finish",
                json!({ "summary": "gather8 keeps the AVX2 gather on x86 and loads lanes one by one elsewhere." }),
            )
            .usage(2100, 30),
        ],
    );
    // The rules' plan, as `molt plan --no-model` writes it: this test is about
    // the coder agent; the planner agent has tests of its own.
    let planned = crate::molt(repo, &["plan", "--no-model"]);
    assert!(planned.status.success(), "{}", String::from_utf8_lossy(&planned.stderr));
    let out = Command::new(molt_bin())
        // One job: the event stream is then deterministic, and snapshot-tested.
        .args(["run", "--json", "--jobs", "1"])
        .current_dir(repo)
        .env("OPENAI_API_KEY", KEY)
        .env("OPENAI_BASE_URL", server.base_url())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));

    // What the model was sent: five streamed calls with the tools, the key
    // only in the auth header, and the failing test fed back after run_checks.
    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    for r in &requests {
        assert_eq!(r.path, "/v1/chat/completions");
        assert_eq!(r.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
        assert!(r.streaming);
        let tools: Vec<&str> =
            r.body["tools"].as_array().unwrap().iter().map(|t| t["function"]["name"].as_str().unwrap()).collect();
        assert!(tools.contains(&"replace_symbol") && tools.contains(&"finish"), "{tools:?}");
        assert!(!String::from_utf8_lossy(&r.raw_body).contains(KEY));
    }
    let first = requests[0].body["messages"].to_string();
    assert!(first.contains("__builtin_ia32_gathersiv8sf") && first.contains("has no mapping"), "{first}");
    let fourth = requests[3].body["messages"].to_string();
    assert!(fourth.contains("FAIL - gather8"), "the check failure reaches the model: {fourth}");

    // The task is committed by the model, the others by rules, and the
    // aarch64 tests pass at the end.
    let log =
        git(repo, &["log", "--format=%s | %(trailers:key=Molt-Agent,valueonly,separator=)", "main..molt/mini-port"]);
    assert!(log.lines().any(|l| l.contains("gather8") && l.ends_with("openai/gpt-4o")), "{log}");
    let summary: serde_json::Value = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v.get("summary").is_some())
        .unwrap()["summary"]
        .clone();
    assert!(summary["coverage"]["model"].as_u64().unwrap() > 0, "{summary}");
    assert_eq!(summary["coverage"]["unmapped"], 0, "{summary}");
    let arm = summary["final_checks"].as_array().unwrap().iter().find(|c| c["name"] == "arm64-test").unwrap().clone();
    assert_eq!(arm["outcome"], "fixed", "{summary}");
    let events: Vec<serde_json::Value> = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert_eq!(events.iter().filter(|e| e["event"] == "model_call").count(), 5);

    // The run as a person reviews it: the commits and the event stream, with
    // times, run ids and commit ids left out.
    let commits = git(repo, &["log", "--reverse", "--format=%s%n%(trailers)", "main..molt/mini-port"]);
    insta::assert_snapshot!("mini_gather_commits", commits);
    let stream: Vec<String> = events
        .iter()
        .filter(|e| e.get("event").is_some())
        .map(|e| {
            let mut line = e["event"].as_str().unwrap_or("").to_owned();
            for key in
                ["task", "check", "agent", "passed", "attempt", "files", "input_tokens", "output_tokens", "reason"]
            {
                if let Some(v) = e.get(key) {
                    line.push_str(&format!(" {key}={v}"));
                }
            }
            line
        })
        .collect();
    insta::assert_snapshot!("mini_gather_events", stream.join("\n"));

    // The key is in no file molt wrote.
    for entry in walk(&repo.join(".molt")) {
        let text = std::fs::read(&entry).unwrap();
        assert!(!String::from_utf8_lossy(&text).contains(KEY), "{} leaks the key", entry.display());
    }
}
