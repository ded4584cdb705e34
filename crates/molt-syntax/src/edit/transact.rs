//! The transaction: edits grouped by file, each file's edits resolved
//! against its text before the set, checked for overlap, spliced in one
//! pass and re-parsed incrementally; the gate says whether the splices added
//! a syntax error, and which edit to blame.

use std::collections::BTreeMap;

use tree_sitter::{InputEdit, Point, Tree};

use super::resolve::resolve;
use super::source::Source;
use super::validate::{broken, check_rust, first_error, syn_error};
use super::{gate, Applied, Edit, EditSet, FileChange, Splice};
use crate::compiler::ProjectMacros;
use crate::index::index_tree;
use crate::lang::Lang;
use crate::mask::Masks;
use crate::parse::{parse_masked, parse_tree_in};
use crate::{Error, Result};

pub(super) fn transact(source: &dyn Source, set: &EditSet) -> Result<Applied> {
    let mut by_file: BTreeMap<String, Vec<(usize, &Edit)>> = BTreeMap::new();
    for (i, edit) in set.edits.iter().enumerate() {
        by_file.entry(edit.file()).or_default().push((i, edit));
    }
    let mut applied = Applied::default();
    for (path, edits) in by_file {
        if let Some(change) = edit_file(source, &path, &edits)? {
            applied.changes.push(change);
        }
    }
    Ok(applied)
}

pub(super) fn wrap(index: usize, edit: &Edit, source: Error) -> Error {
    Error::Edit { index, what: edit.describe(), source: Box::new(source) }
}

fn edit_file(source: &dyn Source, path: &str, edits: &[(usize, &Edit)]) -> Result<Option<FileChange>> {
    let (first, first_edit) = edits[0];
    let before = source.read(path).map_err(|e| wrap(first, first_edit, e))?;
    // Creating and deleting whole files stand alone.
    for &(i, edit) in edits {
        let alone = matches!(edit, Edit::CreateFile { .. } | Edit::DeleteFile { .. });
        if alone && edits.len() > 1 {
            let other = edits.iter().find(|(j, _)| *j != i).map_or(i, |(j, _)| *j);
            return Err(Error::Overlap { path: path.to_owned(), first: i.min(other), second: i.max(other) });
        }
    }
    match (first_edit, before) {
        (Edit::CreateFile { text, .. }, None) => {
            if let Some(lang) = Lang::from_source(path, text.as_bytes()).filter(|l| l.is_enabled() && !source.recipe())
            {
                let tree = parse_tree_in(lang, text.as_bytes(), None, source.project())?;
                if let Some(err) = first_error(tree.root_node()) {
                    return Err(wrap(first, first_edit, broken(path, text, err)));
                }
                if lang == Lang::Rust {
                    syn::parse_file(text).map_err(|e| wrap(first, first_edit, syn_error(path, &e)))?;
                }
            }
            Ok(Some(FileChange { path: path.to_owned(), before: None, after: Some(text.clone()), splices: Vec::new() }))
        }
        (Edit::CreateFile { .. }, Some(_)) => {
            Err(wrap(first, first_edit, Error::Invalid(format!("{path} already exists"))))
        }
        (Edit::DeleteFile { .. }, Some(before)) => {
            Ok(Some(FileChange { path: path.to_owned(), before: Some(before), after: None, splices: Vec::new() }))
        }
        (_, None) => Err(wrap(first, first_edit, Error::Invalid(format!("{path} does not exist")))),
        (_, Some(before)) if source.recipe() && Lang::from_path(path).is_none() => splice_text(path, before, edits),
        (_, Some(before)) if source.recipe() => recipe_text(path, before, edits, source.project()),
        (_, Some(before)) => edit_text(path, before, edits, source.project()),
    }
}

/// A recipe's splices of a file in a known language. A recipe copies whole
/// items (an x86 copy beside a ported one), so an error tree-sitter already
/// had in the item (a macro it cannot read in a parameter list) appears twice
/// afterwards, which the agents' gate counts as new. Such a set is taken when
/// every error in the result repeats, by its text, an error the file already
/// had; one error of a new text refuses the set, with the gate's message.
fn recipe_text(
    path: &str,
    before: String,
    edits: &[(usize, &Edit)],
    project: Option<&ProjectMacros>,
) -> Result<Option<FileChange>> {
    let refusal = match edit_text(path, before.clone(), edits, project) {
        Ok(change) => return Ok(change),
        Err(e) => e,
    };
    let Some(lang) = Lang::from_source(path, before.as_bytes()).filter(|l| l.is_enabled()) else { return Err(refusal) };
    let Some(change) = splice_text(path, before.clone(), edits)? else { return Err(refusal) };
    let after = change.after.as_deref().unwrap_or_default();
    let old = error_texts(lang, &before, project)?;
    let new = error_texts(lang, after, project)?;
    if new.iter().all(|t| old.contains(t)) {
        Ok(Some(change))
    } else {
        Err(refusal)
    }
}

