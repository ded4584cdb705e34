use super::resolve::whole_lines;
use super::transact::{narrowed, to_whole};
use super::*;
use crate::Lang;

#[test]
fn reindent_is_relative_to_the_first_line() {
    let py = |text, indent| indent::reindent(text, indent, Lang::Python);
    assert_eq!(py("def f():\n    return 1\n", "    "), "def f():\n        return 1");
    assert_eq!(py("    def f():\n        return 1", "  "), "def f():\n      return 1");
    assert_eq!(py("a\n\nb", "\t"), "a\n\n\tb");
}

#[test]
fn whole_lines_takes_one_blank_line_along() {
    let text = "a\n\nb\n\nc\n";
    let b = text.find('b').unwrap();
    assert_eq!(whole_lines(text, b, b + 1), (b, b + 3));
}

#[test]
fn item_text_round_trips() {
    let text = "class A:\n    def f(self):\n        return 1\n";
    let index = crate::index_file("a.py", text.as_bytes()).unwrap();
    let f = &index.items[1];
    assert_eq!(item_text(text, f), "def f(self):\n    return 1");
    assert_eq!(indent::reindent(&item_text(text, f), "    ", Lang::Python), &text[f.span.start..f.span.end]);
}

/// Splices from a fuzzed or hand-written edit set: a start far past the end
/// of the file is refused, not an arithmetic overflow.
#[test]
fn a_splice_past_any_file_is_refused_not_a_panic() {
    let mut files = BTreeMap::from([("k.c".to_owned(), "int x;\n".to_owned())]);
    let set = EditSet::new(vec![Edit::Splice {
        path: "k.c".into(),
        start: usize::MAX,
        old: "int".into(),
        text: String::new(),
    }]);
    let r = apply_in_memory(&mut files, &set);
    assert!(r.as_ref().is_err_and(|e| e.to_string().contains("not the expected `old` text")), "{r:?}");
    assert_eq!(files["k.c"], "int x;\n");
}

/// Fuzz crash input `[0, 255, 0, 3]` (fuzz/fuzz_targets/edit.rs): a splice
/// that removes a stray byte a C file did not parse with. The edit applies;
/// its inverse would bring the syntax error back, so invariant 1 refuses it,
/// and the files stay as they are. (The fuzz target now expects the inverse
/// to restore a file only when the original parsed cleanly.)
#[test]
fn the_inverse_of_a_fix_of_broken_syntax_is_refused_whole() {
    let mut files = BTreeMap::from([("src/k.c".to_owned(), "\u{3}".to_owned())]);
    let set =
        EditSet::new(vec![Edit::Splice { path: "src/k.c".into(), start: 0, old: "\u{3}".into(), text: String::new() }]);
    let applied = apply_in_memory(&mut files, &set).unwrap();
    assert_eq!(files["src/k.c"], "");
    let after = files.clone();
    let r = apply_in_memory(&mut files, &applied.inverse());
    assert!(r.as_ref().is_err_and(|e| format!("{e:?}").contains("BrokenSyntax")), "{r:?}");
    assert_eq!(files, after);
}

/// Fuzz crash input `:/\0///\0` (fuzz/fuzz_targets/edit.rs): a Rust file that
/// is one lone doc comment. tree-sitter reports no error, but syn (which
/// validates Rust edits too) refuses it, so deleting it applies and putting
/// it back is refused whole, as for any other broken file.
#[test]
fn a_lone_rust_doc_comment_is_broken_syntax_for_syn() {
    let mut files = BTreeMap::from([("src/k.rs".to_owned(), "///".to_owned())]);
    let set =
        EditSet::new(vec![Edit::Splice { path: "src/k.rs".into(), start: 0, old: "///".into(), text: String::new() }]);
    let applied = apply_in_memory(&mut files, &set).unwrap();
    let after = files.clone();
    let r = apply_in_memory(&mut files, &applied.inverse());
    assert!(r.as_ref().is_err_and(|e| e.to_string().contains("does not parse")), "{r:?}");
    assert_eq!(files, after);
    let create = EditSet::new(vec![Edit::CreateFile { path: "src/new.rs".into(), text: "///".into() }]);
    assert!(apply_in_memory(&mut BTreeMap::new(), &create).is_err());
}

