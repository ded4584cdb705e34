//! molt-git against real temporary repositories.

use molt_git::{identity_from_config, CommitMessage, Error, MigrationRepo, FALLBACK_EMAIL, FALLBACK_NAME};
use molt_test_support::repo::{TempRepo, TEST_EMAIL, TEST_NAME};

fn include_all() -> Vec<String> {
    vec!["**".to_owned()]
}

fn message(task: &str) -> CommitMessage {
    CommitMessage::new(format!("Task {task}"))
        .body("What changed and why.")
        .trailer("Molt-Task", task)
        .trailer("Molt-Recipe", "x86-to-neon")
        .trailer("Molt-Agent", "rules")
        .trailer("Molt-Checks", "x86-test=pass, arm64-test=pass")
}

fn edit(path: &std::path::Path, rel: &str, from: &str, to: &str) {
    let file = path.join(rel);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{rel} lacks {from:?}");
    std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
}

fn show(repo: &TempRepo, rev: &str, path: &str) -> String {
    let git = repo.repo().unwrap();
    let tree = git.revparse_single(rev).unwrap().peel_to_tree().unwrap();
    let blob = tree.get_path(std::path::Path::new(path)).unwrap().to_object(&git).unwrap().peel_to_blob().unwrap();
    String::from_utf8_lossy(blob.content()).into_owned()
}

#[test]
fn a_task_goes_from_worktree_to_migration_branch_and_the_users_tree_is_untouched() {
    let repo = TempRepo::with_c_project().unwrap();
    let before = repo.snapshot().unwrap();
    let head = repo.head().unwrap().to_string();

    let m = MigrationRepo::open(repo.path(), "port").unwrap();
    m.preflight(&include_all(), false).unwrap();
    let base = m.ensure_migration_branch().unwrap();
    assert_eq!(base, head);
    let wt = m.add_task_worktree("t1", &base).unwrap();
    assert_eq!(wt.path, repo.path().join(".molt/worktrees/t1"));
    assert_eq!(wt.branch, "molt-task/port/t1");
    edit(&wt.path, "src/mathx.c", "return a + b;", "return b + a;");
    assert_eq!(m.changed_paths(&wt).unwrap(), vec!["src/mathx.c"]);

    let commit = m.commit_task(&wt, &message("t1"), None).unwrap().unwrap();
    let merged = m.merge_task("t1").unwrap();
    assert!(merged.fast_forward);
    assert_eq!(merged.oid, commit);
    assert_eq!(m.branch_tip("molt/port").unwrap(), commit);
    assert!(show(&repo, "molt/port", "src/mathx.c").contains("return b + a;"));

    let commits = m.commits_on_branch("molt/port").unwrap();
    assert_eq!(commits.len(), 1);
    assert_eq!(commits[0].subject, "Task t1");
    assert_eq!(commits[0].trailer("Molt-Task"), Some("t1"));
    assert_eq!(commits[0].trailer("Molt-Checks"), Some("x86-test=pass, arm64-test=pass"));
    let git = repo.repo().unwrap();
    let c = git.find_commit(git2::Oid::from_str(&commit).unwrap()).unwrap();
    assert_eq!((c.author().name(), c.author().email()), (Some(TEST_NAME), Some(TEST_EMAIL)));

    m.remove_task_worktree(&wt).unwrap();
    assert!(!wt.path.exists());
    m.delete_task_branch("t1").unwrap();

    // The user's branch, index and working tree are byte-identical, and git
    // status shows nothing (`.molt/` is excluded through .git/info/exclude).
    assert_eq!(repo.snapshot().unwrap(), before);
    assert_eq!(repo.head().unwrap().to_string(), head);
    let statuses: Vec<_> = git
        .statuses(None)
        .unwrap()
        .iter()
        .filter(|e| !e.status().is_ignored())
        .map(|e| format!("{:?} {:?}", e.path(), e.status()))
        .collect();
    assert!(statuses.is_empty(), "{statuses:?}");
    let exclude = std::fs::read_to_string(repo.path().join(".git/info/exclude")).unwrap();
    assert!(exclude.lines().any(|l| l == "/.molt/"), "{exclude}");
    assert!(!repo.path().join(".gitignore").exists() || !repo.read(".gitignore").unwrap().contains(".molt"));
}

