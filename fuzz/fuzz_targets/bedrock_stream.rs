//! The Bedrock ConverseStream decoder (AWS event-stream frames, then JSON
//! events, then the assembled answer): any bytes, split anywhere, are an
//! answer or an error, never a panic, and the split does not change which.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molt_llm::{ConverseStream, StreamEvent};

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

fuzz_target!(|data: &[u8]| {
    let Some((&split, body)) = data.split_first() else { return };
    let whole = decode(std::iter::once(body));
    let chunked = decode(body.chunks(usize::from(split).max(1)));
    assert_eq!(whole, chunked, "chunking changed the outcome");
});
