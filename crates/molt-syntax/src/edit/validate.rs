//! Validation besides the gate: syn's reading of Rust items and files,
//! and the errors a broken parse is reported as.

use tree_sitter::Node;

use super::transact::wrap;
use super::{Edit, Splice};
use crate::{Error, Result};

pub(super) fn check_rust(
    path: &str,
    before: &str,
    after: &str,
    splices: &[Splice],
    edits: &[(usize, &Edit)],
) -> Result<()> {
    for &(i, edit) in edits {
        let (text, body) = match edit {
            Edit::ReplaceItem { text, .. } | Edit::InsertBefore { text, .. } | Edit::InsertAfter { text, .. } => {
                (text, false)
            }
            Edit::ReplaceBody { text, .. } => (text, true),
            _ => continue,
        };
        let parsed = if body {
            let block = if text.trim_start().starts_with('{') { text.clone() } else { format!("{{\n{text}\n}}") };
            syn::parse_str::<syn::Block>(&block).map(drop)
        } else {
            syn::parse_file(text).map(drop)
        };
        if let Err(e) = parsed {
            return Err(wrap(i, edit, syn_error(path, &e)));
        }
    }
    // A file syn could read before must stay readable.
    if syn::parse_file(before).is_ok() {
        if let Err(e) = syn::parse_file(after) {
            // Blame the edit whose new text holds the error, or the last one
            // before it, not simply the first edit of the set.
            let start = e.span().start();
            let at = after.split_inclusive('\n').take(start.line.saturating_sub(1)).map(str::len).sum::<usize>()
                + start.column;
            let mut shift: isize = 0;
            let mut blamed = splices.first().map_or(edits[0].0, |s| s.edit);
            for s in splices {
                let new_start = (s.start as isize + shift) as usize;
                if new_start <= at {
                    blamed = s.edit;
                }
                shift += s.text.len() as isize - (s.end - s.start) as isize;
            }
            let (i, edit) = edits.iter().copied().find(|(i, _)| *i == blamed).unwrap_or(edits[0]);
            return Err(wrap(i, edit, syn_error(path, &e)));
        }
    }
    Ok(())
}

pub(super) fn syn_error(path: &str, e: &syn::Error) -> Error {
    let start = e.span().start();
    Error::BrokenSyntax {
        path: path.to_owned(),
        line: start.line,
        column: start.column + 1,
        message: format!("syn: {e}"),
    }
}

pub(super) fn broken(path: &str, text: &str, node: Node<'_>) -> Error {
    let p = node.start_position();
    let message = if node.is_missing() {
        format!("missing `{}`", node.kind())
    } else {
        let snippet: String = crate::lang::squash(&text[node.byte_range()]).chars().take(40).collect();
        format!("syntax error near `{snippet}`")
    };
    Error::BrokenSyntax { path: path.to_owned(), line: p.row + 1, column: p.column + 1, message }
}

/// The first ERROR or MISSING node.
pub(super) fn first_error(root: Node<'_>) -> Option<Node<'_>> {
    if !root.has_error() {
        return None;
    }
    let mut stack = vec![root];
    let mut cursor = root.walk();
    let mut best: Option<Node<'_>> = None;
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            if best.is_none_or(|b| node.start_byte() < b.start_byte()) {
                best = Some(node);
            }
            continue;
        }
        stack.extend(node.children(&mut cursor).filter(|c| c.has_error() || c.is_missing()));
    }
    best
}
