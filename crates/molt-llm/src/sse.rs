//! A Server-Sent Events parser: bytes in, events out, no I/O.
//!
//! It follows the WHATWG event-stream rules that matter for model APIs:
//! lines end in LF, CRLF or CR (a CR at the end of a chunk waits for the
//! next chunk to see whether an LF follows); `data:` lines accumulate, joined
//! by newlines; `event:` names the event; lines starting with `:` are comments
//! (keep-alives); one space after the colon is dropped; a blank line
//! dispatches the event, and an event with no data is not dispatched. Chunks
//! may split lines and UTF-8 sequences anywhere, since only whole lines are
//! decoded. Invalid UTF-8 is replaced, never a panic.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event:` field, when the server sent one.
    pub event: Option<String>,
    /// The `data:` lines, joined by `\n`.
    pub data: String,
}

#[derive(Debug, Default)]
pub struct SseParser {
    pending: Vec<u8>,
    event: Option<String>,
    data: String,
    has_data: bool,
}

impl SseParser {
    pub fn new() -> SseParser {
        SseParser::default()
    }

    /// Feeds a chunk; returns the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.pending.extend_from_slice(chunk);
        let mut out = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < self.pending.len() {
            match self.pending[i] {
                b'\n' => {
                    self.line(start, i, &mut out);
                    i += 1;
                    start = i;
                }
                b'\r' => {
                    if i + 1 == self.pending.len() {
                        // Maybe the first half of a CRLF: wait for the next chunk.
                        break;
                    }
                    self.line(start, i, &mut out);
                    i += if self.pending[i + 1] == b'\n' { 2 } else { 1 };
                    start = i;
                }
                _ => i += 1,
            }
        }
        self.pending.drain(..start);
        out
    }

    /// Ends the stream: a last line without its newline, and an event without
    /// its blank line, are still delivered (lenient towards servers that close
    /// right after `data: [DONE]`).
    pub fn finish(&mut self) -> Option<SseEvent> {
        if !self.pending.is_empty() {
            let mut out = Vec::new();
            let end = if self.pending.last() == Some(&b'\r') { self.pending.len() - 1 } else { self.pending.len() };
            self.line(0, end, &mut out);
            self.pending.clear();
            if let Some(e) = out.pop() {
                return Some(e);
            }
        }
        self.dispatch()
    }

    fn line(&mut self, start: usize, end: usize, out: &mut Vec<SseEvent>) {
        if start == end {
            if let Some(e) = self.dispatch() {
                out.push(e);
            }
            return;
        }
        let line = String::from_utf8_lossy(&self.pending[start..end]).into_owned();
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_str(), ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_owned()),
            _ => {}
        }
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        if !self.has_data {
            return None;
        }
        self.has_data = false;
        Some(SseEvent { event, data: std::mem::take(&mut self.data) })
    }
}

#[cfg(test)]
mod tests;
