//! The tools the coder agent's model may call: reading, searching, editing
//! through the syntax tree, running the spec's checks, finishing.
//!
//! Everything a model sends is untrusted input (DESIGN.md, invariant 4). The
//! [`ToolBox`] therefore validates every argument against the same table the
//! JSON schemas in [`tool_specs`] are generated from, confines every path to
//! the worktree (no `..`, no absolute paths, no symbolic links, never `.git/`,
//! `.molt/` or the spec file), refuses edits to protected paths (tests, by
//! default) and applies each edit as a molt-syntax [`EditSet`] of one edit, so
//! that a text which breaks the parse is refused with the place it broke and
//! nothing is written. A bad call never panics and never ends the run: it
//! answers with an error text the model can act on, and the box keeps working.
//!
//! The box does not run checks itself: `run_checks` and `finish` only return a
//! [`ToolAction`] that the agent loop acts on.

mod args;
mod edit;
mod read;
mod resolve;
mod schema;
mod search;
mod text;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use molt_syntax::{FileIndex, Item};
use serde_json::Value;

use args::{validate, Args};
pub use schema::tool_specs;
use schema::TOOLS;
use text::normalize;

/// The default cap on a replacement or new file's text.
pub const DEFAULT_MAX_REPLACEMENT_BYTES: usize = 256 * 1024;
/// At most this many lines per `read_file` answer.
pub const READ_MAX_LINES: usize = 400;
/// At most this many bytes per answer of any reading or searching tool.
pub const OUTPUT_MAX_BYTES: usize = 32 * 1024;
/// At most this many matches per `search` answer.
pub const SEARCH_MAX_MATCHES: usize = 100;

/// Files larger than this are not indexed or searched.
pub(super) const MAX_SOURCE_BYTES: u64 = molt_syntax::MAX_SOURCE_BYTES;
/// Paths, symbols, globs and patterns longer than this are refused.
pub(super) const MAX_SHORT_ARG_BYTES: usize = 4096;
/// A single line longer than this is cut in `read_file` and `search` answers.
pub(super) const MAX_LINE_CHARS: usize = 2000;

/// What a [`ToolBox`] allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolBoxOptions {
    /// The spec's `include` globs: the only paths the model may write (see
    /// [`molt_core::PathPolicy`]).
    pub include: Vec<String>,
    /// Globs (`tests/**`) of paths the model may read but not edit.
    pub protected: Vec<String>,
    /// Repository-relative files the task is about: bare symbol names are
    /// looked up among them, and edits elsewhere are allowed but reported.
    pub task_files: Vec<String>,
    /// The largest replacement, inserted or new file text accepted, in bytes.
    pub max_replacement_bytes: usize,
    /// The spec file (repository-relative) that the model may neither read nor edit.
    pub spec_file: String,
}

impl Default for ToolBoxOptions {
    fn default() -> Self {
        Self {
            include: vec!["**".to_owned()],
            protected: vec!["tests/**".to_owned(), "test/**".to_owned()],
            task_files: Vec::new(),
            max_replacement_bytes: DEFAULT_MAX_REPLACEMENT_BYTES,
            spec_file: "molt.toml".to_owned(),
        }
    }
}

/// What the agent loop should do after a tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolAction {
    /// Nothing: answer the model and go on.
    None,
    /// Files were written (repository-relative paths).
    Edited(Vec<String>),
    /// The model asked for the spec's checks; the loop runs them.
    RunChecks,
    /// The model is done; its summary.
    Finish(String),
}

/// The answer to one tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOutcome {
    /// The text the model receives as the tool result.
    pub content: String,
    /// Whether the call was refused or failed (the model should try differently).
    pub is_error: bool,
    pub action: ToolAction,
}

impl ToolOutcome {
    fn ok(content: String, action: ToolAction) -> Self {
        Self { content, is_error: false, action }
    }

    fn error(content: String) -> Self {
        Self { content, is_error: true, action: ToolAction::None }
    }
}

/// Reading or writing: protected paths may be read but not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    Read,
    Write,
}

/// An item found by symbol, with its file's text.
struct Resolved {
    file: String,
    item: Item,
    text: String,
}

type Answer = Result<(String, ToolAction), String>;

/// Files' indexes by repository-relative path, each with the text it was
/// made from.
pub type FileIndexes = BTreeMap<String, (String, FileIndex)>;

/// The coder agent's tools over one worktree. See the module docs.
#[derive(Debug)]
pub struct ToolBox {
    root: PathBuf,
    options: ToolBoxOptions,
    /// Where the model may write: the one path policy every writer shares.
    policy: molt_core::PathPolicy,
    /// What the worktree's compiler says of its C and C++ macros, when it
    /// has a compilation database (see `crate::macros`).
    macros: Option<std::sync::Arc<molt_syntax::ProjectMacros>>,
    /// Why no edit is allowed, when a glob did not compile.
    bad_glob: Option<String>,
    task_files: Vec<String>,
    changed: BTreeSet<String>,
    /// The text of each item the model has been shown (by qualified path):
    /// the conversation holds it, so reading it again unchanged is answered
    /// with a line, not the text a second time.
    shown: BTreeMap<String, String>,
    /// The last index made of each file, with the text it was made from: a
    /// file read and then edited by name is parsed once, not once per call.
    indexes: RefCell<FileIndexes>,
}

