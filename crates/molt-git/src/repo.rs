//! The migration's view of a repository.
//!
//! This file holds the repository handle, its preflight checks and the
//! migration branch; `repo/worktree.rs` the task worktrees and their
//! branches, `repo/commit.rs` commits, merges and reading molt's commits.

use std::io::Write;
use std::path::{Path, PathBuf};

use git2::{BranchType, Config, Oid, Repository, RepositoryState, Signature, StatusOptions};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use crate::locks::retry_locked;
use crate::{Error, Result};

mod commit;
mod worktree;

/// The identity used when the repository has none configured.
pub const FALLBACK_NAME: &str = "molt";
pub const FALLBACK_EMAIL: &str = "molt@localhost";

/// A repository opened for one migration, `molt/<name>`.
///
/// `git2::Repository` is `Send` but not `Sync`: open one `MigrationRepo` per
/// thread (opening is cheap) rather than sharing one.
pub struct MigrationRepo {
    repo: Repository,
    root: PathBuf,
    name: String,
    /// Where the slot worktrees live; molt-agent's `Workspace` names it.
    worktrees: PathBuf,
}

impl std::fmt::Debug for MigrationRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MigrationRepo").field("root", &self.root).field("name", &self.name).finish()
    }
}

/// A task's linked worktree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskWorktree {
    pub task: String,
    pub path: PathBuf,
    /// Its branch, `molt-task/<migration>/<task>`.
    pub branch: String,
    /// The commit it started from.
    pub base: String,
}

/// A commit molt made, as a resumed run needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    pub oid: String,
    pub subject: String,
    pub trailers: Vec<(String, String)>,
}

impl CommitInfo {
    /// The value of trailer `key` (`Molt-Task`).
    pub fn trailer(&self, key: &str) -> Option<&str> {
        self.trailers.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }
}

/// Where a merge left the migration branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merged {
    /// The migration branch's new tip.
    pub oid: String,
    /// Moved without a merge commit (including "already merged").
    pub fast_forward: bool,
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && !name.starts_with(['.', '-'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::BadName(name.to_owned()))
    }
}

fn oid(hex: &str) -> Result<Oid> {
    Ok(Oid::from_str(hex)?)
}

fn globs(patterns: &[String]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        builder.add(Glob::new(p).map_err(|e| Error::Glob { glob: p.clone(), message: e.kind().to_string() })?);
    }
    builder.build().map_err(|e| Error::Glob { glob: patterns.join(", "), message: e.to_string() })
}

/// The name and email to commit with: `user.name` and `user.email` from
/// `config` when both are set, otherwise `molt <molt@localhost>`.
pub fn identity_from_config(config: &Config) -> (String, String) {
    let get = |key: &str| config.get_string(key).ok().filter(|v| !v.trim().is_empty());
    match (get("user.name"), get("user.email")) {
        (Some(name), Some(email)) => (name, email),
        _ => (FALLBACK_NAME.to_owned(), FALLBACK_EMAIL.to_owned()),
    }
}

fn signature(repo: &Repository) -> Result<Signature<'static>> {
    let (name, email) = match repo.config() {
        Ok(config) => identity_from_config(&config),
        Err(_) => (FALLBACK_NAME.to_owned(), FALLBACK_EMAIL.to_owned()),
    };
    Ok(Signature::now(&name, &email)?)
}

impl MigrationRepo {
    /// Opens the repository that contains `path`, for migration `name`.
    pub fn open(path: &Path, name: &str) -> Result<MigrationRepo> {
        check_name(name)?;
        let repo =
            Repository::discover(path).map_err(|source| Error::NotARepository { path: path.to_owned(), source })?;
        let root = repo.workdir().ok_or_else(|| Error::Bare(repo.path().to_owned()))?.to_owned();
        let worktrees = root.join(".molt").join("worktrees");
        Ok(MigrationRepo { repo, root, name: name.to_owned(), worktrees })
    }

    /// Keeps the slot worktrees in `dir` instead of `<root>/.molt/worktrees`
    /// (molt-agent passes its `Workspace`'s folder, the same path).
    pub fn with_worktrees_dir(mut self, dir: PathBuf) -> Self {
        self.worktrees = dir;
        self
    }