#[test]
fn parallel_tasks_merge_with_a_merge_commit() {
    let repo = TempRepo::with_c_project().unwrap();
    let m = MigrationRepo::open(repo.path(), "port").unwrap();
    let base = m.ensure_migration_branch().unwrap();
    let a = m.add_task_worktree("a", &base).unwrap();
    let b = m.add_task_worktree("b", &base).unwrap();
    edit(&a.path, "src/mathx.c", "return a + b;", "return b + a;");
    edit(&b.path, "Makefile", "CFLAGS ?= -O2 -Wall", "CFLAGS ?= -O3 -Wall");
    m.commit_task(&a, &message("a"), None).unwrap().unwrap();
    m.commit_task(&b, &message("b"), None).unwrap().unwrap();
    assert!(m.merge_task("a").unwrap().fast_forward);
    let merged = m.merge_task("b").unwrap();
    assert!(!merged.fast_forward);
    let git = repo.repo().unwrap();
    let tip = git.find_commit(git2::Oid::from_str(&merged.oid).unwrap()).unwrap();
    assert_eq!(tip.parent_count(), 2);
    assert!(show(&repo, "molt/port", "src/mathx.c").contains("return b + a;"));
    assert!(show(&repo, "molt/port", "Makefile").contains("-O3"));
    let tasks: Vec<_> = m.commits_on_branch("molt/port").unwrap().iter().map(|c| c.trailers[0].clone()).collect();
    assert_eq!(tasks.len(), 3, "{tasks:?}");
    assert!(tasks.contains(&("Molt-Merge".to_owned(), "b".to_owned())));
    // Merging again changes nothing.
    assert_eq!(m.merge_task("b").unwrap().oid, merged.oid);
}

#[test]
fn a_conflict_fails_the_task_and_leaves_the_migration_branch_as_it_was() {
    let repo = TempRepo::with_c_project().unwrap();
    let m = MigrationRepo::open(repo.path(), "port").unwrap();
    let base = m.ensure_migration_branch().unwrap();
    let a = m.add_task_worktree("a", &base).unwrap();
    let b = m.add_task_worktree("b", &base).unwrap();
    edit(&a.path, "src/mathx.c", "return a + b;", "return b + a;");
    edit(&b.path, "src/mathx.c", "return a + b;", "return (a) + (b);");
    m.commit_task(&a, &message("a"), None).unwrap();
    m.commit_task(&b, &message("b"), None).unwrap();
    let tip = m.merge_task("a").unwrap().oid;
    let err = m.merge_task("b").unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.to_string(),
        "task b conflicts with the migration branch in src/mathx.c; the migration branch is unchanged"
    );
    assert_eq!(m.branch_tip("molt/port").unwrap(), tip);
}

#[test]
fn resume_keeps_the_migration_branch_and_replaces_a_stale_worktree() {
    let repo = TempRepo::with_c_project().unwrap();
    let m = MigrationRepo::open(repo.path(), "port").unwrap();
    let base = m.ensure_migration_branch().unwrap();
    let wt = m.add_task_worktree("t1", &base).unwrap();
    edit(&wt.path, "src/mathx.c", "return a + b;", "return b + a;");
    let commit = m.commit_task(&wt, &message("t1"), None).unwrap().unwrap();
    m.merge_task("t1").unwrap();

    // A new commit on the user's branch must not move the migration branch.
    repo.write("README", "hello\n").unwrap();
    repo.commit_all("Add README").unwrap();
    let m = MigrationRepo::open(repo.path(), "port").unwrap();
    assert_eq!(m.ensure_migration_branch().unwrap(), commit);

    // A crashed task left its worktree with junk in it: it starts over clean.
    let stale = m.add_task_worktree("t2", &commit).unwrap();
    std::fs::write(stale.path.join("junk.txt"), "half-done").unwrap();
    let fresh = m.add_task_worktree("t2", &commit).unwrap();
    assert!(!fresh.path.join("junk.txt").exists());
    assert!(m.changed_paths(&fresh).unwrap().is_empty());
    assert_eq!(m.commit_task(&fresh, &message("t2"), None).unwrap(), None, "nothing to commit");
}

