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
use serde::{Deserialize, Serialize};

use crate::compiler::ProjectMacros;
use crate::index::{index_tree, LineIndex};
use crate::lang::Lang;
use crate::parse::parse_tree_in;
use crate::repo::{read_source, walk, with_threads, Skipped};
use crate::Result;

mod literal;
mod pattern;
mod query;

#[cfg(test)]
use literal::required_literal;

pub use pattern::Pattern;
pub use query::StructuralQuery;

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
