use std::collections::BTreeMap;
use std::time::Duration;

use molt_core::{Event, EventKind, TaskId};
use molt_test_support::model_server::{ReceivedRequest, Turn};
use serde_json::{json, Value};

use super::repo::{kernel_source, original_gather, ported_gather, test_source, GUARD};
use super::script::task_of;
use super::tokens::message_text;
use super::*;

fn request(messages: Value) -> ReceivedRequest {
    ReceivedRequest {
        method: "POST".to_owned(),
        path: "/v1/chat/completions".to_owned(),
        headers: BTreeMap::new(),
        body: json!({ "messages": messages, "tools": [{"type": "function", "function": {"name": "finish"}}] }),
        raw_body: Vec::new(),
        streaming: true,
    }
}

const FIRST: &str =
    "# Task t07-k06-gather: Port k06_gather in src/k06.c (x86-to-neon)\n\nPort it.\n\nFiles of this task: src/k06.c\n";

fn conversation(answers: usize) -> Vec<Value> {
    let mut m = vec![json!({"role": "system", "content": "You are molt's coder agent."})];
    m.push(json!({"role": "user", "content": FIRST}));
    for n in 0..answers {
        m.push(json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": format!("c{n}"), "type": "function", "function": {"name": "read_symbol", "arguments": "{}"}}
        ]}));
        m.push(json!({"role": "tool", "tool_call_id": format!("c{n}"), "content": "ok"}));
    }
    m
}

#[test]
fn the_task_and_its_file_come_from_the_first_user_message() {
    let r = request(Value::Array(conversation(0)));
    assert_eq!(task_of(&r), Some(("t07-k06-gather".to_owned(), "src/k06.c".to_owned())));
    assert_eq!(task_of(&request(json!([{"role": "user", "content": "hello"}]))), None);
    assert_eq!(task_of(&request(json!("not a list"))), None);
}

#[test]
fn the_script_reads_then_replaces_then_finishes() {
    let symbol = "src/k06.c::k06_gather";
    let turn = |answers| script(&request(Value::Array(conversation(answers))));
    assert_eq!(turn(0), Turn::tool_call("read_symbol", json!({ "symbol": symbol })));
    assert_eq!(
        turn(1),
        Turn::tool_call("replace_symbol", json!({ "symbol": symbol, "text": ported_gather(6).unwrap() }))
    );
    for answers in [2, 3] {
        assert_eq!(
            turn(answers),
            Turn::tool_call(
                "finish",
                json!({ "summary": "The AVX2 gather stays on x86; elsewhere the eight lanes are loaded one by one." })
            )
        );
    }
    // A request the script cannot place gets an error, not a guess.
    assert_eq!(script(&request(json!([{"role": "user", "content": "hi"}]))), Turn::status(400));
}

#[test]
fn the_port_keeps_the_x86_gather_under_the_guard() {
    let (doc, original) = original_gather(13).unwrap();
    assert!(doc.starts_with("/* Gathers eight weights") && doc.ends_with("(k13_indices_valid). */\n"), "{doc}");
    assert!(original.starts_with("void k13_gather(const float *table"), "{original}");
    assert!(original.ends_with("_mm256_storeu_ps(out, v);\n}"), "{original}");
    assert!(original.contains("_mm256_set1_ps(k13_scale)"), "{original}");
    assert!(kernel_source(13).contains("const float k13_scale = 7.0f;"));
    let ported = ported_gather(13).unwrap();
    assert!(ported.starts_with(&format!("{doc}{GUARD}\n{original}\n#else\n")), "{ported}");
    assert!(ported.contains("out[i] = table[idx[i]] * k13_scale;") && ported.ends_with("#endif"), "{ported}");
}

#[test]
fn kernels_are_a_few_hundred_lines_with_unique_names() {
    let source = kernel_source(42);
    let lines = source.lines().count();
    assert!((200..400).contains(&lines), "{lines} lines");
    assert!(!source.contains("KPFX") && !source.contains("KSCALE") && !source.contains("KNUM"));
    assert!(source.contains("void k42_gather(") && source.contains("struct k42_stats"));
    // One function with x86 intrinsics, so one task a file.
    assert_eq!(source.matches("__builtin_ia32_gathersiv8sf").count(), 1);
    let test = test_source(3);
    assert!(
        test.contains("#include \"../src/k02.c\"") && test.contains("check(\"k02_gather\", k02_gather, k02_scale)")
    );
}

fn event(ms: i64, kind: EventKind) -> Event {
    let ts = chrono::DateTime::from_timestamp_millis(1_700_000_000_000 + ms).unwrap();
    Event::new(ts, "run-1", kind)
}

fn check(task: Option<&str>, name: &str, ms: u64) -> EventKind {
    EventKind::CheckFinished {
        task: task.map(TaskId::new),
        check: name.to_owned(),
        passed: true,
        duration_ms: ms,
        detail: None,
    }
}

fn call(task: &str) -> EventKind {
    EventKind::ModelCall { task: TaskId::new(task), input_tokens: 100, output_tokens: 20, cost_usd: 0.0 }
}

