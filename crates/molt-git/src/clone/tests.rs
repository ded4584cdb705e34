use molt_test_support::repo::{git, TempRepo};

use super::*;

/// A repository with a commit on `main`, a tag `v1` there, and a second
/// commit on branch `next`.
fn origin() -> TempRepo {
    let temp = TempRepo::with_c_project().unwrap();
    git(temp.path(), &["tag", "v1"]);
    git(temp.path(), &["checkout", "-q", "-b", "next"]);
    temp.write("NEXT", "next\n").unwrap();
    temp.commit_all("next").unwrap();
    git(temp.path(), &["checkout", "-q", "-"]);
    temp
}

fn rev(dir: &Path, rev: &str) -> String {
    git(dir, &["rev-parse", rev]).trim().to_owned()
}

#[test]
fn clones_the_default_branch_a_branch_a_tag_or_a_commit() {
    let origin = origin();
    let url = format!("file://{}", origin.path().display());
    let default = origin.head_ref().unwrap().trim_start_matches("refs/heads/").to_owned();
    let scratch = tempfile::tempdir().unwrap();

    let plain = clone_at(&url, None, &scratch.path().join("a")).unwrap();
    assert_eq!(plain.commit, rev(origin.path(), "HEAD"));
    assert_eq!(plain.branch.as_deref(), Some(default.as_str()));
    assert_eq!(plain.default_branch.as_deref(), Some(default.as_str()));

    let next = clone_at(&url, Some("next"), &scratch.path().join("b")).unwrap();
    assert_eq!(next.commit, rev(origin.path(), "next"));
    assert_eq!(next.branch.as_deref(), Some("next"));

    let tag = clone_at(&url, Some("v1"), &scratch.path().join("c")).unwrap();
    assert_eq!(tag.commit, rev(origin.path(), "v1"));
    assert_eq!(tag.branch, None, "a tag leaves HEAD detached");

    let commit = rev(origin.path(), "next");
    let pinned = clone_at(&url, Some(&commit), &scratch.path().join("d")).unwrap();
    assert_eq!(pinned.commit, commit);
}

#[test]
fn a_clone_that_fails_says_why() {
    let scratch = tempfile::tempdir().unwrap();
    let missing = format!("file://{}/nothing-here", scratch.path().display());
    let err = clone_at(&missing, None, &scratch.path().join("a")).unwrap_err();
    assert!(matches!(err, Error::Clone { .. }), "{err}");
    assert!(err.to_string().starts_with(&format!("could not clone {missing}: ")), "{err}");

    let origin = origin();
    let url = format!("file://{}", origin.path().display());
    let err = clone_at(&url, Some("no-such-rev"), &scratch.path().join("b")).unwrap_err();
    assert!(err.to_string().contains("the repository has no revision no-such-rev"), "{err}");
    let err = clone_at(&url, Some("--upload-pack=x"), &scratch.path().join("c")).unwrap_err();
    assert!(err.to_string().contains("cannot start with '-'"), "{err}");
}

#[test]
fn a_remote_branch_with_the_same_tree_on_the_same_base_is_up_to_date() {
    let origin = origin();
    let url = format!("file://{}", origin.path().display());
    let scratch = tempfile::tempdir().unwrap();
    let first = scratch.path().join("first");
    let cloned = clone_at(&url, None, &first).unwrap();
    let repo = MigrationRepo::open(&first, "port").unwrap();
    repo.ensure_migration_branch().unwrap();
    assert_eq!(repo.compare_remote_branch("origin", &cloned.commit).unwrap(), RemoteBranch::Absent);

    // A commit on the migration branch, pushed as a run would.
    git(&first, &["checkout", "-q", "molt/port"]);
    std::fs::write(first.join("PORTED"), "yes\n").unwrap();
    git(&first, &["add", "PORTED"]);
    git(&first, &["-c", "user.name=T", "-c", "user.email=t@x", "commit", "-q", "-m", "port"]);
    git(&first, &["push", "-q", "origin", "molt/port"]);
    assert_eq!(repo.commits_since(&cloned.commit).unwrap(), [rev(&first, "molt/port")]);

    // A second clone makes the same change again: another commit id, the same tree.
    let second = scratch.path().join("second");
    clone_at(&url, None, &second).unwrap();
    let again = MigrationRepo::open(&second, "port").unwrap();
    again.ensure_migration_branch().unwrap();
    git(&second, &["checkout", "-q", "molt/port"]);
    git(&second, &["reset", "-q", "--hard", &cloned.commit]);
    std::fs::write(second.join("PORTED"), "yes\n").unwrap();
    git(&second, &["add", "PORTED"]);
    git(&second, &["-c", "user.name=U", "-c", "user.email=u@x", "commit", "-q", "-m", "port again"]);
    let theirs = rev(&first, "molt/port");
    assert_ne!(rev(&second, "molt/port"), theirs);
    assert_eq!(
        again.compare_remote_branch("origin", &cloned.commit).unwrap(),
        RemoteBranch::UpToDate { commit: theirs.clone() }
    );

    // Another change is not; its commits carry no Molt-Task trailer, so it is a person's.
    std::fs::write(second.join("PORTED"), "differently\n").unwrap();
    git(&second, &["-c", "user.name=U", "-c", "user.email=u@x", "commit", "-q", "-am", "other"]);
    assert_eq!(
        again.compare_remote_branch("origin", &cloned.commit).unwrap(),
        RemoteBranch::Differs { commit: theirs, molts_only: false },
    );
}
