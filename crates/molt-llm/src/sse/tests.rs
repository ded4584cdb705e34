use super::*;

/// Parses `input` fed in chunks of `size` bytes and renders the events.
fn parse(input: &[u8], size: usize) -> String {
    let mut p = SseParser::new();
    let mut events = Vec::new();
    for chunk in input.chunks(size.max(1)) {
        events.extend(p.push(chunk));
    }
    events.extend(p.finish());
    events
        .iter()
        .map(|e| format!("[{}] {:?}", e.event.as_deref().unwrap_or("-"), e.data))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The result must not depend on how the bytes were chunked.
fn check(input: &str, expect: &str) {
    for size in [1, 2, 3, 7, input.len().max(1)] {
        assert_eq!(parse(input.as_bytes(), size), expect, "chunk size {size}");
    }
}

#[test]
fn data_lines() {
    check("data: hello\n\n", "[-] \"hello\"");
    check("data:no-space\n\n", "[-] \"no-space\"");
    check("data:  two spaces\n\n", "[-] \" two spaces\"");
    check("data: a\ndata: b\n\n", "[-] \"a\\nb\"");
    check("data\n\n", "[-] \"\"");
    check("data: {\"x\":1}\n\ndata: [DONE]\n\n", "[-] \"{\\\"x\\\":1}\"\n[-] \"[DONE]\"");
}

#[test]
fn event_names_and_comments() {
    check(
        ": keep-alive\nevent: ping\ndata: {}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        "[ping] \"{}\"\n[message_stop] \"{\\\"type\\\":\\\"message_stop\\\"}\"",
    );
    // An event name with no data dispatches nothing and does not leak.
    check("event: lonely\n\ndata: x\n\n", "[-] \"x\"");
    check("id: 7\nretry: 100\ndata: x\n\n", "[-] \"x\"");
}

#[test]
fn line_endings() {
    check("data: a\r\n\r\ndata: b\r\r", "[-] \"a\"\n[-] \"b\"");
    check("event: e\r\ndata: a\r\ndata: b\r\n\r\n", "[e] \"a\\nb\"");
}

#[test]
fn unterminated_last_event_is_delivered() {
    check("data: [DONE]", "[-] \"[DONE]\"");
    check("data: [DONE]\n", "[-] \"[DONE]\"");
    check("data: x\r", "[-] \"x\"");
    check("", "");
}

#[test]
fn split_utf8_and_invalid_bytes() {
    check("data: héllo ✓\n\n", "[-] \"héllo ✓\"");
    assert_eq!(parse(b"data: \xff\xfe\n\n", 1), "[-] \"\u{fffd}\u{fffd}\"");
}
