use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::*;

const KERNELS: &str = "\
#include <stdio.h>

/* Dot product. */
float dot(const float *a, const float *b, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static int twice(int x) {
    return 2 * x;
}
";

const UTIL: &str = "\
int helper(void) { return 1; }

int twice(int x) {
    return x + x;
}
";

/// A worktree with two task files, a protected test, git and molt internals,
/// the spec, and a folder outside it that links point to.
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let outside = dir.path().join("outside");
    write(&root, "src/kernels.c", KERNELS);
    write(&root, "src/util.c", UTIL);
    write(&root, "src/other.c", "int other(void) { return 3; }\n");
    write(&root, "tests/t.c", "int main(void) { return 0; }\n");
    write(&root, "Makefile", "all:\n\tcc -O2 src/kernels.c src/util.c\n");
    write(&root, "molt.toml", "[migration]\nname = \"x\"\ngoal = \"twice\"\n");
    write(&root, ".git/config", "[core]\n\tbare = false\n");
    write(&root, ".molt/plan.json", "{}\n");
    write(&outside, "secret.c", "int secret(void) { return 42; }\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&outside, root.join("src/out")).unwrap();
        std::os::unix::fs::symlink(outside.join("secret.c"), root.join("src/secret.c")).unwrap();
    }
    Fixture { _dir: dir, root, outside }
}

fn toolbox(fx: &Fixture) -> ToolBox {
    let options = ToolBoxOptions {
        task_files: vec!["src/kernels.c".to_owned(), "src/util.c".to_owned()],
        ..ToolBoxOptions::default()
    };
    ToolBox::new(&fx.root, options)
}

/// Every file's bytes under `dir`, links recorded by their target, not followed.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(base).unwrap().to_path_buf();
            if meta.file_type().is_symlink() {
                out.insert(rel, std::fs::read_link(&path).unwrap().to_string_lossy().as_bytes().to_vec());
            } else if meta.is_dir() {
                walk(base, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn everything(fx: &Fixture) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut all = tree(&fx.root);
    all.extend(tree(&fx.outside).into_iter().map(|(k, v)| (Path::new("@outside").join(k), v)));
    all
}

fn ok(tb: &mut ToolBox, name: &str, input: Value) -> ToolOutcome {
    let out = tb.call(name, &input);
    assert!(!out.is_error, "{name} {input} failed: {}", out.content);
    out
}

/// A refused call: an error that says `expect`, and no byte changed anywhere.
fn check_refused(name: &str, input: Value, expect: &str) {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    let before = everything(&fx);
    let out = tb.call(name, &input);
    assert!(out.is_error, "{name} {input} should fail, got: {}", out.content);
    assert_eq!(out.action, ToolAction::None);
    assert!(out.content.contains(expect), "{name}: expected `{expect}` in:\n{}", out.content);
    assert_eq!(everything(&fx), before, "{name} {input} changed files");
    assert!(tb.changed_files().is_empty());
    // The box keeps working after a refusal.
    ok(&mut tb, "read_symbol", json!({ "symbol": "dot" }));
}

fn read(fx: &Fixture, rel: &str) -> String {
    std::fs::read_to_string(fx.root.join(rel)).unwrap()
}

#[test]
fn specs_snapshot() {
    let specs = serde_json::to_string_pretty(&tool_specs()).unwrap();
    insta::assert_snapshot!("tool_specs", specs);
}

#[test]
fn specs_are_well_formed() {
    let specs = tool_specs();
    assert_eq!(specs.len(), TOOLS.len());
    for spec in &specs {
        let schema = &spec.input_schema;
        assert_eq!(schema["type"], "object", "{}", spec.name);
        assert_eq!(schema["additionalProperties"], false, "{}", spec.name);
        for r in schema["required"].as_array().unwrap() {
            assert!(schema["properties"].get(r.as_str().unwrap()).is_some(), "{}: {r}", spec.name);
        }
        assert!(!spec.description.contains("  "), "{}", spec.name);
    }
}

#[test]
fn list_symbols_of_task_files() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    insta::assert_snapshot!("list_symbols_task", ok(&mut tb, "list_symbols", json!({})).content);
    let one = ok(&mut tb, "list_symbols", json!({ "path": "./src/other.c" }));
    assert!(one.content.contains("src/other.c::other  function  lines 1-1"), "{}", one.content);
}

