use super::*;
use molt_core::TaskId;

/// A recipe that replaces every `OLD` with its own text and adds a header.
struct Replace {
    with: &'static str,
}

impl Recipe for Replace {
    fn name(&self) -> &str {
        "replace"
    }

    fn find_sites(&self, _path: &str, _text: &str) -> Vec<Site> {
        Vec::new()
    }

    fn rewrite(&self, _path: &str, text: &str, targets: &[Site]) -> molt_recipes::Result<molt_recipes::Rewrite> {
        Ok(molt_recipes::Rewrite {
            text: text.replace("OLD", self.with),
            new_files: vec![("src/compat.h".to_owned(), "#define COMPAT 1\n".to_owned())],
            mapped: targets.to_vec(),
            unmapped: Vec::new(),
        })
    }

    fn instruction(&self, _kind: &str) -> String {
        String::new()
    }
}

const SOURCE: &str = "int f(void) {\n    return OLD;\n}\n";

fn task() -> Task {
    let at = SOURCE.find("OLD").unwrap();
    let site = Site {
        kind: "k".to_owned(),
        path: "src/a.c".to_owned(),
        symbol: Some("src/a.c::f".to_owned()),
        line: 2,
        start: at,
        end: at + 3,
        text: "OLD".to_owned(),
    };
    Task {
        id: TaskId::new("t1"),
        title: "t1".to_owned(),
        instruction: String::new(),
        files: vec!["src/a.c".to_owned()],
        sites: vec![site],
        depends_on: Vec::new(),
        checks: Vec::new(),
        estimate_tokens: 0,
    }
}

fn tree() -> (tempfile::TempDir, PathPolicy) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/a.c"), SOURCE).unwrap();
    let policy = PathPolicy::new(&["src/**".to_owned()], &[], "molt.toml").unwrap();
    (dir, policy)
}

#[test]
fn a_rewrite_reaches_the_disk_as_one_edit_set() {
    let (dir, policy) = tree();
    let out = apply(&Replace { with: "42" }, &task(), dir.path(), &policy).unwrap();
    assert_eq!(out.changed, ["src/a.c", "src/compat.h"]);
    assert_eq!(out.mapped.len(), 1);
    assert_eq!(std::fs::read_to_string(dir.path().join("src/a.c")).unwrap(), SOURCE.replace("OLD", "42"));
    assert_eq!(std::fs::read_to_string(dir.path().join("src/compat.h")).unwrap(), "#define COMPAT 1\n");
}

#[test]
fn a_rewrite_that_would_break_the_syntax_writes_nothing() {
    let (dir, policy) = tree();
    let err = apply(&Replace { with: "(42" }, &task(), dir.path(), &policy).unwrap_err();
    assert!(matches!(err, Error::Rewrite(_)), "{err}");
    assert!(err.to_string().contains("src/a.c"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.path().join("src/a.c")).unwrap(), SOURCE);
    assert!(!dir.path().join("src/compat.h").exists(), "the new file of a refused set was written");
    let names: Vec<_> = std::fs::read_dir(dir.path().join("src")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["a.c"], "a temporary file was left behind");
}

#[test]
fn a_file_with_no_grammar_is_rewritten_as_text_in_the_same_set() {
    let (dir, _) = tree();
    std::fs::write(dir.path().join("Makefile"), "CFLAGS = OLD\n").unwrap();
    let policy = PathPolicy::new(&["src/**".to_owned(), "Makefile".to_owned()], &[], "molt.toml").unwrap();
    let mut task = task();
    let mut site = task.sites[0].clone();
    site.path = "Makefile".to_owned();
    task.sites.push(site);
    let out = apply(&Replace { with: "42" }, &task, dir.path(), &policy).unwrap();
    assert_eq!(out.changed, ["src/a.c", "src/compat.h", "Makefile"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("Makefile")).unwrap(), "CFLAGS = 42\n");
    // A broken C rewrite refuses the whole set, the Makefile's part too.
    std::fs::write(dir.path().join("Makefile"), "CFLAGS = OLD\n").unwrap();
    std::fs::write(dir.path().join("src/a.c"), SOURCE).unwrap();
    apply(&Replace { with: "(42" }, &task, dir.path(), &policy).unwrap_err();
    assert_eq!(std::fs::read_to_string(dir.path().join("Makefile")).unwrap(), "CFLAGS = OLD\n");
}

#[test]
fn a_copy_that_repeats_an_error_the_file_had_is_taken_and_a_new_error_is_not() {
    // `int g(int a b);` is an error tree-sitter already reads in the file; a
    // recipe that copies it (an x86 copy beside a ported one) repeats that
    // error, and is taken. One with an error of its own is refused.
    let (dir, policy) = tree();
    let old_error = "int g(int a b);\n";
    std::fs::write(dir.path().join("src/a.c"), format!("{old_error}{SOURCE}")).unwrap();
    let mut task = task();
    task.sites[0].start += old_error.len();
    task.sites[0].end += old_error.len();
    let copy = "1;\n}\nint g(int a b);\nint h(void) {\n    return 2";
    apply(&Replace { with: copy }, &task, dir.path(), &policy).unwrap();
    let text = std::fs::read_to_string(dir.path().join("src/a.c")).unwrap();
    assert_eq!(text.matches("int g(int a b);").count(), 2, "{text}");

    std::fs::write(dir.path().join("src/a.c"), format!("{old_error}{SOURCE}")).unwrap();
    std::fs::remove_file(dir.path().join("src/compat.h")).unwrap();
    apply(&Replace { with: "1;\n}\nint k(int a c d);\nint h(void) {\n    return 2" }, &task, dir.path(), &policy)
        .unwrap_err();
    assert_eq!(std::fs::read_to_string(dir.path().join("src/a.c")).unwrap(), format!("{old_error}{SOURCE}"));
}
