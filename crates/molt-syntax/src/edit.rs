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
use tree_sitter::{InputEdit, Node, Point, Tree};

use crate::compiler::ProjectMacros;
use crate::index::{index_tree, FileIndex};
use crate::lang::Lang;
use crate::mask::Masks;
use crate::parse::{parse_masked, parse_tree_in};
use crate::paths::{confine, normalize};
use crate::repo::{resolve_in, split_symbol};
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
    /// Content hashes ([`crate::content_hash`], as in [`FileIndex::hash`])
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
}

/// Where file contents come from during a transaction.
trait Source {
    /// The file's text, `None` if it does not exist.
    fn read(&self, path: &str) -> Result<Option<String>>;
    /// What the project's compiler says of its macros, when known.
    fn project(&self) -> Option<&ProjectMacros> {
        None
    }
}

struct Memory<'a>(&'a BTreeMap<String, String>);

impl Source for Memory<'_> {
    fn read(&self, path: &str) -> Result<Option<String>> {
        if path.split('/').any(|p| p == "..") || path.starts_with('/') {
            return Err(Error::OutsideRepo { path: path.to_owned(), why: "not a relative path inside".to_owned() });
        }
        Ok(self.0.get(path).cloned())
    }
}

struct Disk<'a> {
    root: &'a Path,
    policy: Option<&'a molt_core::PathPolicy>,
    protected: Option<globset::GlobSet>,
    globs: &'a [String],
    expected: &'a BTreeMap<String, String>,
    project: Option<std::sync::Arc<ProjectMacros>>,
}

impl Source for Disk<'_> {
    fn project(&self) -> Option<&ProjectMacros> {
        self.project.as_deref()
    }

    fn read(&self, path: &str) -> Result<Option<String>> {
        if let Some(policy) = self.policy {
            policy.writable(path).map_err(|r| Error::Refused(r.to_string()))?;
        }
        let abs = confine(self.root, path)?;
        if let Some(set) = &self.protected {
            if let Some(i) = set.matches(path).first() {
                return Err(Error::Protected { path: path.to_owned(), glob: self.globs[*i].clone() });
            }
        }
        let bytes = match std::fs::read(&abs) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if self.expected.contains_key(path) {
                    return Err(Error::Changed { path: path.to_owned() });
                }
                return Ok(None);
            }
            Err(e) => return Err(Error::io(abs, e)),
        };
        if let Some(hash) = self.expected.get(path) {
            if *hash != crate::content_hash(&bytes) {
                return Err(Error::Changed { path: path.to_owned() });
            }
        }
        String::from_utf8(bytes).map(Some).map_err(|_| Error::NotUtf8 { path: path.to_owned() })
    }
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
    };
    let applied = transact(&source, set)?;
    if !options.dry_run {
        write_all(root, &applied, !options.scratch)?;
    }
    Ok(applied)
}

