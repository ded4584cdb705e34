//! The syntax gate of an edit set: does the edited text have a syntax error
//! that the original did not have, and if so, which edit put it there?
//!
//! "Any ERROR node touching an edit" is the wrong question on real code: a
//! macro tree-sitter cannot read, or one broken line in a 250,000-line
//! amalgamation, can make it wrap a large region in a single ERROR node, and
//! every edit inside that region would be refused although it changes
//! nothing about the error. So the gate asks two narrower questions.
//!
//! 1. Each edit is checked on its own ground. Its *anchor* is the smallest
//!    node of the original tree that holds the edit, has no error inside,
//!    and parses cleanly on its own, either bare or inside one of the
//!    grammar's fragment contexts (a C compound statement inside a function,
//!    say). The edited text of the anchor must parse cleanly in that same
//!    context, as one node of the same kind. A broken edit fails here, at
//!    the place where it broke, however lost tree-sitter was around it.
//!    When every node around the edit has an error of its own (a body
//!    tree-sitter misreads), the anchor is the smallest one that still
//!    reads as one node of its kind in a context, and the edited text must
//!    have exactly its errors, moved through the splices, and no other.
//! 2. Every ERROR or MISSING node of the whole edited file must have been
//!    there before: the same node at the same place once positions are moved
//!    through the splices, or a part of a region that was already an error
//!    (tree-sitter recovers differently around changed text). An error that
//!    touches an edit without an anchor is always new, and an edit without
//!    an anchor inside an old ERROR node is refused outright: one ERROR
//!    node that swallows the file looks the same before and after any edit,
//!    so the whole file proves nothing there.
//!
//! A file that parsed cleanly before therefore still has to parse cleanly
//! after, exactly as before; only files that already had errors gain
//! anything. The first new error is reported with the edit that made it:
//! the edit whose anchor failed, or else the edit whose text holds the
//! error (or precedes it).

use tree_sitter::Tree;

use super::transact::point;
use super::Splice;
use crate::lang::{grammar, Lang};
use crate::mask::Masks;
use crate::Result;

mod anchor;
mod fault;

use anchor::{anchor, fragment_error, fragment_faults, Anchor, Verdict};
use fault::{delta, describe, fault, move_fault, Fault};

/// A syntax error the edits added: where it is in the edited text, and the
/// index in the set of the edit to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewError {
    pub edit: usize,
    pub line: usize,
    pub column: usize,
    /// The byte offset of `line`/`column`.
    pub at: usize,
    pub message: String,
    /// The edits that may have made the error, when the blame is a guess
    /// (an error of the whole file that several edits touch), the guess first;
    /// empty when the edit's own anchor failed and the blame is certain.
    pub suspects: Vec<usize>,
}

/// Edits checked together on one piece of the original text.
#[derive(Debug, Clone)]
struct Group {
    /// The byte range in the original text (the anchor, or the splice itself
    /// when there is no anchor).
    old: (usize, usize),
    /// The same piece in the edited text.
    new: (usize, usize),
    /// The context the anchor parses cleanly in (index into the contexts),
    /// and the anchor's node kind; `None` when no anchor was found.
    anchor: Option<Anchor>,
    /// Whether an ERROR node of the original encloses the piece: tree-sitter
    /// was already lost here.
    lost: bool,
    /// The splices inside, as indices into the file's splices.
    splices: Vec<usize>,
}

