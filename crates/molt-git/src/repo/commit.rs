//! Commits and merges: a task's changed paths and commit, its merge into
//! the migration branch, and molt's commits read back for a resumed run.

use std::path::{Component, Path};

use git2::{BranchType, DiffOptions, IndexAddOption, Repository, Sort};

use super::{check_name, oid, signature, CommitInfo, Merged, MigrationRepo, TaskWorktree};
use crate::locks::retry_locked;
use crate::message::{CommitMessage, MERGE_TRAILER, TASK_TRAILER};
use crate::{Error, Result};

impl MigrationRepo {
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
