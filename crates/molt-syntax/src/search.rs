//! Structural search: code patterns with metavariables, and tree-sitter
//! queries, over one text or a whole repository.
//!
//! Parsing is the expensive part, so a repository search first checks each
//! file for the literals every match must contain (the identifiers of a
//! pattern, the literal part of a `#match?` or constraint regex, the string of
//! an `#eq?`) and parses only the files that have them, the way ripgrep skips
//! work. A match reports the innermost item that holds it.

use std::collections::BTreeMap;
use std::path::Path;

use memchr::memmem;
use rayon::prelude::*;
use regex::Regex;
use serde::{Deserialize, Serialize};
use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Query, QueryCursor};

use crate::compiler::ProjectMacros;
use crate::index::{index_tree, LineIndex};
use crate::lang::{grammar, Lang};
use crate::parse::{parse_tree, parse_tree_in};
use crate::repo::{read_source, walk, with_threads, Skipped};
use crate::{Error, Result};

const META: &str = "__molt_mv_";
const MULTI: &str = "__molt_mvs_";

/// One structural match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    /// Repository-relative path of the file.
    pub path: String,
    pub start: usize,
    pub end: usize,
    /// 1-based line and column (bytes) of the start, and the end line.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub text: String,
    /// The qualified path of the innermost item holding the match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// Metavariable bindings (patterns) or captures (queries), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub captures: BTreeMap<String, String>,
}

/// A pattern node, owned so that a compiled pattern outlives its parse.
#[derive(Debug, Clone)]
enum PNode {
    /// `$NAME` (or `$_`, name empty): one node.
    Meta(String),
    /// `$$$NAME` (or `$$$`): any number of sibling nodes.
    Multi(String),
    Node {
        kind: u16,
        leaf: Option<Vec<u8>>,
        children: Vec<PNode>,
    },
}

/// A code pattern with metavariables, compiled for one language.
#[derive(Debug, Clone)]
pub struct Pattern {
    lang: Lang,
    root: PNode,
    literals: Vec<String>,
    constraints: Vec<(String, Regex)>,
}

impl Pattern {
    /// Compiles `source`, code in `lang` where `$NAME` stands for one node
    /// and `$$$NAME` for many. Fragments (an expression, a statement) are
    /// parsed inside a function body when they do not parse on their own.
    pub fn new(lang: Lang, source: &str) -> Result<Pattern> {
        let g = grammar(lang).ok_or(Error::LanguageDisabled(lang))?;
        let replaced = replace_metavariables(source);
        let trimmed = replaced.trim();
        if trimmed.is_empty() {
            return Err(Error::Pattern("the pattern is empty".to_owned()));
        }
        let mut contexts = vec!["{}"];
        contexts.extend_from_slice(g.pattern_contexts());
        for context in contexts {
            let Some(offset) = context.find("{}") else { continue };
            let text = format!("{}{trimmed}{}", &context[..offset], &context[offset + 2..]);
            let tree = parse_tree(lang, text.as_bytes(), None)?;
            if tree.root_node().has_error() {
                continue;
            }
            let (start, end) = (offset, offset + trimmed.len());
            let Some(node) = tree.root_node().descendant_for_byte_range(start, end) else { continue };
            if node.start_byte() != start || node.end_byte() != end {
                continue;
            }
            let root = to_pnode(node, text.as_bytes());
            let mut literals = Vec::new();
            collect_literals(&root, &mut literals);
            return Ok(Pattern { lang, root, literals, constraints: Vec::new() });
        }
        Err(Error::Pattern(format!("`{source}` does not parse as {lang} code")))
    }