fn write_all(root: &Path, applied: &Applied, sync: bool) -> Result<()> {
    // Stage every new text next to its target first.
    let mut staged: Vec<(std::path::PathBuf, std::path::PathBuf, &FileChange)> = Vec::new();
    let cleanup = |staged: &[(std::path::PathBuf, std::path::PathBuf, &FileChange)]| {
        for (tmp, _, _) in staged {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (n, change) in applied.changes.iter().enumerate() {
        let target = confine(root, &change.path)?;
        let Some(after) = &change.after else { continue };
        let dir = target.parent().unwrap_or(root).to_path_buf();
        if let Err(e) = std::fs::create_dir_all(&dir) {
            cleanup(&staged);
            return Err(Error::io(dir, e));
        }
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{name}.molt-{}-{n}.tmp", std::process::id()));
        let written = std::fs::File::create(&tmp).and_then(|mut f| {
            use std::io::Write;
            f.write_all(after.as_bytes())?;
            if sync {
                f.sync_all()?;
            }
            Ok(())
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            cleanup(&staged);
            return Err(Error::io(tmp, e));
        }
        // Keep the file's permissions (an executable script stays one).
        if let Ok(meta) = std::fs::metadata(&target) {
            let _ = std::fs::set_permissions(&tmp, meta.permissions());
        }
        staged.push((tmp, target, change));
    }
    // Then rename them into place; if one fails, put back those already moved.
    for (i, (tmp, target, _)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, target) {
            for (_, done, change) in &staged[..i] {
                match &change.before {
                    Some(before) => {
                        let _ = std::fs::write(done, before);
                    }
                    None => {
                        let _ = std::fs::remove_file(done);
                    }
                }
            }
            cleanup(&staged[i..]);
            return Err(Error::io(target.clone(), e));
        }
    }
    for change in &applied.changes {
        if change.after.is_none() {
            let target = confine(root, &change.path)?;
            std::fs::remove_file(&target).map_err(|e| Error::io(target, e))?;
        }
    }
    Ok(())
}

fn transact(source: &dyn Source, set: &EditSet) -> Result<Applied> {
    let mut by_file: BTreeMap<String, Vec<(usize, &Edit)>> = BTreeMap::new();
    for (i, edit) in set.edits.iter().enumerate() {
        by_file.entry(edit.file()).or_default().push((i, edit));
    }
    let mut applied = Applied::default();
    for (path, edits) in by_file {
        if let Some(change) = edit_file(source, &path, &edits)? {
            applied.changes.push(change);
        }
    }
    Ok(applied)
}

fn wrap(index: usize, edit: &Edit, source: Error) -> Error {
    Error::Edit { index, what: edit.describe(), source: Box::new(source) }
}

fn edit_file(source: &dyn Source, path: &str, edits: &[(usize, &Edit)]) -> Result<Option<FileChange>> {
    let (first, first_edit) = edits[0];
    let before = source.read(path).map_err(|e| wrap(first, first_edit, e))?;
    // Creating and deleting whole files stand alone.
    for &(i, edit) in edits {
        let alone = matches!(edit, Edit::CreateFile { .. } | Edit::DeleteFile { .. });
        if alone && edits.len() > 1 {
            let other = edits.iter().find(|(j, _)| *j != i).map_or(i, |(j, _)| *j);
            return Err(Error::Overlap { path: path.to_owned(), first: i.min(other), second: i.max(other) });
        }
    }
    match (first_edit, before) {
        (Edit::CreateFile { text, .. }, None) => {
            if let Some(lang) = Lang::from_path(path).filter(|l| l.is_enabled()) {
                let tree = parse_tree_in(lang, text.as_bytes(), None, source.project())?;
                if let Some(err) = first_error(tree.root_node()) {
                    return Err(wrap(first, first_edit, broken(path, text, err)));
                }
                if lang == Lang::Rust {
                    syn::parse_file(text).map_err(|e| wrap(first, first_edit, syn_error(path, text, 0, &e)))?;
                }
            }
            Ok(Some(FileChange { path: path.to_owned(), before: None, after: Some(text.clone()), splices: Vec::new() }))
        }
        (Edit::CreateFile { .. }, Some(_)) => {
            Err(wrap(first, first_edit, Error::Invalid(format!("{path} already exists"))))
        }
        (Edit::DeleteFile { .. }, Some(before)) => {
            Ok(Some(FileChange { path: path.to_owned(), before: Some(before), after: None, splices: Vec::new() }))
        }
        (_, None) => Err(wrap(first, first_edit, Error::Invalid(format!("{path} does not exist")))),
        (_, Some(before)) => edit_text(path, before, edits, source.project()),
    }
}

fn edit_text(
    path: &str,
    before: String,
    edits: &[(usize, &Edit)],
    project: Option<&ProjectMacros>,
) -> Result<Option<FileChange>> {
    let lang = Lang::from_path(path).ok_or_else(|| Error::UnknownLanguage(path.to_owned()))?;
    let tree = parse_tree_in(lang, before.as_bytes(), None, project)?;
    let index = index_tree(path, lang, before.as_bytes(), &tree, project)?;
    let mut splices = Vec::new();
    for &(i, edit) in edits {
        if let Some(s) = resolve(edit, i, &before, &index, &tree).map_err(|e| wrap(i, edit, e))? {
            splices.push(s);
        }
    }
    if splices.is_empty() {
        return Ok(None);
    }
    splices.sort_by_key(|s| (s.start, s.end));
    for pair in splices.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.start < a.end || (a.start == b.start && a.end == b.end && a.end > a.start) {
            return Err(Error::Overlap {
                path: path.to_owned(),
                first: a.edit.min(b.edit),
                second: a.edit.max(b.edit),
            });
        }
    }
    let (text, broken) = splice_and_check(lang, project, &before, &tree, &splices)?;
    if let Some(mut err) = broken {
        // Without a clean anchor to blame, an error that several edits
        // touch may be any one's: the first of them that breaks the parse on
        // its own is the one to name, at its place in the whole result.
        if err.suspects.len() > 1 {
            let mut suspects = std::mem::take(&mut err.suspects);
            suspects.sort_unstable();
            suspects.dedup();
            for &e in suspects.iter().take(MAX_SUSPECTS) {
                let alone: Vec<Splice> = splices.iter().filter(|s| s.edit == e).cloned().collect();
                if let (_, Some(sub)) = splice_and_check(lang, project, &before, &tree, &alone)? {
                    let at = to_whole(sub.at, &alone, &splices).min(text.len());
                    let p = point(&text, at);
                    err = gate::NewError { line: p.row + 1, column: p.column + 1, at, ..sub };
                    break;
                }
            }
        }
        let what = edits.iter().find(|(i, _)| *i == err.edit).map(|(_, e)| e.describe()).unwrap_or_default();
        let source =
            Error::BrokenSyntax { path: path.to_owned(), line: err.line, column: err.column, message: err.message };
        return Err(Error::Edit { index: err.edit, what, source: Box::new(source) });
    }
    if lang == Lang::Rust {
        check_rust(path, &before, &text, &splices, edits)?;
    }
    Ok(Some(FileChange { path: path.to_owned(), before: Some(before), after: Some(text), splices }))
}

/// How many edits a refusal tries one by one to find the one that breaks
/// the parse on its own (each try re-parses the file).
const MAX_SUSPECTS: usize = 16;

/// Applies `splices` (sorted, disjoint) to `before`, re-parses
/// incrementally from `tree` (the tree of `before`) and asks the gate for a
/// syntax error the splices added.
fn splice_and_check(
    lang: Lang,
    project: Option<&ProjectMacros>,
    before: &str,
    tree: &Tree,
    splices: &[Splice],
) -> Result<(String, Option<gate::NewError>)> {
    // One pass over the text, tracking the row and column of its end, so
    // that thousands of splices in a large file (a body edit per function
    // of an amalgamation) cost one copy, not one copy each.
    let mut text = String::with_capacity(before.len() + splices.iter().map(|s| s.text.len()).sum::<usize>());
    let mut edited = tree.clone();
    let mut at = 0;
    let mut end = Point { row: 0, column: 0 };
    for s in splices {
        text.push_str(&before[at..s.start]);
        end = advance(end, &before[at..s.start]);
        let start_byte = text.len();
        let start_position = end;
        text.push_str(&s.text);
        end = advance(end, &s.text);
        edited.edit(&InputEdit {
            start_byte,
            old_end_byte: start_byte + (s.end - s.start),
            new_end_byte: text.len(),
            start_position,
            old_end_position: advance(start_position, &before[s.start..s.end]),
            new_end_position: end,
        });
        at = s.end;
    }
    text.push_str(&before[at..]);
    // An edit that adds or removes a `#define` of a declaration macro masks
    // the whole file differently: then the old tree is no guide.
    let old_masks = Masks::of_in(lang, before.as_bytes(), project);
    let new_masks = Masks::of_in(lang, text.as_bytes(), project);
    let reuse = (old_masks == new_masks).then_some(&edited);
    let new_tree = parse_masked(lang, text.as_bytes(), reuse, &new_masks)?;
    // The gate sees each splice narrowed to the bytes it really changes: a
    // body replaced by itself plus one line keeps its old errors (and their
    // places) outside the change.
    let narrow: Vec<Splice> = splices.iter().map(|s| narrowed(before, s)).collect();
    let masks = (&old_masks, &new_masks);
    let broken = gate::first_new_error(lang, masks, before, tree, &text, &new_tree, &narrow)?;
    Ok((text, broken))
}

/// Offset `at` of the text made by the splices `some` moved to the text made
/// by all of `all` (a superset, both sorted).
fn to_whole(at: usize, some: &[Splice], all: &[Splice]) -> usize {
    // Back to the original text (or into one of `some`'s new texts).
    let mut shift: isize = 0;
    let mut inside: Option<(usize, usize)> = None;
    for s in some {
        let new_start = (s.start as isize + shift) as usize;
        if at < new_start {
            break;
        }
        if at <= new_start + s.text.len() {
            inside = Some((s.start, at - new_start));
            break;
        }
        shift += s.text.len() as isize - (s.end - s.start) as isize;
    }
    let (old, extra) = match inside {
        Some((start, into)) => (start, into),
        None => ((at as isize - shift) as usize, 0),
    };
    // Forward through all splices.
    let mut shift: isize = 0;
    for s in all {
        if s.start > old || (s.start == old && inside.is_some()) {
            break;
        }
        if old < s.end {
            break;
        }
        shift += s.text.len() as isize - (s.end - s.start) as isize;
    }
    (old as isize + shift) as usize + extra
}

/// `s` without the bytes at its ends that it leaves as they were (cut at
/// character boundaries).
fn narrowed(text: &str, s: &Splice) -> Splice {
    let old = &text[s.start..s.end];
    let new = s.text.as_str();
    let mut prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
    while !(old.is_char_boundary(prefix) && new.is_char_boundary(prefix)) {
        prefix -= 1;
    }
    let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
    let mut suffix = old_rest.bytes().rev().zip(new_rest.bytes().rev()).take_while(|(a, b)| a == b).count();
    while !(old_rest.is_char_boundary(old_rest.len() - suffix) && new_rest.is_char_boundary(new_rest.len() - suffix)) {
        suffix -= 1;
    }
    Splice {
        start: s.start + prefix,
        end: s.end - suffix,
        text: new_rest[..new_rest.len() - suffix].to_owned(),
        edit: s.edit,
    }
}

fn check_rust(path: &str, before: &str, after: &str, splices: &[Splice], edits: &[(usize, &Edit)]) -> Result<()> {
    for &(i, edit) in edits {
        let (text, body) = match edit {
            Edit::ReplaceItem { text, .. } | Edit::InsertBefore { text, .. } | Edit::InsertAfter { text, .. } => {
                (text, false)
            }
            Edit::ReplaceBody { text, .. } => (text, true),
            _ => continue,
        };
        let parsed = if body {
            let block = if text.trim_start().starts_with('{') { text.clone() } else { format!("{{\n{text}\n}}") };
            syn::parse_str::<syn::Block>(&block).map(drop)
        } else {
            syn::parse_file(text).map(drop)
        };
        if let Err(e) = parsed {
            return Err(wrap(i, edit, syn_error(path, text, 0, &e)));
        }
    }
    // A file syn could read before must stay readable.
    if syn::parse_file(before).is_ok() {
        if let Err(e) = syn::parse_file(after) {
            // Blame the edit whose new text holds the error, or the last one
            // before it, not simply the first edit of the set.
            let start = e.span().start();
            let at = after.split_inclusive('\n').take(start.line.saturating_sub(1)).map(str::len).sum::<usize>()
                + start.column;
            let mut shift: isize = 0;
            let mut blamed = splices.first().map_or(edits[0].0, |s| s.edit);
            for s in splices {
                let new_start = (s.start as isize + shift) as usize;
                if new_start <= at {
                    blamed = s.edit;
                }
                shift += s.text.len() as isize - (s.end - s.start) as isize;
            }
            let (i, edit) = edits.iter().copied().find(|(i, _)| *i == blamed).unwrap_or(edits[0]);
            return Err(wrap(i, edit, syn_error(path, after, 0, &e)));
        }
    }
    Ok(())
}

fn syn_error(path: &str, _text: &str, _base: usize, e: &syn::Error) -> Error {
    let start = e.span().start();
    Error::BrokenSyntax {
        path: path.to_owned(),
        line: start.line,
        column: start.column + 1,
        message: format!("syn: {e}"),
    }
}

fn broken(path: &str, text: &str, node: Node<'_>) -> Error {
    let p = node.start_position();
    let message = if node.is_missing() {
        format!("missing `{}`", node.kind())
    } else {
        let snippet: String = crate::lang::squash(&text[node.byte_range()]).chars().take(40).collect();
        format!("syntax error near `{snippet}`")
    };
    Error::BrokenSyntax { path: path.to_owned(), line: p.row + 1, column: p.column + 1, message }
}

/// The first ERROR or MISSING node.
fn first_error(root: Node<'_>) -> Option<Node<'_>> {
    if !root.has_error() {
        return None;
    }
    let mut stack = vec![root];
    let mut cursor = root.walk();
    let mut best: Option<Node<'_>> = None;
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            if best.is_none_or(|b| node.start_byte() < b.start_byte()) {
                best = Some(node);
            }
            continue;
        }
        stack.extend(node.children(&mut cursor).filter(|c| c.has_error() || c.is_missing()));
    }
    best
}

