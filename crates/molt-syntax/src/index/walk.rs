//! The walk over a file's syntax tree that collects its items, calls and
//! imports, names them and records the preprocessor branches around them.

use std::collections::HashMap;

use tree_sitter::{Node, Tree};

use super::extent::{directive, leading_body_comments, leading_trivia_start, signature};
use super::{content_hash, FileIndex, Import, Item, LineIndex, Span};
use crate::lang::{grammar, Grammar, ItemDef, Lang};
use crate::parse::{diagnostics, Diagnostic};
use crate::{Error, Result};

/// Indexes `tree`, parsed from `text` with the byte ranges `masked` blanked.
pub(super) fn index_masked(
    path: &str,
    lang: Lang,
    text: &[u8],
    tree: &Tree,
    masked: Vec<(usize, usize)>,
) -> Result<FileIndex> {
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
