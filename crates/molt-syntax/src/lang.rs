//! Languages: detection by file extension and one [`Grammar`] implementation
//! per language (one file each under `lang/`), each behind its cargo feature.
//!
//! A grammar answers a handful of questions about nodes of its tree-sitter
//! tree: does this node define an item (and what is it called), is it a call
//! (and to what), is it an include or import. Everything else (the index walk,
//! search, edits) is language-independent and lives in the other modules.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tree_sitter::Node;

use crate::index::ItemKind;

#[cfg(feature = "c")]
mod c;
#[cfg(feature = "cpp")]
mod cpp;
#[cfg(feature = "go")]
mod go;
mod header;
#[cfg(feature = "java")]
mod java;
#[cfg(feature = "javascript")]
mod javascript;
#[cfg(feature = "python")]
mod python;
#[cfg(feature = "rust")]
mod rust;
#[cfg(feature = "typescript")]
mod typescript;

/// A language molt knows. Whether its grammar is compiled in depends on the
/// crate's cargo features; see [`Lang::is_enabled`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    C,
    Cpp,
    Rust,
    Python,
    Go,
    Java,
    JavaScript,
    TypeScript,
    /// TypeScript with JSX (`.tsx`), a separate tree-sitter grammar.
    Tsx,
}

impl Lang {
    pub const ALL: [Lang; 9] = [
        Lang::C,
        Lang::Cpp,
        Lang::Rust,
        Lang::Python,
        Lang::Go,
        Lang::Java,
        Lang::JavaScript,
        Lang::TypeScript,
        Lang::Tsx,
    ];

    /// The language of a file, from its extension. `.h` counts as C; a
    /// caller that has the file's text asks [`Lang::from_source`], which
    /// reads a C++ header as C++.
    pub fn from_path(path: impl AsRef<Path>) -> Option<Lang> {
        let ext = path.as_ref().extension()?.to_str()?;
        Some(match ext {
            "c" | "h" => Lang::C,
            "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "h++" | "inl" | "ipp" => Lang::Cpp,
            "rs" => Lang::Rust,
            "py" | "pyi" => Lang::Python,
            "go" => Lang::Go,
            "java" => Lang::Java,
            "js" | "mjs" | "cjs" | "jsx" => Lang::JavaScript,
            "ts" | "mts" | "cts" => Lang::TypeScript,
            "tsx" => Lang::Tsx,
            _ => return None,
        })
    }

    /// The language of a file from its path and its text: as
    /// [`Lang::from_path`], except that a `.h` header whose text is C++ (a
    /// namespace, a template, a class, `::`, `extern "C++"`, an include of
    /// `<vector>`; see `lang/header.rs`) is C++. Whatever picks a grammar
    /// for a file it has read (the index, the edit gate) asks this.
    pub fn from_source(path: impl AsRef<Path>, text: &[u8]) -> Option<Lang> {
        let path = path.as_ref();
        match Lang::from_path(path)? {
            // Without the C++ grammar, a C++ header is still best read as C.
            Lang::C if is_header(path) && Lang::Cpp.is_enabled() && header::is_cpp_header(text) => Some(Lang::Cpp),
            lang => Some(lang),
        }
    }

    /// Whether a file at `path` may be read as `lang`: its extension's
    /// language, or C++ for a `.h` header ([`Lang::from_source`]).
    pub fn may_hold(path: impl AsRef<Path>, lang: Lang) -> bool {
        let path = path.as_ref();
        match Lang::from_path(path) {
            Some(Lang::C) => lang == Lang::C || (lang == Lang::Cpp && is_header(path)),
            found => found == Some(lang),
        }
    }

    /// The language named by a user (`c`, `cpp`/`c++`, `rust`/`rs`, `python`/`py`, ...).
    pub fn from_name(name: &str) -> Option<Lang> {
        Some(match name.to_ascii_lowercase().as_str() {
            "c" => Lang::C,
            "cpp" | "c++" | "cxx" | "cc" => Lang::Cpp,
            "rust" | "rs" => Lang::Rust,
            "python" | "py" => Lang::Python,
            "go" | "golang" => Lang::Go,
            "java" => Lang::Java,
            "javascript" | "js" => Lang::JavaScript,
            "typescript" | "ts" => Lang::TypeScript,
            "tsx" => Lang::Tsx,
            _ => return None,
        })
    }

    /// The lower-case name used in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Lang::C => "c",
            Lang::Cpp => "cpp",
            Lang::Rust => "rust",
            Lang::Python => "python",
            Lang::Go => "go",
            Lang::Java => "java",
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
        }
    }

    /// Whether this build has the language's grammar (its cargo feature is on).
    pub fn is_enabled(self) -> bool {
        grammar(self).is_some()
    }

    /// The separator between an item and its members in qualified paths:
    /// `::` for C, C++ and Rust, `.` elsewhere.
    pub fn separator(self) -> &'static str {
        match self {
            Lang::C | Lang::Cpp | Lang::Rust => "::",
            _ => ".",
        }
    }

    /// Whether item bodies are brace-delimited blocks (everything but Python).
    pub fn uses_braces(self) -> bool {
        self != Lang::Python
    }
}