/// The position just past `text` when it starts at `from`.
fn advance(from: Point, text: &str) -> Point {
    match text.rfind('\n') {
        Some(last) => {
            Point { row: from.row + memchr::memchr_iter(b'\n', text.as_bytes()).count(), column: text.len() - last - 1 }
        }
        None => Point { row: from.row, column: from.column + text.len() },
    }
}

fn point(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let column = offset - before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    Point { row, column }
}

/// Byte offset where the line holding `offset` starts.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The whitespace before the item on its first line ("" if code precedes it).
fn indent_at(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let prefix = &text[start..offset];
    if prefix.chars().all(|c| c == ' ' || c == '\t') {
        prefix
    } else {
        ""
    }
}

/// The innermost `#if`/`#ifdef` block around byte `at`.
fn conditional_around<'t>(tree: &'t Tree, at: usize, end: usize) -> Option<Node<'t>> {
    let mut node = tree.root_node().descendant_for_byte_range(at, end)?;
    loop {
        if matches!(node.kind(), "preproc_if" | "preproc_ifdef") {
            return Some(node);
        }
        node = node.parent()?;
    }
}

fn resolve(edit: &Edit, index_in_set: usize, text: &str, index: &FileIndex, tree: &Tree) -> Result<Option<Splice>> {
    let splice = |start, end, text: String| Ok(Some(Splice { start, end, text, edit: index_in_set }));
    let item = |symbol: &str| resolve_in(index, symbol);
    let lang = index.lang;
    match edit {
        Edit::ReplaceItem { symbol, text: new, whole_conditional } => {
            let item = item(symbol)?;
            let (start, end) = if *whole_conditional {
                let node = conditional_around(tree, item.span.start, item.span.end)
                    .ok_or_else(|| Error::Invalid(format!("{} is not inside an #if block", item.path)))?;
                (node.start_byte(), trim_newline_end(text, node.end_byte()))
            } else {
                (item.span.start, item.span.end)
            };
            let indent = effective_indent(lang, &text[start..end], indent_at(text, start));
            splice(start, end, reindent(new, indent, lang))
        }
        Edit::ReplaceBody { symbol, text: new } => {
            let item = item(symbol)?;
            let body = item.body.ok_or_else(|| Error::Invalid(format!("{} has no body", item.path)))?;
            let indent = indent_at(text, item.span.start);
            let new = if lang.uses_braces() && !new.trim_start().starts_with('{') {
                let unit = indent_unit(text);
                let inner = reindent(new, &format!("{indent}{unit}"), lang);
                format!("{{\n{indent}{unit}{inner}\n{indent}}}")
            } else if lang.uses_braces() {
                reindent(new, effective_indent(lang, &text[body.start..body.end], indent), lang)
            } else {
                let indent = effective_indent(lang, &text[body.start..body.end], indent_at(text, body.start));
                reindent(new, indent, lang)
            };
            splice(body.start, body.end, new)
        }
        Edit::InsertBefore { symbol, text: new } => {
            let item = item(symbol)?;
            let indent = indent_at(text, item.span.start);
            let at = item.span.start - indent.len();
            splice(at, at, format!("{indent}{}\n\n", reindent(new, indent, lang)))
        }
        Edit::InsertAfter { symbol, text: new } => {
            let item = item(symbol)?;
            let indent = indent_at(text, item.span.start);
            splice(item.span.end, item.span.end, format!("\n\n{indent}{}", reindent(new, indent, lang)))
        }
        Edit::DeleteItem { symbol, whole_conditional } => {
            let item = item(symbol)?;
            let (start, end) = if *whole_conditional {
                let node = conditional_around(tree, item.span.start, item.span.end)
                    .ok_or_else(|| Error::Invalid(format!("{} is not inside an #if block", item.path)))?;
                (node.start_byte(), trim_newline_end(text, node.end_byte()))
            } else {
                (item.span.start, item.span.end)
            };
            let (start, end) = whole_lines(text, start, end);
            splice(start, end, String::new())
        }
        Edit::AddInclude { text: line, .. } => {
            let line = line.trim();
            if line.is_empty() {
                return Err(Error::Invalid("the include text is empty".to_owned()));
            }
            if text.lines().any(|l| l.trim() == line) {
                return Ok(None);
            }
            let top_level: Vec<_> = index.imports.iter().filter(|i| indent_at(text, i.span.start).is_empty()).collect();
            match top_level.last() {
                Some(last) => {
                    let end = trim_newline_end(text, last.span.end);
                    splice(end, end, format!("\n{line}"))
                }
                None => {
                    let at = preamble_end(text, index.lang);
                    let blank = if text[at..].starts_with('\n') || text[at..].is_empty() { "" } else { "\n" };
                    splice(at, at, format!("{line}\n{blank}"))
                }
            }
        }
        Edit::Splice { start, old, text: new, .. } => {
            // `start` comes from outside (a JSON edit set): it may be anything.
            let end = start.checked_add(old.len()).unwrap_or(usize::MAX);
            if text.get(*start..end) != Some(old.as_str()) {
                return Err(Error::Invalid(format!("the text at byte {start} is not the expected `old` text")));
            }
            splice(*start, end, new.clone())
        }
        Edit::CreateFile { .. } | Edit::DeleteFile { .. } => Err(Error::Invalid("a whole-file edit".to_owned())),
    }
}

