//! Parsing: text in, tree and diagnostics out. Broken input is data, not an
//! error: the tree holds ERROR and MISSING nodes where the parser recovered,
//! and [`diagnostics`] lists them.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use tree_sitter::{Node, Parser, Tree};

use crate::compiler::ProjectMacros;
use crate::lang::{grammar, Lang};
use crate::mask::Masks;
use crate::{Error, Result};

/// A place where the parser had to recover: an ERROR node (text it could not
/// fit into the grammar) or a MISSING node (a token it had to invent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// 1-based line and column (in bytes) of the start.
    pub line: usize,
    pub column: usize,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// A parsed text: the tree-sitter tree and what the parser had to recover from.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub lang: Lang,
    pub tree: Tree,
    pub diagnostics: Vec<Diagnostic>,
}

/// At most this many diagnostics per file: past that the file is not the
/// language we think it is, and a longer list helps nobody.
const MAX_DIAGNOSTICS: usize = 50;

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(Parser::new());
}

/// Parses `text` as `lang`. Fails only when the language's grammar is not
/// compiled in; syntax errors come back as diagnostics.
pub fn parse(lang: Lang, text: &[u8]) -> Result<Parsed> {
    let tree = parse_tree(lang, text, None)?;
    let diagnostics = diagnostics(tree.root_node(), text);
    Ok(Parsed { lang, tree, diagnostics })
}

/// The byte ranges of `text` that C and C++ are parsed as blanks (see
/// `mask.rs`: declaration macros, the `extern "C"` idiom, comments inside
/// continued macros); empty for other languages. A tree from [`parse`]
/// has nothing in them, so an item's text may begin before its node does.
pub fn masked_ranges(lang: Lang, text: &[u8]) -> Vec<(usize, usize)> {
    Masks::of(lang, text).ranges(text)
}

/// Parses with tree-sitter, reusing `old` (already edited with
/// `Tree::edit`) for an incremental re-parse when given. C and C++ are
/// parsed from a masked copy (see `mask.rs`) with the text's own masks.
pub(crate) fn parse_tree(lang: Lang, text: &[u8], old: Option<&Tree>) -> Result<Tree> {
    parse_tree_in(lang, text, old, None)
}

/// [`parse_tree`] in a project whose compiler classed its macros.
pub(crate) fn parse_tree_in(
    lang: Lang,
    text: &[u8],
    old: Option<&Tree>,
    project: Option<&ProjectMacros>,
) -> Result<Tree> {
    parse_masked(lang, text, old, &Masks::of_in(lang, text, project))
}

/// [`parse_tree`] with given masks: a fragment of a file is masked as the
/// file is, and an incremental re-parse must mask as the first parse did.
pub(crate) fn parse_masked(lang: Lang, text: &[u8], old: Option<&Tree>, masks: &Masks) -> Result<Tree> {
    parse_blanked(lang, text, old, &masks.ranges(text))
}

/// Parses `text` with the byte ranges `blank` (a [`Masks::ranges`]) read as spaces.
pub(crate) fn parse_blanked(lang: Lang, text: &[u8], old: Option<&Tree>, blank: &[(usize, usize)]) -> Result<Tree> {
    let g = grammar(lang).ok_or(Error::LanguageDisabled(lang))?;
    let text = crate::mask::blank(text, blank);
    PARSER.with(|parser| {
        let mut parser = parser.borrow_mut();
        parser.set_language(&g.language()).map_err(|e| Error::Grammar(lang, e.to_string()))?;
        parser.parse(&*text, old).ok_or_else(|| Error::Grammar(lang, "the parser gave up".to_owned()))
    })
}

/// The outermost ERROR nodes and every MISSING node under `root`, in source
/// order: what a syntax error is, for the diagnostics and the edit gate alike.
pub(crate) fn fault_nodes(root: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    if !root.has_error() {
        return out;
    }
    let mut stack = vec![root];
    let mut cursor = root.walk();
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            out.push(node);
            continue;
        }
        // Children in reverse so that the stack pops them in source order.
        let children: Vec<Node<'_>> = node.children(&mut cursor).filter(|c| c.has_error() || c.is_missing()).collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

/// Every ERROR and MISSING node under `root`, in order, up to a limit.
pub fn diagnostics(root: Node<'_>, text: &[u8]) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = fault_nodes(root)
        .into_iter()
        .take(MAX_DIAGNOSTICS)
        .map(|node| {
            if node.is_missing() {
                return diagnostic(node, text, format!("missing `{}`", node.kind()));
            }
            let snippet: String = String::from_utf8_lossy(text.get(node.byte_range()).unwrap_or_default())
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(40)
                .collect();
            diagnostic(node, text, format!("syntax error near `{snippet}`"))
        })
        .collect();
    out.sort_by_key(|d| (d.start, d.end));
    out
}

fn diagnostic(node: Node<'_>, _text: &[u8], message: String) -> Diagnostic {
    let p = node.start_position();
    Diagnostic { line: p.row + 1, column: p.column + 1, start: node.start_byte(), end: node.end_byte(), message }
}