#[test]
fn list_symbols_without_task_files_lists_sources() {
    let fx = fixture();
    let mut tb = ToolBox::new(&fx.root, ToolBoxOptions::default());
    let out = ok(&mut tb, "list_symbols", Value::Null);
    assert!(out.content.contains("  src/kernels.c\n"), "{}", out.content);
    assert!(out.content.contains("  tests/t.c\n"), "{}", out.content);
    assert!(!out.content.contains("secret"), "links are not followed: {}", out.content);
}

#[test]
fn read_symbol_qualified_and_bare() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    let out = ok(&mut tb, "read_symbol", json!({ "symbol": "src/kernels.c::dot" }));
    insta::assert_snapshot!("read_symbol_dot", out.content);
    let bare = ok(&mut tb, "read_symbol", json!({ "symbol": "helper" }));
    assert!(bare.content.starts_with("src/util.c::helper (function, lines 1-1 of src/util.c)\n"), "{}", bare.content);
}

// A file is parsed once while its text stays the same; an index of older
// text (one handed in, or one made before the file changed) is never used.
#[test]
fn a_remembered_index_is_used_only_while_the_file_holds_its_text() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    // An index of other text for the same path, as a stale cache would hold.
    let stale = molt_syntax::index_file("src/util.c", b"int helper(void) { return 1; }\n").unwrap();
    let mut indexes = BTreeMap::new();
    indexes.insert("src/util.c".to_owned(), ("int helper(void) { return 1; }\n".to_owned(), stale));
    tb.remember_indexes(indexes);
    let out = ok(&mut tb, "read_symbol", json!({ "symbol": "src/util.c::twice" }));
    assert!(out.content.contains("return x + x;"), "{}", out.content);
    // Changed on disk behind the tool box's back: read afresh.
    write(&fx.root, "src/util.c", &UTIL.replace("x + x", "x * 2"));
    let out = ok(&mut tb, "read_symbol", json!({ "symbol": "src/util.c::twice" }));
    assert!(out.content.contains("return x * 2;"), "{}", out.content);
    write(&fx.root, "src/util.c", "int helper(void) { return 1; }\n");
    let out = tb.call("read_symbol", &json!({ "symbol": "src/util.c::twice" }));
    assert!(out.is_error && out.content.contains("no symbol"), "{}", out.content);
}

// Guards against sending the model, with every later call, a second copy of
// code its conversation already holds, and against holding back code that
// changed since.
#[test]
fn reading_what_was_shown_unchanged_answers_with_a_line() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    let first = ok(&mut tb, "read_symbol", json!({ "symbol": "src/kernels.c::twice" }));
    let text = first.content.split_once('\n').unwrap().1.to_owned();
    assert!(text.starts_with("static int twice(int x) {"), "{text}");
    let again = ok(&mut tb, "read_symbol", json!({ "symbol": "src/kernels.c::twice" }));
    assert_eq!(again.content, "unchanged since shown above");
    // After an edit the new text comes back whole, once.
    ok(&mut tb, "replace_body", json!({ "symbol": "src/kernels.c::twice", "body": "return x << 1;" }));
    let edited = ok(&mut tb, "read_symbol", json!({ "symbol": "src/kernels.c::twice" }));
    assert!(edited.content.contains("return x << 1;"), "{}", edited.content);
    // What the task message showed counts as shown; other text does not.
    let mut tb = toolbox(&fx);
    tb.mark_shown("src/util.c::helper", "int helper(void) { return 1; }");
    assert_eq!(ok(&mut tb, "read_symbol", json!({ "symbol": "helper" })).content, "unchanged since shown above");
    tb.mark_shown("src/kernels.c::twice", "static int twice(int x) { return 0; }");
    let out = ok(&mut tb, "read_symbol", json!({ "symbol": "src/kernels.c::twice" }));
    assert!(out.content.ends_with("static int twice(int x) {\n    return x << 1;\n}"), "{}", out.content);
}

