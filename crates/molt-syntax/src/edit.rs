//! Edit sets: symbol-addressed edits applied as one transaction.
//!
//! Every edit is resolved against the file as it was before the set (so the
//! order of edits does not shift each other's targets), turned into a byte
//! splice, checked for overlap, and applied with tree-sitter's incremental
//! re-parse. A file is accepted only if the edits add no syntax error: each
//! edit's smallest clean enclosing node must still parse cleanly, and every
//! ERROR or MISSING node of the result must have been there before (see
//! `gate.rs`; Rust items must also parse with syn). A refusal names the edit
//! that broke the parse and where. Only when every file passes is anything
//! written, each through a temporary file and a rename. Bytes outside the
//! spliced ranges are never touched.
//!
//! Indentation: a replacement or inserted text is taken relative to its own
//! first line. Its common indentation is removed, and every line after the
//! first gets the indentation of the target item's line. [`item_text`] gives
//! an item's text in that same relative form, so that replacing an item with
//! `item_text` of itself changes nothing.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::compiler::ProjectMacros;
use crate::paths::normalize;
use crate::repo::split_symbol;
use crate::{Error, Result};

/// A list of edits applied all together or not at all. The JSON form is
/// documented in `EDITS.md`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditSet {
    /// What the set does, for people reading it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub edits: Vec<Edit>,
}

impl EditSet {
    pub fn new(edits: Vec<Edit>) -> Self {
        Self { description: None, edits }
    }

    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::Invalid(format!("invalid edit set: {e}")))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// One edit. Items are addressed by qualified path (`src/model.rs::Model::forward`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Edit {
    /// Replace a whole item (with its doc comments and attributes). With
    /// `whole_conditional`, replace the innermost `#if ... #endif` block
    /// around the item instead.
    ReplaceItem {
        symbol: String,
        text: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        whole_conditional: bool,
    },
    /// Replace an item's body. For brace languages, a text that does not
    /// start with `{` is wrapped in braces and indented one level.
    ReplaceBody { symbol: String, text: String },
    /// Insert a new item before an item, separated by a blank line.
    InsertBefore { symbol: String, text: String },
    /// Insert a new item after an item, separated by a blank line.
    InsertAfter { symbol: String, text: String },
    /// Delete an item (or with `whole_conditional`, its `#if` block) and its line.
    DeleteItem {
        symbol: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        whole_conditional: bool,
    },
    /// Add an include or import line after the file's last one (or at the
    /// top); nothing happens if the same line is already there.
    #[serde(alias = "add_import")]
    AddInclude { path: String, text: String },
    /// Create a new file; it must not exist yet.
    CreateFile { path: String, text: String },
    /// Delete a file.
    DeleteFile { path: String },
    /// Replace the bytes `old` found at byte offset `start` with `text`. For
    /// undo and tools; `old` must match exactly, so it never edits blind.
    Splice { path: String, start: usize, old: String, text: String },
}

impl Edit {
    /// The repository-relative file this edit touches.
    pub fn file(&self) -> String {
        match self {
            Edit::ReplaceItem { symbol, .. }
            | Edit::ReplaceBody { symbol, .. }
            | Edit::InsertBefore { symbol, .. }
            | Edit::InsertAfter { symbol, .. }
            | Edit::DeleteItem { symbol, .. } => normalize(split_symbol(symbol).0),
            Edit::AddInclude { path, .. }
            | Edit::CreateFile { path, .. }
            | Edit::DeleteFile { path }
            | Edit::Splice { path, .. } => normalize(path),
        }
    }

    /// `replace_item src/a.c::f`: how errors name the edit.
    pub fn describe(&self) -> String {
        let (op, target) = match self {
            Edit::ReplaceItem { symbol, .. } => ("replace_item", symbol),
            Edit::ReplaceBody { symbol, .. } => ("replace_body", symbol),
            Edit::InsertBefore { symbol, .. } => ("insert_before", symbol),
            Edit::InsertAfter { symbol, .. } => ("insert_after", symbol),
            Edit::DeleteItem { symbol, .. } => ("delete_item", symbol),
            Edit::AddInclude { path, .. } => ("add_include", path),
            Edit::CreateFile { path, .. } => ("create_file", path),
            Edit::DeleteFile { path } => ("delete_file", path),
            Edit::Splice { path, .. } => ("splice", path),
        };
        format!("{op} {target}")
    }
}

/// A byte range of the original text and what replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Splice {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The index of the edit in the set that made it.
    pub edit: usize,
}

/// What an edit set did (or, in a dry run, would do) to one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: String,
    /// `None` for a created file.
    pub before: Option<String>,
    /// `None` for a deleted file.
    pub after: Option<String>,
    /// The splices on `before`, in order (empty for created and deleted files).
    pub splices: Vec<Splice>,
}

/// The outcome of an edit set: the files it changes, in path order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub changes: Vec<FileChange>,
}

impl Applied {
    /// A unified diff of every change (`a/` and `b/` prefixes, 3 lines of context).
    pub fn diff(&self) -> String {
        self.changes.iter().map(|c| unified_diff(&c.path, c.before.as_deref(), c.after.as_deref())).collect()
    }

