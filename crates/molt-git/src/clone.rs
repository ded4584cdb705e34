//! Fresh clones for a fleet's units of work, and how a clone's migration
//! branch compares with the one already on its remote.
//!
//! Cloning runs the `git` program, as `pinned.rs` fetches with it: the
//! vendored libgit2 speaks neither TLS nor SSH, and `git` already knows the
//! user's transports, credential helpers and `insteadOf` rewrites. Reading
//! the clone afterwards goes through git2.

use std::path::Path;
use std::process::{Command, Stdio};

use git2::{BranchType, Oid};

use crate::repo::MigrationRepo;
use crate::{Error, Result};

/// What a clone checked out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cloned {
    /// The commit HEAD is at.
    pub commit: String,
    /// The branch HEAD is on (the revision asked for when it names a branch,
    /// else the remote's default branch when no revision was asked for);
    /// `None` for a tag or a commit, which leave HEAD detached.
    pub branch: Option<String>,
    /// The remote's default branch (its HEAD), when it has one.
    pub default_branch: Option<String>,
}

/// Clones `url` into `dest` (which must not exist or be empty) and checks
/// out `rev` (a branch, a tag or a commit) when given. Never prompts for a
/// password: a job in CI has no one to answer.
pub fn clone_at(url: &str, rev: Option<&str>, dest: &Path) -> Result<Cloned> {
    let fail = |message: String| Error::Clone { url: crate::strip_userinfo(url), message };
    if url.starts_with('-') || rev.is_some_and(|r| r.starts_with('-')) {
        return Err(fail("a URL or a revision cannot start with '-'".into()));
    }
    let git = |dir: &Path, args: &[&str]| -> Result<std::process::Output> {
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| fail(format!("could not run git ({e}); install git")))
    };
    let stderr = |out: &std::process::Output| {
        let text = String::from_utf8_lossy(&out.stderr);
        text.trim().split(' ').map(crate::strip_userinfo).collect::<Vec<_>>().join(" ")
    };
    let parent = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|source| Error::Io { action: "creating", path: parent.into(), source })?;
    let dest_arg = dest.to_string_lossy();
    let cloned = git(parent, &["clone", "--quiet", "--", url, &dest_arg])?;
    if !cloned.status.success() {
        return Err(fail(stderr(&cloned)));
    }
    let default_branch = head_branch(dest)?;
    if let Some(rev) = rev {
        // A branch name becomes a local branch that tracks the remote's; a
        // tag or a commit leaves HEAD detached.
        let out = git(dest, &["-c", "advice.detachedHead=false", "checkout", "--quiet", rev, "--"])?;
        if !out.status.success() {
            return Err(fail(format!("the repository has no revision {rev}: {}", stderr(&out))));
        }
    }
    let repo = git2::Repository::open(dest).map_err(|source| Error::NotARepository { path: dest.into(), source })?;
    let commit = repo.head()?.peel_to_commit()?.id().to_string();
    Ok(Cloned { commit, branch: head_branch(dest)?, default_branch })
}

fn head_branch(dir: &Path) -> Result<Option<String>> {
    let repo = git2::Repository::open(dir).map_err(|source| Error::NotARepository { path: dir.into(), source })?;
    let head = match repo.head() {
        Ok(head) => head,
        Err(_) => return Ok(None),
    };
    Ok(if head.is_branch() { head.shorthand().map(str::to_owned) } else { None })
}

/// How the migration branch on a remote (as the clone fetched it) compares
/// with the local one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteBranch {
    /// The remote has no such branch.
    Absent,
    /// The remote's branch holds the same tree and starts from the same
    /// base: pushing would change nothing a reviewer sees.
    UpToDate { commit: String },
    /// The remote's branch is there but holds something else: another
    /// change, or the same one on an older base. `molts_only` says whether
    /// every commit on it that the base lacks is molt's (a `Molt-Task` or
    /// `Molt-Merge` trailer), so replacing it loses nobody's work.
    Differs { commit: String, molts_only: bool },
}

impl MigrationRepo {
    /// Compares `refs/remotes/<remote>/<migration branch>` with the local
    /// migration branch: the same tree on top of `base` is up to date, even
    /// though the commits (made again, at another time) have other ids.
    pub fn compare_remote_branch(&self, remote: &str, base: &str) -> Result<RemoteBranch> {
        let branch = self.migration_branch();
        let git = self.git();
        let Ok(theirs) = git.find_branch(&format!("{remote}/{branch}"), BranchType::Remote) else {
            return Ok(RemoteBranch::Absent);
        };
        let theirs = theirs.get().peel_to_commit()?;
        let ours = git.find_branch(&branch, BranchType::Local).map_err(|_| Error::NoBranch(branch.clone()))?;
        let ours = ours.get().peel_to_commit()?;
        let base = Oid::from_str(base)?;
        let on_base = theirs.id() == base || git.graph_descendant_of(theirs.id(), base)?;
        let commit = theirs.id().to_string();
        if on_base && theirs.tree_id() == ours.tree_id() {
            return Ok(RemoteBranch::UpToDate { commit });
        }
        let mut walk = git.revwalk()?;
        walk.push(theirs.id())?;
        walk.hide(base)?;
        let mut molts_only = true;
        for id in walk {
            let c = git.find_commit(id?)?;
            let message = crate::CommitMessage::parse(&String::from_utf8_lossy(c.message_bytes()));
            if message.get(crate::TASK_TRAILER).is_none() && message.get(crate::MERGE_TRAILER).is_none() {
                molts_only = false;
                break;
            }
        }
        Ok(RemoteBranch::Differs { commit, molts_only })
    }

    /// The commits on the migration branch that `base` lacks, oldest first.
    pub fn commits_since(&self, base: &str) -> Result<Vec<String>> {
        let branch = self.migration_branch();
        let git = self.git();
        let tip = git.find_branch(&branch, BranchType::Local).map_err(|_| Error::NoBranch(branch.clone()))?;
        let mut walk = git.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
        walk.push(tip.get().peel_to_commit()?.id())?;
        walk.hide(Oid::from_str(base)?)?;
        walk.map(|id| Ok(id?.to_string())).collect()
    }
}

#[cfg(test)]
mod tests;
