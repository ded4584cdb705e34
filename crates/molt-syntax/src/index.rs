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

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tree_sitter::Tree;

use crate::compiler::ProjectMacros;
use crate::lang::Lang;
use crate::mask::Masks;
use crate::parse::{parse_blanked, Diagnostic};
use crate::{Error, Result};

mod extent;
mod walk;

use walk::index_masked;

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
/// items and, with the text for a `.h` header, picks the language: see
/// [`Lang::from_source`]), `text` its bytes. Invalid UTF-8 is indexed as far
/// as it goes, with a diagnostic.
pub fn index_file(path: &str, text: &[u8]) -> Result<FileIndex> {
    let lang = Lang::from_source(path, text).ok_or_else(|| Error::UnknownLanguage(path.to_owned()))?;
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

#[cfg(test)]
mod tests;