    /// The edit set that undoes this one: applied to the result, it
    /// restores every file's original bytes.
    pub fn inverse(&self) -> EditSet {
        let mut edits = Vec::new();
        for change in &self.changes {
            match (&change.before, &change.after) {
                (None, Some(_)) => edits.push(Edit::DeleteFile { path: change.path.clone() }),
                (Some(before), None) => {
                    edits.push(Edit::CreateFile { path: change.path.clone(), text: before.clone() })
                }
                (Some(before), Some(_)) => {
                    let mut shift: isize = 0;
                    for s in &change.splices {
                        let start = (s.start as isize + shift) as usize;
                        edits.push(Edit::Splice {
                            path: change.path.clone(),
                            start,
                            old: s.text.clone(),
                            text: before[s.start..s.end].to_owned(),
                        });
                        shift += s.text.len() as isize - (s.end - s.start) as isize;
                    }
                }
                (None, None) => {}
            }
        }
        EditSet { description: Some("undo".to_owned()), edits }
    }
}

/// A unified diff of one file; `None` stands for a missing file.
pub fn unified_diff(path: &str, before: Option<&str>, after: Option<&str>) -> String {
    let old_name = if before.is_some() { format!("a/{path}") } else { "/dev/null".to_owned() };
    let new_name = if after.is_some() { format!("b/{path}") } else { "/dev/null".to_owned() };
    let diff = similar::TextDiff::from_lines(before.unwrap_or(""), after.unwrap_or(""));
    let mut out = diff.unified_diff().context_radius(3).header(&old_name, &new_name).to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// How to apply an edit set to a repository on disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Globs (`tests/**`: `*` stops at `/`, `**` crosses it, any case) of
    /// paths no edit may touch.
    pub protected: Vec<String>,
    /// The spec's path policy, for edits an agent makes: every path the set
    /// writes must be writable under it ([`molt_core::PathPolicy::writable`]).
    pub policy: Option<molt_core::PathPolicy>,
    /// Content hashes ([`crate::content_hash`], as in [`crate::FileIndex::hash`])
    /// recorded when the files were indexed; a file whose bytes differ now
    /// is refused as changed since.
    pub expected: BTreeMap<String, String>,
    /// Compute everything, write nothing.
    pub dry_run: bool,
    /// The tree is scratch (a task worktree that a resumed run rebuilds from
    /// git), so the files are renamed into place without an fsync first. A
    /// user's own tree keeps the fsync: a crash must not leave a file empty.
    pub scratch: bool,
    /// What the project's compiler says of its C and C++ macros (see
    /// [`ProjectMacros`]); `None` masks by the file's own text alone.
    pub macros: Option<std::sync::Arc<ProjectMacros>>,
    /// The set is a recipe's deterministic rewrite, not an agent's: the
    /// files it creates are the recipe's own, shipped whole (a compatibility
    /// header), and are written without the clean-parse check, which
    /// tree-sitter cannot pass for every valid header (one of declaration
    /// macros, for one); splices of a file molt has no grammar for (a
    /// Makefile the recipe adds a flag to) are applied as text. Edits of
    /// files in a known language are gated, and a set the gate refuses is
    /// still taken when every syntax error of the result repeats, by its
    /// text, one the file already had (a recipe's copy of an item with a
    /// macro tree-sitter cannot read); see `transact.rs`, `recipe_text`.
    /// Never set for an agent's edits.
    pub recipe: bool,
}

/// Applies `set` to texts in memory (repository-relative path to text). On
/// success the map holds the new texts; on any error it is unchanged.
pub fn apply_in_memory(files: &mut BTreeMap<String, String>, set: &EditSet) -> Result<Applied> {
    let applied = transact(&Memory(files), set)?;
    for change in &applied.changes {
        match &change.after {
            Some(after) => files.insert(change.path.clone(), after.clone()),
            None => files.remove(&change.path),
        };
    }
    Ok(applied)
}

/// Applies `set` to the repository at `root`: everything is checked first,
/// then written atomically (temporary file and rename); on any error
/// nothing on disk changes.
pub fn apply_to_repo(root: &Path, set: &EditSet, options: &ApplyOptions) -> Result<Applied> {
    let protected = if options.protected.is_empty() {
        None
    } else {
        Some(
            molt_core::policy::glob_set(&options.protected, true, "protected")
                .map_err(|e| Error::Invalid(e.to_string()))?,
        )
    };
    let source = Disk {
        root,
        policy: options.policy.as_ref(),
        protected,
        globs: &options.protected,
        expected: &options.expected,
        project: options.macros.clone(),
        recipe: options.recipe,
    };
    let applied = transact(&source, set)?;
    if !options.dry_run {
        write_all(root, &applied, !options.scratch)?;
    }
    Ok(applied)
}

mod gate;
mod indent;
mod resolve;
mod source;
mod transact;
mod validate;
mod write;

pub use indent::{body_text, item_text};
use source::{Disk, Memory};
use transact::transact;
use write::write_all;

#[cfg(test)]
mod tests;
