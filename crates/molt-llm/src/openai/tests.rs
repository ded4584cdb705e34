use serde_json::json;

use super::*;
use crate::types::{Message, ToolSpec};

pub(crate) fn sample_request() -> Request {
    Request {
        system: "You port kernels.".into(),
        messages: vec![
            Message::user("Port add()."),
            Message {
                role: Role::Assistant,
                content: vec![
                    ContentBlock::text("Reading it."),
                    ContentBlock::ToolUse { id: "c1".into(), name: "read".into(), input: json!({"path": "a.c"}) },
                ],
            },
            Message::tool_results(vec![ContentBlock::tool_result("c1", "no such file", true)]),
        ],
        tools: vec![ToolSpec {
            name: "read".into(),
            description: "Read a file".into(),
            input_schema: json!({"type": "object", "properties": {"path": {"type": "string"}}}),
        }],
        max_tokens: 512,
        temperature: Some(0.0),
        stop: vec!["END".into()],
        stream: true,
    }
}

#[test]
fn wire_request_shape() {
    insta::assert_json_snapshot!(wire_request("gpt-4o", &sample_request()));
}

fn stream(lines: &[&str]) -> Result<Response> {
    let mut state = StreamState::default();
    let mut a = Assembler::new(KIND);
    for l in lines {
        for e in state.on_data(l)? {
            a.push(&e)?;
        }
    }
    if !a.is_finished() {
        if let Some(e) = state.end() {
            a.push(&e)?;
        }
    }
    a.finish()
}

#[test]
fn stream_accumulates_parallel_tool_calls() {
    let r = stream(&[
        r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":"ok"}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"read","arguments":"{\"pa"}}]}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"list","arguments":""}}]}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"th\":1}"}}]}}]}"#,
        r#"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        r#"{"choices":[],"usage":{"prompt_tokens":50,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":20}}}"#,
        "[DONE]",
    ])
    .unwrap();
    assert_eq!(r.text(), "ok");
    let calls = r.tool_calls();
    assert_eq!((calls[0].id, calls[0].name, calls[0].input), ("a", "read", &json!({"path": 1})));
    assert_eq!((calls[1].id, calls[1].input), ("b", &json!({})));
    assert_eq!(r.stop_reason, StopReason::ToolUse);
    assert_eq!(r.usage, Usage { input: 30, output: 9, cache_read: 20, cache_write: 0 });
}

#[test]
fn stream_without_done_but_with_finish_reason_is_complete() {
    let r = stream(&[r#"{"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"length"}]}"#]).unwrap();
    assert_eq!(r.stop_reason, StopReason::MaxTokens);
}

#[test]
fn stream_errors() {
    assert!(stream(&[r#"{"choices":[{"index":0,"delta":{"content":"hi"}}]}"#]).unwrap_err().is_retryable());
    assert!(matches!(stream(&["{not json"]).unwrap_err(), Error::Malformed { .. }));
    let mid = stream(&[r#"{"error":{"message":"upstream died","code":502}}"#]).unwrap_err();
    assert!(matches!(mid, Error::Status { status: 502, .. }), "{mid}");
}

#[test]
fn whole_answer() {
    let r = parse_response(&json!({
        "choices": [{"message": {"content": null, "tool_calls": [
            {"id": "x", "type": "function", "function": {"name": "edit", "arguments": "{\"a\":[1]}"}}
        ]}, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 7, "completion_tokens": 3}
    }))
    .unwrap();
    assert_eq!(r.tool_calls()[0].input, &json!({"a": [1]}));
    assert_eq!(r.usage, Usage::new(7, 3));
    let bad = parse_response(&json!({"choices": [{"message": {"tool_calls": [
        {"id": "x", "function": {"name": "edit", "arguments": "{oops"}}
    ]}}]}));
    assert!(matches!(bad, Err(Error::Malformed { .. })));
    assert!(matches!(parse_response(&json!({"id": 1})), Err(Error::Malformed { .. })));
}

#[test]
fn config_from_env() {
    let env = Env::empty();
    assert!(OpenAiConfig::from_env("gpt-4o", None, &env).is_err());
    let local = OpenAiConfig::from_env("llama3", Some("http://localhost:11434/v1"), &env).unwrap();
    assert_eq!(local.api_key, None);
    let env = Env::empty().with("OPENAI_API_KEY", "sk-fake").with("OPENAI_BASE_URL", "http://x/v1");
    let c = OpenAiConfig::from_env("gpt-4o", None, &env).unwrap();
    assert_eq!(c.base_url, "http://x/v1");
    assert!(!format!("{c:?}").contains("sk-fake"));
}