/// Applies `edits` to `text` (as `a.c`, `a.py`, ...: the extension of
/// `path`) and renders the outcome: the new text, or which edit broke the
/// parse and where (`edit 1 broke 9:24`).
fn outcome(path: &str, text: &str, edits: Vec<Edit>) -> String {
    let mut files = BTreeMap::from([(path.to_owned(), text.to_owned())]);
    match apply_in_memory(&mut files, &EditSet::new(edits)) {
        Ok(_) => files[path].clone(),
        Err(Error::Edit { index, source, .. }) => match *source {
            Error::BrokenSyntax { line, column, .. } => {
                assert_eq!(files[path], text, "a refused set wrote nothing");
                format!("edit {index} broke {line}:{column}")
            }
            other => format!("edit {index}: {other}"),
        },
        Err(other) => format!("{other}"),
    }
}

fn check(path: &str, text: &str, edits: Vec<Edit>, expect: &str) {
    assert_eq!(outcome(path, text, edits), expect);
}

fn body(symbol: &str, text: &str) -> Edit {
    Edit::ReplaceBody { symbol: symbol.to_owned(), text: text.to_owned() }
}

/// Two function headers under `#if`/`#else` sharing one body: tree-sitter
/// wraps the whole file in one ERROR node from 1:1, as it does in real
/// amalgamations and macro-heavy headers.
const LOST: &str = "#if A\nvoid h(void) {\n#else\nvoid h(int a) {\n#endif\n  return;\n}\nint f(void) { return 1; }\nint g(void) { return 2; }\n";

/// Regression: every edit inside a region tree-sitter wrapped in one ERROR
/// node was refused ("does not parse: a.c:1:1"), because that old error
/// touched the edit. Only errors the edit adds count now.
#[test]
fn valid_edits_inside_an_old_error_region_apply() {
    check("a.c", LOST, vec![body("a.c::f", "{ return 3; }")], &LOST.replace("return 1;", "return 3;"));
    check(
        "a.c",
        LOST,
        vec![body("a.c::g", "return 4;"), body("a.c::f", "{ return 3; }")],
        &LOST.replace("return 1;", "return 3;").replace("{ return 2; }", "{\n  return 4;\n}"),
    );
}

/// The invariant holds inside old error regions too: an edit that adds an
/// error there is refused whole, and named with the line it broke.
#[test]
fn broken_edits_inside_an_old_error_region_are_refused() {
    check("a.c", LOST, vec![body("a.c::g", "{ return 2;")], "edit 0 broke 9:24");
    check("a.c", LOST, vec![body("a.c::f", "{ return (1; }")], "edit 0 broke 8:24");
    check("a.c", LOST, vec![body("a.c::g", "{ return 2; } int x = {")], "edit 0 broke 9:27");
}

/// Regression: with one broken edit among valid ones, the refusal named the
/// file's first error (1:1 here, an error that was there before) and so a
/// valid edit. It names the broken edit and the place it broke.
#[test]
fn a_refusal_names_the_edit_that_broke_the_parse() {
    let set = vec![body("a.c::f", "{ return 3; }"), body("a.c::g", "{ return 2 + ; }"), body("a.c::h", "{ return; }")];
    // Line 6: the edit of `h` before it took three lines out.
    check("a.c", LOST, set, "edit 1 broke 6:25");
    let clean = "int f(void) { return 1; }\n\nint g(void) { return 2; }\n\nint h(void) { return 3; }\n";
    let set = vec![body("a.c::h", "{ return 5; }"), body("a.c::f", "{ return 3; }"), body("a.c::g", "{ return 2;")];
    check("a.c", clean, set, "edit 2 broke 3:24");
    // An error the file had before is no reason to refuse, wherever it is.
    let broken_before = "int x = ;\n\nint f(void) { return 1; }\n";
    check("a.c", broken_before, vec![body("a.c::f", "{ return 2; }")], &broken_before.replace('1', "2"));
    check("a.c", broken_before, vec![body("a.c::f", "{ return 2 }")], "edit 0 broke 3:23");
}

/// Replaces every item of `text` with its own [`item_text`] in one set: a
/// no-op, as `item_text` promises, or the first item that changed.
fn check_items_write_back(path: &str, text: &str) {
    let index = crate::index_file(path, text.as_bytes()).unwrap();
    assert!(!index.items.is_empty());
    for item in &index.items {
        let edit =
            Edit::ReplaceItem { symbol: item.path.clone(), text: item_text(text, item), whole_conditional: false };
        assert_eq!(outcome(path, text, vec![edit]), text, "writing back {}", item.path);
    }
}

