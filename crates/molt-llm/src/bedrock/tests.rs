use std::time::{Duration, SystemTime};

use serde_json::json;

use super::*;

#[test]
fn wire_request_shape() {
    let request = crate::openai::tests::sample_request();
    insta::assert_json_snapshot!(wire_request(&request));
}

#[test]
fn model_ids_are_path_encoded() {
    assert_eq!(
        encode_path_segment("us.anthropic.claude-3-5-sonnet-20240620-v1:0"),
        "us.anthropic.claude-3-5-sonnet-20240620-v1%3A0"
    );
    assert_eq!(encode_path_segment("arn:aws:bedrock:us-east-1:1:x/y"), "arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ax%2Fy");
}

fn settings(token: Option<&str>) -> AwsSettings {
    AwsSettings {
        credentials: AwsCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: token.map(str::to_owned),
        },
        region: "us-east-1".into(),
        source: "test".into(),
    }
}

#[test]
fn sigv4_headers_are_deterministic_for_a_fixed_time() {
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/m%3A0/converse";
    let headers = sign(&settings(None), url, b"{}", time).unwrap();
    let get = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    assert_eq!(get("x-amz-date"), Some("20231114T221320Z"));
    let auth = get("authorization").unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="),
        "{auth}"
    );
    assert_eq!(sign(&settings(None), url, b"{}", time).unwrap(), headers);
    // A different body is a different signature.
    assert_ne!(sign(&settings(None), url, b"{ }", time).unwrap(), headers);
    let with_token = sign(&settings(Some("FAKETOKEN")), url, b"{}", time).unwrap();
    assert!(with_token.iter().any(|(k, v)| k == "x-amz-security-token" && v == "FAKETOKEN"));
}

fn frame(headers: &[(&str, &str)], payload: &Value) -> Frame {
    let mut m = Frame::new(payload.to_string().into_bytes());
    for (k, v) in headers {
        m = m.add_header(aws_smithy_types::event_stream::Header::new(
            k.to_string(),
            HeaderValue::String(v.to_string().into()),
        ));
    }
    m
}

fn event(kind: &str, payload: Value) -> Frame {
    frame(&[(":message-type", "event"), (":event-type", kind)], &payload)
}

#[test]
fn stream_frames() {
    let mut s = StreamState::default();
    let mut a = Assembler::new(KIND);
    for f in [
        event("messageStart", json!({"role": "assistant"})),
        event("contentBlockDelta", json!({"contentBlockIndex": 0, "delta": {"text": "Hi"}})),
        event("contentBlockStop", json!({"contentBlockIndex": 0})),
        event(
            "contentBlockStart",
            json!({"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "t", "name": "read"}}}),
        ),
        event("contentBlockDelta", json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "{\"a\":"}}})),
        event("contentBlockDelta", json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "1}"}}})),
        event("messageStop", json!({"stopReason": "tool_use"})),
        event("metadata", json!({"usage": {"inputTokens": 5, "outputTokens": 6, "cacheReadInputTokens": 7}})),
    ] {
        for e in s.on_frame(&f).unwrap() {
            a.push(&e).unwrap();
        }
    }
    let r = a.finish().unwrap();
    assert_eq!(r.text(), "Hi");
    assert_eq!(r.tool_calls()[0].input, &json!({"a": 1}));
    assert_eq!(r.usage, Usage { input: 5, output: 6, cache_read: 7, cache_write: 0 });
}

#[test]
fn stream_exceptions() {
    let mut s = StreamState::default();
    let throttled = frame(
        &[(":message-type", "exception"), (":exception-type", "throttlingException")],
        &json!({"message": "slow down"}),
    );
    assert!(matches!(s.on_frame(&throttled), Err(Error::Status { status: 429, .. })));
    let invalid =
        frame(&[(":message-type", "exception"), (":exception-type", "validationException")], &json!({"message": "no"}));
    assert!(matches!(s.on_frame(&invalid), Err(Error::Malformed { .. })));
    let garbage = Frame::new(b"{not json".to_vec());
    assert!(matches!(s.on_frame(&garbage), Err(Error::Malformed { .. })));
}

#[test]
fn whole_answer() {
    let r = parse_response(&json!({
        "output": {"message": {"role": "assistant", "content": [{"text": "a"}, {"toolUse": {"toolUseId": "t", "name": "n", "input": {}}}]}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": 1, "outputTokens": 2, "cacheWriteInputTokens": 3}
    }))
    .unwrap();
    assert_eq!(r.tool_calls().len(), 1);
    assert_eq!(r.usage, Usage { input: 1, output: 2, cache_read: 0, cache_write: 3 });
}
