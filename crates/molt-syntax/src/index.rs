//! The symbol index of one file: the items it defines, with stable qualified
//! paths, ranges, signatures, calls and the file's includes or imports.
//!
//! A qualified path is the repository-relative file path, `::`, then the
//! item's names from the outside in, joined by the language's separator:
//! `src/kernels.c::matmul_avx2`, `src/model.rs::Transformer::forward`,
//! `ops/attn.py::Attention.forward`. When a name repeats in one scope (a C
//! function defined once per `#if` branch, two `fmt` methods of one type),
//! the first keeps the plain path and the later ones get `@2`, `@3`: stable
//! as long as the order of the definitions does not change.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tree_sitter::{Node, Tree};

use crate::compiler::ProjectMacros;
use crate::lang::{grammar, Grammar, ItemDef, Lang};
use crate::mask::Masks;
use crate::parse::{diagnostics, parse_blanked, Diagnostic};
use crate::{Error, Result};

/// What kind of thing an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Function,
    Method,
    Struct,
    Class,
    Enum,
    Union,
    Interface,
    Trait,
    Impl,
    Module,
    Namespace,
    Typedef,
    Macro,
    Const,
    Static,
}

impl ItemKind {
    /// Whether members inside this item are methods rather than functions.
    fn is_class_like(self) -> bool {
        matches!(
            self,
            ItemKind::Class
                | ItemKind::Struct
                | ItemKind::Union
                | ItemKind::Interface
                | ItemKind::Trait
                | ItemKind::Impl
                | ItemKind::Enum
        )
    }
}

/// A byte range with the 1-based lines it starts and ends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub start_line: usize,
    pub end_line: usize,
}

/// One definition in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The stable qualified path, `src/model.rs::Transformer::forward`.
    pub path: String,
    /// The item's own name, `forward` (for Rust impls, `impl Display for T`).
    pub name: String,
    pub kind: ItemKind,
    /// The whole item, with the doc comments, comments and attributes
    /// directly above it: what replacing or deleting the item replaces.
    pub span: Span,
    /// The body (a function's block, a class's member list), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Span>,
    /// The declaration up to the body, whitespace collapsed: `void dot(const float *a, int n)`.
    pub signature: String,
    /// The qualified path of the enclosing item, if nested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The preprocessor branches around the item, outermost first
    /// (`#if defined(__x86_64__)`, `#else of #if defined(__x86_64__)`), joined by ` / `.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preproc: Option<String>,
    /// What the item calls directly (not through nested items), in order, deduplicated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<String>,
}

/// An include or import statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Import {
    /// What it names: `<arm_neon.h>`, `"kernels.h"`, `torch.nn`, `std::fmt`.
    pub target: String,
    pub span: Span,
}

/// The index of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileIndex {
    /// Repository-relative path with `/` separators.
    pub path: String,
    pub lang: Lang,
    pub bytes: usize,
    pub lines: usize,
    /// SHA-256 of the bytes, hex: what edits check to refuse a file changed since.
    pub hash: String,
    pub items: Vec<Item>,
    pub imports: Vec<Import>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileIndex {
    /// The item with this exact qualified path.
    pub fn item(&self, path: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.path == path)
    }

    /// The innermost item whose span holds the byte range `start..end`.
    pub fn enclosing(&self, start: usize, end: usize) -> Option<&Item> {
        self.items
            .iter()
            .filter(|i| i.span.start <= start && end <= i.span.end)
            .min_by_key(|i| i.span.end - i.span.start)
    }
}

/// SHA-256 of `bytes`, hex.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Indexes one file: `path` is its repository-relative path (it names the
/// items and picks the language), `text` its bytes. Invalid UTF-8 is indexed
/// as far as it goes, with a diagnostic.
pub fn index_file(path: &str, text: &[u8]) -> Result<FileIndex> {
    let lang = Lang::from_path(path).ok_or_else(|| Error::UnknownLanguage(path.to_owned()))?;
    index_as(path, lang, text)
}

