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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use molt_llm::ToolSpec;
use molt_syntax::{ApplyOptions, Edit, EditSet, FileIndex, Item, Lang, Pattern, RepoIndex, SearchOptions, Searcher};
use serde_json::{json, Map, Value};

/// The default cap on a replacement or new file's text.
pub const DEFAULT_MAX_REPLACEMENT_BYTES: usize = 256 * 1024;
/// At most this many lines per `read_file` answer.
pub const READ_MAX_LINES: usize = 400;
/// At most this many bytes per answer of any reading or searching tool.
pub const OUTPUT_MAX_BYTES: usize = 32 * 1024;
/// At most this many matches per `search` answer.
pub const SEARCH_MAX_MATCHES: usize = 100;

/// Files larger than this are not indexed or searched.
const MAX_SOURCE_BYTES: u64 = 4 << 20;
/// Paths, symbols, globs and patterns longer than this are refused.
const MAX_SHORT_ARG_BYTES: usize = 4096;
/// A single line longer than this is cut in `read_file` and `search` answers.
const MAX_LINE_CHARS: usize = 2000;

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

/// The type of one tool argument.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A short string: a path, a symbol, a glob, a pattern.
    Short,
    /// A code text, capped by [`ToolBoxOptions::max_replacement_bytes`].
    Text,
    /// An integer, 1 or more.
    Line,
    /// One of these strings.
    OneOf(&'static [&'static str]),
}

#[derive(Debug)]
struct Param {
    name: &'static str,
    kind: Kind,
    required: bool,
    doc: &'static str,
}

#[derive(Debug)]
struct Tool {
    name: &'static str,
    doc: &'static str,
    params: &'static [Param],
}

const fn req(name: &'static str, kind: Kind, doc: &'static str) -> Param {
    Param { name, kind, required: true, doc }
}

const fn opt(name: &'static str, kind: Kind, doc: &'static str) -> Param {
    Param { name, kind, required: false, doc }
}

// The schemas go out with every call of every task, so their words are
// few: what a tool does, what it refuses, and the one non-obvious rule of
// its arguments. The symbol syntax is explained once, on read_symbol.
const PATH_DOC: &str = "Repository-relative path, e.g. `src/kernels.c`.";
const SYMBOL_DOC: &str = "An item's qualified path, e.g. `src/kernels.c::dot` (see read_symbol).";
const LANGS: &[&str] = &["c", "cpp", "rust", "python", "go", "java", "javascript", "typescript", "tsx"];

const TOOLS: &[Tool] = &[
    Tool {
        name: "list_symbols",
        doc: "List the items defined in a file (default: each of the task's files): qualified path, kind, lines, \
              signature, #if branch.",
        params: &[opt("path", Kind::Short, PATH_DOC)],
    },
    Tool {
        name: "read_symbol",
        doc: "Read an item's text (with the comments directly above it) and line range, in the form replace_symbol \
              takes. A symbol is the file, `::`, then the names from the outside in (`src/m.rs::Model::forward`, \
              `ops/attn.py::Attention.forward`); a bare name works when one task file defines it; the second \
              definition of a name in one scope (another #if branch) is `dot@2`.",
        params: &[req("symbol", Kind::Short, SYMBOL_DOC)],
    },
    Tool {
        name: "read_file",
        doc: "Read numbered lines of a text file, at most 400 lines or 32 KiB per call.",
        params: &[
            req("path", Kind::Short, PATH_DOC),
            opt("start_line", Kind::Line, "First line, 1-based (default 1)."),
            opt("end_line", Kind::Line, "Last line, inclusive."),
        ],
    },
    Tool {
        name: "search",
        doc: "Search with exactly one of `pattern` or `regex`; at most 100 matches, each with its enclosing item.",
        params: &[
            opt(
                "pattern",
                Kind::Short,
                "Code where `$NAME` matches one node (the same name twice, the same text), `$_` any node, `$$$` any \
                 number of nodes: `_mm256_add_ps($A, $B)`.",
            ),
            opt("regex", Kind::Short, "A regular expression (Rust syntax) matched against single lines."),
            opt("lang", Kind::OneOf(LANGS), "The pattern's language (default: the task files')."),
            opt("path_glob", Kind::Short, "Only paths matching this glob, e.g. `src/**/*.c`."),
        ],
    },
    Tool {
        name: "replace_symbol",
        doc: "Replace a whole item (with the comments directly above it). Indentation is relative to the item's. \
              Refused, with the place, if the file would not parse.",
        params: &[req("symbol", Kind::Short, SYMBOL_DOC), req("text", Kind::Text, "The complete new item.")],
    },
    Tool {
        name: "replace_body",
        doc: "Replace the body of a function, struct or class and keep its signature. Refused if the file would not \
              parse.",
        params: &[
            req("symbol", Kind::Short, SYMBOL_DOC),
            req("body", Kind::Text, "The new body, with or without the enclosing braces."),
        ],
    },
    Tool {
        name: "insert_item",
        doc: "Insert a new item before or after an existing one. Refused if the file would not parse.",
        params: &[
            req("anchor_symbol", Kind::Short, SYMBOL_DOC),
            req("position", Kind::OneOf(&["before", "after"]), "Where, relative to the anchor."),
            req("text", Kind::Text, "The new item."),
        ],
    },
    Tool {
        name: "delete_item",
        doc: "Delete an item with the comments directly above it.",
        params: &[req("symbol", Kind::Short, SYMBOL_DOC)],
    },
    Tool {
        name: "add_include",
        doc: "Add an include or import line after the file's last one, unless it is there already.",
        params: &[
            req("path", Kind::Short, PATH_DOC),
            req("include", Kind::Short, "The whole line, e.g. `#include <arm_neon.h>`."),
        ],
    },
    Tool {
        name: "create_file",
        doc: "Create a new file; a source file must parse.",
        params: &[req("path", Kind::Short, PATH_DOC), req("text", Kind::Text, "The file's contents.")],
    },
    Tool {
        name: "run_checks",
        doc: "Run the project's checks on the current files and get their results.",
        params: &[],
    },
    Tool {
        name: "finish",
        doc: "End the task: the checks run, and it is committed if they pass.",
        params: &[req("summary", Kind::Text, "One paragraph: what changed, why, and anything left undone.")],
    },
];