/// Whether `path` is a `.h` header, which C and C++ share.
fn is_header(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "h")
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a grammar says about a node that defines an item.
#[derive(Debug, Clone)]
pub(crate) struct ItemDef<'t> {
    pub kind: ItemKind,
    /// The item's own name (`forward`, `impl Display for Model`, `Foo::bar`).
    pub name: String,
    /// The name members are qualified with, when the item holds members
    /// (a class, an impl, a module). `None` for items whose insides are code.
    pub scope: Option<String>,
    /// The node to search for members and calls: the body of a function or
    /// the member list of a class. `None` when the item has no body.
    pub body: Option<Node<'t>>,
}

/// One language's answers about its tree-sitter nodes.
pub(crate) trait Grammar: Sync {
    fn language(&self) -> tree_sitter::Language;

    /// If `node` defines an item, what it is. `in_class` says whether the node
    /// sits directly inside a class-like scope (so functions are methods).
    fn item<'t>(&self, node: Node<'t>, src: &[u8], in_class: bool) -> Option<ItemDef<'t>>;

    /// If `node` is a call, the name of what it calls.
    fn call(&self, node: Node<'_>, src: &[u8]) -> Option<String>;

    /// If `node` is an include or import, what it names (`<arm_neon.h>`, `torch.nn`).
    fn import(&self, node: Node<'_>, src: &[u8]) -> Option<String>;

    /// Whether nested definitions inside function bodies are items of their
    /// own (Python's nested defs are; C has none; Rust's are skipped).
    fn nested_defs(&self) -> bool {
        false
    }

    /// Texts wrapped around a search pattern so that a fragment (an
    /// expression, a statement) parses: each is tried in turn after the bare
    /// pattern. `{}` marks where the pattern goes.
    fn pattern_contexts(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether a node of this kind is a conditional block an edit may
    /// replace or delete whole (C's `#if`, `#ifdef`).
    fn conditional_block(&self, _kind: &str) -> bool {
        false
    }

    /// Whether a line starting with `#` is a comment (Python), which a new
    /// import goes after.
    fn hash_comments(&self) -> bool {
        false
    }

    /// Where the import `line` goes in a file whose tree is `root`, for a
    /// language where that is more than "after the last top-level import,
    /// else after the leading comments" (Go: after the `package` clause,
    /// inside an `import ( ... )` group). `None` leaves it to that rule.
    fn place_import(&self, _root: Node<'_>, _src: &str, _line: &str) -> Option<ImportPlace> {
        None
    }
}

/// Where a new import goes ([`Grammar::place_import`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ImportPlace {
    /// The file imports it already.
    Present,
    /// `text` inserted at byte `at`.
    Insert { at: usize, text: String },
}

/// The compiled-in grammar of a language, or `None` when its feature is off.
pub(crate) fn grammar(lang: Lang) -> Option<&'static dyn Grammar> {
    match lang {
        #[cfg(feature = "c")]
        Lang::C => Some(&c::C),
        #[cfg(feature = "cpp")]
        Lang::Cpp => Some(&cpp::Cpp),
        #[cfg(feature = "rust")]
        Lang::Rust => Some(&rust::Rust),
        #[cfg(feature = "python")]
        Lang::Python => Some(&python::Python),
        #[cfg(feature = "go")]
        Lang::Go => Some(&go::Go),
        #[cfg(feature = "java")]
        Lang::Java => Some(&java::Java),
        #[cfg(feature = "javascript")]
        Lang::JavaScript => Some(&javascript::JavaScript),
        #[cfg(feature = "typescript")]
        Lang::TypeScript => Some(&typescript::TypeScript { tsx: false }),
        #[cfg(feature = "typescript")]
        Lang::Tsx => Some(&typescript::TypeScript { tsx: true }),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

// Helpers the grammar files share.

/// The UTF-8 text of a node, lossily for invalid bytes.
pub(crate) fn text<'s>(node: Node<'_>, src: &'s [u8]) -> std::borrow::Cow<'s, str> {
    String::from_utf8_lossy(src.get(node.byte_range()).unwrap_or_default())
}

/// The text of a node's field, if the field is there.
pub(crate) fn field_text(node: Node<'_>, field: &str, src: &[u8]) -> Option<String> {
    node.child_by_field_name(field).map(|n| text(n, src).into_owned())
}

/// A callee expression reduced to a name: a plain path (`foo`, `a::b`,
/// `np.dot`) is kept whole, anything else (`(*fp)`, `get()()`) is reduced to
/// its last identifier.
pub(crate) fn callee_name(node: Node<'_>, src: &[u8]) -> Option<String> {
    let t = text(node, src);
    let simple = t.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '.' | '$'));
    if simple && !t.is_empty() {
        return Some(t.into_owned());
    }
    // The last identifier-like leaf.
    let mut last = None;
    let mut cursor = node.walk();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.child_count() == 0 && n.kind().contains("identifier") {
            match last {
                Some((start, _)) if start >= n.start_byte() => {}
                _ => last = Some((n.start_byte(), text(n, src).into_owned())),
            }
        }
        stack.extend(n.children(&mut cursor));
    }
    last.map(|(_, name)| name)
}

/// Collapses runs of whitespace into single spaces.
pub(crate) fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
