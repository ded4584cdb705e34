//! tree-sitter S-expression queries, with the literals their `#eq?` and
//! `#match?` predicates require.

use std::collections::BTreeMap;

use regex::Regex;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Query, QueryCursor};

use super::literal::required_literal;
use crate::lang::{grammar, Lang};
use crate::{Error, Result};

/// A tree-sitter S-expression query compiled for one language.
#[derive(Debug)]
pub struct StructuralQuery {
    pub(super) lang: Lang,
    query: Query,
    pub(super) literals: Vec<String>,
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

    pub(super) fn find(&self, root: Node<'_>, src: &[u8], out: &mut Vec<(usize, usize, BTreeMap<String, String>)>) {
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
