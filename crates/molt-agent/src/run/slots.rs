//! Worktree slots: one reusable worktree per job, made while the baseline
//! runs and reset to each task's base, and the lock that keeps libgit2's
//! worktree listing from racing.

use std::path::Path;

use crate::workspace::Workspace;
use crate::{Error, Result};

/// Held while a worker adds or removes a worktree. libgit2 (1.9) decides
/// whether a branch is checked out by listing the linked worktrees and then
/// opening each; when one vanishes in between (another thread pruning its
/// own), an operator-precedence slip in `git_repository_foreach_worktree`
/// reports every branch as "already checked out", and the task fails for
/// nothing. Any run with `--jobs` above one can hit it; a resumed run hits it
/// most, as all its workers start by pruning the worktrees a killed run left.
pub(super) static WORKTREES: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The names of the reusable task worktrees start with this.
pub(super) const SLOT_PREFIX: &str = "_slot-";

/// A reusable worktree, one per job. A task resets its slot to the task's
/// base ([`molt_git::MigrationRepo::reuse_task_worktree`]) instead of adding
/// a worktree (a checkout of the whole tree, one at a time, see [`WORKTREES`])
/// and removing it afterwards: only the files that differ are written, and
/// workers no longer queue behind each other's checkouts.
pub(super) struct Slot {
    /// `_slot-N`: the worktree's folder under `.molt/worktrees`.
    pub(super) name: String,
    /// Made while the baseline runs, or by the first task that uses the slot.
    pub(super) worktree: Option<molt_git::TaskWorktree>,
}

impl Slot {
    /// The slot set to task `task` at `base`, made first when it is new. A
    /// slot that cannot be reset is replaced by a new worktree.
    pub(super) fn checkout(
        &mut self,
        git: &molt_git::MigrationRepo,
        task: &str,
        base: &str,
    ) -> Result<molt_git::TaskWorktree> {
        if let Some(slot) = &self.worktree {
            match git.reuse_task_worktree(slot, task, base) {
                Ok(wt) => return Ok(wt),
                Err(_) => {
                    remove_worktree(git, slot);
                    self.worktree = None;
                }
            }
        }
        let slot = add_worktree(git, &self.name, base)?;
        let wt = git.reuse_task_worktree(&slot, task, base).map_err(Error::from_git);
        self.worktree = Some(slot);
        wt
    }

    /// Lets go of the task's branch after an attempt, so the coordinator can
    /// merge and delete it; a slot that cannot let go is not used again.
    pub(super) fn release(&mut self, git: &molt_git::MigrationRepo, wt: &molt_git::TaskWorktree) {
        if git.detach_task_worktree(wt).is_err() {
            if let Some(slot) = self.worktree.take() {
                remove_worktree(git, &slot);
            }
        }
    }
}

/// Slots being made on a thread of their own, or made.
pub(super) enum SlotMaker {
    Making(std::thread::JoinHandle<Vec<Slot>>),
    Done(Vec<Slot>),
}

impl SlotMaker {
    pub(super) fn join(self) -> Vec<Slot> {
        match self {
            SlotMaker::Making(handle) => handle.join().unwrap_or_default(),
            SlotMaker::Done(slots) => slots,
        }
    }
}

/// Makes `n` slots' worktrees at `base` on a thread of its own. A slot that
/// cannot be made is left out; its first task makes it (and reports why).
pub(super) fn make_slots(root: &Path, migration: &str, base: &str, n: usize) -> SlotMaker {
    let (root, migration, base) = (root.to_path_buf(), migration.to_owned(), base.to_owned());
    SlotMaker::Making(std::thread::spawn(move || {
        let Ok(git) = Workspace::new(&root).git(&migration) else { return Vec::new() };
        (0..n)
            .map_while(|i| {
                let name = format!("{SLOT_PREFIX}{i}");
                let worktree = add_worktree(&git, &name, &base).ok()?;
                Some(Slot { name, worktree: Some(worktree) })
            })
            .collect()
    }))
}

pub(super) fn add_worktree(git: &molt_git::MigrationRepo, task: &str, base: &str) -> Result<molt_git::TaskWorktree> {
    let _one_at_a_time = WORKTREES.lock().unwrap_or_else(|e| e.into_inner());
    git.add_task_worktree(task, base).map_err(Error::from_git)
}

pub(super) fn remove_worktree(git: &molt_git::MigrationRepo, wt: &molt_git::TaskWorktree) {
    let _one_at_a_time = WORKTREES.lock().unwrap_or_else(|e| e.into_inner());
    let _ = git.remove_task_worktree(wt);
}