#[test]
fn read_symbol_errors_help() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    let cases = [
        ("src/kernels.c::dott", "no symbol `src/kernels.c::dott` in src/kernels.c; did you mean `src/kernels.c::dot`"),
        ("dott", "no symbol `dott` in the task's files; did you mean `src/kernels.c::dot`?"),
        ("twice", "`twice` is ambiguous in the task's files; it could be `src/kernels.c::twice`, `src/util.c::twice`"),
        ("src/kernel.c::dot", "there is no file `src/kernel.c`; did you mean `src/kernels.c`?"),
        ("src/kernels.c", "`src/kernels.c` is a file; a symbol is `FILE::NAME`"),
        ("../outside/secret.c::secret", "`..` is not allowed"),
        ("Makefile.c::all", "there is no file `Makefile.c`"),
    ];
    for (symbol, expect) in cases {
        let out = tb.call("read_symbol", &json!({ "symbol": symbol }));
        assert!(out.is_error, "{symbol}: {}", out.content);
        assert!(out.content.contains(expect), "{symbol}: expected `{expect}` in:\n{}", out.content);
    }
}

#[test]
fn read_file_numbers_and_caps() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    let out = ok(&mut tb, "read_file", json!({ "path": "src/kernels.c", "start_line": 3, "end_line": 5 }));
    insta::assert_snapshot!("read_file_range", out.content);
    // Protected files and non-source files can be read.
    ok(&mut tb, "read_file", json!({ "path": "tests/t.c" }));
    ok(&mut tb, "read_file", json!({ "path": "Makefile" }));

    let long: String = (1..=1000).map(|n| format!("int v{n} = {n};\n")).collect();
    write(&fx.root, "src/long.c", &long);
    let out = ok(&mut tb, "read_file", json!({ "path": "src/long.c" }));
    assert!(out.content.starts_with("src/long.c lines 1-400 of 1000\n"), "{}", &out.content[..80]);
    assert!(out.content.ends_with("call read_file with start_line=401 for more]\n"));
    let tail = ok(&mut tb, "read_file", json!({ "path": "src/long.c", "start_line": 990 }));
    assert!(tail.content.starts_with("src/long.c lines 990-1000 of 1000\n"));

    // A file of very long lines is cut by bytes, not only by lines.
    let wide: String = (0..100).map(|_| format!("{}\n", "x".repeat(1500))).collect();
    write(&fx.root, "wide.txt", &wide);
    let out = ok(&mut tb, "read_file", json!({ "path": "wide.txt" }));
    assert!(out.content.len() <= OUTPUT_MAX_BYTES + 200, "{}", out.content.len());
    assert!(out.content.contains("[cut at 21 lines / 32 KiB; call read_file with start_line=22 for more]"));

    let err = tb.call("read_file", &json!({ "path": "src/kernels.c", "start_line": 50 }));
    assert!(err.is_error && err.content.contains("past the end: src/kernels.c has 12 lines"), "{}", err.content);
    std::fs::write(fx.root.join("blob.bin"), b"\x7fELF\0\0\x01").unwrap();
    let err = tb.call("read_file", &json!({ "path": "blob.bin" }));
    assert!(err.is_error && err.content.contains("binary file"), "{}", err.content);
    let err = tb.call("read_file", &json!({ "path": "src" }));
    assert!(err.is_error && err.content.contains("`src` is a folder; files in it: src/kernels.c"), "{}", err.content);
}

#[test]
fn search_pattern_and_regex() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    let out = ok(&mut tb, "search", json!({ "pattern": "2 * $X" }));
    insta::assert_snapshot!("search_pattern", out.content);
    let out = ok(&mut tb, "search", json!({ "regex": "return [0-9]", "path_glob": "src/*.c" }));
    insta::assert_snapshot!("search_regex", out.content);
    let none = ok(&mut tb, "search", json!({ "regex": "goal" }));
    assert_eq!(none.content, "no matches", "the spec is not searched");
    let err = tb.call("search", &json!({ "pattern": "x", "regex": "x" }));
    assert!(err.is_error && err.content.contains("exactly one of"), "{}", err.content);
    let err = tb.call("search", &json!({ "regex": "(" }));
    assert!(err.is_error && err.content.contains("bad `regex`"), "{}", err.content);
    let err = tb.call("search", &json!({ "pattern": "$X(", "lang": "c" }));
    assert!(err.is_error && err.content.contains("bad pattern"), "{}", err.content);
}

