//! molt-syntax's integration tests: indexes, round trips, edit diffs, bad
//! input and the undo property, over the fixtures in `tests/fixtures/`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use molt_syntax::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture file, repository-relative path to text.
fn fixture_texts() -> BTreeMap<String, String> {
    let index = index_repo(&fixtures(), &IndexOptions::default()).unwrap();
    index.files.iter().map(|f| (f.path.clone(), std::fs::read_to_string(fixtures().join(&f.path)).unwrap())).collect()
}

/// One line per item, import and diagnostic: what a reviewer reads.
fn render(file: &FileIndex) -> String {
    let mut out = format!("{} ({}, {} lines)\n", file.path, file.lang, file.lines);
    for i in &file.imports {
        writeln!(out, "  import {} @{}", i.target, i.span.start_line).unwrap();
    }
    for item in &file.items {
        write!(
            out,
            "  {:?} {} [{}-{}] `{}`",
            item.kind, item.path, item.span.start_line, item.span.end_line, item.signature
        )
        .unwrap();
        if let Some(p) = &item.preproc {
            write!(out, " #({p})").unwrap();
        }
        if !item.calls.is_empty() {
            write!(out, " calls {}", item.calls.join(", ")).unwrap();
        }
        out.push('\n');
    }
    for d in &file.diagnostics {
        writeln!(out, "  diagnostic {}:{} {}", d.line, d.column, d.message).unwrap();
    }
    out
}

#[test]
fn index_snapshots() {
    let index = index_repo(&fixtures(), &IndexOptions::default()).unwrap();
    let langs: Vec<Lang> = index.files.iter().map(|f| f.lang).collect();
    for lang in [Lang::C, Lang::Cpp, Lang::Rust, Lang::Python] {
        assert!(langs.contains(&lang), "no {lang} fixture");
    }
    for file in &index.files {
        let name = file.path.replace(['/', '.'], "_");
        insta::assert_snapshot!(format!("index_{name}"), render(file));
    }
}

#[test]
fn round_trip_leaves_every_file_identical() {
    let original = fixture_texts();
    let mut files = original.clone();
    let applied = apply_in_memory(&mut files, &EditSet::default()).unwrap();
    assert!(applied.changes.is_empty());
    for (path, text) in &original {
        let index = index_file(path, text.as_bytes()).unwrap();
        let edits = index
            .items
            .iter()
            .filter(|i| i.parent.is_none())
            .map(|i| Edit::ReplaceItem { symbol: i.path.clone(), text: item_text(text, i), whole_conditional: false })
            .collect();
        let mut files = original.clone();
        apply_in_memory(&mut files, &EditSet::new(edits)).unwrap();
        assert_eq!(&files[path], text, "{path}");
        // Nested items one at a time (they overlap their parents).
        for item in index.items.iter().filter(|i| i.parent.is_some()) {
            let edit =
                Edit::ReplaceItem { symbol: item.path.clone(), text: item_text(text, item), whole_conditional: false };
            let mut files = original.clone();
            apply_in_memory(&mut files, &EditSet::new(vec![edit])).unwrap();
            assert_eq!(&files[path], text, "{}", item.path);
        }
    }
}

