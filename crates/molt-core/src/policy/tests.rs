use super::*;

fn policy() -> PathPolicy {
    let include = ["src/**", "include/*.h", "Makefile", "tools/gen.sh"].map(String::from);
    let protected = ["tests/**", "src/golden/**"].map(String::from);
    PathPolicy::new(&include, &protected, "molt.toml").unwrap()
}

/// `Ok(normalized)` or the kind of refusal, for each path.
#[track_caller]
fn check(raw: &str, expect: Result<&str, RefusalKind>) {
    let got = policy().writable(raw);
    match (&got, expect) {
        (Ok(rel), Ok(want)) => assert_eq!(rel, want, "{raw:?}"),
        (Err(r), Err(kind)) => {
            assert_eq!(r.kind, kind, "{raw:?}: {r}");
            // The message never carries the raw invisible characters.
            assert!(r.to_string().chars().all(|c| c == ' ' || !c.is_whitespace() || c == '\n'), "{r}");
            assert!(!r.shown.chars().any(|c| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c)), "{r}");
        }
        _ => panic!("{raw:?}: got {got:?}, expected {expect:?}"),
    }
}

#[test]
fn plain_paths_inside_include_are_writable() {
    check("src/kernels.c", Ok("src/kernels.c"));
    check("./src//simd/x.c", Ok("src/simd/x.c"));
    check("include/a.h", Ok("include/a.h"));
    check("src/naïve_kernel.c", Ok("src/naïve_kernel.c"));
    check("Makefile", Ok("Makefile"));
    check("tools/gen.sh", Ok("tools/gen.sh"));
}

#[test]
fn names_that_fool_a_reader_are_refused() {
    check("src/\u{202E}gnp.c", Err(RefusalKind::NotPlain));
    check("src/a\nb.c", Err(RefusalKind::NotPlain));
    check("src/a\0.c", Err(RefusalKind::NotPlain));
    check("src/a\u{200B}.c", Err(RefusalKind::NotPlain));
    check("\u{FF0E}\u{FF0E}/etc/passwd", Err(RefusalKind::NotPlain));
    check("src\u{FF0F}x.c", Err(RefusalKind::NotPlain));
    check("src\u{2215}x.c", Err(RefusalKind::NotPlain));
    check("~/.bashrc", Err(RefusalKind::NotPlain));
    check("src/~x.c", Err(RefusalKind::NotPlain));
    check("src/x.c.", Err(RefusalKind::NotPlain));
    check("src/ x.c", Err(RefusalKind::NotPlain));
    let r = policy().writable("src/\u{202E}gnp.c").unwrap_err();
    assert!(r.to_string().contains("\\u{202E}") && r.to_string().contains("bidirectional"), "{r}");
}

#[test]
fn paths_that_leave_the_repository_are_refused() {
    check("", Err(RefusalKind::NotRelative));
    check("/etc/passwd", Err(RefusalKind::NotRelative));
    check("../x.c", Err(RefusalKind::NotRelative));
    check("src/../../x.c", Err(RefusalKind::NotRelative));
    check("src\\..\\x.c", Err(RefusalKind::NotRelative));
    check(".", Err(RefusalKind::NotRelative));
    check(&format!("src/{}.c", "a".repeat(300)), Err(RefusalKind::NotRelative));
    check(&"src/a".repeat(300), Err(RefusalKind::NotRelative));
}

#[test]
fn internals_and_the_spec_are_off_limits_in_any_case() {
    check(".git/config", Err(RefusalKind::Internal));
    check("src/.GIT/hooks/pre-commit", Err(RefusalKind::Internal));
    check(".Molt/state.json", Err(RefusalKind::Internal));
    check("MOLT.toml", Err(RefusalKind::Internal));
    assert!(policy().readable("molt.toml").is_err());
    assert_eq!(policy().readable("tests/t.c").unwrap(), "tests/t.c");
}

#[test]
fn protected_globs_match_in_any_case_and_star_stops_at_a_slash() {
    check("tests/test_x.c", Err(RefusalKind::Protected));
    check("Tests/test_x.c", Err(RefusalKind::Protected));
    check("src/golden/a.txt", Err(RefusalKind::Protected));
    // `include/*.h` does not reach into subfolders.
    check("include/sub/a.h", Err(RefusalKind::NotIncluded));
    check("README.md", Err(RefusalKind::NotIncluded));
    check("pwn.sh", Err(RefusalKind::NotIncluded));
}

#[test]
fn build_and_ci_files_need_the_spec_to_name_them() {
    check("GNUmakefile", Err(RefusalKind::NotIncluded));
    check("src/GNUmakefile", Err(RefusalKind::BuildFile));
    check("src/Makefile", Err(RefusalKind::BuildFile));
    check("src/CMakeLists.txt", Err(RefusalKind::BuildFile));
    check("src/x.cmake", Err(RefusalKind::BuildFile));
    check("src/build.rs", Err(RefusalKind::BuildFile));
    check("src/conftest.py", Err(RefusalKind::BuildFile));
    check("src/run.sh", Err(RefusalKind::BuildFile));
    check("src/evil.pth", Err(RefusalKind::BuildFile));
    check("src/.github/workflows/pwn.yml", Err(RefusalKind::BuildFile));
    check("src/package.json", Err(RefusalKind::BuildFile));
    check("src/Makefile.in", Err(RefusalKind::BuildFile));
    // Named exactly, a build file is the migration's to change.
    check("Makefile", Ok("Makefile"));
    let all = PathPolicy::new(&["**".to_owned()], &[], "molt.toml").unwrap();
    assert_eq!(all.writable(".github/workflows/ci.yml").unwrap_err().kind, RefusalKind::BuildFile);
    assert_eq!(all.writable("Cargo.toml").unwrap_err().kind, RefusalKind::BuildFile);
    assert_eq!(all.writable("src/lib.rs").unwrap(), "src/lib.rs");
}

#[test]
fn a_bad_glob_is_named() {
    let e = PathPolicy::new(&["src/[".to_owned()], &[], "molt.toml").unwrap_err();
    assert_eq!(e.table, "include");
    assert_eq!(e.glob, "src/[");
}
