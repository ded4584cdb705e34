//! The Bedrock ConverseStream decoder (AWS event-stream frames, then JSON
//! events, then the assembled answer): any bytes, split anywhere, are an
//! answer or an error, never a panic, and the split does not change which.
//!
//! Raw bytes rarely make a frame whose CRCs check out, so when the first
//! byte is odd the rest is read as lines of `<event type byte><JSON payload>`
//! and framed properly: that reaches the event handling and the assembler.
#![no_main]

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use libfuzzer_sys::fuzz_target;
use molt_llm::{ConverseStream, StreamEvent};

const EVENT_TYPES: &[&str] =
    &["messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"];

fn decode<'a>(chunks: impl Iterator<Item = &'a [u8]>) -> (Vec<StreamEvent>, bool) {
    let mut stream = ConverseStream::new();
    let mut events = Vec::new();
    for chunk in chunks {
        if stream.push(chunk, &mut |e| events.push(e.clone())).is_err() {
            return (events, false);
        }
    }
    let ok = stream.finish(&mut |e| events.push(e.clone())).is_ok();
    (events, ok)
}

/// Well-formed frames from lines of `<type byte><payload>`.
fn frames(spec: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in spec.split(|&b| b == b'\n') {
        let Some((&kind, payload)) = line.split_first() else { continue };
        let message = if usize::from(kind) < EVENT_TYPES.len() * 32 {
            Message::new(payload.to_vec())
                .add_header(Header::new(
                    ":event-type",
                    HeaderValue::String(EVENT_TYPES[usize::from(kind) % EVENT_TYPES.len()].into()),
                ))
                .add_header(Header::new(":message-type", HeaderValue::String("event".into())))
        } else {
            Message::new(payload.to_vec())
                .add_header(Header::new(":exception-type", HeaderValue::String("throttlingException".into())))
                .add_header(Header::new(":message-type", HeaderValue::String("exception".into())))
        };
        if write_message_to(&message, &mut out).is_err() {
            break;
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let body = if mode & 1 == 1 { frames(rest) } else { rest.to_vec() };
    let split = usize::from(mode >> 1).max(1);
    let whole = decode(std::iter::once(&body[..]));
    let chunked = decode(body.chunks(split));
    assert_eq!(whole, chunked, "chunking changed the outcome");
});
