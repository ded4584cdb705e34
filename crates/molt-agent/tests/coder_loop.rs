//! The coder loop in-process: `CoderRun` against a scripted model server (real
//! HTTP on loopback, each provider's wire format) on a temporary git
//! repository. What the model's tool calls do must reach the disk only
//! through edit sets, and what the loop refuses must leave the tree as it was.

use std::cell::Cell;

use molt_agent::coder::{CoderEnd, CoderLimits, CoderRun};
use molt_agent::tools::{ToolBox, ToolBoxOptions};
use molt_agent::workspace::Workspace;
use molt_core::{ProviderKind, Task, TaskId};
use molt_test_support::model_server::{ModelServer, Turn, Wire};
use molt_test_support::repo::{git, TempRepo};
use serde_json::json;

const KERNELS: &str = "\
#include <stddef.h>

void scale(float *x, size_t n, float k) {
    for (size_t i = 0; i < n; i++) {
        x[i] = x[i] * k;
    }
}
";

const UTIL: &str = "int helper(int a) {\n    return a + 1;\n}\n";

/// A repository whose spec includes `src/**` only; `other/util.c` is outside.
fn repo() -> TempRepo {
    let repo = TempRepo::new().unwrap();
    repo.write("src/kernels.c", KERNELS).unwrap();
    repo.write("other/util.c", UTIL).unwrap();
    repo.write(".gitignore", "/.molt/\n").unwrap();
    repo.commit_all("the project").unwrap();
    repo
}

fn client(wire: Wire, server: &ModelServer) -> molt_llm::Client {
    let (provider, env) = match wire {
        Wire::OpenAi => (ProviderKind::Openai, molt_llm::Env::empty().with("OPENAI_API_KEY", "sk-test")),
        Wire::Anthropic => (ProviderKind::Anthropic, molt_llm::Env::empty().with("ANTHROPIC_API_KEY", "sk-ant-test")),
        Wire::Bedrock => (
            ProviderKind::Bedrock,
            molt_llm::Env::empty()
                .with("AWS_ACCESS_KEY_ID", "AKIDTEST")
                .with("AWS_SECRET_ACCESS_KEY", "secret")
                .with("AWS_REGION", "us-east-1"),
        ),
    };
    let mut config = molt_core::ModelConfig::new(provider, "test-model");
    config.base_url = Some(server.base_url());
    config.call_attempts = Some(1);
    molt_llm::Client::from_config(&config, &env).unwrap()
}

/// What one run of the loop did.
struct Ran {
    result: molt_agent::coder::CoderResult,
    checks_run: u32,
    events: String,
    transcript: String,
}

fn run_coder(repo: &TempRepo, wire: Wire, turns: Vec<Turn>) -> (Ran, ModelServer) {
    let server = ModelServer::start_blocking(wire, turns);
    let client = client(wire, &server);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ws = Workspace::new(repo.path());
    let log = ws.events("run-test", None).unwrap();
    let task = Task {
        id: TaskId::new("scale"),
        title: "Port scale".to_owned(),
        instruction: String::new(),
        files: vec!["src/kernels.c".to_owned()],
        sites: Vec::new(),
        depends_on: Vec::new(),
        checks: Vec::new(),
        estimate_tokens: 0,
    };
    let checks = Cell::new(0);
    let mut run_checks = || {
        checks.set(checks.get() + 1);
        (true, Vec::new())
    };
    let toolbox = ToolBox::new(
        repo.path(),
        ToolBoxOptions {
            include: vec!["src/**".to_owned()],
            task_files: vec!["src/kernels.c".to_owned()],
            ..ToolBoxOptions::default()
        },
    );
    let result = CoderRun {
        rt: rt.handle(),
        client: &client,
        task: &task,
        system: "You port code.".to_owned(),
        first_message: "Port `scale` in src/kernels.c.".to_owned(),
        toolbox,
        limits: CoderLimits { max_turns: 6, ..CoderLimits::default() },
        transcript: Some(ws.transcript("scale")),
        log: &log,
        agent: "test/test-model".to_owned(),
        run_checks: &mut run_checks,
    }
    .run();
    let read = |p: std::path::PathBuf| std::fs::read_to_string(p).unwrap_or_default();
    let ran = Ran {
        result,
        checks_run: checks.get(),
        events: read(ws.events_path()),
        transcript: read(ws.transcript_path("scale")),
    };
    (ran, server)
}

const NEW_BODY: &str = "for (size_t i = 0; i < n; i++) {\n    x[i] *= k;\n}";