/// Regression: whitespace-only lines were emptied (and `\r`, the blank line
/// of a CRLF file, was indented), so writing an item's own text back was
/// not a no-op and changed docstrings.
#[test]
fn writing_an_item_text_back_changes_nothing() {
    // Whitespace-only lines longer and shorter than the method's indentation.
    check_items_write_back("a.py", "class A:\n    def f(self):\n        x = 1\n        \n  \n        return x\n");
    check_items_write_back("a.py", "class A:\n\tdef f(self):\n\t\tx = 1\n\t\t\n\t\treturn x\n");
}

/// Regression: in a CRLF file a blank line is `\r`, which was not seen as
/// empty and gained the item's indentation: a nested docstring changed.
#[test]
fn writing_an_item_text_back_keeps_crlf_blank_lines() {
    check_items_write_back(
        "a.py",
        "class A:\r\n    def f(self):\r\n        \"\"\"Doc.\r\n\r\n        More.\r\n        \"\"\"\r\n        return 1\r\n",
    );
    check_items_write_back(
        "a.c",
        "struct s {\r\n    int a;\r\n\r\n    int b;\r\n};\r\n\r\nint f(void) {\r\n    \r\n}\r\n",
    );
}

/// Regression: the body of a Python function started at its first
/// statement, so a comment that `replace_body` wrote above the statements
/// fell outside the body and the next `replace_body` could not take it out.
#[test]
fn python_replace_body_can_undo_its_own_leading_comment() {
    let text = "class A:\n    def f(self):\n        return 1\n";
    let commented = "class A:\n    def f(self):\n        # two now\n        return 2\n";
    check("a.py", text, vec![body("a.py::A.f", "# two now\nreturn 2")], commented);
    check("a.py", commented, vec![body("a.py::A.f", "return 1")], text);
    // A comment on the header's own line stays the header's.
    let trailing = "def f():  # header\n    return 1\n";
    check("a.py", trailing, vec![body("a.py::f", "return 2")], &trailing.replace('1', "2"));
}

#[test]
fn narrowed_splices_keep_only_the_changed_bytes() {
    let s = |start, end, text: &str| Splice { start, end, text: text.to_owned(), edit: 0 };
    assert_eq!(narrowed("{ a; b; }", &s(0, 9, "{ a; c; b; }")), s(5, 5, "c; "));
    assert_eq!(narrowed("xyz", &s(0, 3, "xyz")), s(3, 3, ""));
    assert_eq!(narrowed("aé", &s(0, 3, "aè")), s(1, 3, "è"));
    assert_eq!(narrowed("ab", &s(1, 1, "b")), s(1, 1, "b"));
}

/// Regression (libFuzzer's C++): a body tree-sitter-cpp reads with an error
/// inside (`this->operator()()`) could not be edited at all, because the
/// whole body was the splice and the old error had no place in the result.
#[test]
fn an_old_error_inside_an_edited_body_is_still_old() {
    let text = "struct R {\n  int f() { return this->operator()() % 2; }\n};\n";
    let index = crate::index_file("a.cpp", text.as_bytes()).unwrap();
    assert!(!index.diagnostics.is_empty(), "the fixture needs an old error");
    check(
        "a.cpp",
        text,
        vec![body("a.cpp::R::f", "{ g(); return this->operator()() % 2; }")],
        &text.replace("{ return", "{ g(); return"),
    );
    check("a.cpp", text, vec![body("a.cpp::R::f", "{ g(; return this->operator()() % 2; }")], "edit 0 broke 2:15");
}

/// Regression (libFuzzer's C++): when the edited bodies all held old
/// errors, a new error spreading over the class was blamed on the first
/// edit it touched, a valid one. The edit that breaks the parse on its own
/// is named now.
#[test]
fn without_anchors_the_edit_that_breaks_alone_is_named() {
    let text = "namespace n {\nclass R : public B {\n public:\n  int a() { return this->operator()(); }\n  int b() { return this->operator()() + 1; }\n  int c() { return this->operator()() % 2; }\n};\n}\n";
    let set = vec![
        body("a.cpp::n::R::a", "{ return this->operator()(); }"),
        body("a.cpp::n::R::b", "{ return this->operator()() + 1;"),
        body("a.cpp::n::R::c", "{ return 0; }"),
    ];
    let got = outcome("a.cpp", text, set);
    assert!(got.starts_with("edit 1 broke 5:"), "{got}");
}