#[test]
fn search_caps_matches() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    let long: String = (1..=300).map(|n| format!("int v{n} = {n};\n")).collect();
    write(&fx.root, "src/long.c", &long);
    let out = ok(&mut tb, "search", json!({ "regex": "^int v" }));
    assert!(out.content.starts_with("300 matches in 1 file\n"), "{}", &out.content[..60]);
    assert!(out.content.contains("[showing the first 100 of 300 matches; narrow the search with path_glob]"));
}

#[test]
fn replace_symbol_edits_and_tracks() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    let text = "static int twice(int x) {\n    return x << 1;\n}";
    let out = ok(&mut tb, "replace_symbol", json!({ "symbol": "src/kernels.c::twice", "text": text }));
    assert_eq!(out.action, ToolAction::Edited(vec!["src/kernels.c".to_owned()]));
    insta::assert_snapshot!("replace_symbol", out.content);
    assert!(read(&fx, "src/kernels.c").contains("return x << 1;"));
    assert_eq!(tb.changed_files(), vec!["src/kernels.c"]);
}

#[test]
fn replace_body_insert_delete() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    ok(&mut tb, "replace_body", json!({ "symbol": "helper", "body": "return 7;" }));
    assert!(
        read(&fx, "src/util.c").starts_with("int helper(void) {\n    return 7;\n}\n"),
        "{}",
        read(&fx, "src/util.c")
    );

    let out = ok(
        &mut tb,
        "insert_item",
        json!({ "anchor_symbol": "src/kernels.c::dot", "position": "before", "text": "static float sq(float x) { return x * x; }" }),
    );
    assert_eq!(out.action, ToolAction::Edited(vec!["src/kernels.c".to_owned()]));
    assert!(read(&fx, "src/kernels.c").contains("static float sq(float x) { return x * x; }\n\n/* Dot product. */"));
    ok(
        &mut tb,
        "insert_item",
        json!({ "anchor_symbol": "src/util.c::helper", "position": "after", "text": "int three(void) { return 3; }" }),
    );
    assert!(read(&fx, "src/util.c").contains("}\n\nint three(void) { return 3; }\n"), "{}", read(&fx, "src/util.c"));

    ok(&mut tb, "delete_item", json!({ "symbol": "src/kernels.c::twice" }));
    assert!(!read(&fx, "src/kernels.c").contains("twice"));
    // Now `twice` is only in util.c, so the bare name resolves.
    ok(&mut tb, "read_symbol", json!({ "symbol": "twice" }));
    assert_eq!(tb.changed_files(), vec!["src/kernels.c", "src/util.c"]);
}

#[test]
fn add_include_and_create_file() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    ok(&mut tb, "add_include", json!({ "path": "src/kernels.c", "include": "#include <arm_neon.h>" }));
    assert!(read(&fx, "src/kernels.c").starts_with("#include <stdio.h>\n#include <arm_neon.h>\n\n"));
    let again = ok(&mut tb, "add_include", json!({ "path": "src/kernels.c", "include": "#include <arm_neon.h>" }));
    assert_eq!(again.action, ToolAction::None);
    assert!(again.content.contains("nothing to change"), "{}", again.content);

    let out =
        ok(&mut tb, "create_file", json!({ "path": "src/neon/dot.c", "text": "int neon_dot(void) { return 0; }\n" }));
    assert_eq!(out.action, ToolAction::Edited(vec!["src/neon/dot.c".to_owned()]));
    assert!(out.content.contains("note: `src/neon/dot.c` is not one of the task's files"), "{}", out.content);
    assert_eq!(read(&fx, "src/neon/dot.c"), "int neon_dot(void) { return 0; }\n");
    assert_eq!(tb.changed_files(), vec!["src/kernels.c", "src/neon/dot.c"]);
    let err = tb.call("create_file", &json!({ "path": "src/util.c", "text": "" }));
    assert!(err.is_error && err.content.contains("already exists"), "{}", err.content);
}

#[test]
fn run_checks_and_finish_only_return_actions() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    let before = everything(&fx);
    assert_eq!(ok(&mut tb, "run_checks", json!({})).action, ToolAction::RunChecks);
    assert_eq!(ok(&mut tb, "run_checks", Value::Null).action, ToolAction::RunChecks);
    let out = ok(&mut tb, "finish", json!({ "summary": "  Ported dot to NEON.  " }));
    assert_eq!(out.action, ToolAction::Finish("Ported dot to NEON.".to_owned()));
    assert_eq!(everything(&fx), before);
    let err = tb.call("finish", &json!({ "summary": "   " }));
    assert!(err.is_error);
}