/// The tools offered to the coder agent's model, each with its JSON schema.
pub fn tool_specs() -> Vec<ToolSpec> {
    TOOLS
        .iter()
        .map(|tool| {
            let mut properties = Map::new();
            for p in tool.params {
                let schema = match p.kind {
                    Kind::Short | Kind::Text => json!({ "type": "string", "description": p.doc }),
                    Kind::Line => json!({ "type": "integer", "minimum": 1, "description": p.doc }),
                    Kind::OneOf(values) => json!({ "type": "string", "enum": values, "description": p.doc }),
                };
                properties.insert(p.name.to_owned(), schema);
            }
            let required: Vec<&str> = tool.params.iter().filter(|p| p.required).map(|p| p.name).collect();
            ToolSpec {
                name: tool.name.to_owned(),
                description: squash(tool.doc),
                input_schema: json!({
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": false,
                }),
            }
        })
        .collect()
}

/// Collapses runs of spaces (from the line continuations above) to one.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The validated arguments of one call.
struct Args<'a> {
    map: Option<&'a Map<String, Value>>,
}

impl<'a> Args<'a> {
    fn str(&self, name: &str) -> Option<&'a str> {
        self.map.and_then(|m| m.get(name)).and_then(Value::as_str)
    }

    fn line(&self, name: &str) -> Option<usize> {
        self.map.and_then(|m| m.get(name)).and_then(Value::as_u64).map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// A required string: validation has already made sure it is there.
    fn need(&self, name: &str) -> Result<&'a str, String> {
        self.str(name).ok_or_else(|| format!("missing required field `{name}` (string)"))
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn kind_name(kind: Kind) -> String {
    match kind {
        Kind::Short | Kind::Text => "string".to_owned(),
        Kind::Line => "integer >= 1".to_owned(),
        Kind::OneOf(values) => format!("one of {}", values.join(", ")),
    }
}

fn signature(tool: &Tool) -> String {
    if tool.params.is_empty() {
        return "no arguments".to_owned();
    }
    tool.params
        .iter()
        .map(|p| format!("{} ({}{})", p.name, kind_name(p.kind), if p.required { ", required" } else { "" }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks `input` against the tool's parameter table, the same table its
/// JSON schema comes from.
fn validate<'a>(tool: &Tool, input: &'a Value, max_text: usize) -> Result<Args<'a>, String> {
    let map = match input {
        Value::Object(map) => Some(map),
        // Some models send nothing at all for a tool without arguments.
        Value::Null => None,
        other => {
            return Err(format!(
                "`{}` takes a JSON object with {}; got {}",
                tool.name,
                signature(tool),
                json_kind(other)
            ))
        }
    };
    if let Some(map) = map {
        for key in map.keys() {
            if !tool.params.iter().any(|p| p.name == key) {
                let key: String = key.chars().take(64).collect();
                return Err(format!("unknown field `{key}`; `{}` takes {}", tool.name, signature(tool)));
            }
        }
    }
    for p in tool.params {
        let value = map.and_then(|m| m.get(p.name)).filter(|v| !v.is_null());
        let Some(value) = value else {
            if p.required {
                return Err(format!("missing required field `{}` ({})", p.name, kind_name(p.kind)));
            }
            continue;
        };
        let wrong = || format!("`{}` must be {}; got {}", p.name, kind_name(p.kind), json_kind(value));
        match p.kind {
            Kind::Short | Kind::Text => {
                let s = value.as_str().ok_or_else(wrong)?;
                let limit = if matches!(p.kind, Kind::Text) { max_text } else { MAX_SHORT_ARG_BYTES };
                if s.len() > limit {
                    return Err(format!(
                        "`{}` is {} bytes, over the limit of {limit} bytes; nothing was changed. Make smaller edits \
                         (one item at a time).",
                        p.name,
                        s.len()
                    ));
                }
                if s.contains('\0') {
                    return Err(format!("`{}` contains a NUL character", p.name));
                }
            }
            Kind::Line => {
                if value.as_u64().is_none_or(|n| n < 1) {
                    return Err(wrong());
                }
            }
            Kind::OneOf(values) => {
                let s = value.as_str().ok_or_else(wrong)?;
                if !values.contains(&s) {
                    let s: String = s.chars().take(64).collect();
                    return Err(format!("`{}` must be one of {}; got `{s}`", p.name, values.join(", ")));
                }
            }
        }
    }
    Ok(Args { map })
}

/// Reading or writing: protected paths may be read but not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
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
    indexes: std::cell::RefCell<FileIndexes>,
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
            options,
            policy,
            bad_glob,
            task_files,
            changed: BTreeSet::new(),
            shown: BTreeMap::new(),
            indexes: std::cell::RefCell::default(),
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
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.dispatch(tool.name, &args)))
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

    fn dispatch(&mut self, name: &str, args: &Args<'_>) -> Answer {
        match name {
            "list_symbols" => self.list_symbols(args.str("path")),
            "read_symbol" => self.read_symbol(args.need("symbol")?),
            "read_file" => self.read_file(args.need("path")?, args.line("start_line"), args.line("end_line")),
            "search" => self.search(args),
            "replace_symbol" => {
                let found = self.resolve_for_edit(args.need("symbol")?)?;
                let text = args.need("text")?.to_owned();
                self.apply(Edit::ReplaceItem { symbol: found.item.path, text, whole_conditional: false })
            }
            "replace_body" => {
                let found = self.resolve_for_edit(args.need("symbol")?)?;
                if found.item.body.is_none() {
                    return Err(format!(
                        "{} ({}) has no body to replace; use replace_symbol",
                        found.item.path,
                        kind_label(&found.item)
                    ));
                }
                let text = args.need("body")?.to_owned();
                self.apply(Edit::ReplaceBody { symbol: found.item.path, text })
            }
            "insert_item" => {
                let found = self.resolve_for_edit(args.need("anchor_symbol")?)?;
                let text = args.need("text")?.to_owned();
                let symbol = found.item.path;
                let edit = match args.need("position")? {
                    "before" => Edit::InsertBefore { symbol, text },
                    _ => Edit::InsertAfter { symbol, text },
                };
                self.apply(edit)
            }
            "delete_item" => {
                let found = self.resolve_for_edit(args.need("symbol")?)?;
                self.apply(Edit::DeleteItem { symbol: found.item.path, whole_conditional: false })
            }
            "add_include" => {
                let (rel, abs) = self.check_path(args.need("path")?, Access::Write)?;
                if !abs.is_file() {
                    return Err(self.no_file(&rel));
                }
                self.apply(Edit::AddInclude { path: rel, text: args.need("include")?.to_owned() })
            }
            "create_file" => {
                let (rel, abs) = self.check_path(args.need("path")?, Access::Write)?;
                if std::fs::symlink_metadata(&abs).is_ok() {
                    return Err(format!("{rel} already exists; edit its items with replace_symbol or insert_item"));
                }
                self.apply(Edit::CreateFile { path: rel, text: args.need("text")?.to_owned() })
            }
            "run_checks" => {
                Ok(("The checks run now; their results are the next message.".to_owned(), ToolAction::RunChecks))
            }
            "finish" => {
                let summary = args.need("summary")?.trim();
                if summary.is_empty() {
                    return Err("`summary` is empty; say in one paragraph what you changed".to_owned());
                }
                Ok(("Finished.".to_owned(), ToolAction::Finish(summary.to_owned())))
            }
            other => Err(format!("unknown tool `{other}`")),
        }
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

    fn no_file(&self, rel: &str) -> String {
        let files = self.walk_files();
        let close = closest(rel, files.iter().map(String::as_str));
        match close.as_slice() {
            [] => format!("there is no file `{rel}`"),
            c => format!("there is no file `{rel}`; did you mean {}?", quoted(c)),
        }
    }

    /// Every non-hidden, non-ignored regular file of the worktree (no links,
    /// never the spec), sorted.
    fn walk_files(&self) -> Vec<String> {
        let spec = normalize(&self.options.spec_file);
        let walker = ignore::WalkBuilder::new(&self.root).require_git(false).build();
        let mut files = Vec::new();
        for entry in walker.flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&self.root) else { continue };
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            if rel != spec {
                files.push(rel);
            }
        }
        files.sort();
        files
    }

    /// A source file's text, for indexing.
    fn source_text(&self, rel: &str, abs: &Path) -> Result<String, String> {
        let meta = std::fs::metadata(abs).map_err(|_| self.no_file(rel))?;
        if meta.is_dir() {
            return Err(format!("`{rel}` is a folder, not a file"));
        }
        if meta.len() > MAX_SOURCE_BYTES {
            return Err(format!("`{rel}` is {} bytes, too large to index; use read_file and search", meta.len()));
        }
        let bytes = std::fs::read(abs).map_err(|e| format!("cannot read `{rel}`: {e}"))?;
        String::from_utf8(bytes).map_err(|_| format!("`{rel}` is not valid UTF-8; molt does not edit it"))
    }

    /// Indexes made elsewhere (by path, with the text each was made from),
    /// used while the file still holds that text.
    pub fn remember_indexes(&mut self, indexes: FileIndexes) {
        self.indexes.get_mut().extend(indexes);
    }

    fn index(&self, rel: &str, abs: &Path) -> Result<(FileIndex, String), String> {
        if Lang::from_path(rel).is_none_or(|l| !l.is_enabled()) {
            return Err(format!("`{rel}` is not a source file molt can parse; use read_file"));
        }
        let text = self.source_text(rel, abs)?;
        if let Some((seen, index)) = self.indexes.borrow().get(rel) {
            if *seen == text {
                return Ok((index.clone(), text));
            }
        }
        let index = molt_syntax::index_file(rel, text.as_bytes()).map_err(|e| e.to_string())?;
        self.indexes.borrow_mut().insert(rel.to_owned(), (text.clone(), index.clone()));
        Ok((index, text))
    }

    /// The files bare names are looked up in: the task's files, or every
    /// source file when the task names none.
    fn lookup_files(&self) -> Vec<String> {
        if self.task_files.is_empty() {
            self.walk_files().into_iter().filter(|f| Lang::from_path(f).is_some_and(|l| l.is_enabled())).collect()
        } else {
            self.task_files.clone()
        }
    }

    fn resolve(&self, symbol: &str) -> Result<Resolved, String> {
        let symbol = symbol.trim();
        if symbol.is_empty() {
            return Err("the symbol is empty; list_symbols shows the qualified paths".to_owned());
        }
        let symbol = normalize(symbol);
        if let Some((file, rest)) = symbol.split_once("::") {
            if file.contains('/') || Lang::from_path(file).is_some() {
                let (rel, abs) = self.check_path(file, Access::Read)?;
                if !abs.is_file() {
                    return Err(format!("no symbol `{symbol}`: {}", self.no_file(&rel)));
                }
                let (index, text) = self.index(&rel, &abs)?;
                let qualified = format!("{rel}::{rest}");
                return match one_file(index).resolve(&qualified) {
                    Ok((_, item)) => Ok(Resolved { file: rel, item: item.clone(), text }),
                    Err(molt_syntax::Error::NoSuchSymbol { suggestions, .. }) => {
                        Err(no_symbol(&qualified, &format!("in {rel}"), &suggestions, &rel))
                    }
                    Err(molt_syntax::Error::Ambiguous { candidates, .. }) => Err(format!(
                        "`{qualified}` is ambiguous; it could be {}; give the full path",
                        quoted(&candidates)
                    )),
                    Err(e) => Err(e.to_string()),
                };
            }
        }
        if !symbol.contains("::") && (symbol.contains('/') || Lang::from_path(&symbol).is_some()) {
            return Err(format!("`{symbol}` is a file; a symbol is `FILE::NAME`, e.g. `{symbol}::main`"));
        }
        // A bare name (`dot`, `Model::forward`, `Attention.forward`).
        let files = self.lookup_files();
        let mut found: Vec<Resolved> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for file in &files {
            let Ok((rel, abs)) = self.check_path(file, Access::Read) else { continue };
            let Ok((index, text)) = self.index(&rel, &abs) else { continue };
            names.extend(index.items.iter().map(|i| i.path.clone()));
            let index = one_file(index);
            match index.resolve(&format!("{rel}::{symbol}")) {
                Ok((_, item)) => found.push(Resolved { file: rel, item: item.clone(), text }),
                Err(molt_syntax::Error::Ambiguous { candidates, .. }) => {
                    for c in candidates {
                        if let Ok((_, item)) = index.resolve(&c) {
                            found.push(Resolved { file: rel.clone(), item: item.clone(), text: text.clone() });
                        }
                    }
                }
                Err(_) => {}
            }
        }
        let where_ = if self.task_files.is_empty() { "in the repository" } else { "in the task's files" };
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => {
                let tail: Vec<(String, &str)> = names
                    .iter()
                    .map(|n| (n.rsplit(['/', ':', '.']).next().unwrap_or(n).to_owned(), n.as_str()))
                    .collect();
                let wanted = symbol.rsplit(['/', ':', '.']).next().unwrap_or(&symbol);
                let close = closest(wanted, tail.iter().map(|(t, _)| t.as_str()));
                let suggestions: Vec<String> = tail
                    .iter()
                    .filter(|(t, _)| close.contains(t))
                    .map(|(_, full)| (*full).to_owned())
                    .take(3)
                    .collect();
                Err(no_symbol(&symbol, where_, &suggestions, ""))
            }
            _ => {
                let candidates: Vec<String> = found.iter().map(|r| r.item.path.clone()).collect();
                Err(format!(
                    "`{symbol}` is ambiguous {where_}; it could be {}; give the full path",
                    quoted(&candidates)
                ))
            }
        }
    }

    /// Resolves a symbol and checks that its file may be written.
    fn resolve_for_edit(&self, symbol: &str) -> Result<Resolved, String> {
        let found = self.resolve(symbol)?;
        self.check_path(&found.file, Access::Write)?;
        Ok(found)
    }

    /// Applies one edit as a transaction; nothing is written unless it parses.
    fn apply(&mut self, edit: Edit) -> Answer {
        let what = edit.describe();
        let options = ApplyOptions { policy: Some(self.policy.clone()), scratch: true, ..ApplyOptions::default() };
        let applied = molt_syntax::apply_to_repo(&self.root, &EditSet::new(vec![edit]), &options)
            .map_err(|e| format!("refused, nothing was written: {}", edit_error(&e)))?;
        if applied.changes.is_empty() {
            return Ok((format!("{what}: nothing to change (the file already has it)"), ToolAction::None));
        }
        let paths: Vec<String> = applied.changes.iter().map(|c| c.path.clone()).collect();
        self.changed.extend(paths.iter().cloned());
        // The model wrote the text, so the answer does not send it back: the
        // lines each file gained and lost say the edit landed where meant,
        // and read_symbol shows the result when the model wants to see it.
        let mut out = format!("done: {what};");
        for change in &applied.changes {
            let diff = molt_syntax::unified_diff(&change.path, change.before.as_deref(), change.after.as_deref());
            let (added, removed) = diff_counts(&diff);
            let _ = write!(out, " {} +{added} -{removed} lines", change.path);
        }
        out.push('\n');
        let outside: Vec<&String> = paths.iter().filter(|p| !self.task_files.contains(p)).collect();
        if !self.task_files.is_empty() && !outside.is_empty() {
            let outside: Vec<String> = outside.into_iter().cloned().collect();
            let _ = writeln!(out, "note: {} is not one of the task's files", quoted(&outside));
        }
        Ok((out, ToolAction::Edited(paths)))
    }

    fn list_symbols(&self, path: Option<&str>) -> Answer {
        let files = match path {
            Some(p) => vec![p.to_owned()],
            None if self.task_files.is_empty() => {
                let mut out =
                    "This task names no files. Source files in the repository (pass one as `path`):\n".to_owned();
                let files: Vec<String> = self
                    .walk_files()
                    .into_iter()
                    .filter(|f| Lang::from_path(f).is_some_and(|l| l.is_enabled()))
                    .collect();
                for f in files.iter().take(200) {
                    let _ = writeln!(out, "  {f}");
                }
                if files.len() > 200 {
                    let _ = writeln!(out, "  ... and {} more; use search with path_glob", files.len() - 200);
                }
                return Ok((cut(&out, OUTPUT_MAX_BYTES, CUT_NOTE), ToolAction::None));
            }
            None => self.task_files.clone(),
        };
        let mut out = String::new();
        for file in &files {
            let (rel, abs) = self.check_path(file, Access::Read)?;
            if path.is_some() && abs.is_dir() {
                return Err(format!("`{rel}` is a folder; give a file"));
            }
            if !abs.is_file() {
                if path.is_some() {
                    return Err(self.no_file(&rel));
                }
                let _ = writeln!(out, "{rel}: does not exist yet");
                continue;
            }
            let (index, _) = match self.index(&rel, &abs) {
                Ok(found) => found,
                Err(e) if path.is_none() => {
                    let _ = writeln!(out, "{rel}: {e}");
                    continue;
                }
                Err(e) => return Err(e),
            };
            let _ = writeln!(
                out,
                "{rel}: {}, {}",
                plural(index.items.len(), "item", "items"),
                plural(index.lines, "line", "lines")
            );
            if let Some(d) = index.diagnostics.first() {
                let _ = writeln!(
                    out,
                    "  (the file already has {} syntax errors; the first at line {}: {})",
                    index.diagnostics.len(),
                    d.line,
                    d.message
                );
            }
            for item in &index.items {
                let _ = write!(
                    out,
                    "  {}  {}  lines {}-{}  {}",
                    item.path,
                    kind_label(item),
                    item.span.start_line,
                    item.span.end_line,
                    one_line(&item.signature, 200)
                );
                if let Some(pre) = &item.preproc {
                    let _ = write!(out, "  [{pre}]");
                }
                out.push('\n');
            }
        }
        Ok((cut(&out, OUTPUT_MAX_BYTES, CUT_NOTE), ToolAction::None))
    }

    fn read_symbol(&mut self, symbol: &str) -> Answer {
        let found = self.resolve(symbol)?;
        let item = &found.item;
        let text = molt_syntax::item_text(&found.text, item);
        if self.shown.get(&item.path) == Some(&text) {
            return Ok(("unchanged since shown above".to_owned(), ToolAction::None));
        }
        self.shown.insert(item.path.clone(), text.clone());
        let mut out = format!(
            "{} ({}, lines {}-{} of {})\n",
            item.path,
            kind_label(item),
            item.span.start_line,
            item.span.end_line,
            found.file
        );
        let note = format!(
            "[cut at 32 KiB; read the rest with read_file on {} up to line {}]",
            found.file, item.span.end_line
        );
        out.push_str(&cut(&text, OUTPUT_MAX_BYTES, &note));
        Ok((out, ToolAction::None))
    }

    fn read_file(&self, path: &str, start: Option<usize>, end: Option<usize>) -> Answer {
        let (rel, abs) = self.check_path(path, Access::Read)?;
        let meta = std::fs::metadata(&abs).map_err(|_| self.no_file(&rel))?;
        if meta.is_dir() {
            let prefix = format!("{rel}/");
            let entries: Vec<String> =
                self.walk_files().into_iter().filter(|f| f.starts_with(&prefix)).take(100).collect();
            return Err(format!("`{rel}` is a folder; files in it: {}", entries.join(", ")));
        }
        let start = start.unwrap_or(1);
        let defaulted_end = end.is_none();
        let end = end.unwrap_or(start.saturating_add(READ_MAX_LINES - 1));
        if end < start {
            return Err(format!("`end_line` ({end}) is before `start_line` ({start})"));
        }
        let file = std::fs::File::open(&abs).map_err(|e| format!("cannot read `{rel}`: {e}"))?;
        let mut reader = std::io::BufReader::new(file);
        let mut body = String::new();
        let mut line = Vec::new();
        let mut total = 0usize;
        let mut shown: Option<(usize, usize)> = None;
        let mut was_cut = false;
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(|e| format!("cannot read `{rel}`: {e}"))?;
            if n == 0 {
                break;
            }
            if total == 0 && line.contains(&0) {
                return Err(format!("`{rel}` is a binary file; read_file shows text only"));
            }
            total += 1;
            if total < start || total > end || was_cut {
                continue;
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\n', '\r']);
            let text = if text.chars().count() > MAX_LINE_CHARS {
                let head: String = text.chars().take(MAX_LINE_CHARS).collect();
                format!("{head} [line cut]")
            } else {
                text.to_owned()
            };
            let entry = format!("{total:>5}  {text}\n");
            let count = shown.map_or(0, |(a, b)| b - a + 1);
            if count >= READ_MAX_LINES || body.len() + entry.len() > OUTPUT_MAX_BYTES {
                was_cut = true;
                continue;
            }
            body.push_str(&entry);
            shown = Some((shown.map_or(total, |(a, _)| a), total));
        }
        let Some((first, last)) = shown else {
            if total == 0 {
                return Ok((format!("{rel} is empty"), ToolAction::None));
            }
            return Err(format!("`start_line` {start} is past the end: {rel} has {total} lines"));
        };
        let mut out = format!("{rel} lines {first}-{last} of {total}\n{body}");
        if was_cut || (defaulted_end && last < total) {
            let next = last + 1;
            let _ = writeln!(
                out,
                "[cut at {} lines / 32 KiB; call read_file with start_line={next} for more]",
                last - first + 1
            );
        }
        Ok((out, ToolAction::None))
    }

    fn search(&self, args: &Args<'_>) -> Answer {
        let glob = match args.str("path_glob") {
            Some(g) => Some(
                globset::GlobBuilder::new(g)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("bad `path_glob`: {e}"))?
                    .compile_matcher(),
            ),
            None => None,
        };
        let in_scope =
            |rel: &str| glob.as_ref().is_none_or(|g| g.is_match(rel)) && self.check_path(rel, Access::Read).is_ok();
        let mut hits: Vec<(String, usize, usize, Option<String>, String)> = Vec::new();
        let mut total = 0usize;
        match (args.str("pattern"), args.str("regex")) {
            (Some(pattern), None) => {
                let lang = match args.str("lang") {
                    Some(name) => Lang::from_name(name).ok_or_else(|| format!("unknown language `{name}`"))?,
                    None => self.default_lang(args.str("path_glob"))?,
                };
                let pattern = Pattern::new(lang, pattern).map_err(|e| e.to_string())?;
                let searcher = Searcher::Pattern(pattern);
                let report = molt_syntax::search_repo(&self.root, &searcher, &SearchOptions::default())
                    .map_err(|e| e.to_string())?;
                for m in report.matches.into_iter().filter(|m| in_scope(&m.path)) {
                    total += 1;
                    if hits.len() < SEARCH_MAX_MATCHES {
                        hits.push((m.path, m.line, m.column, m.symbol, m.text));
                    }
                }
            }
            (None, Some(regex)) => {
                let re = regex::RegexBuilder::new(regex)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| format!("bad `regex`: {e}"))?;
                for rel in self.walk_files().into_iter().filter(|f| in_scope(f)) {
                    let abs = self.root.join(&rel);
                    let Ok(meta) = std::fs::metadata(&abs) else { continue };
                    if meta.len() > MAX_SOURCE_BYTES {
                        continue;
                    }
                    let Ok(bytes) = std::fs::read(&abs) else { continue };
                    if memchr_nul(&bytes) {
                        continue;
                    }
                    let text = String::from_utf8_lossy(&bytes);
                    let mut found = Vec::new();
                    let mut offset = 0;
                    for (n, line) in text.split_inclusive('\n').enumerate() {
                        if let Some(m) = re.find(line.trim_end_matches(['\n', '\r'])) {
                            found.push((n + 1, m.start() + 1, offset + m.start(), offset + m.end(), line.to_owned()));
                        }
                        offset += line.len();
                    }
                    if found.is_empty() {
                        continue;
                    }
                    total += found.len();
                    // The enclosing items, only for files that matched and only when the bytes are the text.
                    let index = match (Lang::from_path(&rel).is_some_and(|l| l.is_enabled()), &text) {
                        (true, std::borrow::Cow::Borrowed(_)) => molt_syntax::index_file(&rel, &bytes).ok(),
                        _ => None,
                    };
                    for (line, column, start, end, line_text) in found {
                        if hits.len() >= SEARCH_MAX_MATCHES {
                            break;
                        }
                        let symbol = index.as_ref().and_then(|i| i.enclosing(start, end)).map(|i| i.path.clone());
                        hits.push((rel.clone(), line, column, symbol, line_text));
                    }
                }
            }
            _ => return Err("give exactly one of `pattern` (structural) or `regex`".to_owned()),
        }
        if hits.is_empty() {
            return Ok(("no matches".to_owned(), ToolAction::None));
        }
        let files: BTreeSet<&str> = hits.iter().map(|h| h.0.as_str()).collect();
        let mut out = format!("{} in {}\n", plural(total, "match", "matches"), plural(files.len(), "file", "files"));
        for (path, line, column, symbol, text) in &hits {
            let _ = write!(out, "{path}:{line}:{column}");
            if let Some(s) = symbol {
                let _ = write!(out, "  in {s}");
            }
            let _ = writeln!(out, "  {}", one_line(text, 200));
        }
        if total > hits.len() {
            let _ = writeln!(
                out,
                "[showing the first {} of {total} matches; narrow the search with path_glob]",
                hits.len()
            );
        }
        Ok((cut(&out, OUTPUT_MAX_BYTES, CUT_NOTE), ToolAction::None))
    }

    /// The language of a pattern without `lang`: the task files' one
    /// language, else the extension of `path_glob`.
    fn default_lang(&self, glob: Option<&str>) -> Result<Lang, String> {
        let langs: BTreeSet<Lang> = self.task_files.iter().filter_map(Lang::from_path).collect();
        if langs.len() == 1 {
            if let Some(lang) = langs.into_iter().next() {
                return Ok(lang);
            }
        }
        if let Some(lang) = glob.and_then(Lang::from_path) {
            return Ok(lang);
        }
        Err(format!("say which language the pattern is in with `lang` (one of {})", LANGS.join(", ")))
    }
}

