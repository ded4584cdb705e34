use super::*;

fn assemble(events: &[StreamEvent]) -> Result<Response> {
    let mut a = Assembler::new(ProviderKind::Anthropic);
    for e in events {
        a.push(e)?;
    }
    a.finish()
}

#[test]
fn assembles_text_and_tool_calls_in_index_order() {
    let r = assemble(&[
        StreamEvent::ToolCallStart { index: 1, id: "t1".into(), name: "read".into() },
        StreamEvent::TextDelta { index: 0, text: "Let me ".into() },
        StreamEvent::ToolCallDelta { index: 1, json: "{\"path\":".into() },
        StreamEvent::TextDelta { index: 0, text: "look.".into() },
        StreamEvent::ToolCallDelta { index: 1, json: "\"a.c\"}".into() },
        StreamEvent::ToolCallStart { index: 2, id: "t2".into(), name: "list".into() },
        StreamEvent::Usage { usage: Usage::new(10, 1) },
        StreamEvent::Usage { usage: Usage::new(0, 7) },
        StreamEvent::Finish { stop_reason: StopReason::ToolUse },
    ])
    .unwrap();
    assert_eq!(r.text(), "Let me look.");
    let calls = r.tool_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!((calls[0].name, calls[0].input), ("read", &serde_json::json!({"path": "a.c"})));
    assert_eq!(calls[1].input, &serde_json::json!({}));
    assert_eq!(r.usage, Usage::new(10, 7));
    assert_eq!(r.to_message().role, Role::Assistant);
}

#[test]
fn bad_arguments_are_malformed_not_a_panic() {
    let err = assemble(&[
        StreamEvent::ToolCallStart { index: 0, id: "t".into(), name: "edit".into() },
        StreamEvent::ToolCallDelta { index: 0, json: "{\"path\": ".into() },
        StreamEvent::Finish { stop_reason: StopReason::ToolUse },
    ])
    .unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }), "{err}");
    assert!(err.to_string().contains("`edit` are not valid JSON"), "{err}");
}

#[test]
fn unfinished_stream_is_a_retryable_cut() {
    let err = assemble(&[StreamEvent::TextDelta { index: 0, text: "Hel".into() }]).unwrap_err();
    assert!(err.is_retryable(), "{err}");
}

#[test]
fn stray_delta_is_malformed() {
    let err = assemble(&[StreamEvent::ToolCallDelta { index: 3, json: "{}".into() }]).unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }));
}

#[test]
fn request_and_events_round_trip_through_json() {
    let req = Request {
        system: "sys".into(),
        messages: vec![
            Message::user("hi"),
            Message {
                role: Role::Assistant,
                content: vec![ContentBlock::ToolUse {
                    id: "1".into(),
                    name: "n".into(),
                    input: serde_json::json!({"a": 1}),
                }],
            },
            Message::tool_results(vec![ContentBlock::tool_result("1", "ok", false)]),
        ],
        temperature: Some(0.2),
        ..Request::default()
    };
    let text = serde_json::to_string(&req).unwrap();
    assert!(text.contains("\"temperature\":0.2"), "{text}");
    assert_eq!(serde_json::from_str::<Request>(&text).unwrap(), req);
    let ev = StreamEvent::Finish { stop_reason: StopReason::EndTurn };
    assert_eq!(serde_json::to_string(&ev).unwrap(), r#"{"type":"finish","stop_reason":"end_turn"}"#);
}
