//! Resolution: an edit addressed by symbol turned into a byte splice of
//! the file's text before the set, with its indentation.

use tree_sitter::{Node, Tree};

use super::indent::{effective_indent, reindent};
use super::{Edit, Splice};
use crate::index::FileIndex;
use crate::lang::{grammar, ImportPlace, Lang};
use crate::repo::resolve_in;
use crate::{Error, Result};

/// Byte offset where the line holding `offset` starts.
pub(super) fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The whitespace before the item on its first line ("" if code precedes it).
pub(super) fn indent_at(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let prefix = &text[start..offset];
    if prefix.chars().all(|c| c == ' ' || c == '\t') {
        prefix
    } else {
        ""
    }
}

/// The innermost conditional block (C's `#if`/`#ifdef`) around byte `at`.
fn conditional_around<'t>(lang: Lang, tree: &'t Tree, at: usize, end: usize) -> Option<Node<'t>> {
    let grammar = grammar(lang)?;
    let mut node = tree.root_node().descendant_for_byte_range(at, end)?;
    loop {
        if grammar.conditional_block(node.kind()) {
            return Some(node);
        }
        node = node.parent()?;
    }
}

pub(super) fn resolve(
    edit: &Edit,
    index_in_set: usize,
    text: &str,
    index: &FileIndex,
    tree: &Tree,
) -> Result<Option<Splice>> {
    let splice = |start, end, text: String| Ok(Some(Splice { start, end, text, edit: index_in_set }));
    let item = |symbol: &str| resolve_in(index, symbol);
    let lang = index.lang;
    match edit {
        Edit::ReplaceItem { symbol, text: new, whole_conditional } => {
            let item = item(symbol)?;
            let (start, end) = if *whole_conditional {
                let node = conditional_around(lang, tree, item.span.start, item.span.end)
                    .ok_or_else(|| Error::Invalid(format!("{} is not inside an #if block", item.path)))?;
                (node.start_byte(), trim_newline_end(text, node.end_byte()))
            } else {
                (item.span.start, item.span.end)
            };
            let indent = effective_indent(lang, &text[start..end], indent_at(text, start));
            splice(start, end, reindent(new, indent, lang))
        }
        Edit::ReplaceBody { symbol, text: new } => {
            let item = item(symbol)?;
            let body = item.body.ok_or_else(|| Error::Invalid(format!("{} has no body", item.path)))?;
            let indent = indent_at(text, item.span.start);
            let new = if lang.uses_braces() && !new.trim_start().starts_with('{') {
                let unit = indent_unit(text);
                let inner = reindent(new, &format!("{indent}{unit}"), lang);
                format!("{{\n{indent}{unit}{inner}\n{indent}}}")
            } else if lang.uses_braces() {
                reindent(new, effective_indent(lang, &text[body.start..body.end], indent), lang)
            } else {
                let indent = effective_indent(lang, &text[body.start..body.end], indent_at(text, body.start));
                reindent(new, indent, lang)
            };
            splice(body.start, body.end, new)
        }
        Edit::InsertBefore { symbol, text: new } => {
            let item = item(symbol)?;
            let indent = indent_at(text, item.span.start);
            let at = item.span.start - indent.len();
            splice(at, at, format!("{indent}{}\n\n", reindent(new, indent, lang)))
        }
        Edit::InsertAfter { symbol, text: new } => {
            let item = item(symbol)?;
            let indent = indent_at(text, item.span.start);
            splice(item.span.end, item.span.end, format!("\n\n{indent}{}", reindent(new, indent, lang)))
        }
        Edit::DeleteItem { symbol, whole_conditional } => {
            let item = item(symbol)?;
            let (start, end) = if *whole_conditional {
                let node = conditional_around(lang, tree, item.span.start, item.span.end)
                    .ok_or_else(|| Error::Invalid(format!("{} is not inside an #if block", item.path)))?;
                (node.start_byte(), trim_newline_end(text, node.end_byte()))
            } else {
                (item.span.start, item.span.end)
            };
            let (start, end) = whole_lines(text, start, end);
            splice(start, end, String::new())
        }
        Edit::AddInclude { text: line, .. } => {
            let line = line.trim();
            if line.is_empty() {
                return Err(Error::Invalid("the include text is empty".to_owned()));
            }
            if text.lines().any(|l| l.trim() == line) {
                return Ok(None);
            }
            match grammar(lang).and_then(|g| g.place_import(tree.root_node(), text, line)) {
                Some(ImportPlace::Present) => return Ok(None),
                Some(ImportPlace::Insert { at, text: new }) => return splice(at, at, new),
                None => {}
            }
            let top_level: Vec<_> = index.imports.iter().filter(|i| indent_at(text, i.span.start).is_empty()).collect();
            match top_level.last() {
                Some(last) => {
                    let end = trim_newline_end(text, last.span.end);
                    splice(end, end, format!("\n{line}"))
                }
                None => {
                    let at = preamble_end(text, index.lang);
                    let blank = if text[at..].starts_with('\n') || text[at..].is_empty() { "" } else { "\n" };
                    splice(at, at, format!("{line}\n{blank}"))
                }
            }
        }
        Edit::Splice { start, old, text: new, .. } => {
            // `start` comes from outside (a JSON edit set): it may be anything.
            let end = start.checked_add(old.len()).unwrap_or(usize::MAX);
            if text.get(*start..end) != Some(old.as_str()) {
                return Err(Error::Invalid(format!("the text at byte {start} is not the expected `old` text")));
            }
            splice(*start, end, new.clone())
        }
        Edit::CreateFile { .. } | Edit::DeleteFile { .. } => Err(Error::Invalid("a whole-file edit".to_owned())),
    }
}