#[test]
fn a_reused_worktree_starts_each_task_clean_from_its_base() {
    let repo = TempRepo::with_c_project().unwrap();
    let m = MigrationRepo::open(repo.path(), "port").unwrap();
    let base = m.ensure_migration_branch().unwrap();
    let slot = m.add_task_worktree("slot-0", &base).unwrap();

    // Task a: an edit, a new file, a build output (ignored), then commit and merge.
    let a = m.reuse_task_worktree(&slot, "a", &base).unwrap();
    assert_eq!((a.path.clone(), a.branch.as_str()), (slot.path.clone(), "molt-task/port/a"));
    edit(&a.path, "src/mathx.c", "return a + b;", "return b + a;");
    std::fs::write(a.path.join("src/new.c"), "int n;\n").unwrap();
    let exclude = repo.path().join(".git/info/exclude");
    let mut ignores = std::fs::read_to_string(&exclude).unwrap();
    ignores.push_str("build/\n");
    std::fs::write(&exclude, ignores).unwrap();
    std::fs::create_dir_all(a.path.join("build")).unwrap();
    std::fs::write(a.path.join("build/out.o"), "object").unwrap();
    let changed = m.changed_paths(&a).unwrap();
    assert_eq!(changed, vec!["src/mathx.c", "src/new.c"]);
    let commit = m.commit_task(&a, &message("a"), Some(&changed)).unwrap().unwrap();
    // Detached, the worktree no longer holds the branch: it merges and goes.
    m.detach_task_worktree(&a).unwrap();
    let tip = m.merge_task("a").unwrap().oid;
    assert_eq!(tip, commit);
    m.delete_task_branch("a").unwrap();
    assert!(repo.repo().unwrap().find_branch("molt-task/port/a", git2::BranchType::Local).is_err());

    // Task b from the old base: a's edit, new file and build output are gone.
    let b = m.reuse_task_worktree(&slot, "b", &base).unwrap();
    assert!(std::fs::read_to_string(b.path.join("src/mathx.c")).unwrap().contains("return a + b;"));
    assert!(!b.path.join("src/new.c").exists() && !b.path.join("build").exists());
    assert!(m.changed_paths(&b).unwrap().is_empty());
    edit(&b.path, "Makefile", "CFLAGS ?= -O2 -Wall", "CFLAGS ?= -O3 -Wall");
    m.commit_task(&b, &message("b"), None).unwrap().unwrap();
    m.detach_task_worktree(&b).unwrap();
    assert!(!m.merge_task("b").unwrap().fast_forward);

    // Task c from the new tip sees both tasks' work, and nothing else changed.
    let tip = m.branch_tip("molt/port").unwrap();
    let c = m.reuse_task_worktree(&slot, "c", &tip).unwrap();
    assert!(std::fs::read_to_string(c.path.join("src/mathx.c")).unwrap().contains("return b + a;"));
    assert!(std::fs::read_to_string(c.path.join("Makefile")).unwrap().contains("-O3"));
    assert!(m.changed_paths(&c).unwrap().is_empty());

    // What a killed run leaves is found by prefix and removed, branches too.
    // A kill in the middle of adding a worktree leaves git's record of it
    // half-written: neither listed nor openable, but in the way.
    let other = m.add_task_worktree("slot-1", &base).unwrap();
    let half = repo.path().join(".git/worktrees/molt-port-slot-2");
    std::fs::create_dir_all(&half).unwrap();
    let removed = m.remove_task_worktrees("slot-").unwrap();
    assert_eq!(removed, vec!["slot-0", "slot-1", "slot-2"]);
    assert!(!slot.path.exists() && !other.path.exists() && !half.exists());
    let git = repo.repo().unwrap();
    assert!(git.find_branch("molt-task/port/slot-0", git2::BranchType::Local).is_err());
    assert!(git.worktrees().unwrap().is_empty());
    // Adding over such a leftover works too.
    std::fs::create_dir_all(&half).unwrap();
    m.add_task_worktree("slot-2", &base).unwrap();
}