#[test]
fn a_tool_call_that_edits_lands_through_an_edit_set_on_every_wire() {
    for wire in [Wire::OpenAi, Wire::Anthropic, Wire::Bedrock] {
        let repo = repo();
        let (ran, server) = run_coder(
            &repo,
            wire,
            vec![
                Turn::tool_call("replace_body", json!({ "symbol": "src/kernels.c::scale", "body": NEW_BODY })),
                Turn::tool_call("finish", json!({ "summary": "scale multiplies in place" })),
            ],
        );
        assert_eq!(ran.result.end, CoderEnd::Finished("scale multiplies in place".to_owned()), "{wire:?}");
        assert_eq!(ran.result.turns, 2, "{wire:?}");
        assert_eq!(ran.result.changed, ["src/kernels.c"], "{wire:?}");
        assert_eq!(ran.checks_run, 1, "{wire:?}: finish runs the checks");
        // Only the body changed; the rest of the file is byte for byte the same.
        let expected = KERNELS.replace(
            "    for (size_t i = 0; i < n; i++) {\n        x[i] = x[i] * k;\n    }",
            "    for (size_t i = 0; i < n; i++) {\n        x[i] *= k;\n    }",
        );
        assert_ne!(expected, KERNELS);
        assert_eq!(repo.read("src/kernels.c").unwrap(), expected, "{wire:?}");
        assert_eq!(repo.read("other/util.c").unwrap(), UTIL, "{wire:?}");
        assert_eq!(git(repo.path(), &["status", "--porcelain"]).trim(), "M src/kernels.c", "{wire:?}");
        // The edit answered the model (its second request holds the result),
        // and the event log and transcript say what happened.
        let requests = server.requests();
        assert_eq!(requests.len(), 2, "{wire:?}");
        assert!(requests[1].body.to_string().contains("src/kernels.c"), "{wire:?}: {}", requests[1].body);
        assert!(ran.events.contains("\"edit_applied\"") && ran.events.contains("src/kernels.c"), "{}", ran.events);
        assert_eq!(ran.transcript.lines().count(), 5, "{wire:?}: {}", ran.transcript);
        assert!(ran.transcript.contains("replace_body"), "{}", ran.transcript);
    }
}

#[test]
fn invalid_json_and_a_path_outside_include_are_refused_and_nothing_is_written() {
    let repo = repo();
    let (ran, server) = run_coder(
        &repo,
        Wire::OpenAi,
        vec![
            // Arguments that are not JSON: the answer cannot be read.
            Turn::tool_call_raw("replace_body", r#"{"symbol": "src/kernels.c::scale", "body": "x"#),
            // A file the spec's include does not cover, by edit and by creation.
            Turn::tool_call("replace_body", json!({ "symbol": "other/util.c::helper", "body": "return a;" })),
            Turn::tool_call("create_file", json!({ "path": "other/new.c", "text": "int x;\n" })),
            Turn::tool_call("create_file", json!({ "path": "../escape.c", "text": "int x;\n" })),
            Turn::tool_call("finish", json!({ "summary": "nothing to do" })),
        ],
    );
    assert_eq!(ran.result.end, CoderEnd::Finished("nothing to do".to_owned()));
    assert!(ran.result.changed.is_empty(), "{:?}", ran.result.changed);
    assert_eq!(git(repo.path(), &["status", "--porcelain"]).trim(), "", "the tree changed");
    assert!(!repo.path().parent().unwrap().join("escape.c").exists());
    assert_eq!(repo.read("src/kernels.c").unwrap(), KERNELS);
    assert!(!ran.events.contains("\"edit_applied\""), "{}", ran.events);

    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    // Each refusal went back to the model as the next request's last message.
    let last = |i: usize| requests[i].body["messages"].as_array().and_then(|m| m.last()).unwrap().to_string();
    assert!(
        last(1).contains("Your last answer could not be read")
            && last(1).contains("the arguments of tool call `replace_body` are not valid JSON"),
        "{}",
        last(1)
    );
    assert!(
        last(2).contains(
            "ERROR: replace_body: `other/util.c` is outside the migration: the spec's `include` globs do not match it"
        ),
        "{}",
        last(2)
    );
    assert!(last(3).contains("ERROR: create_file: `other/new.c` is outside the migration"), "{}", last(3));
    assert!(last(4).contains("ERROR: create_file: `../escape.c` climbs out of the repository"), "{}", last(4));
    // The malformed answer cost a turn and is in the event log.
    assert_eq!(ran.result.turns, 5);
    assert!(ran.events.contains("could not be read"), "{}", ran.events);
}