#[test]
fn timing_comes_from_the_events() {
    // Two jobs, three tasks. Each task: 20 ms of molt before each of its
    // three 300 ms calls, a 400 ms check after the last, 20 ms to commit.
    let mut events = vec![event(0, check(None, "baseline/x86-test", 250))];
    for (n, task) in ["a", "b", "c"].into_iter().enumerate() {
        let start = if n < 2 { 100 } else { 1460 };
        events.push(event(start, EventKind::TaskStarted { task: TaskId::new(task), attempt: 1 }));
        for at in [320, 630, 940] {
            events.push(event(start + at, call(task)));
        }
        events.push(event(start + 1340, check(Some(task), "x86-test", 400)));
        events.push(event(start + 1360, EventKind::TaskCommitted { task: TaskId::new(task), commit: "c".into() }));
    }
    events.push(event(4000, check(None, "final/x86-test", 250)));
    let t = Timing::of(&events, 2, Duration::from_millis(300)).unwrap();
    assert_eq!((t.tasks, t.committed, t.calls, t.checks_run), (3, 3, 9, 3));
    assert_eq!(t.wall, Duration::from_millis(2720));
    assert_eq!(t.baseline_check, Some(Duration::from_millis(250)));
    // 2 rounds x 3 calls x 0.3 s + 1.2 s / 2 jobs = 1.8 s + 0.6 s.
    assert_eq!(t.ideal(), Duration::from_millis(2400));
    assert!((t.overhead() - 0.32 / 2.4).abs() < 1e-9, "{}", t.overhead());
    assert_eq!(t.busy, Duration::from_millis(3 * 1360));
    assert_eq!(t.in_task(), Duration::from_millis(60));
    assert_eq!(t.phases, [Duration::from_millis(60), Duration::from_millis(60), Duration::from_millis(60)]);
    // 2 jobs x 2.72 s of wall, 4.08 s of it busy.
    assert_eq!(t.idle(), Duration::from_millis(680));
    let text = t.render();
    assert!(text.contains("13.3%") && text.contains("missed by 8.3 points (0.20s over)"), "{text}");
    assert!(text.contains("molt's own work 0.060s a task (before the first answer"), "{text}");
    // Whole tasks of 0.9 s + 0.4 s on two jobs: a and b, then c: 2.6 s, not
    // the even split's 2.4 s; 0.12 s over it.
    assert_eq!(t.task_work, vec![Duration::from_millis(1300); 3]);
    assert_eq!(t.scheduled_ideal(), Duration::from_millis(2600));
    assert!((t.scheduled_overhead() - 0.12 / 2.6).abs() < 1e-9, "{}", t.scheduled_overhead());
    assert!(text.contains("overhead against it: 4.6%, target under 5%: met"), "{text}");
    assert!(Timing::of(&events[..1], 2, Duration::from_millis(300)).is_err());
}

#[test]
fn tokens_are_counted_per_call_against_whole_files() {
    let dir = std::env::temp_dir().join(format!("molt-bench-orchestrate-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/k06.c"), "w ".repeat(1000)).unwrap();
    let files = BTreeMap::from([("t07-k06-gather".to_owned(), vec!["src/k06.c".to_owned(), "src/gone.h".to_owned()])]);
    let requests: Vec<ReceivedRequest> = (0..3).map(|n| request(Value::Array(conversation(n)))).collect();
    // A whitespace "tokenizer" keeps the figures easy to follow.
    let count = |t: &str| t.split_whitespace().count();
    let table = token_table(&requests, &files, &dir, &count).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let t = &table.tasks["t07-k06-gather"];
    assert_eq!(t.files, 1000);
    assert_eq!(t.whole(), 3000);
    assert_eq!(t.calls.len(), 3);
    assert!(t.calls[0] < t.calls[1] && t.calls[1] < t.calls[2], "{:?}", t.calls);
    let text = table.render();
    assert!(text.contains("target at most 0.3 of whole files: met"), "{text}");
    assert!(message_text(&requests[1].body).contains("read_symbol{}"));
}

#[test]
fn options_have_the_issue_defaults_and_refuse_nonsense() {
    let o = Options::parse(&[]).unwrap();
    assert_eq!((o.tasks, o.jobs, o.latency), (64, 8, Duration::from_millis(300)));
    let args: Vec<String> = ["--jobs", "4", "--tasks", "16", "--latency-ms", "50"].map(String::from).to_vec();
    let o = Options::parse(&args).unwrap();
    assert_eq!((o.tasks, o.jobs, o.latency), (16, 4, Duration::from_millis(50)));
    for bad in [&["--jobs"][..], &["--jobs", "0"], &["--tasks", "x"], &["--fast"]] {
        let args: Vec<String> = bad.iter().map(|s| s.to_string()).collect();
        assert!(Options::parse(&args).is_err(), "{bad:?}");
    }
}

#[test]
fn the_fixed_part_of_each_call_is_counted_apart() {
    let requests: Vec<ReceivedRequest> = (0..2).map(|n| request(Value::Array(conversation(n)))).collect();
    let count = |t: &str| t.split_whitespace().count();
    let table = token_table(&requests, &BTreeMap::new(), Path::new("/nonexistent"), &count).unwrap();
    let t = &table.tasks["t07-k06-gather"];
    // The system prompt is 5 words and the first message 15, each sent twice;
    // the second call adds the tool call and its result, a word each.
    assert_eq!((t.system, t.first), (10, 30));
    assert_eq!(t.sent(), 10 + 30 + 2);
}
