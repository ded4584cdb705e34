//! molt-llm against scripted model servers on loopback, one suite per wire
//! format. Every case also asserts on what the server received.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use molt_core::ModelConfig;
use molt_llm::{
    CallScope, CassetteMode, Client, ClientOptions, ContentBlock, Env, Error, Message, Request, Response, RetryPolicy,
    Role, StopReason, StreamEvent, Timeouts, ToolSpec, Usage,
};
use molt_test_support::model_server::{ModelServer, ReceivedRequest, Turn, Wire};
use serde_json::{json, Value};

const OPENAI_KEY: &str = "sk-test-FAKEKEY000";
const ANTHROPIC_KEY: &str = "sk-ant-test-FAKEKEY111";
const AWS_KEY_ID: &str = "AKIDFAKE222";
const AWS_SECRET: &str = "FAKESECRET333";
const AWS_TOKEN: &str = "FAKETOKEN444";
const BEDROCK_MODEL: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

fn model_config(wire: Wire, extra: &str) -> ModelConfig {
    let (provider, model) = match wire {
        Wire::OpenAi => ("openai", "gpt-4o"),
        Wire::Anthropic => ("anthropic", "claude-sonnet-4-5"),
        Wire::Bedrock => ("bedrock", BEDROCK_MODEL),
    };
    toml::from_str(&format!("provider = \"{provider}\"\nmodel = \"{model}\"\n{extra}")).unwrap()
}

fn env(wire: Wire, server: &ModelServer) -> Env {
    match wire {
        Wire::OpenAi => Env::empty().with("OPENAI_API_KEY", OPENAI_KEY).with("OPENAI_BASE_URL", server.base_url()),
        Wire::Anthropic => {
            Env::empty().with("ANTHROPIC_API_KEY", ANTHROPIC_KEY).with("ANTHROPIC_BASE_URL", server.base_url())
        }
        Wire::Bedrock => Env::empty()
            .with("AWS_ACCESS_KEY_ID", AWS_KEY_ID)
            .with("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
            .with("AWS_SESSION_TOKEN", AWS_TOKEN)
            .with("AWS_REGION", "us-east-1")
            .with("AWS_ENDPOINT_URL", server.base_url()),
    }
}

fn fast_options(config: &ModelConfig) -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        },
        timeouts: Timeouts {
            response: Duration::from_secs(20),
            idle: Duration::from_secs(20),
            answer: Duration::from_secs(60),
        },
        ..ClientOptions::from_config(config)
    }
}

struct Fixture {
    server: ModelServer,
    client: Client,
}

async fn fixture(wire: Wire, turns: Vec<Turn>, extra: &str, tweak: impl FnOnce(&mut ClientOptions)) -> Fixture {
    let server = ModelServer::start(wire, turns).await;
    let config = model_config(wire, extra);
    let mut options = fast_options(&config);
    tweak(&mut options);
    let client = Client::from_config_with(&config, &env(wire, &server), options).unwrap();
    Fixture { server, client }
}