/// Indexes `text` as `lang`, whatever the path's extension says.
pub fn index_as(path: &str, lang: Lang, text: &[u8]) -> Result<FileIndex> {
    index_in(path, lang, text, None)
}

/// [`index_as`] in a project whose compiler classed its macros (see `compiler.rs`).
pub(crate) fn index_in(path: &str, lang: Lang, text: &[u8], project: Option<&ProjectMacros>) -> Result<FileIndex> {
    // The masks once, for the parse and the walk alike.
    let masked = Masks::of_in(lang, text, project).ranges(text);
    let tree = parse_blanked(lang, text, None, &masked)?;
    index_masked(path, lang, text, &tree, masked)
}

/// Indexes `tree`, parsed from `text` with the masks of `project`.
pub(crate) fn index_tree(
    path: &str,
    lang: Lang,
    text: &[u8],
    tree: &Tree,
    project: Option<&ProjectMacros>,
) -> Result<FileIndex> {
    index_masked(path, lang, text, tree, Masks::of_in(lang, text, project).ranges(text))
}

/// Indexes `tree`, parsed from `text` with the byte ranges `masked` blanked.
fn index_masked(path: &str, lang: Lang, text: &[u8], tree: &Tree, masked: Vec<(usize, usize)>) -> Result<FileIndex> {
    let g = grammar(lang).ok_or(Error::LanguageDisabled(lang))?;
    let mut walker = Walker {
        g,
        sep: lang.separator(),
        braces: lang.uses_braces(),
        masked,
        lost: Vec::new(),
        lang,
        src: text,
        file: path,
        lines: LineIndex::new(text),
        items: Vec::new(),
        imports: Vec::new(),
        seen: HashMap::new(),
    };
    let root = tree.root_node();
    let top = Ctx { scope: "", in_class: false, items_ok: true, current: None, preproc: None, depth: 0 };
    walker.children(root, &top);
    walker.lost_definitions(root, &top);
    let mut diags = diagnostics(root, text);
    if let Err(e) = std::str::from_utf8(text) {
        let at = e.valid_up_to();
        let line = walker.lines.line(at);
        let column = at - walker.lines.starts[line - 1] + 1;
        diags.insert(0, Diagnostic { line, column, start: at, end: at + 1, message: "invalid UTF-8".to_owned() });
    }
    let lines = walker.lines.starts.len() - usize::from(text.ends_with(b"\n"));
    Ok(FileIndex {
        path: path.to_owned(),
        lang,
        bytes: text.len(),
        lines: if text.is_empty() { 0 } else { lines },
        hash: content_hash(text),
        items: walker.items,
        imports: walker.imports,
        diagnostics: diags,
    })
}

/// Byte offset to line number, by binary search over line starts.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &[u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        Self { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

#[derive(Clone, Copy)]
struct Ctx<'a> {
    /// The qualified prefix of members, `Transformer` or `Attention.forward`.
    scope: &'a str,
    in_class: bool,
    /// Whether definitions here are items (not in a C function body, say).
    items_ok: bool,
    current: Option<usize>,
    preproc: Option<&'a str>,
    /// How deep the recursive walk is; past a limit it goes flat.
    depth: usize,
}

/// Past this depth the walk stops looking for items and only collects calls
/// and imports, without recursion: generated code nests expressions deep
/// enough to overflow a worker thread's stack.
const MAX_ITEM_DEPTH: usize = 200;

struct Walker<'a> {
    g: &'static dyn Grammar,
    sep: &'static str,
    /// Whether bodies are brace blocks (not Python's indented blocks).
    braces: bool,
    /// The byte ranges the parse masked (see `mask.rs`), sorted.
    masked: Vec<(usize, usize)>,
    /// C only: function definitions found inside a function's body (byte
    /// range, and the item whose body holds them), which C does not have:
    /// tree-sitter lost its way (an `#if` whose branches each open a brace)
    /// and took the rest of a region for that body.
    lost: Vec<(usize, usize, Option<usize>)>,
    lang: Lang,
    src: &'a [u8],
    file: &'a str,
    lines: LineIndex,
    items: Vec<Item>,
    imports: Vec<Import>,
    seen: HashMap<String, usize>,
}