    /// Requires metavariable `name` (without `$`) to match `regex`.
    pub fn constrain(mut self, name: &str, regex: &str) -> Result<Pattern> {
        let name = name.trim_start_matches('$').to_owned();
        let re = Regex::new(regex).map_err(|e| Error::Pattern(format!("constraint on ${name}: {e}")))?;
        if let Some(lit) = required_literal(regex) {
            self.literals.push(lit);
        }
        self.constraints.push((name, re));
        Ok(self)
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    fn find(&self, root: Node<'_>, src: &[u8], out: &mut Vec<(usize, usize, BTreeMap<String, String>)>) {
        let kind = match &self.root {
            PNode::Node { kind, .. } => Some(*kind),
            _ => None,
        };
        let mut cursor = root.walk();
        let mut binds = Binds::new();
        loop {
            let node = cursor.node();
            if kind.is_none_or(|k| node.kind_id() == k) && (kind.is_some() || node.is_named()) {
                binds.clear();
                if match_node(&self.root, node, src, &mut binds) && self.constraints_hold(&binds) {
                    let captures =
                        binds.iter().filter(|(k, _)| !k.is_empty()).map(|(k, v)| (k.clone(), v.text(src))).collect();
                    out.push((node.start_byte(), node.end_byte(), captures));
                }
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    fn constraints_hold(&self, binds: &Binds) -> bool {
        self.constraints.iter().all(|(name, re)| {
            binds.iter().find(|(k, _)| k == name).is_some_and(|(_, v)| re.is_match(&String::from_utf8_lossy(v.bytes())))
        })
    }
}

/// A bound metavariable: a byte range of the searched text.
#[derive(Debug, Clone, Copy)]
struct Bound<'s> {
    src: &'s [u8],
    start: usize,
    end: usize,
}

impl<'s> Bound<'s> {
    fn bytes(&self) -> &'s [u8] {
        &self.src[self.start..self.end]
    }
    fn text(&self, _src: &[u8]) -> String {
        String::from_utf8_lossy(self.bytes()).into_owned()
    }
}

type Binds<'s> = Vec<(String, Bound<'s>)>;

fn bind<'s>(binds: &mut Binds<'s>, name: &str, value: Bound<'s>) -> bool {
    if name.is_empty() {
        return true;
    }
    match binds.iter().find(|(k, _)| k == name) {
        Some((_, old)) => old.bytes() == value.bytes(),
        None => {
            binds.push((name.to_owned(), value));
            true
        }
    }
}

fn match_node<'s>(p: &PNode, node: Node<'_>, src: &'s [u8], binds: &mut Binds<'s>) -> bool {
    match p {
        PNode::Meta(name) => bind(binds, name, Bound { src, start: node.start_byte(), end: node.end_byte() }),
        PNode::Multi(name) => bind(binds, name, Bound { src, start: node.start_byte(), end: node.end_byte() }),
        PNode::Node { kind, leaf, children } => {
            if node.kind_id() != *kind {
                return false;
            }
            if let Some(leaf) = leaf {
                return node.child_count() == 0 && src.get(node.byte_range()) == Some(leaf.as_slice());
            }
            let mut cursor = node.walk();
            let kids: Vec<Node<'_>> = node.children(&mut cursor).filter(|c| !c.is_extra()).collect();
            match_seq(children, &kids, src, binds)
        }
    }
}

fn match_seq<'s>(ps: &[PNode], nodes: &[Node<'_>], src: &'s [u8], binds: &mut Binds<'s>) -> bool {
    let Some((first, rest)) = ps.split_first() else { return nodes.is_empty() };
    if let PNode::Multi(name) = first {
        for take in 0..=nodes.len() {
            let saved = binds.len();
            let ok = if take == 0 {
                true
            } else {
                let value = Bound { src, start: nodes[0].start_byte(), end: nodes[take - 1].end_byte() };
                bind(binds, name, value)
            };
            if ok && match_seq(rest, &nodes[take..], src, binds) {
                return true;
            }
            binds.truncate(saved);
        }
        return false;
    }
    let Some((node, others)) = nodes.split_first() else { return false };
    let saved = binds.len();
    if match_node(first, *node, src, binds) && match_seq(rest, others, src, binds) {
        return true;
    }
    binds.truncate(saved);
    false
}

fn to_pnode(node: Node<'_>, src: &[u8]) -> PNode {
    let text = &src[node.byte_range()];
    if let Some(name) = text.strip_prefix(MULTI.as_bytes()) {
        if name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') {
            return PNode::Multi(String::from_utf8_lossy(name).into_owned());
        }
    }
    if let Some(name) = text.strip_prefix(META.as_bytes()) {
        if name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') {
            let name = String::from_utf8_lossy(name).into_owned();
            return PNode::Meta(if name == "_" { String::new() } else { name });
        }
    }
    if node.child_count() == 0 {
        return PNode::Node { kind: node.kind_id(), leaf: Some(text.to_vec()), children: Vec::new() };
    }
    let mut cursor = node.walk();
    let children = node.children(&mut cursor).filter(|c| !c.is_extra()).map(|c| to_pnode(c, src)).collect();
    PNode::Node { kind: node.kind_id(), leaf: None, children }
}