#[test]
fn hostile_paths_are_refused() {
    let text = "int x(void) { return 0; }\n";
    check_refused("create_file", json!({ "path": "../x.c", "text": text }), "`..` is not allowed");
    check_refused("create_file", json!({ "path": "src/../../x.c", "text": text }), "`..` is not allowed");
    check_refused("read_file", json!({ "path": "../outside/secret.c" }), "`..` is not allowed");
    check_refused("create_file", json!({ "path": "/tmp/x.c", "text": text }), "absolute path");
    check_refused("read_file", json!({ "path": "/etc/passwd" }), "absolute path");
    check_refused("create_file", json!({ "path": "src\\x.c", "text": text }), "use `/`");
    check_refused("add_include", json!({ "path": "tests/t.c", "include": "#include <x.h>" }), "is protected");
    check_refused("replace_body", json!({ "symbol": "tests/t.c::main", "body": "return 1;" }), "is protected");
    check_refused("delete_item", json!({ "symbol": "tests/t.c::main" }), "matches `tests/**`");
    check_refused("create_file", json!({ "path": "tests/new.c", "text": text }), "is protected");
    check_refused("create_file", json!({ "path": "./Tests/new.c", "text": text }), "is protected");
    check_refused("read_file", json!({ "path": ".git/config" }), "`.git`");
    check_refused("create_file", json!({ "path": ".git/hooks/pre-commit", "text": "rm -rf /" }), "`.git`");
    check_refused("create_file", json!({ "path": "src/.GIT/x", "text": "" }), "`.git`");
    check_refused("read_file", json!({ "path": ".molt/plan.json" }), "`.molt`");
    check_refused("create_file", json!({ "path": ".molt/state.json", "text": "{}" }), "`.molt`");
    check_refused("read_file", json!({ "path": "molt.toml" }), "the migration spec");
    check_refused("read_file", json!({ "path": "./molt.toml" }), "the migration spec");
    check_refused("add_include", json!({ "path": "molt.toml", "include": "x" }), "the migration spec");
    check_refused("read_file", json!({ "path": "" }), "the path is empty");
    check_refused("read_file", json!({ "path": "./" }), "names the repository root");
}

#[cfg(unix)]
#[test]
fn links_out_of_the_worktree_are_refused() {
    check_refused("read_file", json!({ "path": "src/secret.c" }), "through a symbolic link");
    check_refused("read_file", json!({ "path": "src/out/secret.c" }), "through a symbolic link");
    check_refused("read_symbol", json!({ "symbol": "src/out/secret.c::secret" }), "through a symbolic link");
    check_refused("list_symbols", json!({ "path": "src/secret.c" }), "through a symbolic link");
    check_refused(
        "replace_symbol",
        json!({ "symbol": "src/secret.c::secret", "text": "int secret(void) { return 0; }" }),
        "through a symbolic link",
    );
    check_refused("create_file", json!({ "path": "src/out/new.c", "text": "int y;\n" }), "through a symbolic link");
    check_refused("add_include", json!({ "path": "src/out/secret.c", "include": "#include <x.h>" }), "symbolic link");
}