impl<'a> Walker<'a> {
    fn children(&mut self, node: Node<'_>, ctx: &Ctx<'_>) {
        let mut cursor = node.walk();
        if !cursor.goto_first_child() {
            return;
        }
        loop {
            self.visit(cursor.node(), ctx);
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }

    fn visit(&mut self, node: Node<'_>, ctx: &Ctx<'_>) {
        if !node.is_named() {
            return;
        }
        if !ctx.items_ok || ctx.depth > MAX_ITEM_DEPTH {
            self.flat(node, ctx.current);
            return;
        }
        {
            if let Some(def) = self.g.item(node, self.src, ctx.in_class) {
                self.item(node, def, ctx);
                return;
            }
        }
        if let Some(current) = ctx.current {
            if let Some(call) = self.g.call(node, self.src) {
                let calls = &mut self.items[current].calls;
                if !calls.contains(&call) {
                    calls.push(call);
                }
            }
        }
        if let Some(target) = self.g.import(node, self.src) {
            let span = self.span(node.start_byte(), node.end_byte());
            self.imports.push(Import { target, span });
        }
        match node.kind() {
            "preproc_if" | "preproc_ifdef" => self.conditional(node, ctx),
            _ => self.children(node, &Ctx { depth: ctx.depth + 1, ..*ctx }),
        }
    }

    /// Calls and imports under `node`, iteratively (no items here).
    fn flat(&mut self, node: Node<'_>, current: Option<usize>) {
        let mut cursor = node.walk();
        loop {
            let n = cursor.node();
            if self.lang == Lang::C && n.kind() == "function_definition" && n.id() != node.id() {
                self.lost.push((n.start_byte(), n.end_byte(), current));
            }
            if n.is_named() {
                if let Some(current) = current {
                    if let Some(call) = self.g.call(n, self.src) {
                        let calls = &mut self.items[current].calls;
                        if !calls.contains(&call) {
                            calls.push(call);
                        }
                    }
                }
                if let Some(target) = self.g.import(n, self.src) {
                    let span = self.span(n.start_byte(), n.end_byte());
                    self.imports.push(Import { target, span });
                }
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.node() == node {
                    return;
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    /// `#if A ... #elif B ... #else ... #endif`: each branch's items record
    /// the branch they sit in.
    fn conditional(&mut self, node: Node<'_>, ctx: &Ctx<'_>) {
        let head = directive(node, self.src);
        // A header guard (`#ifndef X_H` then `#define X_H`) conditions nothing.
        let guard = node.kind() == "preproc_ifdef" && head.starts_with("#ifndef") && {
            let name = node.child_by_field_name("name").map(|n| crate::lang::text(n, self.src).into_owned());
            let mut cursor = node.walk();
            let first = node.named_children(&mut cursor).skip(1).find(|c| !c.kind().contains("comment"));
            first.is_some_and(|f| {
                f.kind() == "preproc_def"
                    && f.child_by_field_name("name").map(|n| crate::lang::text(n, self.src).into_owned()) == name
            })
        };
        let mut branch = node;
        let mut label = head.clone();
        loop {
            let joined = if guard {
                ctx.preproc.map(str::to_owned)
            } else {
                Some(match ctx.preproc {
                    Some(outer) => format!("{outer} / {label}"),
                    None => label.clone(),
                })
            };
            let inner = Ctx {
                scope: ctx.scope,
                in_class: ctx.in_class,
                items_ok: ctx.items_ok,
                current: ctx.current,
                preproc: joined.as_deref(),
                depth: ctx.depth + 1,
            };
            let alternative = branch.child_by_field_name("alternative");
            let condition = branch.child_by_field_name("condition").or_else(|| branch.child_by_field_name("name"));
            let mut cursor = branch.walk();
            let children: Vec<Node<'_>> = branch
                .named_children(&mut cursor)
                .filter(|c| Some(*c) != alternative && Some(*c) != condition)
                .collect();
            for child in children {
                self.visit(child, &inner);
            }
            match alternative {
                Some(alt) => {
                    branch = alt;
                    label = match alt.kind() {
                        "preproc_else" => format!("#else of {head}"),
                        _ => directive(alt, self.src),
                    };
                }
                None => break,
            }
        }
    }

    fn item(&mut self, node: Node<'_>, def: ItemDef<'_>, ctx: &Ctx<'_>) {
        let qualified =
            if ctx.scope.is_empty() { def.name.clone() } else { format!("{}{}{}", ctx.scope, self.sep, def.name) };
        let base = format!("{}::{qualified}", self.file);
        let n = self.seen.entry(base.clone()).or_insert(0);
        *n += 1;
        let path = if *n == 1 { base } else { format!("{base}@{n}") };
        let first = self.macro_start(node);
        let start = leading_trivia_start(node, first, self.src);
        // Some nodes (`#define` lines) swallow their newline; the item does not.
        let mut end = node.end_byte();
        while end > node.start_byte() && matches!(self.src[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        let span = self.span(start, end);
        let body = def.body.map(|b| {
            let start = if self.braces { b.start_byte() } else { leading_body_comments(b, self.src) };
            self.span(start, b.end_byte())
        });
        let signature = signature(first, node, def.body, self.src);
        let parent = ctx.current.map(|i| self.items[i].path.clone());
        let index = self.items.len();
        self.items.push(Item {
            path,
            name: def.name.clone(),
            kind: def.kind,
            span,
            body,
            signature,
            parent,
            preproc: ctx.preproc.map(str::to_owned),
            calls: Vec::new(),
        });
        let Some(body) = def.body else { return };
        let (scope_name, in_class, items_ok) = match &def.scope {
            Some(scope) => (scope.clone(), def.kind.is_class_like(), true),
            None => (def.name.clone(), false, self.g.nested_defs()),
        };
        let scope = if ctx.scope.is_empty() { scope_name } else { format!("{}{}{scope_name}", ctx.scope, self.sep) };
        let inner =
            Ctx { scope: &scope, in_class, items_ok, current: Some(index), preproc: ctx.preproc, depth: ctx.depth + 1 };
        self.children(body, &inner);
    }

    /// The function definitions tree-sitter put inside another function's
    /// body (see `lost`) are items of the file, as the compiler sees them;
    /// the function around them is left out, since its body and span, as
    /// tree-sitter read them, hold other functions: replacing or deleting
    /// it would take them along.
    fn lost_definitions(&mut self, root: Node<'_>, top: &Ctx<'_>) {
        if self.lost.is_empty() {
            return;
        }
        let mut outer = std::collections::BTreeSet::new();
        let mut done = std::collections::HashSet::new();
        while let Some((start, end, holder)) = self.lost.pop() {
            if let Some(h) = holder {
                outer.insert(h);
            }
            if !done.insert((start, end)) {
                continue;
            }
            let Some(node) = root.descendant_for_byte_range(start, end) else { continue };
            let node = std::iter::successors(Some(node), |n| n.parent())
                .find(|n| n.kind() == "function_definition" && n.byte_range() == (start..end));
            let Some(node) = node else { continue };
            if let Some(def) = self.g.item(node, self.src, false) {
                self.item(node, def, top);
            }
        }
        let mut n = 0;
        self.items.retain(|_| {
            n += 1;
            !outer.contains(&(n - 1))
        });
        self.items.sort_by_key(|i| i.span.start);
    }

    /// Where the item's own text starts: before the declaration macros
    /// (`MEM_STATIC`, `SQLITE_API`) the masked parse did not see, so that
    /// replacing or deleting the item takes them along.
    fn macro_start(&self, node: Node<'_>) -> usize {
        let mut start = node.start_byte();
        if self.masked.is_empty() {
            return start;
        }
        let floor = node.prev_sibling().map_or(0, |p| p.end_byte());
        loop {
            let mut at = start;
            while at > floor && self.src[at - 1].is_ascii_whitespace() {
                at -= 1;
            }
            match self.masked.binary_search_by_key(&at, |r| r.1) {
                Ok(i) if self.masked[i].0 >= floor => start = self.masked[i].0,
                _ => return start,
            }
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span {
            start,
            end,
            start_line: self.lines.line(start),
            end_line: self.lines.line(end.saturating_sub(1).max(start)),
        }
    }
}

/// The first line of a preprocessor directive, squashed: `#if defined(__x86_64__)`.
fn directive(node: Node<'_>, src: &[u8]) -> String {
    let start = node.start_byte();
    let rest = src.get(start..).unwrap_or_default();
    let end = memchr::memchr(b'\n', rest).map_or(src.len(), |i| start + i);
    crate::lang::squash(&String::from_utf8_lossy(&src[start..end]))
}

/// Where an item really starts: before the comments and attributes directly
/// above it (no blank line between), so that moving or deleting the item
/// takes its documentation along.
pub(crate) fn leading_trivia_start(node: Node<'_>, first: usize, src: &[u8]) -> usize {
    let mut start = first;
    let mut prev = node.prev_sibling();
    while let Some(p) = prev {
        let kind = p.kind();
        let trivia = kind.contains("comment") || kind == "attribute_item";
        if !trivia {
            break;
        }
        // Nothing but whitespace between, with at most one newline.
        let gap = src.get(p.end_byte()..start).unwrap_or_default();
        if !gap.iter().all(u8::is_ascii_whitespace) || gap.iter().filter(|&&b| b == b'\n').count() > 1 {
            break;
        }
        // A comment that trails code on its own line belongs to that code.
        let line_start = src[..p.start_byte()].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if !src[line_start..p.start_byte()].iter().all(|b| *b == b' ' || *b == b'\t') {
            break;
        }
        start = p.start_byte();
        prev = p.prev_sibling();
    }
    start
}

/// Where an indented body really starts: at the comments on their own lines
/// between the header and the first statement, which tree-sitter leaves
/// outside the block. Without them a comment that `replace_body` wrote
/// would fall outside the body, and the next `replace_body` could not
/// replace it. Only comments at the block's own indentation count.
fn leading_body_comments(body: Node<'_>, src: &[u8]) -> usize {
    let line_start = |at: usize| src[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let indent_of = |at: usize| {
        let ls = line_start(at);
        let lead = &src[ls..at];
        lead.iter().all(|b| *b == b' ' || *b == b'\t').then_some(lead)
    };
    let Some(indent) = indent_of(body.start_byte()) else { return body.start_byte() };
    let mut start = body.start_byte();
    let mut prev = body.prev_sibling();
    while let Some(p) = prev.filter(|p| p.kind().contains("comment")) {
        if indent_of(p.start_byte()) != Some(indent) {
            break;
        }
        start = p.start_byte();
        prev = p.prev_sibling();
    }
    start
}

fn signature(start: usize, node: Node<'_>, body: Option<Node<'_>>, src: &[u8]) -> String {
    let end = match body {
        Some(b) if b.start_byte() > start => b.start_byte(),
        _ => {
            let rest = src.get(start..node.end_byte()).unwrap_or_default();
            start + memchr::memchr(b'\n', rest).unwrap_or(rest.len())
        }
    };
    let sig = crate::lang::squash(&String::from_utf8_lossy(&src[start..end]));
    if sig.chars().count() > 200 {
        let cut: String = sig.chars().take(200).collect();
        format!("{cut}...")
    } else {
        sig
    }
}

#[cfg(test)]
mod tests;