/// The text of each error and missing node of `text`'s tree, trimmed.
fn error_texts(lang: Lang, text: &str, project: Option<&ProjectMacros>) -> Result<std::collections::BTreeSet<String>> {
    let tree = parse_tree_in(lang, text.as_bytes(), None, project)?;
    let mut out = std::collections::BTreeSet::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if !node.has_error() {
            continue;
        }
        if node.is_error() || node.is_missing() {
            let what = if node.is_missing() {
                format!("missing {}", node.kind())
            } else {
                text[node.byte_range()].trim().to_owned()
            };
            out.insert(what);
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    Ok(out)
}

/// A recipe's splices of a file molt has no grammar for, applied as text:
/// each must find its `old` text, and none may overlap another.
fn splice_text(path: &str, before: String, edits: &[(usize, &Edit)]) -> Result<Option<FileChange>> {
    let mut splices = Vec::new();
    for &(i, edit) in edits {
        let Edit::Splice { start, old, text, .. } = edit else {
            return Err(wrap(i, edit, Error::UnknownLanguage(path.to_owned())));
        };
        let end = start.checked_add(old.len()).unwrap_or(usize::MAX);
        if before.get(*start..end) != Some(old.as_str()) {
            let why = format!("the text at byte {start} is not the expected `old` text");
            return Err(wrap(i, edit, Error::Invalid(why)));
        }
        splices.push(Splice { start: *start, end, text: text.clone(), edit: i });
    }
    splices.sort_by_key(|s| (s.start, s.end));
    if let Some(pair) = splices.windows(2).find(|p| p[1].start < p[0].end) {
        let (a, b) = (pair[0].edit, pair[1].edit);
        return Err(Error::Overlap { path: path.to_owned(), first: a.min(b), second: a.max(b) });
    }
    let mut after = String::with_capacity(before.len());
    let mut at = 0;
    for s in &splices {
        after.push_str(&before[at..s.start]);
        after.push_str(&s.text);
        at = s.end;
    }
    after.push_str(&before[at..]);
    if after == before {
        return Ok(None);
    }
    Ok(Some(FileChange { path: path.to_owned(), before: Some(before), after: Some(after), splices }))
}

fn edit_text(
    path: &str,
    before: String,
    edits: &[(usize, &Edit)],
    project: Option<&ProjectMacros>,
) -> Result<Option<FileChange>> {
    // A `.h` header is parsed as what its text is, C or C++, before and after the edits alike.
    let lang = Lang::from_source(path, before.as_bytes()).ok_or_else(|| Error::UnknownLanguage(path.to_owned()))?;
    let tree = parse_tree_in(lang, before.as_bytes(), None, project)?;
    let index = index_tree(path, lang, before.as_bytes(), &tree, project)?;
    let mut splices = Vec::new();
    for &(i, edit) in edits {
        if let Some(s) = resolve(edit, i, &before, &index, &tree).map_err(|e| wrap(i, edit, e))? {
            splices.push(s);
        }
    }
    if splices.is_empty() {
        return Ok(None);
    }
    splices.sort_by_key(|s| (s.start, s.end));
    for pair in splices.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.start < a.end || (a.start == b.start && a.end == b.end && a.end > a.start) {
            return Err(Error::Overlap {
                path: path.to_owned(),
                first: a.edit.min(b.edit),
                second: a.edit.max(b.edit),
            });
        }
    }
    let (text, broken) = splice_and_check(lang, project, &before, &tree, &splices)?;
    if let Some(mut err) = broken {
        // Without a clean anchor to blame, an error that several edits
        // touch may be any one's: the first of them that breaks the parse on
        // its own is the one to name, at its place in the whole result.
        if err.suspects.len() > 1 {
            let mut suspects = std::mem::take(&mut err.suspects);
            suspects.sort_unstable();
            suspects.dedup();
            for &e in suspects.iter().take(MAX_SUSPECTS) {
                let alone: Vec<Splice> = splices.iter().filter(|s| s.edit == e).cloned().collect();
                if let (_, Some(sub)) = splice_and_check(lang, project, &before, &tree, &alone)? {
                    let at = to_whole(sub.at, &alone, &splices).min(text.len());
                    let p = point(&text, at);
                    err = gate::NewError { line: p.row + 1, column: p.column + 1, at, ..sub };
                    break;
                }
            }
        }
        let what = edits.iter().find(|(i, _)| *i == err.edit).map(|(_, e)| e.describe()).unwrap_or_default();
        let source =
            Error::BrokenSyntax { path: path.to_owned(), line: err.line, column: err.column, message: err.message };
        return Err(Error::Edit { index: err.edit, what, source: Box::new(source) });
    }
    if lang == Lang::Rust {
        check_rust(path, &before, &text, &splices, edits)?;
    }
    Ok(Some(FileChange { path: path.to_owned(), before: Some(before), after: Some(text), splices }))
}

