//! The edits tried on every function body of a file: marked bodies applied
//! by symbol, checked against an expectation computed without molt's edit
//! engine, undone two ways, and broken sets that must be refused.

use std::collections::BTreeMap;

use anyhow::Result;
use molt_syntax::{apply_in_memory, body_text, index_file, Edit, EditSet, Error as SyntaxError, Item, ItemKind, Lang};

use super::figures::Figures;

/// Broken sets tried per file (each holds three edits, one broken): one per
/// this many functions, within the bounds below.
const FUNCTIONS_PER_BROKEN_SET: usize = 50;
const MIN_BROKEN_SETS: usize = 4;
const MAX_BROKEN_SETS: usize = 40;

/// Past this many false refusals in one file, the rest of its functions are
/// counted as not measured rather than retried one refusal at a time.
const MAX_RETRIES_PER_FILE: usize = 200;

/// The marker a marked body carries.
const MARK: &str = "molt-corpus";
/// One function of a file and the texts its edits use.
struct Target<'a> {
    item: &'a Item,
    body: (usize, usize),
    /// Text for `replace_body`: the marked body, relative to its indentation.
    marked: String,
    /// The bytes the marked body must become.
    marked_bytes: String,
    /// The original body, relative: replace_body with it restores the file.
    original: String,
    /// A broken variant, relative, and its bytes.
    broken: String,
    broken_bytes: String,
}

/// The line ranges (header to body start) of a file's functions.
pub(super) struct FileLines {
    pub(super) found: Vec<(usize, usize)>,
    pub(super) edited: Vec<(usize, usize)>,
}