/// The first syntax error in `new_text` that `old_text` did not have, with
/// the edit to blame. `splices` are sorted and disjoint, on `old_text`.
pub(crate) fn first_new_error(
    lang: Lang,
    (old_masks, new_masks): (&Masks, &Masks),
    old_text: &str,
    old_tree: &Tree,
    new_text: &str,
    new_tree: &Tree,
    splices: &[Splice],
) -> Result<Option<NewError>> {
    let new_root = new_tree.root_node();
    if !new_root.has_error() || splices.is_empty() {
        return Ok(None);
    }
    let contexts = contexts(lang);
    let mut groups = groups(lang, old_masks, &contexts, old_text, old_tree, splices)?;
    // 1. Each anchored group on its own ground.
    for n in 0..groups.len() {
        let group = &groups[n];
        let Some(anchor) = group.anchor.clone() else {
            // Inside a region tree-sitter lost its way in, the whole file
            // cannot show an error the edit adds: one ERROR node swallows
            // it. Without an anchor, the edit cannot be checked.
            if group.lost {
                let at = group.new.0;
                let message = "tree-sitter cannot read the code around this edit, so it cannot be checked".to_owned();
                let edit = blame(&groups, splices, group, at);
                return Ok(Some(new_error(new_text, at, message, edit, Vec::new())));
            }
            continue;
        };
        let fragment = &new_text[group.new.0..group.new.1];
        if let Some(old_faults) = &anchor.old_faults {
            let context = contexts[anchor.context];
            let at = context.find("{}").unwrap_or(0);
            let Some(new) = fragment_faults(lang, new_masks, context, fragment, anchor.kind)? else {
                let message = format!("the edited text is no longer one `{}`", anchor.kind);
                let edit = blame(&groups, splices, group, group.new.0);
                return Ok(Some(new_error(new_text, group.new.0, message, edit, Vec::new())));
            };
            // The group's splices, in the wrapped fragment's offsets.
            let local: Vec<Splice> = group
                .splices
                .iter()
                .map(|&i| Splice {
                    start: splices[i].start - group.old.0 + at,
                    end: splices[i].end - group.old.0 + at,
                    ..splices[i].clone()
                })
                .collect();
            let moved: Vec<Fault> = old_faults.iter().filter_map(|f| move_fault(*f, &local)).collect();
            if let Some((f, message)) = new.into_iter().find(|(f, _)| !moved.contains(f)) {
                let offset = f.start.saturating_sub(at).min(fragment.len());
                let place = group.new.0 + offset;
                let edit = blame(&groups, splices, group, place);
                return Ok(Some(new_error(new_text, place, message, edit, Vec::new())));
            }
            continue;
        }
        match fragment_error(lang, new_masks, contexts[anchor.context], fragment, &anchor)? {
            Verdict::Clean => {}
            Verdict::Broken(offset, message) => {
                let at = group.new.0 + offset;
                return Ok(Some(new_error(new_text, at, message, blame(&groups, splices, group, at), Vec::new())));
            }
            // Valid on its own but something else than before (a body that
            // ends early and goes on with a declaration): only the whole
            // file can tell, so it is judged like an edit without anchor.
            Verdict::OtherKind if group.lost => {
                let message = format!("the edited text is no longer one `{}`", anchor.kind);
                let edit = blame(&groups, splices, group, group.new.0);
                return Ok(Some(new_error(new_text, group.new.0, message, edit, Vec::new())));
            }
            Verdict::OtherKind => groups[n].anchor = None,
        }
    }
    // 2. The whole file, against the errors it had before.
    let old_faults: Vec<Fault> = crate::parse::fault_nodes(old_tree.root_node()).iter().map(|n| fault(*n)).collect();
    let moved: Vec<Fault> = old_faults.iter().filter_map(|f| move_fault(*f, splices)).collect();
    let mut new_faults = crate::parse::fault_nodes(new_root);
    new_faults.sort_by_key(|n| (n.start_byte(), n.end_byte()));
    for node in new_faults {
        let f = fault(node);
        if moved.contains(&f) {
            continue;
        }
        let touches = |g: &Group| f.start <= g.new.1 && g.new.0 <= f.end;
        let unanchored = groups.iter().any(|g| g.anchor.is_none() && touches(g));
        // Inside a region that was an error already, or touching an anchored
        // piece (checked above) where tree-sitter was already lost: only
        // tree-sitter's recovery differs.
        let excused = !unanchored
            && (moved.iter().any(|o| o.missing.is_none() && o.start <= f.start && f.end <= o.end)
                || groups.iter().any(|g| g.anchor.is_some() && g.lost && touches(g)));
        if excused {
            continue;
        }
        // Anchored pieces passed their own check: an error touching one
        // without an anchor is that one's.
        let group = groups
            .iter()
            .find(|g| g.anchor.is_none() && touches(g))
            .or_else(|| groups.iter().find(|g| touches(g)))
            .or_else(|| groups.iter().rev().find(|g| g.new.0 <= f.start));
        // An error that starts before the edit it touches (an old region
        // that grew over new code) broke where the edit starts.
        let at = match group {
            Some(g) if touches(g) => f.start.max(g.new.0),
            _ => f.start,
        };
        let edit = match group {
            Some(g) => blame(&groups, splices, g, at),
            None => splices[0].edit,
        };
        let mut suspects: Vec<usize> =
            groups.iter().filter(|g| touches(g)).flat_map(|g| g.splices.iter().map(|&i| splices[i].edit)).collect();
        suspects.sort_by_key(|&e| std::cmp::Reverse(e == edit));
        suspects.dedup();
        return Ok(Some(new_error(new_text, at, describe(node, new_text), edit, suspects)));
    }
    Ok(None)
}