/// `end` moved back before a newline the node swallowed (`#endif\n`).
fn trim_newline_end(text: &str, end: usize) -> usize {
    let mut end = end;
    while end > 0 && matches!(text.as_bytes()[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    end
}

/// The lines `start..end` sit on, with their newline, plus one blank line
/// when the deletion would otherwise leave two blank lines in a row.
pub(super) fn whole_lines(text: &str, start: usize, end: usize) -> (usize, usize) {
    let ls = line_start(text, start);
    let start = if text[ls..start].trim().is_empty() { ls } else { start };
    let rest = &text[end..];
    let eol = rest.find('\n').map_or(text.len(), |i| end + i + 1);
    let mut end = if text[end..eol].trim().is_empty() { eol } else { end };
    let blank_before = start == 0 || text[..start].ends_with("\n\n");
    if blank_before {
        let next = &text[end..];
        let next_eol = next.find('\n').map(|i| end + i + 1);
        if let Some(e) = next_eol {
            if text[end..e].trim().is_empty() {
                end = e;
            }
        }
    }
    (start, end)
}

/// The leading lines a new include goes after: a shebang, comments, a
/// Python docstring, blank lines.
fn preamble_end(text: &str, lang: Lang) -> usize {
    let hash_comments = grammar(lang).is_some_and(|g| g.hash_comments());
    let mut at = 0;
    let mut in_block = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        let comment = if in_block {
            if t.contains("*/") {
                in_block = false;
            }
            true
        } else if t.starts_with("/*") {
            in_block = !t.contains("*/");
            true
        } else {
            t.starts_with("//") || t.starts_with("#!") || (hash_comments && t.starts_with('#'))
        };
        if !comment {
            break;
        }
        at += line.len();
    }
    at
}

/// The file's indentation step, guessed from its first indented line.
fn indent_unit(text: &str) -> String {
    for line in text.lines() {
        let lead: String = line.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        if !lead.is_empty() && !line.trim().is_empty() && !line.trim_start().starts_with('*') {
            return if lead.starts_with('\t') { "\t".to_owned() } else { lead };
        }
    }
    "    ".to_owned()
}
