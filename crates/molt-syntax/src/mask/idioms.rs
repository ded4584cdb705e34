//! Idioms masked whole: block comments inside continued directives, and
//! the `extern "C" {` ... `}` halves under `#ifdef __cplusplus`.

use super::defines::strip_comments;

/// Block comments inside a preprocessor directive that goes on past them
/// (a `#define` continued with backslashes). tree-sitter ends a macro's
/// body at a `/*`, and reads the lines after the comment as code; blanked,
/// the whole body stays the macro's.
pub(super) fn directive_comments(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if memchr::memmem::find(text, b"/*").is_none() {
        return out;
    }
    let mut at = 0;
    let mut line_start = true;
    let mut in_directive = false;
    while at < text.len() {
        let b = text[at];
        match b {
            b'\n' => {
                let continued =
                    (at > 0 && text[at - 1] == b'\\') || (at > 1 && text[at - 1] == b'\r' && text[at - 2] == b'\\');
                in_directive = in_directive && continued;
                line_start = true;
                at += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' if line_start => {
                at += 1;
                continue;
            }
            b'#' if line_start => in_directive = true,
            _ => {}
        }
        line_start = false;
        if text[at..].starts_with(b"/*") {
            let end = memchr::memmem::find(&text[at + 2..], b"*/").map_or(text.len(), |e| at + 2 + e + 2);
            // Only where the directive goes on after the comment's line.
            let rest_of_line = memchr::memchr(b'\n', &text[end..]).map_or(text.len(), |n| end + n);
            let line = text[end..rest_of_line].strip_suffix(b"\r").unwrap_or(&text[end..rest_of_line]);
            let newline_inside = memchr::memchr(b'\n', &text[at..end]).is_some();
            if in_directive && !newline_inside && line.ends_with(b"\\") {
                out.push((at, end));
            }
            at = end;
            continue;
        }
        if !in_directive && (b == b'"' || b == b'\'') {
            // Skip a literal, so that a `/*` inside one is not taken for a comment.
            at += 1;
            while at < text.len() && text[at] != b && text[at] != b'\n' {
                at += if text[at] == b'\\' { 2 } else { 1 };
            }
        }
        at += 1;
    }
    out
}

/// The bodies of `#ifdef __cplusplus` (or `#if defined(__cplusplus)`)
/// branches that hold nothing but `extern "C" {` or `}`, comments aside:
/// the non-blank bytes of those lines.
pub(super) fn cplusplus_linkage(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if memchr::memmem::find(text, b"__cplusplus").is_none() {
        return out;
    }
    // (start, end) of each line, without its newline.
    let mut lines = Vec::new();
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', text).chain(std::iter::once(text.len())) {
        lines.push((start, nl));
        start = nl + 1;
        if start > text.len() {
            break;
        }
    }
    let directive = |(s, e): (usize, usize)| -> Option<String> {
        let line = std::str::from_utf8(&text[s..e]).ok()?.trim();
        let rest = line.strip_prefix('#')?.trim_start();
        // Without blanks: `ifdef__cplusplus`, `ifdefined(__cplusplus)`.
        Some(rest.split_whitespace().collect::<String>())
    };
    let opens = |d: &str| matches!(d, "ifdef__cplusplus" | "ifdefined(__cplusplus)" | "ifdefined__cplusplus");
    let mut i = 0;
    while i < lines.len() {
        if !directive(lines[i]).is_some_and(|d| opens(&d)) {
            i += 1;
            continue;
        }
        // The body, up to the closing #endif (or an #else), with no directive inside.
        let mut j = i + 1;
        let mut body = Vec::new();
        let closed = loop {
            let Some(&line) = lines.get(j) else { break false };
            match directive(line) {
                Some(d) => break d.starts_with("endif") || d == "else",
                None => body.push(line),
            }
            j += 1;
        };
        if closed {
            let code: String = body
                .iter()
                .map(|&(s, e)| strip_comments(&String::from_utf8_lossy(&text[s..e])))
                .collect::<Vec<_>>()
                .join(" ");
            let code: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
            if matches!(code.as_str(), "extern \"C\" {" | "extern \"C\"{" | "}") {
                for &(s, e) in &body {
                    let line = &text[s..e];
                    let lead = line.iter().take_while(|b| b.is_ascii_whitespace()).count();
                    let trail = line.iter().rev().take_while(|b| b.is_ascii_whitespace()).count();
                    if lead + trail < line.len() {
                        out.push((s + lead, e - trail));
                    }
                }
            }
        }
        i = j.max(i + 1);
    }
    out
}
