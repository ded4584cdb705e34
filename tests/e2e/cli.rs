//! The binary's contract: init, spec errors, exit codes.

use crate::{molt, workspace_root};

#[test]
fn init_writes_a_spec_that_loads_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = molt(dir.path(), &["init", "--recipe", "x86-to-neon"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(dir.path().join("molt.toml")).unwrap();
    let spec = molt_core::Spec::parse("molt.toml", &text).unwrap();
    assert_eq!(spec.migration.recipe.as_deref(), Some("x86-to-neon"));
    assert!(spec.check("arm64-test").is_some());

    let again = molt(dir.path(), &["init"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists; pass --force"));
    assert!(molt(dir.path(), &["init", "--force"]).status.success());

    let bad = molt(dir.path(), &["init", "--force", "--recipe", "x86-to-sve"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown recipe \"x86-to-sve\""));
}

#[test]
fn a_spec_error_names_file_line_and_field_and_exits_2() {
    let dir = crate::fixture_repo("tiny-infer");
    let spec = dir.path().join("molt.toml");
    let text = std::fs::read_to_string(&spec).unwrap().replace("kind = \"bench\"", "kind = \"benchmark\"");
    std::fs::write(&spec, text).unwrap();
    let out = molt(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("molt.toml:")
            && err.contains(
                "check \"x86-bench\": unknown kind \"benchmark\"; expected one of build, test, bench, diff, absent"
            ),
        "{err}"
    );
    let json = molt(dir.path(), &["plan", "--json"]);
    let line = String::from_utf8_lossy(&json.stdout);
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(v["exit"], 2);
}

#[test]
fn help_teaches_with_examples_and_version_prints() {
    let dir = workspace_root();
    let out = molt(&dir, &["help", "run"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Examples:") && text.contains("molt run --jobs 4"), "{text}");
    let v = molt(&dir, &["--version"]);
    assert!(String::from_utf8_lossy(&v.stdout).starts_with("molt "));
    let top = molt(&dir, &["--help"]);
    assert!(String::from_utf8_lossy(&top.stdout).contains("Exit codes:"));
}

#[test]
fn status_without_a_run_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = molt(dir.path(), &["status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no run in"));
}

#[test]
fn verify_runs_the_checks_and_explains_failures() {
    let dir = crate::fixture_repo("mini-gather");
    let out = molt(dir.path(), &["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("x86-test") && text.contains("2 passed, 0 failed"), "{text}");
    assert!(text.contains("unrecognized command-line option"), "the failing check's output is shown: {text}");

    let json = molt(dir.path(), &["verify", "--check", "x86-test", "--json"]);
    assert_eq!(json.status.code(), Some(0));
    let first: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&json.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["check"], "x86-test");
    assert_eq!(first["result"]["counts"]["passed"], 2);

    let unknown = molt(dir.path(), &["verify", "--check", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("its checks are x86-test, arm64-test"));
}

#[test]
fn index_keeps_a_cache_that_only_changed_files_miss() {
    let dir = crate::fixture_repo("mini-gather");
    let repo = dir.path();
    let cache = tempfile::tempdir().unwrap();
    let index = |extra: &[&str]| -> serde_json::Value {
        let out = std::process::Command::new(crate::molt_bin())
            .args(["index", "--json", "."])
            .args(extra)
            .current_dir(repo)
            .env("XDG_CACHE_HOME", cache.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap()
    };
    let first = index(&[]);
    assert_eq!((first["cached"].as_u64(), first["cache_error"].is_null()), (Some(0), true), "{first}");
    let cached: Vec<_> = walk_files(&cache.path().join("molt/index"));
    assert_eq!(cached.len(), 1, "one cache file for the repository: {cached:?}");
    let second = index(&[]);
    assert_eq!(second["cached"], first["languages"]["c"]["files"], "{second}");
    assert_eq!(second["items"], first["items"]);

    // An edited file is parsed again and its new item is in the index.
    let ops = repo.join("src/ops.c");
    let mut text = std::fs::read_to_string(&ops).unwrap();
    text.push_str("\nint molt_added(void) { return 1; }\n");
    std::fs::write(&ops, text).unwrap();
    let third = index(&[]);
    assert_eq!(third["items"].as_u64(), first["items"].as_u64().map(|n| n + 1), "{third}");
    assert_eq!(third["cached"].as_u64(), second["cached"].as_u64().map(|n| n - 1), "{third}");

    // --no-cache parses everything and leaves the cache as it was.
    let before = std::fs::read(&cached[0]).unwrap();
    let fresh = index(&["--no-cache"]);
    assert_eq!((fresh["cached"].as_u64(), fresh["items"].clone()), (Some(0), third["items"].clone()));
    assert_eq!(std::fs::read(&cached[0]).unwrap(), before);
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default()
}

#[test]
fn index_find_and_edit_work_on_a_repository() {
    let dir = crate::fixture_repo("mini-gather");
    let repo = dir.path();
    let index = molt(repo, &["index", "--json", "."]);
    assert!(index.status.success());
    let totals: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&index.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(totals["languages"]["c"]["files"], 3, "{totals}");

    let found = molt(repo, &["find", "--pattern", "_mm256_loadu_ps($A)", "--lang", "c", "--json", "."]);
    assert!(found.status.success());
    let m: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&found.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(m["symbol"], "src/ops.c::sum");
    assert_eq!(m["captures"]["A"], "a + i");

    let before = std::fs::read(repo.join("src/ops.c")).unwrap();
    let edits = repo.join("edits.json");
    std::fs::write(
        &edits,
        r#"{"edits":[{"op":"replace_body","symbol":"src/ops.c::sum","text":"{\n    return 0.0f;\n}"}]}"#,
    )
    .unwrap();
    let dry = molt(repo, &["edit", "--edits", "edits.json", "--dry-run", "."]);
    assert!(dry.status.success());
    assert!(String::from_utf8_lossy(&dry.stdout).contains("+    return 0.0f;"));
    assert_eq!(std::fs::read(repo.join("src/ops.c")).unwrap(), before, "--dry-run writes nothing");

    // An edit that breaks the parse is refused whole, naming where it broke.
    std::fs::write(&edits, r#"{"edits":[{"op":"replace_body","symbol":"src/ops.c::sum","text":"{ return 0.0f"}]}"#)
        .unwrap();
    let bad = molt(repo, &["edit", "--edits", "edits.json", "."]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("does not parse: src/ops.c:"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert_eq!(std::fs::read(repo.join("src/ops.c")).unwrap(), before);

    // A symbol that does not exist gets close names.
    std::fs::write(&edits, r#"{"edits":[{"op":"delete_item","symbol":"src/ops.c::summ"}]}"#).unwrap();
    let missing = molt(repo, &["edit", "--edits", "edits.json", "."]);
    assert_ne!(missing.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("sum"), "{}", String::from_utf8_lossy(&missing.stderr));
}
