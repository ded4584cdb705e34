use super::*;
use crate::types::{ContentBlock, Message, StopReason};
use molt_core::usage::Usage;
use serde_json::json;

fn request(text: &str) -> Request {
    Request { system: "sys".into(), messages: vec![Message::user(text)], ..Request::default() }
}

fn response(text: &str) -> Response {
    Response {
        content: vec![ContentBlock::text(text)],
        stop_reason: StopReason::EndTurn,
        usage: Usage::new(1, 2),
        cost_usd: Some(0.5),
    }
}

#[test]
fn key_ignores_object_key_order() {
    let a: Value = serde_json::from_str(r#"{"a":1,"b":{"x":[1,{"q":1,"p":2}],"y":2}}"#).unwrap();
    let b: Value = serde_json::from_str(r#"{"b":{"y":2,"x":[1,{"p":2,"q":1}]},"a":1}"#).unwrap();
    assert_eq!(request_key(&a), request_key(&b));
    assert_ne!(request_key(&a), request_key(&json!({"a": 2})));
    assert_eq!(request_key(&a).len(), 64);
}

#[test]
fn record_then_replay_in_order_then_repeat_last() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/c.jsonl");
    let n = normalize(ProviderKind::Openai, "gpt-4o", &request("hi"));
    let rec = Cassette::record(&path).unwrap();
    rec.append(&n, Recorded::Response(response("one"))).unwrap();
    rec.append(&n, Recorded::Response(response("two"))).unwrap();
    drop(rec);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2);
    assert!(!text.contains("cost_usd"), "{text}");

    let play = Cassette::replay(&path).unwrap();
    let texts: Vec<String> = (0..3)
        .map(|_| match play.take(&n).unwrap() {
            Recorded::Response(r) => r.text(),
            Recorded::Events(_) => unreachable!(),
        })
        .collect();
    assert_eq!(texts, ["one", "two", "two"]);
}

#[test]
fn miss_shows_a_diff_against_the_nearest_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    let rec = Cassette::record(&path).unwrap();
    for text in ["Port add() to NEON.", "Something else entirely, quite long and different."] {
        let n = normalize(ProviderKind::Anthropic, "m", &request(text));
        rec.append(&n, Recorded::Events(vec![])).unwrap();
    }
    let play = Cassette::replay(&path).unwrap();
    let err = play.take(&normalize(ProviderKind::Anthropic, "m", &request("Port mul() to NEON."))).unwrap_err();
    let Error::ReplayMiss { diff } = &err else { panic!("{err}") };
    insta::assert_snapshot!(diff);
}

#[test]
fn broken_cassettes_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    std::fs::write(&path, "\n{\"key\":\"k\",\"request\":{}}\n").unwrap();
    let err = Cassette::replay(&path).unwrap_err().to_string();
    assert!(err.contains("c.jsonl:2") && err.contains("neither"), "{err}");
    assert!(Cassette::replay(&dir.path().join("missing.jsonl")).is_err());
}