#[test]
fn explicit_paths_leave_build_outputs_out_of_the_commit() {
    let repo = TempRepo::new().unwrap();
    repo.write("src/a.c", "int a;\n").unwrap();
    repo.commit_all("init").unwrap();
    let m = MigrationRepo::open(repo.path(), "port").unwrap();
    let base = m.ensure_migration_branch().unwrap();
    let wt = m.add_task_worktree("t", &base).unwrap();
    std::fs::write(wt.path.join("src/a.c"), "int a = 1;\n").unwrap();
    let changed = m.changed_paths(&wt).unwrap();
    std::fs::write(wt.path.join("a.out"), "binary").unwrap();
    m.commit_task(&wt, &message("t"), Some(&changed)).unwrap().unwrap();
    let git = repo.repo().unwrap();
    let tree = git.revparse_single("molt-task/port/t").unwrap().peel_to_tree().unwrap();
    assert!(tree.get_name("a.out").is_none());
    let bad = m.commit_task(&wt, &message("t"), Some(&["../escape".to_owned()])).unwrap_err();
    assert_eq!(bad.to_string(), "path \"../escape\" is outside the worktree");
}

#[test]
fn preflight_refuses_a_dirty_included_path() {
    let repo = TempRepo::with_c_project().unwrap();
    let m = MigrationRepo::open(repo.path(), "port").unwrap();
    repo.write("src/mathx.c", "changed\n").unwrap();
    repo.write("src/new.c", "new\n").unwrap();
    repo.write("notes.txt", "mine\n").unwrap();
    let err = m.preflight(&["src/**".to_owned()], false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the working tree has uncommitted changes in paths the migration includes: src/mathx.c, src/new.c; commit or stash them, or pass --allow-dirty (the migration starts from HEAD and ignores them)"
    );
    m.preflight(&["docs/**".to_owned()], false).unwrap();
    m.preflight(&["src/**".to_owned()], true).unwrap();
}

#[test]
fn preflight_refuses_a_merge_or_rebase_in_progress() {
    let repo = TempRepo::with_c_project().unwrap();
    let head = repo.head().unwrap().to_string();
    let m = MigrationRepo::open(repo.path(), "port").unwrap();
    std::fs::write(repo.path().join(".git/MERGE_HEAD"), format!("{head}\n")).unwrap();
    let err = m.preflight(&include_all(), true).unwrap_err().to_string();
    assert!(err.starts_with("a merge is in progress in "), "{err}");
    assert!(err.ends_with("; finish it (git commit) or abort it (git merge --abort), then run molt again"), "{err}");
    std::fs::remove_file(repo.path().join(".git/MERGE_HEAD")).unwrap();
    std::fs::create_dir_all(repo.path().join(".git/rebase-merge")).unwrap();
    std::fs::write(repo.path().join(".git/rebase-merge/interactive"), "").unwrap();
    let err = m.preflight(&include_all(), true).unwrap_err().to_string();
    assert!(err.starts_with("a rebase is in progress"), "{err}");
}

#[test]
fn a_repository_without_commits_is_refused() {
    let repo = TempRepo::new().unwrap();
    let m = MigrationRepo::open(repo.path(), "port").unwrap();
    assert!(matches!(m.ensure_migration_branch(), Err(Error::NoCommits)));
}