#[test]
fn to_whole_moves_offsets_from_some_splices_to_all() {
    let s = |start, end, text: &str, edit| Splice { start, end, text: text.to_owned(), edit };
    // "abcdef": edit 0 turns "b" into "BB", edit 1 turns "e" into "".
    let all = [s(1, 2, "BB", 0), s(4, 5, "", 1)];
    // With edit 1 alone the text is "abcdf"; its "f" (4) is 5 in "aBBcdf".
    assert_eq!(to_whole(4, &all[1..], &all), 5);
    // With edit 0 alone, "aBBcdef": the second B (2) stays 2.
    assert_eq!(to_whole(2, &all[..1], &all), 2);
}

/// Replaces every function's body with its own [`body_text`]: a no-op.
fn check_bodies_write_back(path: &str, text: &str) {
    let index = crate::index_file(path, text.as_bytes()).unwrap();
    for item in index.items.iter().filter(|i| i.body.is_some()) {
        let own = body_text(text, item).unwrap();
        assert_eq!(outcome(path, text, vec![body(&item.path, &own)]), text, "writing back the body of {}", item.path);
    }
}

/// Regression (regex-syntax's tests): a raw string whose lines start at
/// column 0 inside an indented function was re-indented by `replace_body`
/// and `replace_item`, which changed the string. Lines inside a multi-line
/// literal are content and stay as written.
#[test]
fn lines_inside_a_multi_line_string_are_never_reindented() {
    let rust =
        "mod m {\n    fn f() {\n        check(\n            r#\"\nerror:\n    here\n\"#,\n        );\n    }\n}\n";
    check_items_write_back("a.rs", rust);
    check_bodies_write_back("a.rs", rust);
    let python = "class A:\n    def f(self):\n        s = \"\"\"\nat zero\n  two\n\"\"\"\n        return s\n";
    check_items_write_back("a.py", python);
    check_bodies_write_back("a.py", python);
    // New text: its literal lines go in as written, the code around them is indented.
    let set = vec![body("a.py::A.f", "s = '''\nx\n'''\nreturn s")];
    check("a.py", python, set, "class A:\n    def f(self):\n        s = '''\nx\n'''\n        return s\n");
}

/// A function behind a declaration macro (zstd's `MEM_STATIC`) edits like
/// any other: the item holds the macro, so replacing or deleting it takes
/// the macro along, and a broken body is still refused.
#[test]
fn functions_behind_declaration_macros_edit_like_any_other() {
    let text = "int a;\n\nMEM_STATIC int f(void) { return 1; }\n\nint b;\n";
    check("a.c", text, vec![body("a.c::f", "{ return 2; }")], &text.replace('1', "2"));
    let replace = Edit::ReplaceItem {
        symbol: "a.c::f".into(),
        text: "MEM_STATIC long f(void) { return 3; }".into(),
        whole_conditional: false,
    };
    check("a.c", text, vec![replace], &text.replace("int f(void) { return 1; }", "long f(void) { return 3; }"));
    let delete = Edit::DeleteItem { symbol: "a.c::f".into(), whole_conditional: false };
    check("a.c", text, vec![delete], "int a;\n\nint b;\n");
    check("a.c", text, vec![body("a.c::f", "{ return 2 }")], "edit 0 broke 3:34");
}

/// Regression (zstd's legacy decoders): ` MEM_STATIC size_t f(...)` starts
/// at column 1 and its `}` at column 0, so `body_text` could not take the
/// item's one-space indentation off the `}` and writing it back indented
/// it. Edits of such an item indent by what its lines really share.
#[test]
fn a_line_left_of_the_item_keeps_its_place() {
    let text = "int a;\n MEM_STATIC int f(void)\n{\n    return 1;\n}\n";
    check_items_write_back("a.c", text);
    check_bodies_write_back("a.c", text);
    check("a.c", text, vec![body("a.c::f", "{\n    return 2;\n}")], &text.replace('1', "2"));
}

