use super::*;

#[test]
fn reindent_is_relative_to_the_first_line() {
    assert_eq!(reindent("def f():\n    return 1\n", "    "), "def f():\n        return 1");
    assert_eq!(reindent("    def f():\n        return 1", "  "), "def f():\n      return 1");
    assert_eq!(reindent("a\n\nb", "\t"), "a\n\n\tb");
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
    assert_eq!(reindent(&item_text(text, f), "    "), &text[f.span.start..f.span.end]);
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
