use serde_json::json;

use super::*;

#[test]
fn wire_request_shape_with_cache_control() {
    let request = crate::openai::tests::sample_request();
    insta::assert_json_snapshot!(wire_request("claude-sonnet-4-5", &request));
}

fn stream(events: &[Value]) -> Result<Response> {
    let mut state = StreamState::default();
    let mut a = Assembler::new(KIND);
    for e in events {
        for ev in state.on_event(&e.to_string())? {
            a.push(&ev)?;
        }
    }
    a.finish()
}

#[test]
fn stream_events() {
    let r = stream(&[
        json!({"type": "message_start", "message": {"usage": {"input_tokens": 12, "output_tokens": 1,
               "cache_read_input_tokens": 100, "cache_creation_input_tokens": 50}}}),
        json!({"type": "ping"}),
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "t", "name": "read", "input": {}}}),
        json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "{\"p\":"}}),
        json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "2}"}}),
        json!({"type": "content_block_stop", "index": 1}),
        json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 30}}),
        json!({"type": "message_stop"}),
    ])
    .unwrap();
    assert_eq!(r.text(), "Hi");
    assert_eq!(r.tool_calls()[0].input, &json!({"p": 2}));
    assert_eq!(r.stop_reason, StopReason::ToolUse);
    assert_eq!(r.usage, Usage { input: 12, output: 30, cache_read: 100, cache_write: 50 });
}

#[test]
fn stream_error_events() {
    let overloaded =
        stream(&[json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})]);
    assert!(matches!(overloaded, Err(Error::Status { status: 529, .. })));
    let invalid = stream(&[json!({"type": "error", "error": {"type": "invalid_request_error", "message": "no"}})]);
    assert!(matches!(invalid, Err(Error::Malformed { .. })));
    let cut = stream(&[json!({"type": "message_start", "message": {}})]);
    assert!(cut.unwrap_err().is_retryable());
}

#[test]
fn whole_answer() {
    let r = parse_response(&json!({
        "content": [{"type": "thinking", "thinking": "..."}, {"type": "text", "text": "done"},
                    {"type": "tool_use", "id": "t", "name": "n", "input": {"x": 1}}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 3, "output_tokens": 4}
    }))
    .unwrap();
    assert_eq!(r.text(), "done");
    assert_eq!(r.content.len(), 2);
    assert!(matches!(
        parse_response(&json!({"content": [{"type": "tool_use", "id": "t", "name": "n", "input": "{bad"}]})),
        Err(Error::Malformed { .. })
    ));
}

#[test]
fn config_needs_a_key_and_hides_it() {
    assert!(AnthropicConfig::from_env("m", None, &Env::empty()).is_err());
    let c = AnthropicConfig::from_env("m", None, &Env::empty().with("ANTHROPIC_API_KEY", "sk-ant-fake")).unwrap();
    assert_eq!(c.base_url, DEFAULT_BASE);
    assert!(!format!("{c:?}").contains("sk-ant-fake"));
}