/// How many edits a refusal tries one by one to find the one that breaks
/// the parse on its own (each try re-parses the file).
const MAX_SUSPECTS: usize = 16;

/// Applies `splices` (sorted, disjoint) to `before`, re-parses
/// incrementally from `tree` (the tree of `before`) and asks the gate for a
/// syntax error the splices added.
fn splice_and_check(
    lang: Lang,
    project: Option<&ProjectMacros>,
    before: &str,
    tree: &Tree,
    splices: &[Splice],
) -> Result<(String, Option<gate::NewError>)> {
    // One pass over the text, tracking the row and column of its end, so
    // that thousands of splices in a large file (a body edit per function
    // of an amalgamation) cost one copy, not one copy each.
    let mut text = String::with_capacity(before.len() + splices.iter().map(|s| s.text.len()).sum::<usize>());
    let mut edited = tree.clone();
    let mut at = 0;
    let mut end = Point { row: 0, column: 0 };
    for s in splices {
        text.push_str(&before[at..s.start]);
        end = advance(end, &before[at..s.start]);
        let start_byte = text.len();
        let start_position = end;
        text.push_str(&s.text);
        end = advance(end, &s.text);
        edited.edit(&InputEdit {
            start_byte,
            old_end_byte: start_byte + (s.end - s.start),
            new_end_byte: text.len(),
            start_position,
            old_end_position: advance(start_position, &before[s.start..s.end]),
            new_end_position: end,
        });
        at = s.end;
    }
    text.push_str(&before[at..]);
    // An edit that adds or removes a `#define` of a declaration macro masks
    // the whole file differently: then the old tree is no guide.
    let old_masks = Masks::of_in(lang, before.as_bytes(), project);
    let new_masks = Masks::of_in(lang, text.as_bytes(), project);
    let reuse = (old_masks == new_masks).then_some(&edited);
    let new_tree = parse_masked(lang, text.as_bytes(), reuse, &new_masks)?;
    // The gate sees each splice narrowed to the bytes it really changes: a
    // body replaced by itself plus one line keeps its old errors (and their
    // places) outside the change.
    let narrow: Vec<Splice> = splices.iter().map(|s| narrowed(before, s)).collect();
    let masks = (&old_masks, &new_masks);
    let broken = gate::first_new_error(lang, masks, before, tree, &text, &new_tree, &narrow)?;
    Ok((text, broken))
}

/// Offset `at` of the text made by the splices `some` moved to the text made
/// by all of `all` (a superset, both sorted).
pub(super) fn to_whole(at: usize, some: &[Splice], all: &[Splice]) -> usize {
    // Back to the original text (or into one of `some`'s new texts).
    let mut shift: isize = 0;
    let mut inside: Option<(usize, usize)> = None;
    for s in some {
        let new_start = (s.start as isize + shift) as usize;
        if at < new_start {
            break;
        }
        if at <= new_start + s.text.len() {
            inside = Some((s.start, at - new_start));
            break;
        }
        shift += s.text.len() as isize - (s.end - s.start) as isize;
    }
    let (old, extra) = match inside {
        Some((start, into)) => (start, into),
        None => ((at as isize - shift) as usize, 0),
    };
    // Forward through all splices.
    let mut shift: isize = 0;
    for s in all {
        if s.start > old || (s.start == old && inside.is_some()) {
            break;
        }
        if old < s.end {
            break;
        }
        shift += s.text.len() as isize - (s.end - s.start) as isize;
    }
    (old as isize + shift) as usize + extra
}

/// `s` without the bytes at its ends that it leaves as they were (cut at
/// character boundaries).
pub(super) fn narrowed(text: &str, s: &Splice) -> Splice {
    let old = &text[s.start..s.end];
    let new = s.text.as_str();
    let mut prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
    while !(old.is_char_boundary(prefix) && new.is_char_boundary(prefix)) {
        prefix -= 1;
    }
    let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
    let mut suffix = old_rest.bytes().rev().zip(new_rest.bytes().rev()).take_while(|(a, b)| a == b).count();
    while !(old_rest.is_char_boundary(old_rest.len() - suffix) && new_rest.is_char_boundary(new_rest.len() - suffix)) {
        suffix -= 1;
    }
    Splice {
        start: s.start + prefix,
        end: s.end - suffix,
        text: new_rest[..new_rest.len() - suffix].to_owned(),
        edit: s.edit,
    }
}

/// The position just past `text` when it starts at `from`.
fn advance(from: Point, text: &str) -> Point {
    match text.rfind('\n') {
        Some(last) => {
            Point { row: from.row + memchr::memchr_iter(b'\n', text.as_bytes()).count(), column: text.len() - last - 1 }
        }
        None => Point { row: from.row, column: from.column + text.len() },
    }
}

pub(super) fn point(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let column = offset - before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    Point { row, column }
}
