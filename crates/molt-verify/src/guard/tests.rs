use super::*;

#[track_caller]
fn check(changed: &[&str], globs: &[&str], expect: &[&str]) {
    let changed: Vec<String> = changed.iter().map(|s| s.to_string()).collect();
    let globs: Vec<String> = globs.iter().map(|s| s.to_string()).collect();
    assert_eq!(protected_violations(&changed, &globs).unwrap(), expect);
}

#[test]
fn default_globs_protect_tests() {
    let default = ["tests/**", "test/**"];
    check(
        &["src/a.c", "tests/t.c", "test/x/y.py", "./tests/u.c"],
        &default,
        &["tests/t.c", "test/x/y.py", "./tests/u.c"],
    );
    check(&["src/tests.c", "contest/a"], &default, &[]);
}

#[test]
fn file_globs() {
    check(&["Makefile", "src/Makefile", "a/b_test.go"], &["Makefile", "*_test.go"], &["Makefile", "a/b_test.go"]);
    check(&["a"], &[], &[]);
}

#[test]
fn a_bad_glob_is_an_error() {
    let err = protected_violations(&["a".into()], &["a[".into()]).unwrap_err();
    assert!(err.to_string().starts_with("bad glob \"a[\""), "{err}");
}
