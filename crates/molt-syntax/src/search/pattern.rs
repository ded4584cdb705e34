//! Code patterns with metavariables: `$NAME` for one node, `$$$NAME` for
//! many, compiled to an owned tree and matched node by node.

use std::collections::BTreeMap;

use regex::Regex;
use tree_sitter::Node;

use super::literal::required_literal;
use crate::lang::{grammar, Lang};
use crate::parse::parse_tree;
use crate::{Error, Result};

const META: &str = "__molt_mv_";
const MULTI: &str = "__molt_mvs_";

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
    pub(super) lang: Lang,
    root: PNode,
    pub(super) literals: Vec<String>,
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

    pub(super) fn find(&self, root: Node<'_>, src: &[u8], out: &mut Vec<(usize, usize, BTreeMap<String, String>)>) {
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