/// The contexts a fragment is tried in: bare first, then the grammar's own.
fn contexts(lang: Lang) -> Vec<&'static str> {
    let mut out = vec!["{}"];
    if let Some(g) = grammar(lang) {
        out.extend_from_slice(g.pattern_contexts());
    }
    out
}

/// The splices grouped by anchor, in text order, with their ranges in the
/// edited text.
fn groups(
    lang: Lang,
    masks: &Masks,
    contexts: &[&str],
    old_text: &str,
    old_tree: &Tree,
    splices: &[Splice],
) -> Result<Vec<Group>> {
    let old_errors: Vec<Fault> = crate::parse::fault_nodes(old_tree.root_node())
        .iter()
        .map(|n| fault(*n))
        .filter(|f| f.missing.is_none())
        .collect();
    let mut pieces = Vec::with_capacity(splices.len());
    for (i, s) in splices.iter().enumerate() {
        let piece = match anchor(lang, masks, contexts, old_text, old_tree, s.start, s.end)? {
            Some((start, end, anchor)) => ((start, end), Some(anchor)),
            None => ((s.start, s.end), None),
        };
        pieces.push((piece.0, piece.1, i));
    }
    // Anchors are tree nodes, so two of them are nested or disjoint; an
    // anchor holding another takes its splices along. Sorted by start and
    // then by size, an outer piece comes before the pieces inside it.
    pieces.sort_by_key(|&((start, end), _, _)| (start, std::cmp::Reverse(end)));
    let mut merged: Vec<Group> = Vec::new();
    for (old, anchor, i) in pieces {
        if let Some(last) = merged.last_mut() {
            let inside = last.old.0 <= old.0 && old.1 <= last.old.1;
            // An insertion at the very end of a piece belongs to it.
            let overlaps = old.0 < last.old.1 || (old.0 == last.old.1 && old.0 == old.1);
            if inside || overlaps {
                if !inside {
                    // Pieces that only overlap (never two anchors) are
                    // checked by the whole-file rule alone.
                    last.anchor = None;
                    last.old.1 = last.old.1.max(old.1);
                }
                last.splices.push(i);
                continue;
            }
        }
        merged.push(Group { old, new: (0, 0), anchor, lost: false, splices: vec![i] });
    }
    let mut shift: isize = 0;
    for g in &mut merged {
        g.splices.sort_unstable();
        let own: isize = g.splices.iter().map(|&i| delta(&splices[i])).sum();
        let start = (g.old.0 as isize + shift) as usize;
        let end = (g.old.1 as isize + shift + own) as usize;
        g.new = (start, end);
        shift += own;
        g.lost = old_errors.iter().any(|e| e.start <= g.old.0 && g.old.1 <= e.end);
    }
    Ok(merged)
}

/// The edit of `group` to blame for an error at `at` (edited text): the one
/// whose new text holds `at`, else the last one before it, else the first.
fn blame(groups: &[Group], splices: &[Splice], group: &Group, at: usize) -> usize {
    // New starts of the group's splices.
    let mut shift: isize = 0;
    for g in groups {
        if std::ptr::eq(g, group) {
            break;
        }
        shift += g.splices.iter().map(|&i| delta(&splices[i])).sum::<isize>();
    }
    let mut regions = Vec::new();
    for &i in &group.splices {
        let s = &splices[i];
        let start = (s.start as isize + shift) as usize;
        regions.push((start, start + s.text.len(), s.edit));
        shift += delta(s);
    }
    regions
        .iter()
        .find(|(s, e, _)| *s <= at && at <= *e)
        .or_else(|| regions.iter().rev().find(|(s, _, _)| *s <= at))
        .or(regions.first())
        .map_or(splices[0].edit, |r| r.2)
}

fn new_error(text: &str, at: usize, message: String, edit: usize, suspects: Vec<usize>) -> NewError {
    let at = at.min(text.len());
    let p = point(text, at);
    NewError { edit, line: p.row + 1, column: p.column + 1, at, message, suspects }
}