fn read_tool() -> ToolSpec {
    ToolSpec {
        name: "read_file".into(),
        description: "Read a file of the repository".into(),
        input_schema: json!({"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}),
    }
}

fn request(stream: bool) -> Request {
    Request {
        system: "You port x86 kernels to NEON.".into(),
        messages: vec![Message::user("Port add_f32().")],
        tools: vec![read_tool()],
        max_tokens: 1000,
        temperature: Some(0.0),
        stop: vec![],
        stream,
    }
}

/// Calls and collects the stream events.
async fn call(client: &Client, req: &Request) -> (Result<Response, Error>, Vec<StreamEvent>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let result = client.call(&CallScope::task("t01"), req, move |e| sink.lock().unwrap().push(e.clone())).await;
    let events = events.lock().unwrap().clone();
    (result, events)
}

/// What every request of `wire` must look like.
fn assert_wire_request(wire: Wire, r: &ReceivedRequest) {
    assert_eq!(r.method, "POST");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let b = &r.body;
    match wire {
        Wire::OpenAi => {
            assert_eq!(r.path, "/v1/chat/completions");
            assert_eq!(r.header("authorization"), Some(format!("Bearer {OPENAI_KEY}").as_str()));
            assert_eq!(b["model"], "gpt-4o");
            assert_eq!(b["messages"][0], json!({"role": "system", "content": "You port x86 kernels to NEON."}));
            assert_eq!(b["tools"][0]["type"], "function");
            assert_eq!(b["tools"][0]["function"]["name"], "read_file");
            assert_eq!(b["max_tokens"], 1000);
            if r.streaming {
                assert_eq!(b["stream_options"], json!({"include_usage": true}));
            }
        }
        Wire::Anthropic => {
            assert_eq!(r.path, "/v1/messages");
            assert_eq!(r.header("x-api-key"), Some(ANTHROPIC_KEY));
            assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
            assert_eq!(r.header("authorization"), None);
            assert_eq!(b["model"], "claude-sonnet-4-5");
            assert_eq!(b["system"][0]["cache_control"], json!({"type": "ephemeral"}));
            assert_eq!(b["tools"][0]["cache_control"], json!({"type": "ephemeral"}));
            assert_eq!(b["tools"][0]["input_schema"]["required"], json!(["path"]));
            assert_eq!(b["max_tokens"], 1000);
        }
        Wire::Bedrock => {
            let op = if r.streaming { "converse-stream" } else { "converse" };
            assert_eq!(r.path, format!("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/{op}"));
            let auth = r.header("authorization").unwrap();
            let date = r.header("x-amz-date").unwrap();
            assert_eq!(date.len(), 16, "{date}");
            let prefix = format!(
                "AWS4-HMAC-SHA256 Credential={AWS_KEY_ID}/{}/us-east-1/bedrock/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=",
                &date[..8]
            );
            assert!(auth.starts_with(&prefix), "{auth}");
            let signature = &auth[prefix.len()..];
            assert!(signature.len() == 64 && signature.chars().all(|c| c.is_ascii_hexdigit()), "{auth}");
            assert_eq!(r.header("x-amz-security-token"), Some(AWS_TOKEN));
            assert!(!auth.contains(AWS_SECRET));
            assert_eq!(b["system"], json!([{"text": "You port x86 kernels to NEON."}]));
            assert_eq!(b["inferenceConfig"]["maxTokens"], 1000);
            assert_eq!(b["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"]["required"], json!(["path"]));
            assert!(b.get("model").is_none());
        }
    }
    if wire != Wire::Bedrock {
        assert_eq!(b.get("stream") == Some(&Value::Bool(true)), r.streaming);
    }
}

async fn plain_answer(wire: Wire) {
    for stream in [false, true] {
        let f = fixture(wire, vec![Turn::text("Here is the NEON version.")], "", |_| {}).await;
        let (r, events) = call(&f.client, &request(stream)).await;
        let r = r.unwrap();
        assert_eq!(r.text(), "Here is the NEON version.");
        assert_eq!(r.stop_reason, StopReason::EndTurn);
        assert!(r.tool_calls().is_empty());
        let deltas: String = events
            .iter()
            .filter_map(|e| match e {
                StreamEvent::TextDelta { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        if stream {
            assert_eq!(deltas, "Here is the NEON version.");
            assert!(events.iter().filter(|e| matches!(e, StreamEvent::TextDelta { .. })).count() > 1);
        } else {
            assert!(events.is_empty());
        }
        let reqs = f.server.requests();
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].streaming, stream);
        assert_wire_request(wire, &reqs[0]);
    }
}

async fn tool_calls(wire: Wire) {
    for stream in [false, true] {
        let turn = Turn::text("Reading both.")
            .and_tool_call("read_file", json!({"path": "src/add.c"}))
            .and_tool_call("read_file", json!({"path": "src/\u{e9}t\u{e9}.h", "lines": [1, 2]}));
        let f = fixture(wire, vec![turn], "", |_| {}).await;
        let r = call(&f.client, &request(stream)).await.0.unwrap();
        assert_eq!(r.stop_reason, StopReason::ToolUse);
        assert_eq!(r.text(), "Reading both.");
        let calls = r.tool_calls();
        assert_eq!(calls.len(), 2, "{r:?}");
        assert_eq!((calls[0].name, calls[0].input), ("read_file", &json!({"path": "src/add.c"})));
        assert_eq!(calls[1].input, &json!({"path": "src/\u{e9}t\u{e9}.h", "lines": [1, 2]}));
        assert_ne!(calls[0].id, calls[1].id);
        assert!(!calls[0].id.is_empty());
        assert_wire_request(wire, &f.server.requests()[0]);
    }
}

async fn multi_turn(wire: Wire) {
    let f = fixture(
        wire,
        vec![Turn::tool_call("read_file", json!({"path": "a.c"})), Turn::text("Done: vaddq_f32.")],
        "",
        |_| {},
    )
    .await;
    let mut req = request(true);
    let first = call(&f.client, &req).await.0.unwrap();
    let id = first.tool_calls()[0].id.to_owned();
    req.messages.push(first.to_message());
    req.messages.push(Message::tool_results(vec![
        ContentBlock::tool_result(&id, "float add(float a, float b);", false),
        ContentBlock::text("Go on."),
    ]));
    let second = call(&f.client, &req).await.0.unwrap();
    assert_eq!(second.text(), "Done: vaddq_f32.");
    let reqs = f.server.requests();
    assert_eq!(reqs.len(), 2);
    let body = &reqs[1].body;
    match wire {
        Wire::OpenAi => {
            let msgs = body["messages"].as_array().unwrap();
            assert_eq!(msgs.len(), 5, "{body}");
            assert_eq!(msgs[2]["role"], "assistant");
            assert_eq!(msgs[2]["tool_calls"][0]["id"], id.as_str());
            assert_eq!(msgs[2]["tool_calls"][0]["function"]["arguments"], "{\"path\":\"a.c\"}");
            assert_eq!(msgs[3], json!({"role": "tool", "tool_call_id": id, "content": "float add(float a, float b);"}));
            assert_eq!(msgs[4], json!({"role": "user", "content": "Go on."}));
        }
        Wire::Anthropic => {
            assert_eq!(body["messages"][1]["content"][0]["type"], "tool_use");
            assert_eq!(body["messages"][1]["content"][0]["input"], json!({"path": "a.c"}));
            assert_eq!(
                body["messages"][2]["content"][0],
                json!({"type": "tool_result", "tool_use_id": id, "content": "float add(float a, float b);", "is_error": false})
            );
        }
        Wire::Bedrock => {
            assert_eq!(body["messages"][1]["content"][0]["toolUse"]["toolUseId"], id.as_str());
            assert_eq!(
                body["messages"][2]["content"][0],
                json!({"toolResult": {"toolUseId": id, "content": [{"text": "float add(float a, float b);"}], "status": "success"}})
            );
        }
    }
    assert_wire_request(wire, &reqs[1]);
}

async fn usage_and_cost(wire: Wire) {
    for stream in [false, true] {
        let f = fixture(wire, vec![Turn::text("ok").usage(1000, 200).cache(300, 50)], "", |_| {}).await;
        let r = call(&f.client, &request(stream)).await.0.unwrap();
        // OpenAI reports cached prompt tokens but has no cache writes.
        let write = if wire == Wire::OpenAi { 0 } else { 50 };
        assert_eq!(r.usage, Usage { input: 1000, output: 200, cache_read: 300, cache_write: write });
        let price = f.client.price().unwrap();
        let cost = r.cost_usd.unwrap();
        assert!((cost - r.usage.cost(&price)).abs() < 1e-12);
        assert!(cost > 0.0);
        let (run, tasks) = f.client.spent();
        assert_eq!(run.tokens, r.usage.total());
        assert_eq!(tasks["t01"].calls, 1);
        assert!((run.usd - cost).abs() < 1e-12);
    }
}

async fn rate_limited_then_ok(wire: Wire) {
    let f = fixture(wire, vec![Turn::status(429).retry_after(1), Turn::text("after the wait")], "", |_| {}).await;
    let (r, events) = call(&f.client, &request(true)).await;
    assert_eq!(r.unwrap().text(), "after the wait");
    let retries: Vec<_> = events.iter().filter(|e| matches!(e, StreamEvent::Retry { .. })).collect();
    assert_eq!(retries.len(), 1);
    let StreamEvent::Retry { attempt, reason, wait_ms } = retries[0] else { unreachable!() };
    assert_eq!((*attempt, *wait_ms), (1, 1000));
    assert!(reason.contains("429"), "{reason}");
    assert_eq!(f.server.requests().len(), 2);
}

async fn server_errors_exhaust_retries(wire: Wire) {
    let turns = (0..5).map(|_| Turn::status(500)).chain([Turn::text("never")]).collect();
    let f = fixture(wire, turns, "", |_| {}).await;
    let (r, events) = call(&f.client, &request(false)).await;
    let err = r.unwrap_err();
    assert!(matches!(err, Error::Transport { attempts: 5, .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("after 5 attempt(s)") && text.contains("500"), "{text}");
    assert_eq!(events.iter().filter(|e| matches!(e, StreamEvent::Retry { .. })).count(), 4);
    assert_eq!(f.server.requests().len(), 5);
    assert_eq!(f.server.remaining(), 1);
    // A failed call spends nothing.
    assert_eq!(f.client.spent().0.calls, 0);
}

async fn stream_cut_mid_tool_call(wire: Wire) {
    let call_turn = || Turn::tool_call("read_file", json!({"path": "src/kernels/avx2_add.c"}));
    // Cut after the tool call started but before its arguments ended.
    let f = fixture(wire, vec![call_turn().cut_stream_after(4), call_turn()], "", |_| {}).await;
    let (r, events) = call(&f.client, &request(true)).await;
    let r = r.unwrap();
    assert_eq!(r.tool_calls()[0].input, &json!({"path": "src/kernels/avx2_add.c"}));
    let retry_at = events.iter().position(|e| matches!(e, StreamEvent::Retry { .. })).unwrap();
    assert!(retry_at > 0, "the cut attempt streamed something first");
    assert_eq!(f.server.requests().len(), 2);
}

async fn tool_arguments_not_json(wire: Wire) {
    for stream in [false, true] {
        let f = fixture(wire, vec![Turn::tool_call_raw("edit", "{\"path\": \"a.c\", \"text\": ")], "", |_| {}).await;
        let err = call(&f.client, &request(stream)).await.0.unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }), "stream={stream}: {err}");
        // Not retried: the agent decides (usually by telling the model).
        assert_eq!(f.server.requests().len(), 1);
        assert_eq!(f.client.spent().0.calls, 0);
    }
    let garbage = match wire {
        Wire::Bedrock => b"\x00\x00\x00\x10 not an event stream frame".to_vec(),
        _ => b"data: {\"unterminated\n\n".to_vec(),
    };
    let f = fixture(wire, vec![Turn::raw(garbage)], "", |_| {}).await;
    let err = call(&f.client, &request(true)).await.0.unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }), "{err}");
}