#[test]
fn names_that_break_branches_are_refused() {
    let repo = TempRepo::with_c_project().unwrap();
    assert!(matches!(MigrationRepo::open(repo.path(), "../x"), Err(Error::BadName(_))));
    let m = MigrationRepo::open(repo.path(), "port").unwrap();
    let base = m.ensure_migration_branch().unwrap();
    assert!(matches!(m.add_task_worktree("a.lock", &base), Err(Error::BadName(_))));
    assert!(matches!(m.add_task_worktree("..", &base), Err(Error::BadName(_))));
}

#[test]
fn identity_falls_back_to_molt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, "").unwrap();
    let mut config = git2::Config::open(&path).unwrap();
    assert_eq!(identity_from_config(&config), (FALLBACK_NAME.to_owned(), FALLBACK_EMAIL.to_owned()));
    config.set_str("user.name", "Ada").unwrap();
    assert_eq!(identity_from_config(&config).0, FALLBACK_NAME, "a name without an email is not an identity");
    config.set_str("user.email", "ada@example.com").unwrap();
    assert_eq!(identity_from_config(&config), ("Ada".to_owned(), "ada@example.com".to_owned()));
}

/// Guards the crash-safety bug where a `kill -9` inside a ref update left
/// `refs/heads/molt-task/…/<task>.lock` behind and the resumed run failed that
/// task: molt's own lock files are removed, the user's are only listed.
#[test]
fn stale_locks_in_molts_namespaces_are_removed_and_the_users_are_left_alone() {
    let repo = TempRepo::with_c_project().unwrap();
    let m = MigrationRepo::open(repo.path(), "port").unwrap();
    let base = m.ensure_migration_branch().unwrap();
    let slot = m.add_task_worktree("_slot-0", &base).unwrap();
    let git_dir = repo.path().join(".git");
    let ours = [
        "refs/heads/molt/port.lock",
        "refs/heads/molt-task/port/t1.lock",
        "logs/refs/heads/molt-task/port/t1.lock",
        "worktrees/molt-port-_slot-0/index.lock",
        "worktrees/molt-port-_slot-0/HEAD.lock",
    ];
    let theirs = ["packed-refs.lock", "index.lock", "HEAD.lock", "refs/heads/main.lock"];
    for rel in ours.iter().chain(&theirs) {
        let path = git_dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "held\n").unwrap();
    }
    // While molt-task/port/t1.lock is held, creating that branch fails.
    let blocked = m.add_task_worktree("t1", &base).unwrap_err();
    assert!(matches!(&blocked, Error::Locked { molts: true, .. }), "{blocked}");
    assert!(blocked.to_string().contains("molt resume"), "{blocked}");
    assert!(blocked.is_environment());

    let found = m.clear_stale_locks().unwrap();
    let removed: Vec<String> = found.removed.iter().map(|p| p.display().to_string()).collect();
    let mut expected: Vec<String> = ours.iter().map(|r| format!(".git/{r}")).collect();
    expected.sort();
    let mut removed_sorted = removed.clone();
    removed_sorted.sort();
    assert_eq!(removed_sorted, expected);
    let foreign: Vec<String> = found.foreign.iter().map(|p| p.display().to_string()).collect();
    let mut expected: Vec<String> = theirs.iter().map(|r| format!(".git/{r}")).collect();
    expected.sort();
    assert_eq!(foreign, expected);
    for rel in ours {
        assert!(!git_dir.join(rel).exists(), "{rel} was left");
    }
    for rel in theirs {
        assert_eq!(std::fs::read_to_string(git_dir.join(rel)).unwrap(), "held\n", "{rel} was touched");
    }
    // Now the task's branch and the slot work again.
    let wt = m.add_task_worktree("t1", &base).unwrap();
    m.reuse_task_worktree(&slot, "t2", &base).unwrap();
    m.remove_task_worktree(&wt).unwrap();
}