fn collect_literals(p: &PNode, out: &mut Vec<String>) {
    if let PNode::Node { leaf, children, .. } = p {
        if let Some(leaf) = leaf {
            let word = String::from_utf8_lossy(leaf);
            if word.len() >= 2 && !out.iter().any(|o| o == &*word) {
                out.push(word.into_owned());
            }
        }
        for c in children {
            collect_literals(c, out);
        }
    }
}

/// `$NAME` to `__molt_mv_NAME`, `$$$NAME` to `__molt_mvs_NAME`: identifiers
/// every grammar accepts wherever a name can go.
fn replace_metavariables(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let (prefix, skip) = if source[i..].starts_with("$$$") { (MULTI, 3) } else { (META, 1) };
            let name_len = source[i + skip..]
                .bytes()
                .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
                .count();
            if name_len > 0 || skip == 3 {
                out.push_str(prefix);
                out.push_str(&source[i + skip..i + skip + name_len]);
                i += skip + name_len;
                continue;
            }
        }
        let ch = source[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The longest run of literal characters every match of `regex` must
/// contain, if there is a useful one (two bytes or more). Conservative: any
/// alternation or group stops the search.
pub(crate) fn required_literal(regex: &str) -> Option<String> {
    if regex.contains('|') {
        return None;
    }
    let mut best = String::new();
    let mut run = String::new();
    let mut chars = regex.chars().peekable();
    let flush = |run: &mut String, best: &mut String| {
        if run.len() > best.len() {
            *best = run.clone();
        }
        run.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => run.push(e),
                _ => flush(&mut run, &mut best),
            },
            '*' | '?' | '{' => {
                // The character before is optional.
                run.pop();
                flush(&mut run, &mut best);
                if c == '{' {
                    for d in chars.by_ref() {
                        if d == '}' {
                            break;
                        }
                    }
                }
            }
            '+' => flush(&mut run, &mut best),
            '(' => break,
            '[' => {
                flush(&mut run, &mut best);
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                }
            }
            '.' | '^' | '$' => flush(&mut run, &mut best),
            _ => run.push(c),
        }
    }
    flush(&mut run, &mut best);
    (best.len() >= 2).then_some(best)
}

/// A tree-sitter S-expression query compiled for one language.
#[derive(Debug)]
pub struct StructuralQuery {
    lang: Lang,
    query: Query,
    literals: Vec<String>,
    match_capture: Option<u32>,
}