async fn unauthorized(wire: Wire) {
    let f = fixture(wire, vec![Turn::status(401), Turn::text("never")], "", |_| {}).await;
    let err = call(&f.client, &request(false)).await.0.unwrap_err();
    let hint = match wire {
        Wire::OpenAi => "check OPENAI_API_KEY",
        Wire::Anthropic => "check ANTHROPIC_API_KEY",
        Wire::Bedrock => "check the AWS credentials",
    };
    assert!(matches!(err, Error::Auth { status: 401, .. }), "{err}");
    let text = err.to_string();
    assert!(text.starts_with(&format!("401 from {}: {hint}", f.client.kind())), "{text}");
    assert_eq!(f.server.requests().len(), 1);
    for secret in [OPENAI_KEY, ANTHROPIC_KEY, AWS_SECRET, AWS_TOKEN] {
        assert!(!text.contains(secret));
    }
}

async fn hanging_server_times_out(wire: Wire) {
    let f = fixture(wire, vec![Turn::hang(Duration::from_secs(30)), Turn::hang(Duration::from_secs(30))], "", |o| {
        o.timeouts.response = Duration::from_millis(300);
        o.retry.max_attempts = 2;
    })
    .await;
    let err = call(&f.client, &request(true)).await.0.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Transport { attempts: 2, .. }), "{text}");
    assert!(text.contains("no response within 0.3s"), "{text}");
    assert_eq!(f.server.requests().len(), 2);
}