#[test]
fn bad_calls_are_refused() {
    let dot = "src/kernels.c::dot";
    check_refused("rm_rf", json!({}), "unknown tool `rm_rf`; the tools are: list_symbols, read_symbol");
    check_refused("read_symbol", json!({}), "missing required field `symbol` (string)");
    check_refused("read_symbol", json!({ "symbol": 3 }), "`symbol` must be string; got an integer");
    check_refused("read_symbol", json!({ "symbol": dot, "force": true }), "unknown field `force`");
    check_refused("read_symbol", json!("dot"), "takes a JSON object with symbol (string, required); got a string");
    check_refused(
        "read_file",
        json!({ "path": "src/kernels.c", "start_line": "3" }),
        "`start_line` must be integer >= 1",
    );
    check_refused(
        "read_file",
        json!({ "path": "src/kernels.c", "start_line": 0 }),
        "`start_line` must be integer >= 1",
    );
    check_refused("read_file", json!({ "path": "src/kernels.c", "end_line": 1.5 }), "got a number");
    check_refused("read_file", json!({ "path": "src/kernels.c", "start_line": 5, "end_line": 2 }), "is before");
    check_refused("read_file", json!({ "path": ["src/kernels.c"] }), "`path` must be string; got an array");
    check_refused(
        "insert_item",
        json!({ "anchor_symbol": dot, "position": "inside", "text": "int y;" }),
        "one of before, after",
    );
    check_refused("replace_symbol", json!({ "symbol": dot, "text": null }), "missing required field `text`");
    check_refused("replace_symbol", json!({ "symbol": dot, "text": "int y;", "body": "x" }), "unknown field `body`");
    check_refused("run_checks", json!({ "now": true }), "`run_checks` takes no arguments");
    check_refused("search", json!({ "pattern": "dot($A)", "lang": "cobol" }), "one of c, cpp, rust");
    check_refused("search", json!({ "regex": "x", "path_glob": "src/[" }), "bad `path_glob`");
    check_refused("replace_symbol", json!({ "symbol": "src/kernels.c::nope", "text": "int y;" }), "no symbol");
    check_refused("replace_body", json!({ "symbol": "dot", "body": "x".repeat(5000).as_str() }), "does not parse");
}

#[test]
fn huge_replacement_is_refused() {
    // 50 MB: refused on its length, before any parsing.
    let big = "/* x */\n".repeat(50 << 17);
    assert_eq!(big.len(), 50 << 20);
    check_refused(
        "replace_symbol",
        json!({ "symbol": "src/kernels.c::dot", "text": big }),
        "`text` is 52428800 bytes, over the limit of 262144 bytes",
    );
    check_refused("create_file", json!({ "path": "src/big.c", "text": "x".repeat(300_000) }), "over the limit");
    check_refused("read_symbol", json!({ "symbol": "d".repeat(10_000) }), "over the limit of 4096 bytes");
}

#[test]
fn broken_replacements_are_refused_with_the_place() {
    check_refused(
        "replace_symbol",
        json!({ "symbol": "src/kernels.c::dot", "text": "float dot(const float *a, const float *b, int n) {\n    return a[0] *;\n}" }),
        "refused, nothing was written: the result does not parse at src/kernels.c:",
    );
    check_refused(
        "replace_body",
        json!({ "symbol": "src/util.c::twice", "body": "{ return (x; }" }),
        "does not parse at src/util.c:",
    );
    check_refused(
        "insert_item",
        json!({ "anchor_symbol": "helper", "position": "after", "text": "int broken( {" }),
        "does not parse",
    );
    check_refused("create_file", json!({ "path": "src/new.c", "text": "int f( {\n" }), "does not parse");
}

#[test]
fn keeps_working_after_errors() {
    let fx = fixture();
    let mut tb = toolbox(&fx);
    for _ in 0..3 {
        assert!(tb.call("nope", &json!({})).is_error);
        assert!(tb.call("replace_body", &json!({ "symbol": "dot", "body": "{ (" })).is_error);
    }
    ok(&mut tb, "replace_body", json!({ "symbol": "dot", "body": "return 0;" }));
    assert_eq!(tb.changed_files(), vec!["src/kernels.c"]);
}

#[test]
fn bad_protected_glob_fails_closed() {
    let fx = fixture();
    let options = ToolBoxOptions { protected: vec!["tests/[".to_owned()], ..ToolBoxOptions::default() };
    let mut tb = ToolBox::new(&fx.root, options);
    let before = everything(&fx);
    let out = tb.call("replace_body", &json!({ "symbol": "src/kernels.c::dot", "body": "return 0;" }));
    assert!(
        out.is_error
            && out.content.contains("protected glob \"tests/[\"")
            && out.content.contains("so no edit is allowed"),
        "{}",
        out.content
    );
    assert_eq!(everything(&fx), before);
    ok(&mut tb, "read_symbol", json!({ "symbol": "src/kernels.c::dot" }));
}

#[test]
fn missing_worktree_answers_errors() {
    let fx = fixture();
    let mut tb = ToolBox::new(&fx.root.join("missing"), ToolBoxOptions::default());
    assert!(tb.call("read_file", &json!({ "path": "src/kernels.c" })).is_error);
    assert!(tb.call("create_file", &json!({ "path": "a.c", "text": "int a;\n" })).is_error);
    assert!(!fx.root.join("missing").exists());
}
