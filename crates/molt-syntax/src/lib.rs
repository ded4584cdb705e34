//! molt-syntax: languages on tree-sitter, the symbol index, structural search
//! and lossless, transactional edit sets validated by re-parsing.
//!
//! It must not touch the network, spawn processes or know about plans: it takes
//! source text and paths and returns data. Synchronous by design; callers that
//! are async run it on a blocking thread. The only file system access is the
//! repository walk ([`index_repo`], [`search_repo`]) and applying an edit set
//! to a repository root ([`apply_to_repo`]); everything else works on text in
//! memory.
//!
//! # Pieces
//! - [`Lang`]: the languages, detected by extension, and a `.h` header by
//!   its text too (C++ when it has a namespace, a template, a class, `::`;
//!   [`Lang::from_source`]); one file per language under `lang/`, each
//!   behind a cargo feature of the same name.
//! - [`parse`]: text to tree plus [`Diagnostic`]s. Broken code is data. C
//!   and C++ are parsed from a copy in which declaration macros
//!   (`MEM_STATIC`, `SQLITE_API`) are spaces of the same length
//!   (`mask.rs`), so offsets stay those of the real text.
//! - [`index_file`] / [`index_repo`]: the items each file defines, with stable
//!   qualified paths (`src/model.rs::Transformer::forward`), spans,
//!   signatures, calls and imports; [`RepoIndex::resolve`] looks a path up
//!   and suggests close names when it is wrong.
//! - [`Pattern`] and [`StructuralQuery`]: structural search, over one text or
//!   a whole repository, with a literal prefilter that skips files which
//!   cannot match before parsing them.
//! - [`EditSet`]: symbol-addressed edits applied as one transaction, either to
//!   a map of texts in memory ([`apply_in_memory`]) or to a repository on
//!   disk ([`apply_to_repo`]); see `EDITS.md` for the JSON format. A set is
//!   refused when it adds a syntax error (errors the file already had do not
//!   count), naming the edit that broke the parse; [`item_text`] and
//!   [`body_text`] give texts that write back unchanged.
//! - [`rust_items`]: build Rust items with `quote!`, format only them with
//!   prettyplease.
//!
//! # Search syntax
//! A *pattern* is code in the target language with metavariables: `$NAME`
//! matches one node (the same name twice must match the same text), `$_`
//! matches one node without binding, `$$$` or `$$$NAME` matches any number of
//! sibling nodes. `_mm256_add_ps($A, $B)`, `$F($$$ARGS)`, `torch.cuda.$M($$$)`.
//! Constraints narrow a metavariable by regex ([`Pattern::constrain`]).
//! A *query* is a tree-sitter S-expression query; the capture named `@match`
//! (or else the first capture) is the reported match; `#eq?`, `#match?` and
//! `#any-of?` predicates work as in tree-sitter.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod cache;
mod compiler;
mod edit;
mod index;
mod lang;
mod mask;
mod parse;
mod paths;
mod repo;
pub mod rust_items;
mod search;
mod walk;

use std::path::PathBuf;

pub use cache::{default_cache_path, prune_caches};
pub use compiler::ProjectMacros;
pub use edit::{
    apply_in_memory, apply_to_repo, body_text, item_text, unified_diff, Applied, ApplyOptions, Edit, EditSet,
    FileChange, Splice,
};
pub use index::{content_hash, index_as, index_file, FileIndex, Import, Item, ItemKind, Span};
pub use lang::Lang;
pub use parse::{diagnostics, masked_ranges, parse, Diagnostic, Parsed};
pub use paths::confine;
pub use repo::{index_repo, IndexOptions, RepoIndex, SkipReason, Skipped};
pub use search::{search_repo, search_text, Match, Pattern, SearchOptions, SearchReport, Searcher, StructuralQuery};
pub use walk::{walk_files, WalkOptions, WalkedFile, BUILD_OUTPUT_DIRS, MAX_SOURCE_BYTES};

/// Everything that can go wrong in molt-syntax.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the {0} grammar is not compiled in (enable molt-syntax's `{0}` feature)")]
    LanguageDisabled(Lang),
    #[error("{0}: no known language for this file name")]
    UnknownLanguage(String),
    #[error("the {0} grammar failed: {1}")]
    Grammar(Lang, String),
    #[error("no item `{symbol}`{}", suggest(suggestions))]
    NoSuchSymbol { symbol: String, suggestions: Vec<String> },
    #[error("`{symbol}` is ambiguous; it could be {}", candidates.join(", "))]
    Ambiguous { symbol: String, candidates: Vec<String> },
    #[error("bad pattern: {0}")]
    Pattern(String),
    #[error("bad query: {0}")]
    Query(String),
    #[error("edit {index} ({what}): {source}")]
    Edit { index: usize, what: String, source: Box<Error> },
    #[error("{0}")]
    Invalid(String),
    #[error("the result does not parse: {path}:{line}:{column}: {message}")]
    BrokenSyntax { path: String, line: usize, column: usize, message: String },
    #[error("edits {first} and {second} overlap in {path}")]
    Overlap { path: String, first: usize, second: usize },
    #[error("{path}: outside the repository ({why})")]
    OutsideRepo { path: String, why: String },
    #[error("{path} is protected (it matches `{glob}`)")]
    Protected { path: String, glob: String },
    /// The spec's path policy refuses the path (the whole sentence).
    #[error("{0}")]
    Refused(String),
    #[error("{path} changed on disk since it was indexed")]
    Changed { path: String },
    #[error("{path} is not valid UTF-8; molt does not edit it")]
    NotUtf8 { path: String },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

fn suggest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", suggestions.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "))
    }
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}
