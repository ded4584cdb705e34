use super::*;

fn check(path: &str, text: &str, expect: &[&str]) {
    let index = index_file(path, text.as_bytes()).unwrap();
    let got: Vec<String> = index.items.iter().map(|i| format!("{:?} {}", i.kind, i.path)).collect();
    assert_eq!(got, expect, "{text}");
}

#[test]
fn items_per_language() {
    check("a.c", "int f(void) { return g(); }\n#define N 4\n", &["Function a.c::f", "Macro a.c::N"]);
    check("a.c", "int *p(void);\nstruct s *q;\n", &[]);
    check("m.rs", "impl<T> Foo<T> { fn get(&self) {} }", &["Impl m.rs::impl Foo<T>", "Method m.rs::Foo::get"]);
    check(
        "p.py",
        "class A:\n    def f(self):\n        def g():\n            pass\n",
        &["Class p.py::A", "Method p.py::A.f", "Function p.py::A.f.g"],
    );
    check("x.cpp", "void A::run() {}\n", &["Method x.cpp::A::run"]);
}

#[test]
fn repeated_names_get_stable_suffixes() {
    let text = "#ifdef X\nvoid f(void) {}\n#else\nvoid f(void) {}\n#endif\n";
    check("k.c", text, &["Function k.c::f", "Function k.c::f@2"]);
    let index = index_file("k.c", text.as_bytes()).unwrap();
    assert_eq!(index.items[0].preproc.as_deref(), Some("#ifdef X"));
    assert_eq!(index.items[1].preproc.as_deref(), Some("#else of #ifdef X"));
}

#[test]
fn header_guards_are_not_conditions() {
    let index = index_file("k.h", b"#ifndef K_H\n#define K_H\nvoid f(void) {}\n#endif\n").unwrap();
    let f = index.items.iter().find(|i| i.name == "f").unwrap();
    assert_eq!(f.preproc, None);
}

#[test]
fn broken_and_invalid_input_is_data() {
    let index = index_file("b.c", b"int f(void) { return 1 }\nint g(void) { return 2; }\n").unwrap();
    assert!(!index.diagnostics.is_empty());
    assert!(index.items.iter().any(|i| i.name == "g"));
    let index = index_file("u.py", b"def f():\n    return '\xff'\n").unwrap();
    assert_eq!(index.diagnostics[0].message, "invalid UTF-8");
    assert_eq!(index.items[0].path, "u.py::f");
}

#[test]
fn doc_comments_and_attributes_belong_to_the_item() {
    let text = "// not mine\n\n/// doc\n#[inline]\nfn f() {}\n";
    let index = index_file("a.rs", text.as_bytes()).unwrap();
    assert_eq!(index.items[0].span.start, text.find("/// doc").unwrap());
}

// Regression: openssl's generated sources nest expressions deep enough that
// a recursive walk overflowed a worker thread's stack.
#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let deep = format!("{}1{}", "(".repeat(3000), ")".repeat(3000));
    let text = format!("int x = {deep};\nint f(void) {{ return g({deep}); }}\n");
    let index = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || index_file("deep.c", text.as_bytes()).unwrap())
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(index.items[0].path, "deep.c::f");
    assert_eq!(index.items[0].calls, ["g"]);
}

/// The items of `text` (as `path`) with the text of their spans, and the
/// number of diagnostics.
fn check_spans(path: &str, text: &str, expect: &[&str], diagnostics: usize) {
    let index = index_file(path, text.as_bytes()).unwrap();
    let got: Vec<String> =
        index.items.iter().map(|i| format!("{:?} {}: {}", i.kind, i.name, &text[i.span.start..i.span.end])).collect();
    assert_eq!(got, expect, "{text}");
    assert_eq!(index.diagnostics.len(), diagnostics, "{:?}", index.diagnostics);
}

/// Regression (zstd, sqlite): tree-sitter read a macro before a declaration
/// (`MEM_STATIC int f(void)`) as junk, so the function was an ERROR node or
/// lost its name. Such macros are masked for the parse; the item's span
/// still starts at the macro, so replacing or deleting it takes it along.
#[test]
fn declaration_macros_do_not_hide_functions() {
    check_spans(
        "a.c",
        "MEM_STATIC int f(void) { return 1; }\n",
        &["Function f: MEM_STATIC int f(void) { return 1; }"],
        0,
    );
    check_spans(
        "a.c",
        "static INLINE int g(void) { return 2; }\nFORCE_INLINE_TEMPLATE size_t\nh(void) { return 3; }\n",
        &[
            "Function g: static INLINE int g(void) { return 2; }",
            "Function h: FORCE_INLINE_TEMPLATE size_t\nh(void) { return 3; }",
        ],
        0,
    );
    // The file's own definitions, through one another; a calling convention after the type.
    let text = "#define MY_CC __stdcall\n#define MY_API extern MY_CC\nMY_API int MY_CC k(void) { return 4; }\n";
    check_spans(
        "a.c",
        text,
        &[
            "Macro MY_CC: #define MY_CC __stdcall",
            "Macro MY_API: #define MY_API extern MY_CC",
            "Function k: MY_API int MY_CC k(void) { return 4; }",
        ],
        0,
    );
    check_spans(
        "a.cpp",
        "ZSTDLIB_API size_t ZSTD_f(int x) { return x; }\n",
        &["Function ZSTD_f: ZSTDLIB_API size_t ZSTD_f(int x) { return x; }"],
        0,
    );
}

/// Regression (sqlite3.c, 360 functions): an `#if` whose branches each open
/// a brace makes tree-sitter take the rest of the region for one function's
/// body, and the functions after it were not items at all. They are items
/// now; the function whose body tree-sitter stretched over them is left
/// out, since replacing or deleting it would take them along.
#[test]
fn functions_inside_a_stretched_c_body_are_items() {
    // `w` opens two braces (one per branch) and `v` closes two: in between,
    // tree-sitter reads `m` and `v` as part of `w`'s body.
    let text = "static int w(int rc){\n#if A\n  if( rc==0 ){\n#else\n  {\n#endif\n    rc = 1;\n  }\n  return rc;\n}\n#ifdef B\nstatic int m(void){ return 2; }\n#endif\nstatic int v(int rc){\n  if( rc ){\n    rc = 2;\n#if C\n  }\n#else\n  }\n#endif\n  return rc;\n}\nstatic int n(void){ return 3; }\n";
    check("a.c", text, &["Function a.c::m", "Function a.c::v", "Function a.c::n"]);
    // Edits of the recovered functions work and are checked as any other.
    let mut files = std::collections::BTreeMap::from([("a.c".to_owned(), text.to_owned())]);
    let set =
        crate::EditSet::new(vec![crate::Edit::ReplaceBody { symbol: "a.c::m".into(), text: "{ return 4; }".into() }]);
    crate::apply_in_memory(&mut files, &set).unwrap();
    assert_eq!(files["a.c"], text.replace("return 2;", "return 4;"));
}