/// Regression (sqlite3.c's rtreeSqlInit): in a file that tree-sitter wraps
/// in one ERROR node, a function whose body has an error of its own had no
/// clean anchor, and the whole-file check saw only the same big ERROR
/// before and after, so a body with its closing brace gone was APPLIED.
/// Such a body is now checked on its own, errors and all.
#[test]
fn a_broken_edit_of_a_body_with_old_errors_in_a_lost_region_is_refused() {
    let text = LOST.replace("{ return 2; }", "{\n  if (a) {\n#if B\n  } else {\n#endif\n  }\n  return 2;\n}");
    assert!(crate::index_file("a.c", text.as_bytes()).unwrap().items.iter().any(|i| i.name == "g"));
    let own = "{\n  if (a) {\n#if B\n  } else {\n#endif\n  }\n  return 2;\n}";
    let marked = own.replacen('{', "{ /* m */", 1);
    check("a.c", &text, vec![body("a.c::g", &marked)], &text.replacen(own, &marked, 1));
    let broken = &marked[..marked.len() - 1];
    let got = outcome("a.c", &text, vec![body("a.c::g", broken)]);
    assert!(got.starts_with("edit 0 broke "), "{got}");
}

/// A C++ header named `.h`, as hnswlib's are: a class template in a namespace.
const CPP_HEADER: &str = "#pragma once\n#include <vector>\nnamespace hn {\ntemplate <typename T>\nclass Index {\n public:\n  void search(const T *data, std::vector<int> &out) const {\n    for (int i : out) {\n      _mm_prefetch((char *)(data + i), _MM_HINT_T0);\n    }\n  }\n};\n}\n";

/// Regression (hnswlib's hnswalg.h): the gate parsed every `.h` file with
/// the C grammar, to which a C++ header is one namespace "function" full of
/// errors, so a valid C++ rewrite inside a method was refused as breaking the
/// syntax, and the method was no item to address. A `.h` whose text is C++
/// is parsed as C++.
#[test]
fn a_cpp_header_named_h_is_edited_as_cpp() {
    let index = crate::index_file("k.h", CPP_HEADER.as_bytes()).unwrap();
    assert_eq!(index.lang, Lang::Cpp);
    assert!(index.items.iter().any(|i| i.path == "k.h::hn::Index::search"), "{:?}", index.items);
    let old = "_mm_prefetch((char *)(data + i), _MM_HINT_T0);";
    let new = "\n#if defined(__x86_64__)\n      _mm_prefetch((char *)(data + i), _MM_HINT_T0);\n#else\n      \
               __builtin_prefetch(static_cast<const void *>(data + i), 0, 3);\n#endif\n";
    let start = CPP_HEADER.find(old).unwrap();
    let splice = Edit::Splice { path: "k.h".into(), start, old: old.into(), text: new.into() };
    check("k.h", CPP_HEADER, vec![splice], &CPP_HEADER.replace(old, new));
    let lambda = "{\n  for (int i : out) {\n    auto at = [&](int j) { return data + j; };\n    __builtin_prefetch(at(i));\n  }\n}";
    let got = outcome("k.h", CPP_HEADER, vec![body("k.h::hn::Index::search", lambda)]);
    assert!(got.contains("    auto at = [&](int j) { return data + j; };\n"), "{got}");
    // The gate still refuses what breaks the C++.
    let broken = "{\n  for (int i : out) {\n    auto at = [&](int j) { return data + j; ;\n  }\n}";
    let got = outcome("k.h", CPP_HEADER, vec![body("k.h::hn::Index::search", broken)]);
    assert!(got.starts_with("edit 0 broke "), "{got}");
}

/// A `.h` whose text is C stays C, even with the `extern "C"` guard of a
/// header written for both: C code may name a variable `new` or `class`,
/// which C++ would read as errors.
#[test]
fn a_c_header_is_edited_as_c() {
    let text = "#ifdef __cplusplus\nextern \"C\" {\n#endif\nstatic inline int f(int class) { return class; }\n#ifdef __cplusplus\n}\n#endif\n";
    let index = crate::index_file("k.h", text.as_bytes()).unwrap();
    assert_eq!(index.lang, Lang::C);
    let new = "{ int new = class + 1; return new; }";
    check("k.h", text, vec![body("k.h::f", new)], &text.replace("{ return class; }", new));
}
