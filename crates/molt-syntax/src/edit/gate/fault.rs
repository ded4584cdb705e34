//! ERROR and MISSING nodes as faults: their ranges, their messages, and
//! where they land once positions are moved through the splices.

use tree_sitter::Node;

use crate::edit::Splice;
use crate::lang::squash;

/// An ERROR node (with `missing: None`) or a MISSING node of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fault {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) missing: Option<&'static str>,
}

pub(super) fn delta(s: &Splice) -> isize {
    s.text.len() as isize - (s.end - s.start) as isize
}

pub(super) fn fault(node: Node<'_>) -> Fault {
    Fault { start: node.start_byte(), end: node.end_byte(), missing: node.is_missing().then(|| node.kind()) }
}

/// Where an error of the original text sits in the edited text, if it is
/// outside every splice (an error that straddles a splice's edge has no
/// place in the edited text). An error that holds whole splices grows with
/// them; text inserted exactly at either end of it is outside it, so an
/// error cannot swallow code added next to it.
pub(super) fn move_fault(f: Fault, splices: &[Splice]) -> Option<Fault> {
    let start = move_offset(f.start, splices, true)?;
    let end = if f.start == f.end { start } else { move_offset(f.end, splices, false)? };
    Some(Fault { start, end, ..f })
}

/// `at` moved through the splices; text inserted exactly at `at` counts as
/// before it when `after` is set. `None` inside a replaced range.
fn move_offset(at: usize, splices: &[Splice], after: bool) -> Option<usize> {
    let mut shift: isize = 0;
    for s in splices {
        if s.start < at && at < s.end {
            return None;
        }
        if s.end < at || (s.end == at && (s.start < at || after)) {
            shift += delta(s);
        }
    }
    Some((at as isize + shift) as usize)
}

pub(super) fn describe(node: Node<'_>, text: &str) -> String {
    if node.is_missing() {
        format!("missing `{}`", node.kind())
    } else {
        let snippet: String = squash(text.get(node.byte_range()).unwrap_or_default()).chars().take(40).collect();
        format!("syntax error near `{snippet}`")
    }
}