    /// The main working tree's root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn git(&self) -> &Repository {
        &self.repo
    }

    /// `molt/<name>`.
    pub fn migration_branch(&self) -> String {
        format!("molt/{}", self.name)
    }

    fn task_branch(&self, task: &str) -> String {
        format!("molt-task/{}/{task}", self.name)
    }

    fn worktree_name(&self, task: &str) -> String {
        format!("molt-{}-{task}", self.name)
    }

    /// Where worktree `task` lives: `<worktrees>/<task>`, by default
    /// `<root>/.molt/worktrees/<task>`.
    pub fn worktree_path(&self, task: &str) -> PathBuf {
        self.worktrees.join(task)
    }

    /// Refuses to start while a rebase, merge, cherry-pick, revert or bisect is
    /// in progress, or while files matching `include` have uncommitted changes
    /// (unless `allow_dirty`). `.molt/` itself never counts as dirty.
    pub fn preflight(&self, include: &[String], allow_dirty: bool) -> Result<()> {
        let (what, hint) = match self.repo.state() {
            RepositoryState::Clean => ("", ""),
            RepositoryState::Merge => ("a merge", "finish it (git commit) or abort it (git merge --abort)"),
            RepositoryState::Rebase | RepositoryState::RebaseInteractive | RepositoryState::RebaseMerge => {
                ("a rebase", "finish it (git rebase --continue) or abort it (git rebase --abort)")
            }
            RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => {
                ("git am", "finish it (git am --continue) or abort it (git am --abort)")
            }
            RepositoryState::CherryPick | RepositoryState::CherryPickSequence => {
                ("a cherry-pick", "finish it (git cherry-pick --continue) or abort it (git cherry-pick --abort)")
            }
            RepositoryState::Revert | RepositoryState::RevertSequence => {
                ("a revert", "finish it (git revert --continue) or abort it (git revert --abort)")
            }
            RepositoryState::Bisect => ("a bisect", "end it (git bisect reset)"),
        };
        if !what.is_empty() {
            return Err(Error::InProgress { what, hint, path: self.root.clone() });
        }
        if allow_dirty {
            return Ok(());
        }
        let include = globs(include)?;
        let mut opts = StatusOptions::new();
        opts.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false).exclude_submodules(true);
        let mut dirty = Vec::new();
        for entry in self.repo.statuses(Some(&mut opts))?.iter() {
            let status = entry.status();
            if status.is_empty() || status.is_ignored() {
                continue;
            }
            let Some(path) = entry.path() else { continue };
            if path == ".molt" || path.starts_with(".molt/") {
                continue;
            }
            if include.is_match(path) {
                dirty.push(path.to_owned());
            }
        }
        if dirty.is_empty() {
            Ok(())
        } else {
            Err(Error::Dirty { paths: dirty })
        }
    }

    /// Adds `/.molt/` to `.git/info/exclude` (once), so molt's files never show
    /// in `git status` and the user's `.gitignore` stays untouched.
    pub fn ensure_excluded(&self) -> Result<()> {
        let info = self.repo.commondir().join("info");
        let path = info.join("exclude");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(Error::Io { action: "reading", path, source }),
        };
        if text.lines().any(|l| matches!(l.trim(), "/.molt/" | ".molt/" | "/.molt" | ".molt")) {
            return Ok(());
        }
        std::fs::create_dir_all(&info).map_err(|source| Error::Io {
            action: "creating",
            path: info.clone(),
            source,
        })?;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|source| Error::Io { action: "opening", path: path.clone(), source })?;
        let sep = if text.is_empty() || text.ends_with('\n') { "" } else { "\n" };
        write!(file, "{sep}# molt's working files\n/.molt/\n").map_err(|source| Error::Io {
            action: "writing",
            path,
            source,
        })
    }

    /// Creates `molt/<name>` at HEAD when it does not exist, and keeps it as it
    /// is when it does (a resumed run must not reset it). Returns its tip. Also
    /// makes sure `.molt/` is excluded.
    pub fn ensure_migration_branch(&self) -> Result<String> {
        retry_locked(|| self.ensure_migration_branch_once())
    }

    fn ensure_migration_branch_once(&self) -> Result<String> {
        self.ensure_excluded()?;
        let branch = self.migration_branch();
        if let Ok(existing) = self.repo.find_branch(&branch, BranchType::Local) {
            let tip = existing.get().peel_to_commit()?;
            return Ok(tip.id().to_string());
        }
        let head = match self.repo.head() {
            Ok(head) => head.peel_to_commit()?,
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch || e.code() == git2::ErrorCode::NotFound => {
                return Err(Error::NoCommits)
            }
            Err(e) => return Err(e.into()),
        };
        self.repo.branch(&branch, &head, false)?;
        Ok(head.id().to_string())
    }

    /// The tip of `branch` (a local branch name such as `molt/port`).
    pub fn branch_tip(&self, branch: &str) -> Result<String> {
        let b = self.repo.find_branch(branch, BranchType::Local).map_err(|_| Error::NoBranch(branch.to_owned()))?;
        Ok(b.get().peel_to_commit()?.id().to_string())
    }
}
