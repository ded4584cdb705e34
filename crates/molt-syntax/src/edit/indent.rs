//! Indentation of the texts edits take and give: relative to their own
//! first line, so that a text fits an item at any depth.
//!
//! Two kinds of line are never re-indented, in either direction: lines of
//! nothing but whitespace (a `\r` of a CRLF file included), which carry no
//! indentation to adjust, and lines that start inside a multi-line string
//! literal (a docstring, a raw string, a text block), which are the
//! literal's content: indenting them would change what the program says.
//! Both are kept exactly as written, which is what makes [`item_text`] and
//! [`body_text`] the exact inverses of what `replace_item` and
//! `replace_body` do with a text.

use super::resolve::indent_at;
use crate::index::Item;
use crate::lang::{grammar, Lang};
use crate::parse::parse_tree;
use crate::repo::split_symbol;

/// `text` relative to its first line: common indentation removed, trailing
/// whitespace at the end dropped, then every line after the first prefixed
/// by `indent`, except the lines kept as written (see the module doc).
pub(crate) fn reindent(text: &str, indent: &str, lang: Lang) -> String {
    let text = text.trim_end();
    let text = text.trim_start_matches(['\n', '\r']);
    let verbatim = verbatim_lines(lang, text);
    let common = text
        .split('\n')
        .zip(&verbatim)
        .filter(|(_, v)| !**v)
        .map(|(l, _)| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(text.len() + 64);
    for (n, (line, keep)) in text.split('\n').zip(&verbatim).enumerate() {
        if n > 0 {
            out.push('\n');
        }
        if *keep {
            out.push_str(line);
            continue;
        }
        if n > 0 {
            out.push_str(indent);
        }
        out.push_str(&line[common..]);
    }
    out
}

/// An item's text in the form edits take: lines after the first lose the
/// item's own indentation. Replacing the item with this text is a no-op.
pub fn item_text(file_text: &str, item: &Item) -> String {
    let indent = indent_at(file_text, item.span.start);
    relative(&file_text[item.span.start..item.span.end], indent, lang_of(item, file_text))
}

/// An item's body in the form `replace_body` takes (lines after the first
/// lose the indentation `replace_body` gives them), or `None` when the item
/// has no body. Replacing the body with this text is a no-op.
pub fn body_text(file_text: &str, item: &Item) -> Option<String> {
    let body = item.body?;
    let lang = lang_of(item, file_text);
    // As `replace_body` does: a brace body goes at the item's indentation,
    // an indented block at its first line's.
    let at = if lang.uses_braces() { item.span.start } else { body.start };
    Some(relative(&file_text[body.start..body.end], indent_at(file_text, at), lang))
}

/// `raw` with `indent` taken off the start of every line after the first,
/// except the lines kept as written: the inverse of [`reindent`] with the
/// [`effective_indent`] of `raw`.
fn relative(raw: &str, indent: &str, lang: Lang) -> String {
    if indent.is_empty() || !raw.contains('\n') {
        return raw.to_owned();
    }
    let verbatim = verbatim_lines(lang, raw);
    let indent = common_lead(raw, &verbatim, indent);
    raw.split('\n')
        .zip(&verbatim)
        .enumerate()
        .map(|(n, (line, keep))| if n == 0 || *keep { line } else { line.strip_prefix(indent).unwrap_or(line) })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The indentation the lines of an item's (or body's) current text `raw`
/// really share with its first line's `indent`: less than `indent` when a
/// line of code sits further left than the item's first line (` MEM_STATIC
/// f(void)` with its `}` at column 0). Edits of that text indent by this, so
/// that writing back [`item_text`] or [`body_text`] changes nothing.
pub(crate) fn effective_indent<'i>(lang: Lang, raw: &str, indent: &'i str) -> &'i str {
    if indent.is_empty() || !raw.contains('\n') {
        return indent;
    }
    common_lead(raw, &verbatim_lines(lang, raw), indent)
}

/// The longest start of `indent` that every line after the first (but those
/// kept as written) starts with.
fn common_lead<'i>(raw: &str, verbatim: &[bool], indent: &'i str) -> &'i str {
    let mut len = indent.len();
    for (line, keep) in raw.split('\n').zip(verbatim).skip(1) {
        if *keep {
            continue;
        }
        let shared = line.bytes().zip(indent.bytes()).take(len).take_while(|(a, b)| a == b).count();
        len = len.min(shared);
    }
    &indent[..len]
}

/// The language of an item, from its file's path and text (C when unknown,
/// which only matters for finding string literals).
fn lang_of(item: &Item, file_text: &str) -> Lang {
    Lang::from_source(split_symbol(&item.path).0, file_text.as_bytes()).unwrap_or(Lang::C)
}

/// For each line of `text` (split at `\n`), whether it is kept as written:
/// whitespace only, or starting inside a multi-line string literal.
pub(crate) fn verbatim_lines(lang: Lang, text: &str) -> Vec<bool> {
    let mut out: Vec<bool> = text.split('\n').map(|l| l.trim().is_empty()).collect();
    if out.len() < 2 {
        return out;
    }
    let literals = multi_line_literals(lang, text);
    if literals.is_empty() {
        return out;
    }
    let mut start = 0;
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 && literals.iter().any(|&(s, e)| s < start && start < e) {
            out[n] = true;
        }
        start += line.len() + 1;
    }
    out
}

/// The byte ranges of the string literals in `text` that span lines. The
/// text is parsed bare or, when that fails, in the grammar's fragment
/// contexts (a body's statements are not a file); with errors everywhere,
/// the bare parse's literals are still the best guess.
fn multi_line_literals(lang: Lang, text: &str) -> Vec<(usize, usize)> {
    let mut contexts = vec!["{}"];
    if let Some(g) = grammar(lang) {
        contexts.extend_from_slice(g.pattern_contexts());
    }
    let mut fallback = None;
    for context in contexts {
        let Some(at) = context.find("{}") else { continue };
        let wrapped = format!("{}{text}{}", &context[..at], &context[at + 2..]);
        let Ok(tree) = parse_tree(lang, wrapped.as_bytes(), None) else { return Vec::new() };
        let found = literals_in(tree.root_node(), at, text.len());
        if !tree.root_node().has_error() {
            return found;
        }
        fallback.get_or_insert(found);
    }
    fallback.unwrap_or_default()
}

fn literals_in(root: tree_sitter::Node<'_>, at: usize, len: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    let mut cursor = root.walk();
    while let Some(node) = stack.pop() {
        if node.start_position().row == node.end_position().row {
            continue;
        }
        if is_string_literal(node.kind()) {
            let start = node.start_byte().saturating_sub(at).min(len);
            let end = node.end_byte().saturating_sub(at).min(len);
            out.push((start, end));
            continue;
        }
        stack.extend(node.children(&mut cursor));
    }
    out
}

/// String literal node kinds across the grammars (not their parts, and not
/// Python's `concatenated_string`, whose lines between the parts are code).
fn is_string_literal(kind: &str) -> bool {
    matches!(
        kind,
        "string"
            | "string_literal"
            | "raw_string_literal"
            | "interpreted_string_literal"
            | "template_string"
            | "text_block"
    )
}
