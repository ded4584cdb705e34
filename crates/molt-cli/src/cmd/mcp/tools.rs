//! The table of tools: each one's name, description, JSON schema,
//! annotations and handler. The listing, the argument checks and the
//! dispatch all read it, so no tool is offered without being run, or run
//! under a schema the client was not shown.

use serde_json::{json, Map, Value};

use super::{handlers, Repo};

/// A handler's answer: a JSON value, or the text of a tool error.
pub type Answer = Result<Value, String>;

/// One tool.
pub struct McpTool {
    pub name: &'static str,
    pub description: &'static str,
    pub schema: fn() -> Value,
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    /// Whether it writes the tree, the plan or the migration branch: such
    /// calls run one at a time.
    pub writes: bool,
    pub run: fn(&Repo, &Map<String, Value>) -> Answer,
}

const LANGS: &[&str] = &["c", "cpp", "rust", "python", "go", "java", "javascript", "typescript"];
/// The largest text one edit may carry (the coder agent's limit).
const MAX_TEXT: usize = molt_agent::tools::DEFAULT_MAX_REPLACEMENT_BYTES;

fn cursor() -> Value {
    json!({ "type": "string", "maxLength": 32, "description": "The `next_cursor` of the previous page." })
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
}

pub const TOOLS: &[McpTool] = &[
    McpTool {
        name: "index",
        description: "Index the repository's source files: a summary per language, then one page of files (items, \
                      lines, parse diagnostics) or, with `items`, of items (qualified path, kind, lines, signature). \
                      Qualified paths are what read_symbol and edit take.",
        schema: || {
            object(
                json!({
                    "items": { "type": "boolean", "description": "List items instead of files." },
                    "lang": { "type": "array", "maxItems": 8, "items": { "type": "string", "enum": LANGS },
                              "description": "Only these languages." },
                    "cursor": cursor(),
                }),
                &[],
            )
        },
        read_only: true,
        destructive: false,
        idempotent: true,
        writes: false,
        run: handlers::index,
    },
    McpTool {
        name: "find",
        description: "Structural search: exactly one of `pattern` (code with `$NAME` for one node, `$$$` for any \
                      number: `_mm256_add_ps($A, $B)`) or `query` (a tree-sitter S-expression; `@match` is reported). \
                      Each match comes with the item that holds it. Paginated.",
        schema: || {
            object(
                json!({
                    "lang": { "type": "string", "enum": LANGS, "description": "The pattern's or query's language." },
                    "pattern": { "type": "string", "maxLength": 4096 },
                    "query": { "type": "string", "maxLength": 16384 },
                    "where": { "type": "object", "maxProperties": 16,
                               "additionalProperties": { "type": "string", "maxLength": 1024 },
                               "description": "Metavariable name to a regex it must match (patterns only)." },
                    "cursor": cursor(),
                }),
                &["lang"],
            )
        },
        read_only: true,
        destructive: false,
        idempotent: true,
        writes: false,
        run: handlers::find,
    },
    McpTool {
        name: "read_symbol",
        description: "Read an item's text (with the comments directly above it) and line range, by qualified path: \
                      the file, `::`, then the names from the outside in (`src/kernels.c::dot`, \
                      `ops/attn.py::Attention.forward`); a second definition in one scope is `dot@2`.",
        schema: || {
            object(
                json!({ "symbol": { "type": "string", "maxLength": 4096, "description": "The item's qualified path." } }),
                &["symbol"],
            )
        },
        read_only: true,
        destructive: false,
        idempotent: true,
        writes: false,
        run: handlers::read_symbol,
    },
    McpTool {
        name: "edit",
        description: "Apply an edit set, all of it or nothing: every edited file must re-parse without new syntax \
                      errors, and every path must be writable under the spec (include minus protected; never .git, \
                      .molt or the spec). Ops: replace_item, replace_body, insert_before, insert_after, delete_item \
                      (by `symbol`), add_include, create_file, delete_file (by `path`), each with `text` where it \
                      writes. With dry_run, nothing is written and the unified diff is the answer.",
        schema: || {
            object(
                json!({
                    "edits": {
                        "type": "array", "minItems": 1, "maxItems": 100,
                        "items": object(json!({
                            "op": { "type": "string", "enum": ["replace_item", "replace_body", "insert_before",
                                     "insert_after", "delete_item", "add_include", "add_import", "create_file", "delete_file"] },
                            "symbol": { "type": "string", "maxLength": 4096 },
                            "path": { "type": "string", "maxLength": 4096 },
                            "text": { "type": "string", "maxLength": MAX_TEXT },
                            "whole_conditional": { "type": "boolean" },
                        }), &["op"]),
                    },
                    "description": { "type": "string", "maxLength": 4096 },
                    "dry_run": { "type": "boolean", "description": "Answer the diff; write nothing." },
                }),
                &["edits"],
            )
        },
        read_only: false,
        destructive: true,
        idempotent: false,
        writes: true,
        run: handlers::edit,
    },
    McpTool {
        name: "verify",
        description: "Run the spec's checks (all, or the named ones) on the tree as it is, judged against \
                      .molt/baseline.json when it exists: a check that already failed there does not block. Each \
                      check's output is cut to its end, and the answer says so.",
        schema: || {
            object(
                json!({ "checks": { "type": "array", "maxItems": 64, "items": { "type": "string", "maxLength": 256 },
                                    "description": "Check names from molt.toml (default: all)." } }),
                &[],
            )
        },
        read_only: false,
        destructive: false,
        idempotent: true,
        writes: true,
        run: handlers::verify,
    },
    McpTool {
        name: "plan",
        description: "The migration's plan (.molt/plan.json): tasks in the order they can run, with their sites \
                      and dependencies. Made from the recipe's rules when there is none yet (or with `force`); a \
                      planner model is `molt plan`'s job. Paginated.",
        schema: || {
            object(
                json!({ "force": { "type": "boolean", "description": "Plan afresh, replacing .molt/plan.json." },
                        "cursor": cursor() }),
                &[],
            )
        },
        read_only: false,
        destructive: false,
        idempotent: true,
        writes: true,
        run: handlers::plan,
    },
    McpTool {
        name: "status",
        description: "Where the run stands (.molt/state.json): each task's state, attempts, agent, checks and \
                      error. Paginated.",
        schema: || object(json!({ "cursor": cursor() }), &[]),
        read_only: true,
        destructive: false,
        idempotent: true,
        writes: false,
        run: handlers::status,
    },
    McpTool {
        name: "run_task",
        description: "Run one task of the plan as `molt run` does: in its own worktree, rules first (and the \
                      spec's model, when it has one), then the checks against the baseline; committed on the \
                      migration branch only when no check got worse. The user's branch and tree are never touched. \
                      Every dependency must be committed first.",
        schema: || {
            object(
                json!({
                    "task": { "type": "string", "maxLength": 256, "description": "The task's id from the plan." },
                    "allow_dirty": { "type": "boolean", "description": "Run even when included paths have uncommitted changes." },
                }),
                &["task"],
            )
        },
        read_only: false,
        destructive: false,
        idempotent: false,
        writes: true,
        run: handlers::run_task,
    },
    McpTool {
        name: "recipe_test",
        description: "Run a recipe's test cases (inline [[test]]s and tests/NNN-name/{before/,after/}): passed, \
                      failed with a diff, or noisy. The recipe is a folder or TOML file in the repository.",
        schema: || {
            object(
                json!({ "path": { "type": "string", "maxLength": 4096, "description": "Repository-relative recipe folder or file." },
                        "cursor": cursor() }),
                &["path"],
            )
        },
        read_only: true,
        destructive: false,
        idempotent: true,
        writes: false,
        run: handlers::recipe_test,
    },
];

pub fn find(name: &str) -> Option<&'static McpTool> {
    TOOLS.iter().find(|t| t.name == name)
}