async fn budget_exhausted(wire: Wire) {
    // Run cap: refused before any request is sent.
    let f = fixture(wire, vec![Turn::text("never")], "max_usd = 0.001", |_| {}).await;
    let err = call(&f.client, &request(false)).await.0.unwrap_err();
    assert!(matches!(err, Error::Budget(_)), "{err}");
    assert!(err.to_string().contains("max_usd = $0.00"), "{err}");
    assert!(f.server.requests().is_empty());

    // Task cap: the first call fits, the second does not; other tasks go on.
    let f = fixture(
        wire,
        vec![Turn::text("one").usage(24_000, 500), Turn::text("other task")],
        "max_tokens_per_task = 25000",
        |_| {},
    )
    .await;
    let req = request(false);
    f.client.call(&CallScope::task("t01"), &req, |_| {}).await.unwrap();
    let err = f.client.call(&CallScope::task("t01"), &req, |_| {}).await.unwrap_err();
    let Error::Budget(b) = &err else { panic!("{err}") };
    assert_eq!(b.key(), "max_tokens_per_task");
    assert!(err.to_string().contains("task t01"), "{err}");
    let other = f.client.call(&CallScope::task("t02"), &req, |_| {}).await.unwrap();
    assert_eq!(other.text(), "other task");
    assert_eq!(f.server.requests().len(), 2);
}

