//! `molt mcp` against real MCP clients nobody here wrote (the official
//! Python SDK, the MCP Inspector's CLI mode), and against raw JSON-RPC lines
//! for what a well-behaved client never sends: malformed messages, unknown
//! tools, paths outside the spec's policy, oversized arguments, and a client
//! that goes away in the middle of a call.

mod session;

use std::process::Command;
use std::time::{Duration, Instant};

use molt_test_support::repo::TempRepo;
use serde_json::{json, Value};

use crate::{molt, molt_bin, workspace_root};
use session::Session;

const SPEC: &str = r#"[migration]
name = "mcp-port"
goal = "Make dot faster; keep its results."
include = ["src/**"]
protected = ["tests/**"]

[[check]]
name = "test"
run = "make -s test"
kind = "test"
"#;

/// The C project (src/mathx.c with `add` and `dot`, tests/test_mathx.c) and
/// a spec whose check is its test program, committed.
fn mcp_repo(spec: &str) -> TempRepo {
    let repo = TempRepo::with_c_project().unwrap();
    repo.write("molt.toml", spec).unwrap();
    repo.commit_all("molt.toml").unwrap();
    repo
}

pub(crate) fn cache_home() -> std::path::PathBuf {
    std::env::temp_dir().join("molt-e2e-cache")
}

// A real client, start to end: the official Python SDK lists the tools and
// ports `dot` through find, read_symbol, edit (dry run, then for real) and
// verify; the edits molt must refuse leave every byte where it was.
#[test]
fn the_python_sdk_ports_a_function_and_molt_refuses_what_it_must() {
    let repo = mcp_repo(SPEC);
    let before = repo.read("src/mathx.c").unwrap();
    // The baseline the client's verify is judged against.
    let saved = molt(repo.path(), &["verify", "--save-baseline"]);
    assert!(saved.status.success(), "{}", String::from_utf8_lossy(&saved.stderr));
    let out = Command::new(molt_test_support::test_python())
        .arg(workspace_root().join("tests/e2e/mcp/client.py"))
        .arg(molt_bin())
        .arg(repo.path())
        .env("XDG_CACHE_HOME", cache_home())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the client failed:\n{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(v["server"], "molt");

    // Every tool, with its annotations.
    let tools = &v["tools"];
    let names: Vec<&str> = tools.as_object().unwrap().keys().map(String::as_str).collect();
    for name in ["index", "find", "read_symbol", "edit", "verify", "plan", "status", "run_task", "recipe_test"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
        for hint in ["readOnlyHint", "destructiveHint", "idempotentHint"] {
            assert!(tools[name][hint].is_boolean(), "{name} has no {hint}");
        }
    }
    assert_eq!(tools["find"]["readOnlyHint"], true);
    assert_eq!(tools["edit"]["readOnlyHint"], false);
    assert_eq!(tools["edit"]["destructiveHint"], true);
    assert_eq!(tools["run_task"]["destructiveHint"], false);

    let steps = &v["steps"];
    let ok = |step: &str| -> Value {
        let s = &steps[step];
        assert_eq!(s["is_error"], false, "{step}: {}", s["text"]);
        serde_json::from_str(s["text"].as_str().unwrap()).unwrap()
    };
    let found = ok("find");
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["matches"][0]["symbol"], "src/mathx.c::dot");
    assert_eq!(found["matches"][0]["captures"]["I"], "i");
    assert!(ok("read_symbol")["text"].as_str().unwrap().contains("for (int i = 0; i < n; i++) s += a[i] * b[i];"));

    // The dry run shows the diff and writes nothing.
    let dry = ok("dry_run");
    assert_eq!(dry["written"], false);
    let diff = dry["diff"].as_str().unwrap();
    assert!(diff.contains("--- a/src/mathx.c") && diff.contains("+        s1 += a[i + 1] * b[i + 1];"), "{diff}");
    assert_eq!(steps["dry_run"]["files"]["src/mathx.c"], before.as_str());

    // The edit writes exactly that, and nothing outside the body changed.
    let edit = ok("edit");
    assert_eq!(edit["written"], true);
    assert_eq!(edit["files"], json!(["src/mathx.c"]));
    let after = repo.read("src/mathx.c").unwrap();
    assert_eq!(steps["edit"]["files"]["src/mathx.c"], after.as_str());
    assert!(after.starts_with("#include \"mathx.h\"\n\nint add(int a, int b) { return a + b; }\n\nfloat dot("));
    assert!(after.contains("    return s0 + s1;\n}\n"), "{after}");

    // The project's own test passes on the ported function.
    let verify = ok("verify");
    assert_eq!(verify["passed"], true, "{verify}");
    assert_eq!(verify["baseline"], "judged against .molt/baseline.json");
    assert_eq!(verify["checks"][0]["result"], "pass");
    assert_eq!(verify["checks"][0]["check"], "test");
    assert_eq!(verify["checks"][0]["detail"], "3 passed, 0 failed (baseline ran 3)");

    // Refused: an edit that breaks the parse, one to a protected file, one to the spec.
    for (step, why) in [
        ("broken", "does not parse"),
        ("protected", "`tests/test_mathx.c` is protected"),
        ("spec", "`molt.toml` is the migration spec"),
    ] {
        let s = &steps[step];
        assert_eq!(s["is_error"], true, "{step}: {}", s["text"]);
        let text = s["text"].as_str().unwrap();
        assert!(text.contains(why) && text.contains("nothing was written"), "{step}: {text}");
        assert_eq!(s["files"], steps["verify"]["files"], "{step} changed a file");
    }
    assert_eq!(repo.read("src/mathx.c").unwrap(), after);
    assert_eq!(repo.read("tests/test_mathx.c").unwrap(), molt_test_support::repo::C_TEST);
    assert_eq!(repo.read("molt.toml").unwrap(), SPEC);
}