pub(super) fn file(key: &str, text: &str, fig: &mut Figures, verbose: bool) -> Result<FileLines> {
    let index = index_file(key, text.as_bytes()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let lang = index.lang;
    let mut targets = Vec::new();
    let mut lines = FileLines { found: Vec::new(), edited: Vec::new() };
    for item in &index.items {
        let Some(body) = item.body else { continue };
        if !matches!(item.kind, ItemKind::Function | ItemKind::Method) {
            continue;
        }
        fig.functions += 1;
        lines.found.push((item.span.start_line, body.start_line));
        match target(lang, text, item, (body.start, body.end)) {
            Some(t) => targets.push(t),
            None => fig.not_tried += 1,
        }
    }
    // Rounds of functions that do not nest in each other.
    let mut left: Vec<&Target> = targets.iter().collect();
    let mut retries = 0;
    let mut applied_all: Vec<&Target> = Vec::new();
    while !left.is_empty() {
        let mut round: Vec<&Target> = Vec::new();
        let mut later = Vec::new();
        for t in left {
            if round.iter().any(|r| r.body.0 < t.body.1 && t.body.0 < r.body.1) {
                later.push(t);
            } else {
                round.push(t);
            }
        }
        left = later;
        fig.attempted += round.len();
        // Apply, dropping what is refused, until the set applies.
        let applied = loop {
            if round.is_empty() {
                break None;
            }
            if retries > MAX_RETRIES_PER_FILE {
                fig.attempted -= round.len();
                fig.not_measured += round.len();
                round.clear();
                break None;
            }
            let set = EditSet::new(
                round
                    .iter()
                    .map(|t| Edit::ReplaceBody { symbol: t.item.path.clone(), text: t.marked.clone() })
                    .collect(),
            );
            let mut files = BTreeMap::from([(key.to_owned(), text.to_owned())]);
            match apply_in_memory(&mut files, &set) {
                Ok(applied) => break Some((files.remove(key).unwrap_or_default(), applied)),
                Err(SyntaxError::Edit { index, source, .. }) if index < round.len() => {
                    retries += 1;
                    fig.refused_valid += 1;
                    let t = round.remove(index);
                    fig.sample(format!("refused valid edit {}: {source}", t.item.path));
                    if verbose {
                        eprintln!("refused valid edit {}: {source}", t.item.path);
                    }
                }
                Err(e) => {
                    // Not an edit's fault (nothing should get here): count
                    // the whole round as refused.
                    fig.refused_valid += round.len();
                    fig.sample(format!("{key}: {e}"));
                    round.clear();
                }
            }
        };
        let Some((result, applied)) = applied else { continue };
        fig.applied += round.len();
        for t in &round {
            lines.edited.push((t.item.span.start_line, t.item.body.map_or(0, |b| b.start_line)));
        }
        // The expectation, from the original bytes alone.
        let mut sorted = round.clone();
        sorted.sort_by_key(|t| t.body.0);
        let expected = splice(text, sorted.iter().map(|t| (t.body, t.marked_bytes.as_str())));
        if result == expected {
            fig.exact += round.len();
        } else {
            fig.exact += round.len() - differing(&result, &sorted);
            let at = first_difference(&result, &expected);
            let line = expected[..at.min(expected.len())].matches('\n').count() + 1;
            let near = |t: &str| t.get(at.saturating_sub(40)..(at + 40).min(t.len())).unwrap_or("").to_owned();
            fig.sample(format!(
                "{key}:{line}: result differs from the expectation: {:?} instead of {:?}",
                near(&result),
                near(&expected)
            ));
        }
        // Undo by the inverse set.
        let mut files = BTreeMap::from([(key.to_owned(), result.clone())]);
        match apply_in_memory(&mut files, &applied.inverse()) {
            Ok(_) if files[key] == text => fig.undone += round.len(),
            Ok(_) => fig.sample(format!("{key}: the inverse did not restore the bytes")),
            Err(e) => fig.sample(format!("{key}: the inverse was refused: {e}")),
        }
        // Undo by replace_body with the original bodies.
        let set = EditSet::new(
            round.iter().map(|t| Edit::ReplaceBody { symbol: t.item.path.clone(), text: t.original.clone() }).collect(),
        );
        let mut files = BTreeMap::from([(key.to_owned(), result)]);
        match apply_in_memory(&mut files, &set) {
            Ok(_) if files[key] == text => fig.restored += round.len(),
            Ok(_) => {
                let at = first_difference(&files[key], text);
                let line = text[..at.min(text.len())].matches('\n').count() + 1;
                fig.restored += round.len() - differing(&files[key], &sorted).min(round.len());
                fig.sample(format!("{key}:{line}: replace_body with the original body did not restore the bytes"));
            }
            Err(e) => fig.sample(format!("{key}: replace_body with the original body was refused: {e}")),
        }
        applied_all.extend(round);
    }
    broken_sets(key, text, &applied_all, fig);
    Ok(lines)
}

/// Sets of three applied functions (in text order) with one broken edit,
/// each at a different place in the set.
fn broken_sets(key: &str, text: &str, applied: &[&Target], fig: &mut Figures) {
    let mut sorted: Vec<&Target> = applied.to_vec();
    sorted.sort_by_key(|t| t.body.0);
    sorted.dedup_by_key(|t| t.body.0);
    // Non-nested neighbours only.
    let mut flat: Vec<&Target> = Vec::new();
    for t in sorted {
        if flat.last().is_none_or(|l| l.body.1 <= t.body.0) {
            flat.push(t);
        }
    }
    if flat.len() < 3 {
        return;
    }
    let sets = (flat.len() / FUNCTIONS_PER_BROKEN_SET).clamp(MIN_BROKEN_SETS, MAX_BROKEN_SETS);
    let step = (flat.len() / sets).max(1);
    for n in 0..sets {
        let first = n * step;
        if first + 3 > flat.len() {
            break;
        }
        let three = &flat[first..first + 3];
        let bad = n % 3;
        // The set lists the edits in a shifted order, so the broken one is
        // not simply the last in the text.
        let order: Vec<usize> = (0..3).map(|i| (i + n) % 3).collect();
        let edits = order
            .iter()
            .map(|&i| {
                let t = three[i];
                let body = if i == bad { &t.broken } else { &t.marked };
                Edit::ReplaceBody { symbol: t.item.path.clone(), text: body.clone() }
            })
            .collect();
        let bad_index = order.iter().position(|&i| i == bad).unwrap_or(0);
        // Where the broken body sits in the text the set would make.
        let pieces = (0..3).map(|i| {
            let t = three[i];
            (t.body, if i == bad { t.broken_bytes.as_str() } else { t.marked_bytes.as_str() })
        });
        let would = splice(text, pieces);
        let shift: isize =
            (0..bad).map(|i| three[i].marked_bytes.len() as isize - (three[i].body.1 - three[i].body.0) as isize).sum();
        let start = (three[bad].body.0 as isize + shift) as usize;
        let end = start + three[bad].broken_bytes.len();
        let first_line = would[..start].matches('\n').count() + 1;
        let last_line = would[..end].matches('\n').count() + 1;
        fig.broken_sets += 1;
        let mut files = BTreeMap::from([(key.to_owned(), text.to_owned())]);
        match apply_in_memory(&mut files, &EditSet::new(edits)) {
            Ok(_) => fig.sample(format!("{key}: a broken set was APPLIED ({})", three[bad].item.path)),
            Err(SyntaxError::Edit { index, source, .. }) => {
                fig.broken_refused += 1;
                if files[key] != text {
                    fig.sample(format!("{key}: a refused set changed the text"));
                }
                if index == bad_index {
                    fig.named_right += 1;
                    match *source {
                        SyntaxError::BrokenSyntax { line, .. } if (first_line..=last_line).contains(&line) => {
                            fig.right_line += 1
                        }
                        other => fig.sample(format!(
                            "{}: refusal outside lines {first_line}-{last_line}: {other}",
                            three[bad].item.path
                        )),
                    }
                } else {
                    fig.sample(format!("{}: the refusal named edit {index}: {source}", three[bad].item.path));
                }
            }
            Err(e) => {
                fig.broken_refused += 1;
                fig.sample(format!("{key}: refused, but not by an edit: {e}"));
            }
        }
    }
}

/// The texts of one function's edits. The texts molt takes come from
/// [`body_text`] (the body in the form `replace_body` takes); the bytes they
/// must become come from the original bytes alone.
fn target<'a>(lang: Lang, text: &str, item: &'a Item, body: (usize, usize)) -> Option<Target<'a>> {
    let raw = &text[body.0..body.1];
    let original = body_text(text, item)?;
    let (marked, broken, marked_bytes, broken_bytes) = if lang.uses_braces() {
        if !raw.starts_with('{') || !raw.ends_with('}') || !original.ends_with('}') {
            return None;
        }
        let mark = format!("{{ /* {MARK} */");
        (
            format!("{mark}{}", &original[1..]),
            format!("{mark}{}", &original[1..original.len() - 1]),
            format!("{mark}{}", &raw[1..]),
            format!("{mark}{}", &raw[1..raw.len() - 1]),
        )
    } else {
        match indent_at(text, body.0) {
            // `def f(): return 1`: simple statements on the header's line.
            None => (
                format!("pass; {original}"),
                format!("return ); {original}"),
                format!("pass; {raw}"),
                format!("return ); {raw}"),
            ),
            // A comment line above the statements: what a person or a model
            // writes, and what `replace_body` must be able to take out again.
            Some(indent) => (
                format!("# {MARK}\n{original}"),
                format!("return )  # {MARK}\n{original}"),
                format!("# {MARK}\n{indent}{raw}"),
                format!("return )  # {MARK}\n{indent}{raw}"),
            ),
        }
    };
    Some(Target { item, body, marked, marked_bytes, original, broken, broken_bytes })
}

/// The whitespace before `at` on its line, if only whitespace precedes it.
fn indent_at(text: &str, at: usize) -> Option<&str> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let lead = &text[start..at];
    lead.chars().all(|c| c == ' ' || c == '\t').then_some(lead)
}

/// `text` with each (range, replacement) spliced in; ranges sorted, disjoint.
pub(super) fn splice<'t>(text: &str, pieces: impl IntoIterator<Item = ((usize, usize), &'t str)>) -> String {
    let mut out = String::with_capacity(text.len() + 4096);
    let mut at = 0;
    for ((start, end), new) in pieces {
        out.push_str(&text[at..start]);
        out.push_str(new);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

fn first_difference(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()))
}

/// How many of `targets` (sorted) do not have their marked bytes in
/// `result` where the expectation puts them.
fn differing(result: &str, targets: &[&Target]) -> usize {
    let mut shift: isize = 0;
    let mut bad = 0;
    for t in targets {
        let start = (t.body.0 as isize + shift) as usize;
        if result.get(start..start + t.marked_bytes.len()) != Some(t.marked_bytes.as_str()) {
            bad += 1;
        }
        shift += t.marked_bytes.len() as isize - (t.body.1 - t.body.0) as isize;
    }
    bad.max(1)
}