async fn record_then_replay(wire: Wire) {
    let dir = tempfile::tempdir().unwrap();
    let cassette = dir.path().join("cassettes/run.jsonl");
    let turns = vec![
        Turn::status(429).retry_after(0),
        Turn::text("Let me read.").and_tool_call("read_file", json!({"path": "a.c"})).usage(500, 40).cache(100, 0),
        Turn::text("Done."),
    ];
    let f = fixture(wire, turns, "", |o| o.cassette = CassetteMode::Record(cassette.clone())).await;
    let mut req = request(true);
    let (first, first_events) = call(&f.client, &req).await;
    let first = first.unwrap();
    req.messages.push(first.to_message());
    req.messages.push(Message::tool_results(vec![ContentBlock::tool_result(
        first.tool_calls()[0].id,
        "int x;",
        false,
    )]));
    req.stream = false;
    let second = call(&f.client, &req).await.0.unwrap();
    drop(f);

    let text = std::fs::read_to_string(&cassette).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    for secret in [
        OPENAI_KEY,
        ANTHROPIC_KEY,
        AWS_KEY_ID,
        AWS_SECRET,
        AWS_TOKEN,
        "Bearer",
        "authorization",
        "x-api-key",
        "Signature",
        "x-amz",
    ] {
        assert!(!text.to_lowercase().contains(&secret.to_lowercase()), "{secret} reached the cassette");
    }
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines[0]["events"].is_array() && lines[0].get("response").is_none());
    assert!(lines[1]["response"].is_object() && lines[1].get("events").is_none());
    assert_eq!(lines[0]["key"].as_str().unwrap().len(), 64);

    // Replay: no server, no credentials.
    let config = model_config(wire, "");
    let options = ClientOptions { cassette: CassetteMode::Replay(cassette.clone()), ..fast_options(&config) };
    let replay = Client::from_config_with(&config, &Env::empty(), options).unwrap();
    let mut req = request(true);
    let (again, again_events) = call(&replay, &req).await;
    let again = again.unwrap();
    assert_eq!(again, first);
    let live: Vec<_> = first_events.into_iter().filter(|e| !matches!(e, StreamEvent::Retry { .. })).collect();
    assert_eq!(again_events, live);
    req.messages.push(again.to_message());
    req.messages.push(Message::tool_results(vec![ContentBlock::tool_result(
        again.tool_calls()[0].id,
        "int x;",
        false,
    )]));
    req.stream = false;
    assert_eq!(call(&replay, &req).await.0.unwrap(), second);
    assert_eq!(replay.spent().0.tokens, first.usage.total() + second.usage.total());

    // A request that was never recorded.
    req.messages.push(Message::user("And mul_f32()?"));
    let err = call(&replay, &req).await.0.unwrap_err();
    let Error::ReplayMiss { diff } = &err else { panic!("{err}") };
    assert!(diff.contains("+") && diff.contains("And mul_f32()?"), "{diff}");
    assert!(err.to_string().starts_with("no recorded answer in the cassette matches this request"));
}

