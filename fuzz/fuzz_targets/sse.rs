//! The SSE parser: any bytes, split anywhere, give the same events as the
//! whole body at once, and never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molt_llm::sse::{SseEvent, SseParser};

fn parse<'a>(chunks: impl Iterator<Item = &'a [u8]>) -> Vec<SseEvent> {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    for chunk in chunks {
        events.extend(parser.push(chunk));
    }
    events.extend(parser.finish());
    events
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, body)) = data.split_first() else { return };
    let whole = parse(std::iter::once(body));
    let chunked = parse(body.chunks(usize::from(split).max(1)));
    assert_eq!(whole, chunked, "chunking changed the events");
});
