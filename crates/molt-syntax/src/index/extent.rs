//! Where an item's text starts and ends and what its header says: the
//! comments and attributes above it, an indented body's leading comments,
//! preprocessor directive lines and signatures.

use tree_sitter::Node;

/// The first line of a preprocessor directive, squashed: `#if defined(__x86_64__)`.
pub(super) fn directive(node: Node<'_>, src: &[u8]) -> String {
    let start = node.start_byte();
    let rest = src.get(start..).unwrap_or_default();
    let end = memchr::memchr(b'\n', rest).map_or(src.len(), |i| start + i);
    crate::lang::squash(&String::from_utf8_lossy(&src[start..end]))
}

/// Where an item really starts: before the comments and attributes directly
/// above it (no blank line between), so that moving or deleting the item
/// takes its documentation along.
pub(super) fn leading_trivia_start(node: Node<'_>, first: usize, src: &[u8]) -> usize {
    let mut start = first;
    let mut prev = node.prev_sibling();
    while let Some(p) = prev {
        let kind = p.kind();
        let trivia = kind.contains("comment") || kind == "attribute_item";
        if !trivia {
            break;
        }
        // Nothing but whitespace between, with at most one newline.
        let gap = src.get(p.end_byte()..start).unwrap_or_default();
        if !gap.iter().all(u8::is_ascii_whitespace) || gap.iter().filter(|&&b| b == b'\n').count() > 1 {
            break;
        }
        // A comment that trails code on its own line belongs to that code.
        let line_start = src[..p.start_byte()].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if !src[line_start..p.start_byte()].iter().all(|b| *b == b' ' || *b == b'\t') {
            break;
        }
        start = p.start_byte();
        prev = p.prev_sibling();
    }
    start
}

/// Where an indented body really starts: at the comments on their own lines
/// between the header and the first statement, which tree-sitter leaves
/// outside the block. Without them a comment that `replace_body` wrote
/// would fall outside the body, and the next `replace_body` could not
/// replace it. Only comments at the block's own indentation count.
pub(super) fn leading_body_comments(body: Node<'_>, src: &[u8]) -> usize {
    let line_start = |at: usize| src[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let indent_of = |at: usize| {
        let ls = line_start(at);
        let lead = &src[ls..at];
        lead.iter().all(|b| *b == b' ' || *b == b'\t').then_some(lead)
    };
    let Some(indent) = indent_of(body.start_byte()) else { return body.start_byte() };
    let mut start = body.start_byte();
    let mut prev = body.prev_sibling();
    while let Some(p) = prev.filter(|p| p.kind().contains("comment")) {
        if indent_of(p.start_byte()) != Some(indent) {
            break;
        }
        start = p.start_byte();
        prev = p.prev_sibling();
    }
    start
}

pub(super) fn signature(start: usize, node: Node<'_>, body: Option<Node<'_>>, src: &[u8]) -> String {
    let end = match body {
        Some(b) if b.start_byte() > start => b.start_byte(),
        _ => {
            let rest = src.get(start..node.end_byte()).unwrap_or_default();
            start + memchr::memchr(b'\n', rest).unwrap_or(rest.len())
        }
    };
    let sig = crate::lang::squash(&String::from_utf8_lossy(&src[start..end]));
    if sig.chars().count() > 200 {
        let cut: String = sig.chars().take(200).collect();
        format!("{cut}...")
    } else {
        sig
    }
}
