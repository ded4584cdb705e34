//! The tools' one table: each tool's name, documentation, parameters and
//! what a call does. The JSON schemas sent to the model, the argument checks
//! ([`super::args::validate`]) and the dispatch ([`ToolBox::call`]) all read
//! it, so no tool can be offered without being run, or run under a name its
//! schema does not give.

use molt_llm::ToolSpec;
use serde_json::{json, Map};

use super::args::Args;
use super::text::squash;
use super::{Answer, ToolBox};

/// The type of one tool argument.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
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
pub(super) struct Param {
    pub(super) name: &'static str,
    pub(super) kind: Kind,
    pub(super) required: bool,
    pub(super) doc: &'static str,
}

/// One tool: what the model is told, and what a call does once its
/// arguments passed [`super::args::validate`].
pub(super) struct Tool {
    pub(super) name: &'static str,
    pub(super) doc: &'static str,
    pub(super) params: &'static [Param],
    pub(super) run: fn(&mut ToolBox, &Args<'_>) -> Answer,
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
pub(super) const LANGS: &[&str] = &["c", "cpp", "rust", "python", "go", "java", "javascript", "typescript", "tsx"];

pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list_symbols",
        doc: "List the items defined in a file (default: each of the task's files): qualified path, kind, lines, \
              signature, #if branch.",
        params: &[opt("path", Kind::Short, PATH_DOC)],
        run: |tb, args| tb.list_symbols(args.str("path")),
    },
    Tool {
        name: "read_symbol",
        doc: "Read an item's text (with the comments directly above it) and line range, in the form replace_symbol \
              takes. A symbol is the file, `::`, then the names from the outside in (`src/m.rs::Model::forward`, \
              `ops/attn.py::Attention.forward`); a bare name works when one task file defines it; the second \
              definition of a name in one scope (another #if branch) is `dot@2`.",
        params: &[req("symbol", Kind::Short, SYMBOL_DOC)],
        run: |tb, args| tb.read_symbol(args.need("symbol")?),
    },
    Tool {
        name: "read_file",
        doc: "Read numbered lines of a text file, at most 400 lines or 32 KiB per call.",
        params: &[
            req("path", Kind::Short, PATH_DOC),
            opt("start_line", Kind::Line, "First line, 1-based (default 1)."),
            opt("end_line", Kind::Line, "Last line, inclusive."),
        ],
        run: |tb, args| tb.read_file(args.need("path")?, args.line("start_line"), args.line("end_line")),
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
        run: |tb, args| tb.search(args),
    },
    Tool {
        name: "replace_symbol",
        doc: "Replace a whole item (with the comments directly above it). Indentation is relative to the item's. \
              Refused, with the place, if the file would not parse.",
        params: &[req("symbol", Kind::Short, SYMBOL_DOC), req("text", Kind::Text, "The complete new item.")],
        run: ToolBox::replace_symbol,
    },
    Tool {
        name: "replace_body",
        doc: "Replace the body of a function, struct or class and keep its signature. Refused if the file would not \
              parse.",
        params: &[
            req("symbol", Kind::Short, SYMBOL_DOC),
            req("body", Kind::Text, "The new body, with or without the enclosing braces."),
        ],
        run: ToolBox::replace_body,
    },
    Tool {
        name: "insert_item",
        doc: "Insert a new item before or after an existing one. Refused if the file would not parse.",
        params: &[
            req("anchor_symbol", Kind::Short, SYMBOL_DOC),
            req("position", Kind::OneOf(&["before", "after"]), "Where, relative to the anchor."),
            req("text", Kind::Text, "The new item."),
        ],
        run: ToolBox::insert_item,
    },
    Tool {
        name: "delete_item",
        doc: "Delete an item with the comments directly above it.",
        params: &[req("symbol", Kind::Short, SYMBOL_DOC)],
        run: ToolBox::delete_item,
    },
    Tool {
        name: "add_include",
        doc: "Add an include or import line after the file's last one, unless it is there already.",
        params: &[
            req("path", Kind::Short, PATH_DOC),
            req("include", Kind::Short, "The whole line, e.g. `#include <arm_neon.h>`."),
        ],
        run: ToolBox::add_include,
    },
    Tool {
        name: "create_file",
        doc: "Create a new file; a source file must parse.",
        params: &[req("path", Kind::Short, PATH_DOC), req("text", Kind::Text, "The file's contents.")],
        run: ToolBox::create_file,
    },
    Tool {
        name: "run_checks",
        doc: "Run the project's checks on the current files and get their results.",
        params: &[],
        run: |_, _| Ok(ToolBox::run_checks()),
    },
    Tool {
        name: "finish",
        doc: "End the task: the checks run, and it is committed if they pass.",
        params: &[req("summary", Kind::Text, "One paragraph: what changed, why, and anything left undone.")],
        run: |_, args| ToolBox::finish(args),
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