impl ToolBox {
    /// A tool box over `worktree`. A protected glob that does not compile
    /// (the spec's validation normally catches it first) fails closed: the
    /// box then refuses every edit, with the glob's error, rather than leave
    /// tests editable.
    pub fn new(worktree: &Path, options: ToolBoxOptions) -> ToolBox {
        let (policy, bad_glob) =
            match molt_core::PathPolicy::new(&options.include, &options.protected, &options.spec_file) {
                Ok(policy) => (policy, None),
                Err(e) => {
                    // Reading stays possible; writing is refused with the glob's error.
                    let reads_only = molt_core::PathPolicy::new(&[], &[], &options.spec_file)
                        .expect("a policy without globs always compiles");
                    (reads_only, Some(format!("the spec's {e} is invalid, so no edit is allowed")))
                }
            };
        let task_files = options.task_files.iter().map(|f| normalize(f)).collect();
        ToolBox {
            root: worktree.to_path_buf(),
            macros: crate::macros::project_macros(worktree),
            options,
            policy,
            bad_glob,
            task_files,
            changed: BTreeSet::new(),
            shown: BTreeMap::new(),
            indexes: RefCell::default(),
        }
    }

    /// Records that the model was shown `text` as item `symbol` (in its first
    /// message): a `read_symbol` that would answer the same text says so
    /// instead of sending it again.
    pub fn mark_shown(&mut self, symbol: &str, text: &str) {
        self.shown.insert(symbol.to_owned(), text.to_owned());
    }

    pub fn worktree(&self) -> &Path {
        &self.root
    }

    pub fn options(&self) -> &ToolBoxOptions {
        &self.options
    }

    /// The repository-relative files this box has written, sorted.
    pub fn changed_files(&self) -> Vec<String> {
        self.changed.iter().cloned().collect()
    }

    /// Runs one tool call. Never panics on any input and never fails: a bad
    /// call answers with `is_error` and a text that says what to fix.
    pub fn call(&mut self, name: &str, input: &Value) -> ToolOutcome {
        let Some(tool) = TOOLS.iter().find(|t| t.name == name) else {
            let name: String = name.chars().take(64).collect();
            let names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
            return ToolOutcome::error(format!("unknown tool `{name}`; the tools are: {}", names.join(", ")));
        };
        let args = match validate(tool, input, self.options.max_replacement_bytes) {
            Ok(args) => args,
            Err(e) => return ToolOutcome::error(format!("{}: {e}", tool.name)),
        };
        // Defence in depth: a bug in a parser must cost the model a retry, not the run.
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (tool.run)(self, &args)))
            .unwrap_or_else(|_| Err("internal error while running the tool; nothing was written".to_owned()));
        match answer {
            Ok((content, action)) => ToolOutcome::ok(content, action),
            // Messages name repository-relative paths: an error from below
            // (the file system, the edit engine) may carry the worktree's
            // absolute path, which says nothing to the model and leaks
            // where molt keeps its files.
            Err(e) => ToolOutcome::error(format!("{}: {}", tool.name, self.relative_paths(&e))),
        }
    }

    /// `text` with the worktree's absolute path taken out.
    fn relative_paths(&self, text: &str) -> String {
        let root = self.root.display().to_string();
        text.replace(&format!("{root}/"), "").replace(&root, ".")
    }

    /// `run_checks`: the agent loop runs them.
    fn run_checks() -> (String, ToolAction) {
        ("The checks run now; their results are the next message.".to_owned(), ToolAction::RunChecks)
    }

    /// `finish`: the agent loop runs the checks and commits if they pass.
    fn finish(args: &Args<'_>) -> Answer {
        let summary = args.need("summary")?.trim();
        if summary.is_empty() {
            return Err("`summary` is empty; say in one paragraph what you changed".to_owned());
        }
        Ok(("Finished.".to_owned(), ToolAction::Finish(summary.to_owned())))
    }

    /// Validates a model-given path: relative, inside the worktree, not
    /// through a symbolic link, not git's or molt's internals, not the spec,
    /// and (for writes) not protected. Returns the normalized relative path
    /// and the path on disk.
    fn check_path(&self, raw: &str, access: Access) -> Result<(String, PathBuf), String> {
        if !self.root.is_dir() {
            return Err(format!("the worktree {} is missing", self.root.display()));
        }
        let checked = match access {
            Access::Read => self.policy.readable(raw),
            Access::Write => {
                if let Some(why) = &self.bad_glob {
                    return Err(why.clone());
                }
                self.policy.writable(raw)
            }
        };
        let rel = checked.map_err(|refusal| refusal.to_string())?;
        let abs = molt_syntax::confine(&self.root, &rel).map_err(|e| match e {
            molt_syntax::Error::OutsideRepo { why, .. } => format!("`{rel}` is refused: {why}"),
            other => other.to_string(),
        })?;
        Ok((rel, abs))
    }
}

#[cfg(test)]
mod tests;
