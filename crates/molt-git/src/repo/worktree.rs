//! Task worktrees: adding, reusing, detaching and removing them, with
//! their `molt-task/<migration>/<task>` branches.

use std::path::Path;

use git2::{BranchType, Repository, WorktreeAddOptions, WorktreePruneOptions};

use super::{check_name, oid, MigrationRepo, TaskWorktree};
use crate::locks::retry_locked;
use crate::{Error, Result};

impl MigrationRepo {
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
}