impl StructuralQuery {
    pub fn new(lang: Lang, source: &str) -> Result<StructuralQuery> {
        let g = grammar(lang).ok_or(Error::LanguageDisabled(lang))?;
        let query = Query::new(&g.language(), source)
            .map_err(|e| Error::Query(format!("line {}, column {}: {}", e.row + 1, e.column + 1, e.message)))?;
        let match_capture = query.capture_index_for_name("match");
        // With one pattern, every `#eq?` and `#match?` must hold, so their
        // literals must be in the file.
        let mut literals = Vec::new();
        if query.pattern_count() == 1 {
            let predicate = Regex::new(r#"\(#(eq|match)\?\s+@[\w.-]+\s+"((?:[^"\\]|\\.)*)"\s*\)"#)
                .map_err(|e| Error::Query(e.to_string()))?;
            for c in predicate.captures_iter(source) {
                let arg = c[2].replace("\\\\", "\\");
                let lit = if &c[1] == "eq" { (arg.len() >= 2).then_some(arg) } else { required_literal(&arg) };
                literals.extend(lit);
            }
        }
        Ok(StructuralQuery { lang, query, literals, match_capture })
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    fn find(&self, root: Node<'_>, src: &[u8], out: &mut Vec<(usize, usize, BTreeMap<String, String>)>) {
        let mut cursor = QueryCursor::new();
        let names = self.query.capture_names();
        let mut matches = cursor.matches(&self.query, root, src);
        while let Some(m) = matches.next() {
            let main = match self.match_capture {
                Some(idx) => m.captures.iter().find(|c| c.index == idx),
                None => m.captures.first(),
            };
            let Some(main) = main else { continue };
            let captures = m
                .captures
                .iter()
                .map(|c| (names[c.index as usize].to_owned(), crate::lang::text(c.node, src).into_owned()))
                .collect();
            out.push((main.node.start_byte(), main.node.end_byte(), captures));
        }
    }
}

/// What to search for: a pattern or a query.
#[derive(Debug)]
pub enum Searcher {
    Pattern(Pattern),
    Query(StructuralQuery),
}

impl Searcher {
    pub fn lang(&self) -> Lang {
        match self {
            Searcher::Pattern(p) => p.lang,
            Searcher::Query(q) => q.lang,
        }
    }

    /// The literals a file must contain to hold a match.
    pub fn literals(&self) -> &[String] {
        match self {
            Searcher::Pattern(p) => &p.literals,
            Searcher::Query(q) => &q.literals,
        }
    }

    fn may_match(&self, text: &[u8]) -> bool {
        self.literals().iter().all(|lit| memmem::find(text, lit.as_bytes()).is_some())
    }
}

impl From<Pattern> for Searcher {
    fn from(p: Pattern) -> Self {
        Searcher::Pattern(p)
    }
}

impl From<StructuralQuery> for Searcher {
    fn from(q: StructuralQuery) -> Self {
        Searcher::Query(q)
    }
}

/// Every match in one text, in order, each with its enclosing item. `path`
/// names the file in the results and in item paths.
pub fn search_text(searcher: &Searcher, path: &str, text: &[u8]) -> Result<Vec<Match>> {
    search_text_in(searcher, path, text, None)
}

/// [`search_text`] in a project whose compiler classed its macros.
fn search_text_in(searcher: &Searcher, path: &str, text: &[u8], project: Option<&ProjectMacros>) -> Result<Vec<Match>> {
    if !searcher.may_match(text) {
        return Ok(Vec::new());
    }
    let lang = searcher.lang();
    let tree = parse_tree_in(lang, text, None, project)?;
    let mut raw = Vec::new();
    match searcher {
        Searcher::Pattern(p) => p.find(tree.root_node(), text, &mut raw),
        Searcher::Query(q) => q.find(tree.root_node(), text, &mut raw),
    }
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    raw.sort_by_key(|(s, e, _)| (*s, std::cmp::Reverse(*e)));
    raw.dedup_by_key(|(s, e, _)| (*s, *e));
    let index = index_tree(path, lang, text, &tree, project)?;
    let lines = LineIndex::new(text);
    Ok(raw
        .into_iter()
        .map(|(start, end, captures)| {
            let line = lines.line(start);
            let line_start = text[..start].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            Match {
                path: path.to_owned(),
                start,
                end,
                line,
                column: start - line_start + 1,
                end_line: lines.line(end.saturating_sub(1).max(start)),
                text: String::from_utf8_lossy(&text[start..end]).into_owned(),
                symbol: index.enclosing(start, end).map(|i| i.path.clone()),
                captures,
            }
        })
        .collect())
}

/// How to search a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOptions {
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    pub max_file_bytes: u64,
    /// What the project's compiler says of its C and C++ macros (see
    /// [`ProjectMacros`]); `None` masks by the file's own text alone.
    pub macros: Option<std::sync::Arc<ProjectMacros>>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self { threads: 0, max_file_bytes: 4 << 20, macros: None }
    }
}

/// The result of a repository search.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SearchReport {
    pub matches: Vec<Match>,
    /// Files of the searched language that the walk found.
    pub files: usize,
    /// Files that held the required literals and so were parsed.
    pub parsed: usize,
    pub skipped: Vec<Skipped>,
}

/// Searches every file of the searcher's language under `root` (honouring
/// `.gitignore`), in parallel, prefiltered by literals.
pub fn search_repo(root: &Path, searcher: &Searcher, options: &SearchOptions) -> Result<SearchReport> {
    // `.h` files belong to C by extension; a C++ search covers them too.
    let langs: Vec<Lang> = match searcher.lang() {
        Lang::Cpp => vec![Lang::Cpp, Lang::C],
        Lang::TypeScript => vec![Lang::TypeScript],
        other => vec![other],
    };
    let found = walk(root, &langs)?;
    let project = options.macros.as_deref();
    type One = std::result::Result<Option<Vec<Match>>, Skipped>;
    let results: Vec<One> = with_threads(options.threads, || {
        found
            .par_iter()
            .map(|f| -> One {
                let bytes = read_source(f, options.max_file_bytes)?;
                if !searcher.may_match(&bytes) {
                    return Ok(None);
                }
                search_text_in(searcher, &f.rel, &bytes, project).map(Some).map_err(|e| Skipped {
                    path: f.rel.clone(),
                    reason: crate::SkipReason::Unreadable { error: e.to_string() },
                })
            })
            .collect()
    })?;
    let mut report = SearchReport { files: found.len(), ..SearchReport::default() };
    for r in results {
        match r {
            Ok(Some(m)) => {
                report.parsed += 1;
                report.matches.extend(m);
            }
            Ok(None) => {}
            Err(s) => report.skipped.push(s),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests;
