//! The anchor of an edit: the smallest node of the original tree around it
//! that parses on its own in one of the grammar's fragment contexts, and
//! the parse of a fragment in such a context.

use tree_sitter::{Node, Tree};

use super::fault::{describe, fault, Fault};
use crate::lang::Lang;
use crate::mask::Masks;
use crate::parse::parse_masked;
use crate::Result;

#[derive(Debug, Clone)]
pub(super) struct Anchor {
    pub(super) context: usize,
    pub(super) kind: &'static str,
    /// A direct child of the root (possibly through ERROR nodes): its bare
    /// parse may hold several items, so the kind is not compared.
    pub(super) top_level: bool,
    /// For an anchor that had errors of its own (a body tree-sitter reads
    /// with an error inside): those errors, as the fragment parse in its
    /// context found them (offsets in the wrapped text). The edited
    /// fragment must have the same ones, moved through the splices, and no
    /// other.
    pub(super) old_faults: Option<Vec<Fault>>,
}

/// How many nodes up from the edit the anchor search goes before giving up:
/// past that the pieces are large and the whole-file check is as good.
const MAX_ANCHOR_STEPS: usize = 12;

/// The smallest node holding `start..end` in the original tree that has no
/// error and parses cleanly in one of the contexts.
pub(super) fn anchor(
    lang: Lang,
    masks: &Masks,
    contexts: &[&str],
    old_text: &str,
    old_tree: &Tree,
    start: usize,
    end: usize,
) -> Result<Option<(usize, usize, Anchor)>> {
    // An insertion sits between two bytes: the node that ends there (code
    // added after an item) or the one that starts there.
    let probes = if start == end {
        vec![(start.saturating_sub(1), start), (start, (start + 1).min(old_text.len())), (start, start)]
    } else {
        vec![(start, end)]
    };
    for (from, to) in probes {
        if let Some(found) = anchor_from(lang, masks, contexts, old_text, old_tree, (from, to), (start, end))? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// The anchor search from the smallest node holding `probe`, for the
/// splice `start..end`.
fn anchor_from(
    lang: Lang,
    masks: &Masks,
    contexts: &[&str],
    old_text: &str,
    old_tree: &Tree,
    probe: (usize, usize),
    (start, end): (usize, usize),
) -> Result<Option<(usize, usize, Anchor)>> {
    let root = old_tree.root_node();
    let Some(mut node) = root.descendant_for_byte_range(probe.0, probe.1) else { return Ok(None) };
    for _ in 0..MAX_ANCHOR_STEPS {
        if node.is_error() || node.id() == root.id() {
            return Ok(None);
        }
        if node.start_byte() <= start && end <= node.end_byte() && node.is_named() {
            let fragment = &old_text[node.start_byte()..node.end_byte()];
            if node.has_error() {
                // The smallest node that still reads as one node of its kind
                // in some context, with the errors it has.
                for (context, wrap) in contexts.iter().enumerate() {
                    if let Some(faults) = fragment_faults(lang, masks, wrap, fragment, node.kind())? {
                        let old_faults = Some(faults.into_iter().map(|(f, _)| f).collect());
                        let anchor = Anchor { context, kind: node.kind(), top_level: false, old_faults };
                        return Ok(Some((node.start_byte(), node.end_byte(), anchor)));
                    }
                }
            } else {
                let top_level = is_top_level(node);
                for (context, wrap) in contexts.iter().enumerate() {
                    let anchor =
                        Anchor { context, kind: node.kind(), top_level: top_level && context == 0, old_faults: None };
                    if fragment_error(lang, masks, wrap, fragment, &anchor)? == Verdict::Clean {
                        return Ok(Some((node.start_byte(), node.end_byte(), anchor)));
                    }
                }
            }
        }
        match node.parent() {
            Some(p) => node = p,
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// Parses `fragment` inside `context`: its ERROR and MISSING nodes (in the
/// wrapped text's offsets, sorted, with messages), or `None` when the
/// fragment is not one node of `kind` there.
pub(super) fn fragment_faults(
    lang: Lang,
    masks: &Masks,
    context: &str,
    fragment: &str,
    kind: &str,
) -> Result<Option<Vec<(Fault, String)>>> {
    let Some(at) = context.find("{}") else { return Ok(None) };
    let text = format!("{}{fragment}{}", &context[..at], &context[at + 2..]);
    let tree = parse_masked(lang, text.as_bytes(), None, masks)?;
    let root = tree.root_node();
    let lead = fragment.len() - fragment.trim_start().len();
    let (start, end) = (at + lead, at + fragment.trim_end().len());
    let same = root
        .descendant_for_byte_range(start, end)
        .is_some_and(|n| n.start_byte() == start && n.end_byte() == end && n.kind() == kind && !n.is_error());
    if !same {
        return Ok(None);
    }
    let mut faults: Vec<(Fault, String)> =
        crate::parse::fault_nodes(root).into_iter().map(|n| (fault(n), describe(n, &text))).collect();
    faults.sort_by_key(|(f, _)| (f.start, f.end));
    Ok(Some(faults))
}

/// Whether every ancestor of `node` is the root or an ERROR node.
fn is_top_level(node: Node<'_>) -> bool {
    let mut parent = node.parent();
    while let Some(p) = parent {
        if p.parent().is_none() {
            return true;
        }
        if !p.is_error() {
            return false;
        }
        parent = p.parent();
    }
    false
}

/// What parsing a fragment in its context says.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    Clean,
    /// The first error: offset in the fragment, and message.
    Broken(usize, String),
    /// Clean, but not one node of the anchor's kind.
    OtherKind,
}

/// Parses `fragment` inside `context` (`{}` marks its place).
pub(super) fn fragment_error(
    lang: Lang,
    masks: &Masks,
    context: &str,
    fragment: &str,
    anchor: &Anchor,
) -> Result<Verdict> {
    let Some(at) = context.find("{}") else { return Ok(Verdict::OtherKind) };
    let text = format!("{}{fragment}{}", &context[..at], &context[at + 2..]);
    let tree = parse_masked(lang, text.as_bytes(), None, masks)?;
    let root = tree.root_node();
    if root.has_error() {
        let first = crate::parse::fault_nodes(root).into_iter().min_by_key(|n| n.start_byte());
        let (offset, message) = match first {
            Some(node) => (node.start_byte(), describe(node, &text)),
            None => (at, "syntax error".to_owned()),
        };
        return Ok(Verdict::Broken(offset.saturating_sub(at).min(fragment.len()), message));
    }
    if anchor.top_level {
        return Ok(Verdict::Clean);
    }
    // The fragment must stay one node of its kind where the context put it.
    let lead = fragment.len() - fragment.trim_start().len();
    let (start, end) = (at + lead, at + fragment.trim_end().len());
    let same = root
        .descendant_for_byte_range(start, end)
        .is_some_and(|n| n.start_byte() == start && n.end_byte() == end && n.kind() == anchor.kind);
    Ok(if same { Verdict::Clean } else { Verdict::OtherKind })
}
