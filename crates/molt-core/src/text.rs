//! Small helpers for turning byte offsets in a text into line numbers.

/// The 1-based line on which byte `offset` of `text` sits.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The text of the 1-based line `line`, without its newline.
pub(crate) fn line_text(text: &str, line: usize) -> &str {
    text.lines().nth(line.saturating_sub(1)).unwrap_or("")
}
