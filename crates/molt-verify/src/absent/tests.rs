use super::*;
use molt_core::CheckKind;

fn check(patterns: &[&str], files: &[&str], exclude: &[&str]) -> Check {
    let text = format!(
        "[migration]\nname = \"m\"\ngoal = \"g\"\n\n[[check]]\nname = \"no-cuda\"\nkind = \"absent\"\npatterns = {patterns:?}\n{}{}",
        if files.is_empty() { String::new() } else { format!("files = {files:?}\n") },
        if exclude.is_empty() { String::new() } else { format!("exclude = {exclude:?}\n") },
    );
    let spec = molt_core::Spec::parse("molt.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    spec.checks[0].clone()
}

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// `path:line pattern` for each match.
fn found(check: &Check, dir: &Path) -> Vec<String> {
    let (_, matches) = search(check, dir).unwrap();
    matches.iter().map(|m| format!("{}:{} {}", m.path, m.line, m.pattern)).collect()
}

const CUDA: &[&str] = &[r"\.cuda\(", r"torch\.cuda\.", r#"["']nccl["']"#];

#[test]
fn lists_every_matching_line_in_path_order_and_skips_protected_and_git() {
    let dir = tree(&[
        ("train.py", "import torch\nmodel = model.cuda()\ntorch.cuda.synchronize()\n"),
        ("pkg/dist.py", "init_process_group('nccl')\n"),
        ("pkg/ok.py", "x = torch.device('xla')\n"),
        ("tests/test_train.py", "assert not model.cuda()\n"),
        (".git/hooks/x.py", "y.cuda()\n"),
        (".molt/state.py", "y.cuda()\n"),
    ]);
    // `exclude` defaults to the migration's protected globs (tests/**).
    let c = check(CUDA, &[], &[]);
    assert_eq!(c.files, ["**"]);
    assert_eq!(
        found(&c, dir.path()),
        ["pkg/dist.py:1 [\"']nccl[\"']", "train.py:2 \\.cuda\\(", "train.py:3 torch\\.cuda\\."]
    );
    // `*` stops at `/`: only top-level files.
    assert_eq!(
        found(&check(CUDA, &["*.py"], &[]), dir.path()),
        ["train.py:2 \\.cuda\\(", "train.py:3 torch\\.cuda\\."]
    );
    // An explicit exclude replaces the default, so tests are searched too.
    assert_eq!(found(&check(CUDA, &["**/*.py"], &["pkg/**"]), dir.path()).len(), 3);
}

#[test]
fn result_fails_with_file_and_line_and_passes_on_a_clean_tree() {
    let dir = tree(&[("a.py", "m.cuda()\nok\n"), ("b.py", "clean\n"), ("bin.dat", "\u{0}\u{1}")]);
    let c = check(CUDA, &[], &[]);
    let r = crate::run_check(&c, dir.path(), &crate::RunOptions::default());
    assert_eq!(r.kind, CheckKind::Absent);
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    assert_eq!(r.message.as_deref(), Some("1 line matches of forbidden patterns in 1 of 3 files"));
    assert_eq!(r.output, "a.py:1: m.cuda() (pattern \\.cuda\\()\n");
    std::fs::write(dir.path().join("a.py"), "m.to(device)\n").unwrap();
    let r = crate::run_check(&c, dir.path(), &crate::RunOptions::default());
    assert!(r.passed, "{r:#?}");
    assert_eq!(r.output, "none of 3 patterns in 3 files\n");
}

#[test]
fn a_check_built_without_patterns_is_an_error_not_a_pass() {
    let dir = tree(&[("a.py", "m.cuda()\n")]);
    let mut c = check(CUDA, &[], &[]);
    c.patterns.clear();
    let r = crate::run_check(&c, dir.path(), &crate::RunOptions::default());
    assert_eq!(r.status, Status::Error);
}