/// The diff one edit makes to the fixtures.
fn diff_of(edit: Edit) -> String {
    let mut files = fixture_texts();
    match apply_in_memory(&mut files, &EditSet::new(vec![edit])) {
        Ok(applied) => applied.diff(),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn edit_diffs_c() {
    let f = "src/kernels.c";
    let s = |n: &str| format!("{f}::{n}");
    insta::assert_snapshot!("edit_c_replace_item", diff_of(Edit::ReplaceItem {
        symbol: s("scale"),
        text:
            "static void scale(float *x, size_t n, float k) {\n    for (size_t i = 0; i < n; i++) x[i] = x[i] * k;\n}"
                .into(),
        whole_conditional: false,
    }));
    insta::assert_snapshot!(
        "edit_c_replace_body",
        diff_of(Edit::ReplaceBody { symbol: s("scale"), text: "(void)x; (void)n; (void)k;".into() })
    );
    insta::assert_snapshot!(
        "edit_c_insert_before",
        diff_of(Edit::InsertBefore { symbol: s("scale"), text: "static int twice(int x) { return 2 * x; }".into() })
    );
    insta::assert_snapshot!(
        "edit_c_insert_after",
        diff_of(Edit::InsertAfter { symbol: s("matmul_avx2"), text: "void noop(void) {}".into() })
    );
    insta::assert_snapshot!(
        "edit_c_delete_item",
        diff_of(Edit::DeleteItem { symbol: s("scale"), whole_conditional: false })
    );
    insta::assert_snapshot!(
        "edit_c_add_include",
        diff_of(Edit::AddInclude { path: f.into(), text: "#include <arm_neon.h>".into() })
    );
    insta::assert_snapshot!(
        "edit_c_create_file",
        diff_of(Edit::CreateFile { path: "src/neon.c".into(), text: "int neon(void) { return 1; }\n".into() })
    );
    // The whole #if/#elif/#else region, replaced as one.
    insta::assert_snapshot!(
        "edit_c_replace_whole_conditional",
        diff_of(Edit::ReplaceItem {
            symbol: s("dot@2"),
            text: "float dot(const float *a, const float *b, size_t n) {\n    return dot_generic(a, b, n);\n}".into(),
            whole_conditional: true,
        })
    );
    // And a plain function wrapped in an #if block.
    insta::assert_snapshot!("edit_c_replace_item_with_an_if_block", diff_of(Edit::ReplaceItem {
        symbol: s("scale"),
        text: "#if defined(__aarch64__)\nstatic void scale(float *x, size_t n, float k) { neon_scale(x, n, k); }\n#else\nstatic void scale(float *x, size_t n, float k) { scalar_scale(x, n, k); }\n#endif".into(),
        whole_conditional: false,
    }));
}

#[test]
fn edit_diffs_cpp() {
    let s = |n: &str| format!("src/shapes.cpp::{n}");
    insta::assert_snapshot!(
        "edit_cpp_replace_method",
        diff_of(Edit::ReplaceItem {
            symbol: s("geo::Point::norm"),
            text: "double norm() const { return std::hypot(x_, y_); }".into(),
            whole_conditional: false
        })
    );
    insta::assert_snapshot!(
        "edit_cpp_replace_body",
        diff_of(Edit::ReplaceBody { symbol: s("total"), text: "return 0;".into() })
    );
    insta::assert_snapshot!(
        "edit_cpp_insert_before",
        diff_of(Edit::InsertBefore { symbol: s("geo::clamp"), text: "inline int one() { return 1; }".into() })
    );
    insta::assert_snapshot!(
        "edit_cpp_insert_after",
        diff_of(Edit::InsertAfter { symbol: s("geo::Point::norm"), text: "double x() const { return x_; }".into() })
    );
    insta::assert_snapshot!(
        "edit_cpp_delete_item",
        diff_of(Edit::DeleteItem { symbol: s("geo::clamp"), whole_conditional: false })
    );
    insta::assert_snapshot!(
        "edit_cpp_add_include",
        diff_of(Edit::AddInclude { path: "src/shapes.cpp".into(), text: "#include <arm_neon.h>".into() })
    );
}

#[test]
fn edit_diffs_rust() {
    let s = |n: &str| format!("src/model.rs::{n}");
    insta::assert_snapshot!(
        "edit_rust_replace_item",
        diff_of(
            rust_items::replace_item(
                &s("matmul"),
                quote::quote! {
                    fn matmul(x: &[f32], n: usize) -> Vec<f32> { x.iter().map(|v| v * (n as f32) * 2.0).collect() }
                }
            )
            .unwrap()
        )
    );
    insta::assert_snapshot!(
        "edit_rust_replace_body",
        diff_of(
            rust_items::replace_body(&s("Transformer::new"), quote::quote! { { Self { layers: layers.max(1) } } })
                .unwrap()
        )
    );
    insta::assert_snapshot!(
        "edit_rust_insert_before",
        diff_of(
            rust_items::insert_before(
                &s("Transformer::forward"),
                quote::quote! {
                    pub fn layers(&self) -> usize { self.layers }
                }
            )
            .unwrap()
        )
    );
    insta::assert_snapshot!(
        "edit_rust_insert_after",
        diff_of(
            rust_items::insert_after(&s("softmax"), quote::quote! { fn relu(x: f32) -> f32 { x.max(0.0) } }).unwrap()
        )
    );
    insta::assert_snapshot!(
        "edit_rust_delete_item",
        diff_of(Edit::DeleteItem { symbol: s("Layer"), whole_conditional: false })
    );
    insta::assert_snapshot!(
        "edit_rust_add_include",
        diff_of(Edit::AddInclude { path: "src/model.rs".into(), text: "use std::arch::aarch64::*;".into() })
    );
}

#[test]
fn edit_diffs_python() {
    let s = |n: &str| format!("src/attn.py::{n}");
    insta::assert_snapshot!(
        "edit_python_replace_method",
        diff_of(Edit::ReplaceItem {
            symbol: s("Attention.scale"),
            text: "@staticmethod\ndef scale(x):\n    return x * 0.125".into(),
            whole_conditional: false
        })
    );
    insta::assert_snapshot!(
        "edit_python_replace_body",
        diff_of(Edit::ReplaceBody { symbol: s("build"), text: "model = Attention(dim)\nreturn model".into() })
    );
    insta::assert_snapshot!(
        "edit_python_insert_before",
        diff_of(Edit::InsertBefore {
            symbol: s("Attention.forward"),
            text: "def reset(self):\n    self.dim = 0".into()
        })
    );
    insta::assert_snapshot!(
        "edit_python_insert_after",
        diff_of(Edit::InsertAfter {
            symbol: s("Attention.__init__"),
            text: "def extra_repr(self):\n    return f\"dim={self.dim}\"".into()
        })
    );
    insta::assert_snapshot!(
        "edit_python_delete_item",
        diff_of(Edit::DeleteItem { symbol: s("Attention.scale"), whole_conditional: false })
    );
    insta::assert_snapshot!(
        "edit_python_add_include",
        diff_of(Edit::AddInclude { path: "src/attn.py".into(), text: "import torch_neuronx".into() })
    );
}

#[test]
fn edit_diffs_go() {
    let s = |n: &str| format!("src/server.go::{n}");
    insta::assert_snapshot!(
        "edit_go_replace_method",
        diff_of(Edit::ReplaceItem {
            symbol: s("Server.Run"),
            text: "func (s *Server) Run() error {\n\treturn http.ListenAndServe(s.addr, nil)\n}".into(),
            whole_conditional: false
        })
    );
    insta::assert_snapshot!(
        "edit_go_replace_body",
        diff_of(Edit::ReplaceBody { symbol: s("New"), text: "return &Server{addr: \":\" + addr}".into() })
    );
    insta::assert_snapshot!(
        "edit_go_insert_before",
        diff_of(Edit::InsertBefore { symbol: s("New"), text: "const defaultAddr = \":8080\"".into() })
    );
    insta::assert_snapshot!(
        "edit_go_insert_after",
        diff_of(Edit::InsertAfter {
            symbol: s("Server.Run"),
            text: "func (s *Server) Addr() string { return s.addr }".into()
        })
    );
    insta::assert_snapshot!(
        "edit_go_delete_item",
        diff_of(Edit::DeleteItem { symbol: s("Handler"), whole_conditional: false })
    );
    // Regression: the import went before `package`. It joins the group.
    insta::assert_snapshot!(
        "edit_go_add_include",
        diff_of(Edit::AddInclude { path: "src/server.go".into(), text: "import \"strings\"".into() })
    );
}

/// Go's imports in a file without a group: after `package`, or after the
/// last single import; one already imported (grouped) is not added again.
#[test]
fn go_imports_go_after_the_package_clause() {
    let add = |text: &str, line: &str| {
        let mut files = std::collections::BTreeMap::from([("m.go".to_owned(), text.to_owned())]);
        apply_in_memory(&mut files, &EditSet::new(vec![Edit::AddInclude { path: "m.go".into(), text: line.into() }]))
            .unwrap();
        files.remove("m.go").unwrap()
    };
    assert_eq!(
        add("// Package m.\npackage m\n\nfunc F() {}\n", "import \"os\""),
        "// Package m.\npackage m\n\nimport \"os\"\n\nfunc F() {}\n"
    );
    assert_eq!(
        add("package m\n\nimport \"fmt\"\n\nfunc F() { fmt.Println() }\n", "\"os\""),
        "package m\n\nimport \"fmt\"\nimport \"os\"\n\nfunc F() { fmt.Println() }\n"
    );
    let grouped = "package m\n\nimport (\n\t\"fmt\"\n\tstr \"strings\"\n)\n";
    assert_eq!(add(grouped, "import str \"strings\""), grouped);
    assert_eq!(add(grouped, "import  str  \"strings\""), grouped);
    assert_eq!(add(grouped, "import \"os\""), "package m\n\nimport (\n\t\"fmt\"\n\tstr \"strings\"\n\t\"os\"\n)\n");
}

#[test]
fn edit_diffs_java() {
    let s = |n: &str| format!("src/App.java::{n}");
    insta::assert_snapshot!(
        "edit_java_replace_method",
        diff_of(Edit::ReplaceItem {
            symbol: s("App.count"),
            text: "public int count() {\n    return names.isEmpty() ? 0 : names.size();\n}".into(),
            whole_conditional: false
        })
    );
    insta::assert_snapshot!(
        "edit_java_replace_body",
        diff_of(Edit::ReplaceBody { symbol: s("App.count"), text: "return 0;".into() })
    );
    insta::assert_snapshot!(
        "edit_java_insert_before",
        diff_of(Edit::InsertBefore {
            symbol: s("App.count"),
            text: "public boolean empty() {\n    return names.isEmpty();\n}".into()
        })
    );
    insta::assert_snapshot!(
        "edit_java_insert_after",
        diff_of(Edit::InsertAfter {
            symbol: s("App.count"),
            text: "public String first() {\n    return names.get(0);\n}".into()
        })
    );
    insta::assert_snapshot!(
        "edit_java_delete_item",
        diff_of(Edit::DeleteItem { symbol: s("App.Greeter"), whole_conditional: false })
    );
    insta::assert_snapshot!(
        "edit_java_add_include",
        diff_of(Edit::AddInclude { path: "src/App.java".into(), text: "import java.util.Map;".into() })
    );
}

#[test]
fn edit_diffs_javascript() {
    let s = |n: &str| format!("src/util.js::{n}");
    insta::assert_snapshot!(
        "edit_javascript_replace_item",
        diff_of(Edit::ReplaceItem {
            symbol: s("parse"),
            text: "export function parse(text) {\n  return text ? JSON.parse(text) : null;\n}".into(),
            whole_conditional: false
        })
    );
    insta::assert_snapshot!(
        "edit_javascript_replace_body",
        diff_of(Edit::ReplaceBody {
            symbol: s("Cache.get"),
            text: "return this.map.has(key) ? this.map.get(key) : undefined;".into()
        })
    );
    insta::assert_snapshot!(
        "edit_javascript_insert_before",
        diff_of(Edit::InsertBefore { symbol: s("Cache"), text: "const EMPTY = {};".into() })
    );
    insta::assert_snapshot!(
        "edit_javascript_insert_after",
        diff_of(Edit::InsertAfter {
            symbol: s("Cache.get"),
            text: "set(key, value) {\n  this.map.set(key, value);\n}".into()
        })
    );
    insta::assert_snapshot!(
        "edit_javascript_delete_item",
        diff_of(Edit::DeleteItem { symbol: s("Cache"), whole_conditional: false })
    );
    insta::assert_snapshot!(
        "edit_javascript_add_include",
        diff_of(Edit::AddInclude { path: "src/util.js".into(), text: "import { join } from \"path\";".into() })
    );
}

#[test]
fn edit_diffs_typescript() {
    let s = |n: &str| format!("src/api.ts::{n}");
    insta::assert_snapshot!(
        "edit_typescript_replace_item",
        diff_of(Edit::ReplaceItem {
            symbol: s("Id"),
            text: "export type Id = string;".into(),
            whole_conditional: false
        })
    );
    insta::assert_snapshot!(
        "edit_typescript_replace_body",
        diff_of(Edit::ReplaceBody { symbol: s("fetchUser"), text: "return request(`/v2/users/${id}`);".into() })
    );
    insta::assert_snapshot!(
        "edit_typescript_insert_before",
        diff_of(Edit::InsertBefore { symbol: s("fetchUser"), text: "const BASE = \"/users\";".into() })
    );
    insta::assert_snapshot!(
        "edit_typescript_insert_after",
        diff_of(Edit::InsertAfter { symbol: s("Client.send"), text: "close(): void {\n  transport(null);\n}".into() })
    );
    insta::assert_snapshot!(
        "edit_typescript_delete_item",
        diff_of(Edit::DeleteItem { symbol: s("User"), whole_conditional: false })
    );
    insta::assert_snapshot!(
        "edit_typescript_add_include",
        diff_of(Edit::AddInclude { path: "src/api.ts".into(), text: "import { log } from \"./log\";".into() })
    );
}

/// The error an edit set makes, with nothing changed in memory.
fn error_of(edits: Vec<Edit>) -> String {
    let original = fixture_texts();
    let mut files = original.clone();
    let err = match apply_in_memory(&mut files, &EditSet::new(edits.clone())) {
        Ok(_) => panic!("accepted: {edits:?}"),
        Err(e) => e,
    };
    assert_eq!(files, original, "a failed edit set changed something");
    err.to_string()
}

#[test]
fn bad_edits_are_refused_and_change_nothing() {
    let replace = |symbol: &str, text: &str| Edit::ReplaceItem {
        symbol: symbol.into(),
        text: text.into(),
        whole_conditional: false,
    };
    let e = error_of(vec![replace("src/kernels.c::scal", "void scal(void) {}")]);
    assert!(e.contains("no item `src/kernels.c::scal`") && e.contains("src/kernels.c::scale"), "{e}");
    let e = error_of(vec![replace("src/model.rs::new", "fn new() {}"), replace("src/nope.rs::f", "fn f() {}")]);
    assert!(e.contains("edit 1 (replace_item src/nope.rs::f)") && e.contains("does not exist"), "{e}");
    let e = error_of(vec![
        Edit::ReplaceItem {
            symbol: "src/model.rs::Transformer::forward".into(),
            text: "fn forward() {}".into(),
            whole_conditional: false,
        },
        Edit::ReplaceBody { symbol: "src/model.rs::Transformer::forward".into(), text: "{}".into() },
    ]);
    assert!(e.contains("edits 0 and 1 overlap in src/model.rs"), "{e}");
    let e = error_of(vec![
        replace("src/kernels.c::matmul_avx2", "void matmul_avx2(void) { }"),
        replace("src/kernels.c::scale", "static void scale(float *x { x = 0; }"),
    ]);
    assert!(e.contains("edit 1 (replace_item src/kernels.c::scale)") && e.contains("src/kernels.c:4"), "{e}");
    let e = error_of(vec![replace("src/model.rs::matmul", "fn matmul(x: &[f32]) -> Vec<f32> { x.iter( }")]);
    assert!(e.contains("does not parse"), "{e}");
    let e = error_of(vec![Edit::CreateFile { path: "../evil.c".into(), text: "int x;\n".into() }]);
    assert!(e.contains("outside the repository"), "{e}");
}

#[test]
fn ambiguous_short_paths_list_candidates() {
    let text = "impl A { fn f(&self) {} }\nimpl B { fn f(&self) {} }\n";
    let mut files = BTreeMap::from([("m.rs".to_owned(), text.to_owned())]);
    let err = apply_in_memory(
        &mut files,
        &EditSet::new(vec![Edit::DeleteItem { symbol: "m.rs::f".into(), whole_conditional: false }]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("ambiguous") && err.contains("m.rs::A::f") && err.contains("m.rs::B::f"), "{err}");
}

fn temp_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in fixture_texts() {
        let p = dir.path().join(&path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn snapshot_dir(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in ignore::WalkBuilder::new(root).hidden(false).build().flatten() {
        if entry.file_type().is_some_and(|t| t.is_file()) {
            let rel = entry.path().strip_prefix(root).unwrap().to_string_lossy().into_owned();
            out.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    out
}

#[test]
fn repository_edits_are_atomic_and_confined() {
    let repo = temp_repo();
    let root = repo.path();
    let index = index_repo(root, &IndexOptions::default()).unwrap();
    let before = snapshot_dir(root);
    let good = Edit::AddInclude { path: "src/kernels.c".into(), text: "#include <arm_neon.h>".into() };
    let options =
        ApplyOptions { protected: vec!["tests/**".into()], expected: index.hashes(), ..ApplyOptions::default() };
    let refuse = |edits: Vec<Edit>, options: &ApplyOptions, want: &str| {
        let err = apply_to_repo(root, &EditSet::new(edits), options).unwrap_err().to_string();
        assert!(err.contains(want), "{err}");
        assert_eq!(snapshot_dir(root), before, "refused edit set changed the disk: {err}");
    };
    // A good edit next to a bad one: neither is written.
    refuse(
        vec![good.clone(), Edit::ReplaceBody { symbol: "src/attn.py::build".into(), text: "return (".into() }],
        &options,
        "does not parse",
    );
    refuse(
        vec![good.clone(), Edit::CreateFile { path: "/tmp/x.c".into(), text: String::new() }],
        &options,
        "absolute path",
    );
    refuse(
        vec![good.clone(), Edit::CreateFile { path: "src/../../x.c".into(), text: String::new() }],
        &options,
        "`..`",
    );
    refuse(
        vec![good.clone(), Edit::CreateFile { path: "tests/t.py".into(), text: String::new() }],
        &options,
        "protected",
    );
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("link")).unwrap();
        let before_link = snapshot_dir(root);
        let err = apply_to_repo(
            root,
            &EditSet::new(vec![good.clone(), Edit::CreateFile { path: "link/x.c".into(), text: String::new() }]),
            &options,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(snapshot_dir(root), before_link);
        assert!(std::fs::read_dir(outside.path()).unwrap().next().is_none());
        std::fs::remove_file(root.join("link")).unwrap();
    }
    // A file changed since it was indexed.
    let mut stale = options.clone();
    stale.expected.insert("src/kernels.c".into(), content_hash(b"something else"));
    refuse(vec![good.clone()], &stale, "changed on disk since it was indexed");
    // A dry run writes nothing but says what would change.
    let dry = ApplyOptions { dry_run: true, ..options.clone() };
    let applied = apply_to_repo(root, &EditSet::new(vec![good.clone()]), &dry).unwrap();
    assert!(applied.diff().contains("+#include <arm_neon.h>"));
    assert_eq!(snapshot_dir(root), before);
    // And the real thing writes only the edited file.
    apply_to_repo(root, &EditSet::new(vec![good]), &options).unwrap();
    let after = snapshot_dir(root);
    let changed: Vec<&String> = after.keys().filter(|k| before.get(*k) != after.get(*k)).collect();
    assert_eq!(changed, ["src/kernels.c"]);
}

#[test]
fn repo_walk_skips_binary_oversized_and_ignored_files() {
    let repo = temp_repo();
    let root = repo.path();
    std::fs::write(root.join("bin.c"), b"int x;\0\0\0").unwrap();
    std::fs::write(root.join("big.c"), "int x;\n".repeat(2000)).unwrap();
    std::fs::write(root.join(".gitignore"), "gen/\n").unwrap();
    std::fs::create_dir(root.join("gen")).unwrap();
    std::fs::write(root.join("gen/g.c"), "int g(void) { return 0; }").unwrap();
    std::fs::write(root.join("bad.c"), b"int f(void) { return '\xff' }\n").unwrap();
    let index = index_repo(root, &IndexOptions { max_file_bytes: 10_000, ..IndexOptions::default() }).unwrap();
    let skipped: Vec<String> = index.skipped.iter().map(|s| format!("{} {:?}", s.path, s.reason)).collect();
    assert_eq!(skipped, ["big.c TooLarge { bytes: 14000 }", "bin.c Binary"]);
    assert!(index.file("gen/g.c").is_none());
    let bad = index.file("bad.c").unwrap();
    assert!(bad.diagnostics.len() >= 2, "{:?}", bad.diagnostics);
    assert!(index.resolve("src/kernels.c::dot@3").is_ok());
    let err = index.resolve("src/kernel.c::dot").unwrap_err().to_string();
    assert!(err.contains("src/kernels.c::dot"), "{err}");
}

#[test]
fn repo_search_reports_enclosing_items() {
    let pattern = Pattern::new(Lang::C, "$F($$$)").unwrap().constrain("F", "^_mm").unwrap();
    let report = search_repo(&fixtures(), &Searcher::Pattern(pattern), &SearchOptions::default()).unwrap();
    let got: Vec<String> = report
        .matches
        .iter()
        .map(|m| format!("{}:{} {} in {}", m.path, m.line, m.text, m.symbol.as_deref().unwrap_or("-")))
        .collect();
    insta::assert_snapshot!(got.join("\n"));
    assert_eq!(report.parsed, 1);
}

mod undo {
    use super::*;
    use proptest::prelude::*;

    /// Edits that keep every fixture parsing, built from an item pick.
    fn edit_for(files: &BTreeMap<String, String>, file: usize, item: usize, kind: u8) -> Option<Edit> {
        let (path, text) = files.iter().nth(file % files.len())?;
        let index = index_file(path, text.as_bytes()).ok()?;
        let top: Vec<&Item> = index.items.iter().filter(|i| i.parent.is_none()).collect();
        let item = top.get(item % top.len().max(1))?;
        let own = item_text(text, item);
        Some(match kind % 5 {
            0 => Edit::ReplaceItem { symbol: item.path.clone(), text: format!("{own}\n"), whole_conditional: false },
            1 => Edit::DeleteItem { symbol: item.path.clone(), whole_conditional: false },
            2 => Edit::InsertBefore { symbol: item.path.clone(), text: own },
            3 => Edit::InsertAfter { symbol: item.path.clone(), text: own },
            _ => Edit::AddInclude {
                path: path.clone(),
                text: match index.lang {
                    Lang::C | Lang::Cpp => "#include <arm_neon.h>".into(),
                    Lang::Rust => "use std::arch::aarch64::*;".into(),
                    Lang::Python => "import torch_neuronx".into(),
                    Lang::Go => return None,
                    Lang::Java => "import java.util.Map;".into(),
                    _ => "import { x } from \"y\";".into(),
                },
            },
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn applying_then_undoing_restores_the_bytes(picks in proptest::collection::vec((0usize..8, 0usize..16, 0u8..5), 1..4)) {
            let original = fixture_texts();
            let edits: Vec<Edit> = picks.iter().filter_map(|&(f, i, k)| edit_for(&original, f, i, k)).collect();
            let mut files = original.clone();
            // Picks that collide are refused as a whole; that is fine, just not interesting.
            if let Ok(applied) = apply_in_memory(&mut files, &EditSet::new(edits)) {
                let undo = applied.inverse();
                apply_in_memory(&mut files, &undo).unwrap();
                prop_assert_eq!(files, original);
            }
        }
    }
}

/// Items of every file, `path: name name ...`, for comparing two indexes.
fn items_by_file(index: &RepoIndex) -> Vec<String> {
    index
        .files
        .iter()
        .map(|f| format!("{}: {}", f.path, f.items.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(" ")))
        .collect()
}

#[test]
fn the_index_cache_parses_only_what_changed_and_never_serves_stale_items() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    std::fs::create_dir(root.join("src")).unwrap();
    // Written an hour ago: well outside the clock's resolution.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let set_old = |path: &Path| std::fs::File::options().write(true).open(path).unwrap().set_modified(old).unwrap();
    for i in 0..5 {
        let path = root.join(format!("src/f{i}.c"));
        std::fs::write(&path, format!("int f{i}(void) {{ return {i}; }}\n")).unwrap();
        set_old(&path);
    }
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = cache_dir.path().join("sub/index.json");
    let options = IndexOptions { cache: Some(cache.clone()), ..IndexOptions::default() };
    let uncached = index_repo(root, &IndexOptions::default()).unwrap();

    let first = index_repo(root, &options).unwrap();
    assert_eq!((first.cached, first.cache_error.as_deref()), (0, None));
    assert!(cache.is_file());
    assert_eq!(items_by_file(&first), items_by_file(&uncached));

    let second = index_repo(root, &options).unwrap();
    assert_eq!(second.cached, 5);
    assert_eq!(items_by_file(&second), items_by_file(&uncached));

    // New bytes of the same size with the old modification time put back
    // (as `touch -d` or an archive extraction does): the change time tells.
    std::fs::write(root.join("src/f1.c"), "int g1(void) { return 1; }\n").unwrap();
    set_old(&root.join("src/f1.c"));
    // A new file, a removed one, and one touched without a change.
    std::fs::write(root.join("src/new.c"), "void fresh(void) {}\n").unwrap();
    std::fs::remove_file(root.join("src/f2.c")).unwrap();
    let f3 = std::fs::read(root.join("src/f3.c")).unwrap();
    std::fs::write(root.join("src/f3.c"), &f3).unwrap();
    let third = index_repo(root, &options).unwrap();
    assert_eq!(
        items_by_file(&third),
        ["src/f0.c: f0", "src/f1.c: g1", "src/f3.c: f3", "src/f4.c: f4", "src/new.c: fresh"]
    );
    assert_eq!(third.cached, 3, "f0, f3 (same hash) and f4");

    // Rewritten right after being indexed, twice, at the same size: each
    // rewrite is seen. (Where timestamps are coarse, an equal stamp this
    // close to the recording proves nothing, and the bytes are compared.)
    std::fs::write(root.join("src/f4.c"), "int h4(void) { return 4; }\n").unwrap();
    let racy = index_repo(root, &options).unwrap();
    std::fs::write(root.join("src/f4.c"), "int k4(void) { return 4; }\n").unwrap();
    let racy_again = index_repo(root, &options).unwrap();
    assert_eq!(racy.file("src/f4.c").unwrap().items[0].name, "h4");
    assert_eq!(racy_again.file("src/f4.c").unwrap().items[0].name, "k4");
    std::fs::write(root.join("src/f4.c"), "int f4(void) { return 4; }\n").unwrap();
    let third = index_repo(root, &options).unwrap();
    assert_eq!(items_by_file(&third), items_by_file(&index_repo(root, &IndexOptions::default()).unwrap()));

    // A corrupt cache is an empty one, and is written anew.
    std::fs::write(&cache, b"{not json").unwrap();
    let fourth = index_repo(root, &options).unwrap();
    assert_eq!((fourth.cached, fourth.cache_error.as_deref()), (0, None));
    assert_eq!(items_by_file(&fourth), items_by_file(&third));
    assert_eq!(index_repo(root, &options).unwrap().cached, 5);
}

#[test]
fn a_cache_that_cannot_be_written_costs_time_not_the_index() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("a.c"), "int a(void) { return 0; }\n").unwrap();
    let blocker = tempfile::NamedTempFile::new().unwrap();
    // A cache "inside" a regular file cannot be created.
    let options = IndexOptions { cache: Some(blocker.path().join("index.json")), ..IndexOptions::default() };
    let index = index_repo(repo.path(), &options).unwrap();
    assert_eq!(items_by_file(&index), ["a.c: a"]);
    let error = index.cache_error.expect("the failure is reported");
    assert!(error.contains("index.json"), "{error}");
}

#[test]
fn the_default_cache_path_depends_on_the_root_and_the_languages() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let pa = default_cache_path(a.path(), &[]);
    let Some(pa) = pa else { panic!("HOME or XDG_CACHE_HOME is set when tests run") };
    assert!(pa.ends_with(pa.file_name().unwrap()) && pa.to_string_lossy().contains("molt/index/"), "{}", pa.display());
    assert_ne!(Some(&pa), default_cache_path(b.path(), &[]).as_ref());
    assert_ne!(Some(&pa), default_cache_path(a.path(), &[Lang::C]).as_ref());
    assert_eq!(Some(&pa), default_cache_path(a.path(), &[]).as_ref());
}

#[test]
fn old_caches_are_pruned_beyond_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let now = std::time::SystemTime::now();
    for i in 0..5u64 {
        let path = dir.path().join(format!("c{i}.json"));
        std::fs::write(&path, b"{}").unwrap();
        let when = now - std::time::Duration::from_secs(100 - i);
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(when).unwrap();
    }
    std::fs::write(dir.path().join("other.txt"), b"kept").unwrap();
    assert_eq!(prune_caches(dir.path(), 3), 2);
    let mut left: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, ["c2.json", "c3.json", "c4.json", "other.txt"]);
    assert_eq!(prune_caches(dir.path(), 3), 0);
}

/// Regression (hnswlib): a repository's `.h` headers were all indexed as
/// C, so a C++ header's methods were no items. Each header is read as what
/// its text is, a C++-only index takes the C++ headers and leaves the C
/// ones, and the cache serves a C++ header's index again.
#[test]
fn headers_are_indexed_as_what_their_text_is() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    let cpp = "#pragma once\n#include <vector>\nnamespace hn {\nclass Index {\n public:\n  int size() const { return n; }\n  int n;\n};\n}\n";
    std::fs::write(root.join("index.h"), cpp).unwrap();
    std::fs::write(
        root.join("k.h"),
        "#ifdef __cplusplus\nextern \"C\" {\n#endif\nint k(void);\n#ifdef __cplusplus\n}\n#endif\n",
    )
    .unwrap();
    let langs = |index: &RepoIndex| index.files.iter().map(|f| format!("{} {}", f.path, f.lang)).collect::<Vec<_>>();
    let all = index_repo(root, &IndexOptions::default()).unwrap();
    assert_eq!(langs(&all), ["index.h cpp", "k.h c"]);
    assert!(all.file("index.h").unwrap().items.iter().any(|i| i.path == "index.h::hn::Index::size"));
    let only_cpp = index_repo(root, &IndexOptions { langs: vec![Lang::Cpp], ..IndexOptions::default() }).unwrap();
    assert_eq!(langs(&only_cpp), ["index.h cpp"]);
    let only_c = index_repo(root, &IndexOptions { langs: vec![Lang::C], ..IndexOptions::default() }).unwrap();
    assert_eq!(langs(&only_c), ["k.h c"]);

    let cache_dir = tempfile::tempdir().unwrap();
    let options = IndexOptions { cache: Some(cache_dir.path().join("index.json")), ..IndexOptions::default() };
    assert_eq!(index_repo(root, &options).unwrap().cached, 0);
    let again = index_repo(root, &options).unwrap();
    assert_eq!((again.cached, langs(&again)), (2, langs(&all)));
}