// The MCP Inspector in CLI mode (no browser, no network): it lists the
// tools and calls one, with its own argument syntax.
#[test]
fn the_mcp_inspector_cli_lists_the_tools_and_calls_find() {
    let repo = mcp_repo(SPEC);
    let cli = molt_test_support::test_node_modules().join("@modelcontextprotocol/inspector/cli/build/cli.js");
    let inspector = |args: &[&str]| -> Value {
        let out = Command::new("node")
            .arg(&cli)
            .arg("--cli")
            .arg(molt_bin())
            .arg("mcp")
            .args(args)
            .current_dir(repo.path())
            .env("XDG_CACHE_HOME", cache_home())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    };
    let listed = inspector(&["--method", "tools/list"]);
    let tools = listed["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 9, "{listed}");
    let edit = tools.iter().find(|t| t["name"] == "edit").unwrap();
    assert_eq!(edit["annotations"]["destructiveHint"], true);
    assert_eq!(edit["inputSchema"]["additionalProperties"], false);

    let called = inspector(&[
        "--method",
        "tools/call",
        "--tool-name",
        "find",
        "--tool-arg",
        "lang=c",
        "pattern=$A[$I] * $B[$I]",
    ]);
    assert_ne!(called["isError"], true, "{called}");
    let answer: Value = serde_json::from_str(called["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(answer["matches"][0]["symbol"], "src/mathx.c::dot", "{answer}");
}

#[test]
fn mcp_help_shows_how_to_register_it() {
    let out = molt(&workspace_root(), &["mcp", "--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for snippet in ["claude mcp add molt -- molt mcp", "[mcp_servers.molt]", "type: stdio", "cmd: molt"] {
        assert!(text.contains(snippet), "{snippet} missing:\n{text}");
    }
    // Without a spec there is nothing to serve: a usage error, before any protocol.
    let empty = tempfile::tempdir().unwrap();
    let out = molt(empty.path(), &["mcp"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("molt.toml: no such spec"));
    assert!(out.stdout.is_empty());
}

// Lines that are not JSON are ignored (as the other official SDKs do:
// answering garbage invites an echo storm); JSON that is no JSON-RPC
// request gets an Invalid Request error; an unknown method gets Method Not
// Found. The session goes on after each.
#[test]
fn malformed_json_rpc_gets_protocol_errors_and_the_session_goes_on() {
    let repo = mcp_repo(SPEC);
    let mut s = Session::start(repo.path());
    s.send("this is not json {");
    s.send(r#"{"jsonrpc":"2.0","id":1,"method":42}"#);
    let invalid = s.wait(|v| v["error"]["code"] == -32600);
    assert_eq!(invalid["error"]["message"], "Invalid request", "{invalid}");
    let unknown = s.request(2, "tools/frobnicate", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let listed = s.request(3, "tools/list", json!({}));
    assert_eq!(listed["result"]["tools"].as_array().unwrap().len(), 9);
    assert!(s.close(Duration::from_secs(10)).success());
}

// An unknown tool is a protocol error, as the MCP specification's example
// has it; a known tool called with arguments its schema refuses is a tool
// error the client's model can read.
#[test]
fn unknown_tools_and_bad_arguments_are_errors_not_crashes() {
    let repo = mcp_repo(SPEC);
    let mut s = Session::start(repo.path());
    let unknown = s.request(1, "tools/call", json!({ "name": "shell", "arguments": { "command": "rm -rf /" } }));
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    assert!(unknown["error"]["message"].as_str().unwrap().contains("unknown tool `shell`; the tools are: index"));
    let cases = [
        ("find", json!({ "pattern": "$F($$$)" }), "`arguments.lang` is missing"),
        ("find", json!({ "lang": "cobol", "pattern": "x" }), "`arguments.lang` must be one of"),
        ("find", json!({ "lang": "c", "pattern": "x", "limit": 5 }), "unknown field `limit`"),
        ("find", json!({ "lang": "c" }), "exactly one of `pattern` or `query`"),
        ("edit", json!({ "edits": "all of them" }), "`arguments.edits` must be an array"),
        ("edit", json!({ "edits": [{ "op": "format_disk" }] }), "`arguments.edits[0].op` must be one of"),
        ("edit", json!({ "edits": [{ "op": "replace_body", "text": "{}" }] }), "invalid edit set"),
        ("verify", json!({ "checks": ["nope"] }), "no check \"nope\" in molt.toml; its checks are test"),
        ("status", json!({ "cursor": "p0" }), "no run yet"),
        ("index", json!({ "cursor": "p99999" }), "is not one this server gave"),
        ("run_task", json!({}), "`arguments.task` is missing"),
    ];
    for (i, (tool, args, why)) in cases.into_iter().enumerate() {
        let (is_error, text) = s.call(10 + i as u64, tool, args.clone());
        assert!(is_error && text.contains(why), "{tool} {args}: {text}");
    }
    assert!(s.close(Duration::from_secs(10)).success());
}

// Every path a client names goes through the coder agent's policy: inside
// the repository, not .git, .molt or the spec, writes only under
// `include` minus `protected`, no symbolic links. Nothing is written.
#[test]
fn out_of_policy_paths_are_refused_and_nothing_is_written() {
    let repo = mcp_repo(SPEC);
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("target.c");
    std::fs::write(&target, "int target;\n").unwrap();
    std::os::unix::fs::symlink(&target, repo.path().join("src/link.c")).unwrap();
    let before = repo.snapshot().unwrap();
    let mut s = Session::start(repo.path());
    let create = |path: &str| json!({ "edits": [{ "op": "create_file", "path": path, "text": "int x;\n" }] });
    let include = |path: &str| json!({ "edits": [{ "op": "add_include", "path": path, "text": "#include <x.h>" }] });
    let cases = [
        ("edit", create("../outside.c"), "climbs out of the repository"),
        ("edit", create("/tmp/outside.c"), "is an absolute path"),
        ("edit", create(".git/hooks/pre-commit"), "inside `.git`"),
        ("edit", create(".molt/plan.json"), "inside `.molt`"),
        ("edit", create("Makefile.c"), "the spec's `include` globs do not match it"),
        ("edit", include("src/link.c"), "symbolic link"),
        (
            "edit",
            json!({ "edits": [{ "op": "replace_item", "symbol": "src/link.c::target", "text": "int t;" }] }),
            "symbolic link",
        ),
        ("edit", json!({ "edits": [{ "op": "delete_file", "path": "tests/test_mathx.c" }] }), "is protected"),
        ("edit", include("tests/test_mathx.c"), "is protected"),
        ("read_symbol", json!({ "symbol": "../../etc/passwd::root" }), ""),
        ("read_symbol", json!({ "symbol": "molt.toml::migration" }), ""),
        ("recipe_test", json!({ "path": "../" }), "climbs out of the repository"),
        ("recipe_test", json!({ "path": ".git" }), "inside `.git`"),
    ];
    for (i, (tool, args, why)) in cases.into_iter().enumerate() {
        let (is_error, text) = s.call(10 + i as u64, tool, args.clone());
        assert!(is_error && text.contains(why), "{tool} {args} was not refused for \"{why}\": {text}");
        assert!(!text.contains(&repo.path().display().to_string()), "the answer names the repository's path: {text}");
    }
    assert!(s.close(Duration::from_secs(10)).success());
    let after = repo.snapshot().unwrap();
    assert_eq!(before, after);
    assert!(!repo.path().parent().unwrap().join("outside.c").exists());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "int target;\n");
}

// Arguments over the limits are refused before anything runs, and the
// server stays up for the next call.
#[test]
fn oversized_arguments_are_refused_and_the_server_stays_up() {
    let repo = mcp_repo(SPEC);
    let before = repo.snapshot().unwrap();
    let mut s = Session::start(repo.path());
    let huge = "x".repeat(2 << 20);
    let (is_error, text) =
        s.call(1, "edit", json!({ "edits": [{ "op": "replace_body", "symbol": "src/mathx.c::add", "text": huge }] }));
    assert!(is_error && text.contains("over the limit of 1048576"), "{}", &text[..text.len().min(300)]);
    let many: Vec<Value> =
        (0..101).map(|_| json!({ "op": "replace_body", "symbol": "src/mathx.c::add", "text": "{}" })).collect();
    let (is_error, text) = s.call(2, "edit", json!({ "edits": many }));
    assert!(is_error && text.contains("has 101 items, over the limit of 100"), "{text}");
    let long = "y".repeat(300 * 1024);
    let (is_error, text) =
        s.call(3, "edit", json!({ "edits": [{ "op": "replace_body", "symbol": "src/mathx.c::add", "text": long }] }));
    assert!(is_error && text.contains("over the limit of 262144"), "{}", &text[..text.len().min(300)]);
    let (is_error, text) = s.call(4, "read_symbol", json!({ "symbol": "src/mathx.c::add" }));
    assert!(!is_error, "{text}");
    assert!(s.close(Duration::from_secs(10)).success());
    assert_eq!(before, repo.snapshot().unwrap());
}

/// Processes whose command line is `sleep SECS`.
fn sleeping(secs: &str) -> usize {
    let wanted = format!("sleep\0{secs}\0");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| std::fs::read(e.path().join("cmdline")).is_ok_and(|c| c == wanted.as_bytes()))
        .count()
}

// A client that goes away while a check runs: the server ends within
// rmcp's 5 s drain of in-flight calls (it does not wait out the check), the
// check's processes are killed rather than left running unwatched, and the
// next session works.
#[test]
fn a_client_that_disconnects_mid_call_ends_the_server_cleanly() {
    // An odd duration, so that no other test's process is counted.
    let repo = mcp_repo(&SPEC.replace("make -s test", "sleep 97.25"));
    let before = repo.snapshot().unwrap();
    let mut s = Session::start(repo.path());
    s.send(
        &json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/call",
                    "params": { "name": "verify", "arguments": {} } })
        .to_string(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while sleeping("97.25") == 0 {
        assert!(Instant::now() < deadline, "the check never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let started = Instant::now();
    let status = s.close(Duration::from_secs(10));
    assert!(status.success(), "{status}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(sleeping("97.25"), 0, "the check outlived the server");
    assert_eq!(before, repo.snapshot().unwrap());

    let mut again = Session::start(repo.path());
    let (is_error, text) = again.call(2, "read_symbol", json!({ "symbol": "src/mathx.c::dot" }));
    assert!(!is_error, "{text}");
}

// Long lists come a page at a time, with a cursor to the next; long check
// output is cut to its end, and the answer says so. No answer is over
// about 10k tokens.
#[test]
fn long_answers_are_paginated_and_cut_with_the_cut_stated() {
    let spec = SPEC.replace("make -s test", "yes 'a long line of check output' | head -c 200000; exit 1");
    let repo = mcp_repo(&spec);
    let many: String = (0..250).map(|i| format!("int f{i}(int x) {{ return x + {i}; }}\n")).collect();
    repo.write("src/many.c", many).unwrap();
    let mut s = Session::start(repo.path());
    let mut items = Vec::new();
    let mut cursor = Value::Null;
    let mut pages = 0;
    loop {
        let (is_error, text) = s.call(1 + pages, "index", json!({ "items": true, "lang": ["c"], "cursor": cursor }));
        assert!(!is_error, "{text}");
        assert!(text.len() < 40_000, "a page of {} bytes", text.len());
        let page: Value = serde_json::from_str(&text).unwrap();
        items.extend(page["items"].as_array().unwrap().iter().map(|i| i["symbol"].as_str().unwrap().to_owned()));
        pages += 1;
        cursor = page["next_cursor"].clone();
        if cursor.is_null() {
            assert_eq!(page["total"], items.len());
            break;
        }
    }
    assert!(pages >= 2, "{pages} page(s)");
    for i in [0, 199, 200, 249] {
        assert!(items.contains(&format!("src/many.c::f{i}")), "f{i} missing");
    }
    let distinct: std::collections::BTreeSet<&String> = items.iter().collect();
    assert_eq!(distinct.len(), items.len(), "an item came twice");

    let (is_error, text) = s.call(10, "verify", json!({}));
    assert!(!is_error, "{text}");
    assert!(text.len() < 40_000, "{} bytes", text.len());
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["passed"], false);
    let cut = v["checks"][0]["output_cut"].as_str().unwrap();
    assert!(cut.starts_with("cut: the last ") && cut.ends_with(" bytes are shown"), "{cut}");
    assert!(v["checks"][0]["output"].as_str().unwrap().contains("a long line of check output\n"));
}

// plan, run_task and status drive molt's own migration: one task runs in its
// worktree through `molt run`'s gate (baseline, checks, commit on the
// migration branch) while the user's branch and tree stay as they were; a
// task whose dependency is not committed is refused; the plan is a resource.
#[test]
fn run_task_commits_one_task_through_the_gate_and_leaves_the_user_tree_alone() {
    let dir = crate::rules_only_repo("mini-gather");
    let head = crate::git(dir.path(), &["rev-parse", "main"]);
    let mut s = Session::start(dir.path());

    let (is_error, text) = s.call(1, "plan", json!({}));
    assert!(!is_error, "{text}");
    let plan: Value = serde_json::from_str(&text).unwrap();
    let ids: Vec<&str> = plan["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids[..2], ["t01-ops-x86-header", "t02-gather8"], "{plan}");

    let (is_error, text) = s.call(2, "run_task", json!({ "task": "t02-gather8" }));
    assert!(is_error && text.contains("waits for t01-ops-x86-header to be committed first"), "{text}");
    let (is_error, text) = s.call(3, "run_task", json!({ "task": "t99-nothing" }));
    assert!(is_error && text.contains("no task `t99-nothing` in the plan"), "{text}");

    let (is_error, text) = s.call(4, "run_task", json!({ "task": "t01-ops-x86-header" }));
    assert!(!is_error, "{text}");
    let ran: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(ran["committed"], true, "{ran}");
    assert_eq!(ran["branch"], "molt/mini-port");
    let checks = ran["result"]["record"]["checks"].as_array().unwrap();
    assert!(checks.iter().any(|c| c["name"] == "x86-test" && c["outcome"] == "pass"), "{ran}");
    let log = crate::git(dir.path(), &["log", "--format=%B", "-1", "molt/mini-port"]);
    assert!(log.contains("Molt-Task: t01-ops-x86-header"), "{log}");

    let (is_error, text) = s.call(5, "status", json!({}));
    assert!(!is_error, "{text}");
    let status: Value = serde_json::from_str(&text).unwrap();
    let t01 = status["tasks"].as_array().unwrap().iter().find(|t| t["task"] == "t01-ops-x86-header").unwrap();
    assert_eq!(t01["record"]["state"], "committed", "{status}");
    let (is_error, text) = s.call(6, "run_task", json!({ "task": "t01-ops-x86-header" }));
    assert!(is_error && text.contains("already committed"), "{text}");

    let listed = s.request(7, "resources/list", json!({}));
    let uris: Vec<&str> =
        listed["result"]["resources"].as_array().unwrap().iter().map(|r| r["uri"].as_str().unwrap()).collect();
    assert!(uris.contains(&"molt://plan"), "{listed}");
    let plan = s.request(8, "resources/read", json!({ "uri": "molt://plan" }));
    assert!(plan["result"]["contents"][0]["text"].as_str().unwrap().contains("\"t02-gather8\""), "{plan}");
    let escape = s.request(9, "resources/read", json!({ "uri": "molt://transcripts/../../molt.toml" }));
    assert!(escape["error"]["message"].as_str().unwrap().contains("unknown resource"), "{escape}");

    // The user's branch and working tree are as they were.
    assert_eq!(crate::git(dir.path(), &["rev-parse", "main"]), head);
    assert_eq!(crate::git(dir.path(), &["status", "--porcelain"]), "");
    assert!(s.close(Duration::from_secs(10)).success());
}