async fn many_concurrent_agents(wire: Wire) {
    let server = ModelServer::start_with(wire, |r| {
        let text = r.raw_body.len().to_string();
        Turn::text(format!("len {text}"))
    })
    .await;
    let config = model_config(wire, "requests_per_minute = 1000");
    let client = Client::from_config_with(&config, &env(wire, &server), fast_options(&config)).unwrap();
    let mut handles = Vec::new();
    for i in 0..16 {
        let client = client.clone();
        handles.push(tokio::spawn(async move {
            let mut req = request(i % 2 == 0);
            req.messages = vec![Message::user("x".repeat(i))];
            client.call(&CallScope::task(&format!("t{i:02}")), &req, |_| {}).await
        }));
    }
    for h in handles {
        assert!(h.await.unwrap().unwrap().text().starts_with("len "));
    }
    assert_eq!(server.requests().len(), 16);
    assert_eq!(client.spent().1.len(), 16);
}

macro_rules! suite {
    ($module:ident, $wire:expr) => {
        mod $module {
            use super::*;

            #[tokio::test]
            async fn plain_answer() {
                super::plain_answer($wire).await
            }
            #[tokio::test]
            async fn tool_calls() {
                super::tool_calls($wire).await
            }
            #[tokio::test]
            async fn multi_turn_with_tool_results() {
                super::multi_turn($wire).await
            }
            #[tokio::test]
            async fn usage_and_cost() {
                super::usage_and_cost($wire).await
            }
            #[tokio::test]
            async fn rate_limited_then_ok() {
                super::rate_limited_then_ok($wire).await
            }
            #[tokio::test]
            async fn server_errors_exhaust_retries() {
                super::server_errors_exhaust_retries($wire).await
            }
            #[tokio::test]
            async fn stream_cut_mid_tool_call() {
                super::stream_cut_mid_tool_call($wire).await
            }
            #[tokio::test]
            async fn tool_arguments_not_json() {
                super::tool_arguments_not_json($wire).await
            }
            #[tokio::test]
            async fn unauthorized() {
                super::unauthorized($wire).await
            }
            #[tokio::test]
            async fn hanging_server_times_out() {
                super::hanging_server_times_out($wire).await
            }
            #[tokio::test]
            async fn budget_exhausted() {
                super::budget_exhausted($wire).await
            }
            #[tokio::test]
            async fn record_then_replay() {
                super::record_then_replay($wire).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn many_concurrent_agents() {
                super::many_concurrent_agents($wire).await
            }
        }
    };
}

suite!(openai, Wire::OpenAi);
suite!(anthropic, Wire::Anthropic);
suite!(bedrock, Wire::Bedrock);

#[test]
fn roles_serialize_lowercase() {
    assert_eq!(serde_json::to_string(&Role::Assistant).unwrap(), "\"assistant\"");
}

/// A server that answers every request with a stream that never ends: an
/// OpenAI-style text delta every 20 ms, so the client never sees the silence
/// its idle timeout waits for. Returns its base URL and the request count.
fn endless_stream_server() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                let _ = stream.read(&mut buf);
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let delta = r#"data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"more "},"finish_reason":null}]}"#;
                // Until the client hangs up.
                while stream.write_all(format!("{delta}\n\n").as_bytes()).is_ok() {
                    std::thread::sleep(Duration::from_millis(20));
                }
            });
        }
    });
    (url, count)
}

#[tokio::test]
async fn an_endless_stream_is_cut_at_the_answer_limit_then_retried_and_fails_cleanly() {
    let (url, count) = endless_stream_server();
    let config = model_config(Wire::OpenAi, "answer_timeout_secs = 1\ncall_attempts = 2\nidle_timeout_secs = 30");
    let mut options = ClientOptions::from_config(&config);
    assert_eq!(options.timeouts.answer, Duration::from_secs(1));
    assert_eq!(options.timeouts.idle, Duration::from_secs(30));
    assert_eq!(options.retry.max_attempts, 2);
    options.retry.base_delay = Duration::from_millis(1);
    let env = Env::empty().with("OPENAI_API_KEY", OPENAI_KEY).with("OPENAI_BASE_URL", url);
    let client = Client::from_config_with(&config, &env, options).unwrap();
    let started = std::time::Instant::now();
    let (result, events) = call(&client, &request(true)).await;
    let err = result.unwrap_err();
    assert!(err.to_string().contains("still coming after 1s"), "{err}");
    assert!(matches!(err, Error::Transport { attempts: 2, .. }), "{err:?}");
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2, "one retry after the cut");
    assert!(events.iter().any(|e| matches!(e, StreamEvent::Retry { attempt: 1, .. })), "{events:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
}
