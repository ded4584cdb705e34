//! The migration's view of a repository.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use git2::{
    BranchType, Config, DiffOptions, IndexAddOption, Oid, Repository, RepositoryState, Signature, Sort, StatusOptions,
    WorktreeAddOptions, WorktreePruneOptions,
};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use crate::locks::retry_locked;
use crate::message::{CommitMessage, MERGE_TRAILER, TASK_TRAILER};
use crate::{Error, Result};

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

    /// Creates task `task`'s worktree at `.molt/worktrees/<task>` on a fresh
    /// branch `molt-task/<name>/<task>` at `base`. A stale worktree or branch of
    /// the same task (left by a crash) is removed first.
    pub fn add_task_worktree(&self, task: &str, base: &str) -> Result<TaskWorktree> {
        retry_locked(|| self.add_task_worktree_once(task, base))
    }

    fn add_task_worktree_once(&self, task: &str, base: &str) -> Result<TaskWorktree> {
        check_name(task)?;
        self.ensure_excluded()?;
        let path = self.worktree_path(task);
        self.prune(task, &path)?;
        let base_commit = self.repo.find_commit(oid(base)?)?;
        let branch_name = self.task_branch(task);
        let branch = self.repo.branch(&branch_name, &base_commit, true)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                action: "creating",
                path: parent.to_owned(),
                source,
            })?;
        }
        let mut opts = WorktreeAddOptions::new();
        opts.reference(Some(branch.get()));
        self.repo.worktree(&self.worktree_name(task), &path, Some(&opts))?;
        Ok(TaskWorktree { task: task.to_owned(), path, branch: branch_name, base: base_commit.id().to_string() })
    }

    fn prune(&self, task: &str, path: &Path) -> Result<()> {
        if let Ok(wt) = self.repo.find_worktree(&self.worktree_name(task)) {
            let mut opts = WorktreePruneOptions::new();
            opts.valid(true).locked(true).working_tree(true);
            wt.prune(Some(&mut opts))?;
        }
        // A process killed while adding the worktree can leave git's record of
        // it half-written, which libgit2 neither lists nor opens but which
        // blocks adding it again: remove what is left of it.
        let record = self.repo.commondir().join("worktrees").join(self.worktree_name(task));
        if record.exists() {
            std::fs::remove_dir_all(&record).map_err(|source| Error::Io {
                action: "removing",
                path: record.clone(),
                source,
            })?;
        }
        if path.exists() {
            std::fs::remove_dir_all(path).map_err(|source| Error::Io {
                action: "removing",
                path: path.to_owned(),
                source,
            })?;
        }
        Ok(())
    }

    /// Removes a task's worktree (files and git's record of it). Its branch is
    /// kept: it holds the task's commit until [`Self::delete_task_branch`].
    pub fn remove_task_worktree(&self, worktree: &TaskWorktree) -> Result<()> {
        check_name(&worktree.task)?;
        self.prune(&worktree.task, &worktree.path)
    }

    /// Puts a worktree that [`Self::add_task_worktree`] made to work on task
    /// `task`: a fresh branch `molt-task/<name>/<task>` at `base`, checked out
    /// over whatever the worktree held. The files a previous task changed or
    /// added, and ignored files such as build outputs, are cleaned, so the
    /// worktree is as a new one would be; but only the files that differ are
    /// written, which costs far less than a new worktree on a large tree.
    /// The returned worktree is the task's; the slot keeps its own name.
    pub fn reuse_task_worktree(&self, slot: &TaskWorktree, task: &str, base: &str) -> Result<TaskWorktree> {
        retry_locked(|| self.reuse_task_worktree_once(slot, task, base))
    }

    fn reuse_task_worktree_once(&self, slot: &TaskWorktree, task: &str, base: &str) -> Result<TaskWorktree> {
        check_name(task)?;
        let branch_name = self.task_branch(task);
        let base_commit = self.repo.find_commit(oid(base)?)?;
        self.repo.branch(&branch_name, &base_commit, true)?;
        let wt = Repository::open(&slot.path)?;
        let commit = wt.find_commit(base_commit.id())?;
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout.force().remove_untracked(true).remove_ignored(true);
        wt.checkout_tree(commit.as_object(), Some(&mut checkout))?;
        // Detached first: moving HEAD from one branch to another makes
        // libgit2 look through every worktree for the new branch, moving it
        // from a detached HEAD does not.
        wt.set_head_detached(commit.id())?;
        wt.set_head(&format!("refs/heads/{branch_name}"))?;
        Ok(TaskWorktree {
            task: task.to_owned(),
            path: slot.path.clone(),
            branch: branch_name,
            base: commit.id().to_string(),
        })
    }

    /// Detaches a worktree's HEAD from its branch, at the same commit, so the
    /// branch can be merged and deleted while the worktree waits for its next
    /// task ([`Self::reuse_task_worktree`]).
    pub fn detach_task_worktree(&self, worktree: &TaskWorktree) -> Result<()> {
        retry_locked(|| self.detach_task_worktree_once(worktree))
    }

    fn detach_task_worktree_once(&self, worktree: &TaskWorktree) -> Result<()> {
        let wt = Repository::open(&worktree.path)?;
        let head = wt.head()?.peel_to_commit()?.id();
        wt.set_head_detached(head)?;
        Ok(())
    }

    /// Removes every task worktree whose task name starts with `prefix`, with
    /// its branch: the reusable worktrees a killed run left behind. Both the
    /// worktrees git knows of and folders under `.molt/worktrees` are found.
    pub fn remove_task_worktrees(&self, prefix: &str) -> Result<Vec<String>> {
        let mut tasks = std::collections::BTreeSet::new();
        let registered = format!("molt-{}-", self.name);
        for name in self.repo.worktrees()?.iter().flatten() {
            if let Some(task) = name.strip_prefix(&registered).filter(|t| t.starts_with(prefix)) {
                tasks.insert(task.to_owned());
            }
        }
        if let Ok(entries) = std::fs::read_dir(&self.worktrees) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(prefix) {
                    tasks.insert(name);
                }
            }
        }
        // Records a killed `worktree add` left half-written are not listed.
        if let Ok(entries) = std::fs::read_dir(self.repo.commondir().join("worktrees")) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if let Some(task) = name.strip_prefix(&registered).filter(|t| t.starts_with(prefix)) {
                    tasks.insert(task.to_owned());
                }
            }
        }
        let tasks: Vec<String> = tasks.into_iter().filter(|t| check_name(t).is_ok()).collect();
        for task in &tasks {
            self.prune(task, &self.worktree_path(task))?;
            self.delete_task_branch(task)?;
        }
        Ok(tasks)
    }

    /// Deletes `molt-task/<name>/<task>` if it exists.
    pub fn delete_task_branch(&self, task: &str) -> Result<()> {
        retry_locked(|| self.delete_task_branch_once(task))
    }

    fn delete_task_branch_once(&self, task: &str) -> Result<()> {
        check_name(task)?;
        if let Ok(mut branch) = self.repo.find_branch(&self.task_branch(task), BranchType::Local) {
            branch.delete()?;
        }
        Ok(())
    }

    /// Paths changed in the worktree since its base: committed, staged,
    /// unstaged and untracked (not ignored), both sides of a rename. Call it
    /// before running checks, whose build outputs would otherwise show up too.
    pub fn changed_paths(&self, worktree: &TaskWorktree) -> Result<Vec<String>> {
        let repo = Repository::open(&worktree.path)?;
        let base = repo.find_commit(oid(&worktree.base)?)?.tree()?;
        let mut opts = DiffOptions::new();
        opts.include_untracked(true).recurse_untracked_dirs(true).include_typechange(true);
        let diff = repo.diff_tree_to_workdir_with_index(Some(&base), Some(&mut opts))?;
        let mut paths = Vec::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(p) = file.path().and_then(Path::to_str) {
                    paths.push(p.replace('\\', "/"));
                }
            }
        }
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// Commits the task's changes on its branch: exactly `paths` when given
    /// (added, changed or deleted; relative to the worktree), else every change
    /// git does not ignore. `None` when there is nothing to commit. Uses the
    /// repository's identity, or `molt <molt@localhost>`.
    pub fn commit_task(
        &self,
        worktree: &TaskWorktree,
        message: &CommitMessage,
        paths: Option<&[String]>,
    ) -> Result<Option<String>> {
        retry_locked(|| self.commit_task_once(worktree, message, paths))
    }

    fn commit_task_once(
        &self,
        worktree: &TaskWorktree,
        message: &CommitMessage,
        paths: Option<&[String]>,
    ) -> Result<Option<String>> {
        let repo = Repository::open(&worktree.path)?;
        let mut index = repo.index()?;
        match paths {
            None => {
                index.add_all(["*"], IndexAddOption::DEFAULT, None)?;
                index.update_all(["*"], None)?;
            }
            Some(paths) => {
                for p in paths {
                    let rel = Path::new(p);
                    if rel.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
                        return Err(Error::BadPath(p.clone()));
                    }
                    if worktree.path.join(rel).is_file() {
                        index.add_path(rel)?;
                    } else {
                        // Deleted (or never existed): make sure it is not staged.
                        let _ = index.remove_path(rel);
                    }
                }
            }
        }
        index.write()?;
        let tree = repo.find_tree(index.write_tree()?)?;
        let head = repo.head()?.peel_to_commit()?;
        if head.tree_id() == tree.id() {
            return Ok(None);
        }
        let sig = signature(&self.repo)?;
        let id = repo.commit(Some("HEAD"), &sig, &sig, &message.render(), &tree, &[&head])?;
        Ok(Some(id.to_string()))
    }

    /// Merges task `task`'s branch into `molt/<name>`: a fast-forward when the
    /// migration branch has not moved since the task started, a merge commit
    /// (trailer `Molt-Merge: <task>`) when other tasks landed meanwhile. On a
    /// conflict nothing changes and [`Error::MergeConflict`] names the paths.
    pub fn merge_task(&self, task: &str) -> Result<Merged> {
        retry_locked(|| self.merge_task_once(task))
    }

    fn merge_task_once(&self, task: &str) -> Result<Merged> {
        check_name(task)?;
        let target_name = self.migration_branch();
        let target_ref = format!("refs/heads/{target_name}");
        if self.repo.head().ok().and_then(|h| h.name().map(str::to_owned)).as_deref() == Some(target_ref.as_str()) {
            return Err(Error::BranchCheckedOut(target_name));
        }
        let target = self.repo.find_reference(&target_ref).map_err(|_| Error::NoBranch(target_name.clone()))?;
        let target_commit = target.peel_to_commit()?;
        let task_branch = self.task_branch(task);
        let task_commit = self
            .repo
            .find_branch(&task_branch, BranchType::Local)
            .map_err(|_| Error::NoBranch(task_branch.clone()))?
            .get()
            .peel_to_commit()?;
        let (t, c) = (target_commit.id(), task_commit.id());
        if t == c || self.repo.graph_descendant_of(t, c)? {
            return Ok(Merged { oid: t.to_string(), fast_forward: true });
        }
        if self.repo.graph_descendant_of(c, t)? {
            self.repo.reference_matching(&target_ref, c, true, t, &format!("molt: fast-forward task {task}"))?;
            return Ok(Merged { oid: c.to_string(), fast_forward: true });
        }
        let mut index = self.repo.merge_commits(&target_commit, &task_commit, None)?;
        if index.has_conflicts() {
            let mut paths = Vec::new();
            for conflict in index.conflicts()? {
                let conflict = conflict?;
                let entry = conflict.our.or(conflict.their).or(conflict.ancestor);
                if let Some(e) = entry {
                    paths.push(String::from_utf8_lossy(&e.path).into_owned());
                }
            }
            paths.sort();
            paths.dedup();
            return Err(Error::MergeConflict { task: task.to_owned(), paths });
        }
        let tree = self.repo.find_tree(index.write_tree_to(&self.repo)?)?;
        let subject = task_commit.summary().unwrap_or(task).to_owned();
        let message = CommitMessage::new(format!("Merge task {task}: {subject}")).trailer(MERGE_TRAILER, task);
        let sig = signature(&self.repo)?;
        let merge = self.repo.commit(None, &sig, &sig, &message.render(), &tree, &[&target_commit, &task_commit])?;
        self.repo.reference_matching(&target_ref, merge, true, t, &format!("molt: merge task {task}"))?;
        Ok(Merged { oid: merge.to_string(), fast_forward: false })
    }

    /// molt's commits reachable from `branch`, oldest first: those carrying a
    /// `Molt-Task` or `Molt-Merge` trailer. A resumed run reads the `Molt-Task`
    /// trailers to know which tasks are already committed.
    pub fn commits_on_branch(&self, branch: &str) -> Result<Vec<CommitInfo>> {
        let tip = self.repo.find_branch(branch, BranchType::Local).map_err(|_| Error::NoBranch(branch.to_owned()))?;
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
        walk.push(tip.get().peel_to_commit()?.id())?;
        let mut out = Vec::new();
        for id in walk {
            let commit = self.repo.find_commit(id?)?;
            let message = CommitMessage::parse(&String::from_utf8_lossy(commit.message_bytes()));
            if message.get(TASK_TRAILER).is_some() || message.get(MERGE_TRAILER).is_some() {
                out.push(CommitInfo {
                    oid: commit.id().to_string(),
                    subject: message.subject,
                    trailers: message.trailers,
                });
            }
        }
        Ok(out)
    }
}