/// `end` moved back before a newline the node swallowed (`#endif\n`).
fn trim_newline_end(text: &str, end: usize) -> usize {
    let mut end = end;
    while end > 0 && matches!(text.as_bytes()[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    end
}

/// The lines `start..end` sit on, with their newline, plus one blank line
/// when the deletion would otherwise leave two blank lines in a row.
fn whole_lines(text: &str, start: usize, end: usize) -> (usize, usize) {
    let ls = line_start(text, start);
    let start = if text[ls..start].trim().is_empty() { ls } else { start };
    let rest = &text[end..];
    let eol = rest.find('\n').map_or(text.len(), |i| end + i + 1);
    let mut end = if text[end..eol].trim().is_empty() { eol } else { end };
    let blank_before = start == 0 || text[..start].ends_with("\n\n");
    if blank_before {
        let next = &text[end..];
        let next_eol = next.find('\n').map(|i| end + i + 1);
        if let Some(e) = next_eol {
            if text[end..e].trim().is_empty() {
                end = e;
            }
        }
    }
    (start, end)
}

/// The leading lines a new include goes after: a shebang, comments, a
/// Python docstring, blank lines.
fn preamble_end(text: &str, lang: Lang) -> usize {
    let mut at = 0;
    let mut in_block = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        let comment = if in_block {
            if t.contains("*/") {
                in_block = false;
            }
            true
        } else if t.starts_with("/*") {
            in_block = !t.contains("*/");
            true
        } else {
            t.starts_with("//")
                || t.starts_with("#!")
                || (lang == Lang::Python && t.starts_with('#'))
                || t.starts_with("//!")
        };
        if !comment {
            break;
        }
        at += line.len();
    }
    at
}

/// The file's indentation step, guessed from its first indented line.
fn indent_unit(text: &str) -> String {
    for line in text.lines() {
        let lead: String = line.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        if !lead.is_empty() && !line.trim().is_empty() && !line.trim_start().starts_with('*') {
            return if lead.starts_with('\t') { "\t".to_owned() } else { lead };
        }
    }
    "    ".to_owned()
}

mod gate;
mod indent;

pub use indent::{body_text, item_text};
use indent::{effective_indent, reindent};

#[cfg(test)]
mod tests;