const CUT_NOTE: &str = "[cut at 32 KiB; narrow the request]";

/// A repository index holding one file, to use molt-syntax's resolution.
fn one_file(index: FileIndex) -> RepoIndex {
    RepoIndex { files: vec![index], ..RepoIndex::default() }
}

fn no_symbol(symbol: &str, where_: &str, suggestions: &[String], file: &str) -> String {
    let mut msg = format!("no symbol `{symbol}` {where_}");
    if suggestions.is_empty() {
        if file.is_empty() {
            msg.push_str("; list_symbols shows the items");
        } else {
            let _ = write!(msg, "; list_symbols with path `{file}` shows its items");
        }
    } else {
        let _ = write!(msg, "; did you mean {}?", quoted(suggestions));
    }
    msg
}

/// The innermost error of an edit set, said for a model.
fn edit_error(e: &molt_syntax::Error) -> String {
    let inner = match e {
        molt_syntax::Error::Edit { source, .. } => source.as_ref(),
        other => other,
    };
    match inner {
        molt_syntax::Error::BrokenSyntax { path, line, column, message } => {
            format!("the result does not parse at {path}:{line}:{column}: {message}; fix the text and call again")
        }
        other => other.to_string(),
    }
}

fn kind_label(item: &Item) -> String {
    serde_json::to_value(item.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn quoted(items: &[String]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// `./src/a.c` to `src/a.c`.
fn normalize(path: &str) -> String {
    let mut s = path.trim();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_owned()
}

/// One line of at most `max` characters, whitespace collapsed.
fn one_line(text: &str, max: usize) -> String {
    let line = squash(text);
    if line.chars().count() > max {
        let head: String = line.chars().take(max).collect();
        format!("{head}...")
    } else {
        line
    }
}

/// `text` cut at `max` bytes (on a line boundary when there is one), with `note` after.
fn cut(text: &str, max: usize, note: &str) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if let Some(nl) = text[..end].rfind('\n') {
        end = nl + 1;
    }
    let mut out = text[..end].to_owned();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(note);
    out.push('\n');
    out
}

/// Up to three of `candidates` closest to `wanted`, closest first.
fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> =
        candidates.map(|c| (strsim::jaro_winkler(wanted, c), c)).filter(|(score, _)| *score > 0.8).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    // Only the names about as close as the best one: a shared `src/` prefix
    // alone makes unrelated paths score high.
    let best = scored.first().map_or(0.0, |s| s.0);
    scored.into_iter().take_while(|s| s.0 >= best - 0.03).take(3).map(|(_, c)| c.to_owned()).collect()
}

/// The lines a unified diff of one file adds and removes (its two header
/// lines left out).
fn diff_counts(diff: &str) -> (usize, usize) {
    let (mut added, mut removed) = (0, 0);
    for line in diff.lines().skip(2) {
        match line.as_bytes().first() {
            Some(b'+') => added += 1,
            Some(b'-') => removed += 1,
            _ => {}
        }
    }
    (added, removed)
}

/// Git's test for binary content: a NUL byte in the first 8 KiB.
fn memchr_nul(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}

#[cfg(test)]
mod tests;
