//! git's lock files, as a killed molt leaves them and as molt meets them.
//!
//! git and libgit2 update a ref, an index or `HEAD` by writing `<file>.lock`
//! and renaming it over the file; whoever holds the `.lock` file holds the
//! lock. A process killed in between leaves the file behind, and every later
//! update of the same file fails with "failed to lock file". Only a process
//! that knows no one else is at work may remove such a file: molt does that
//! once it holds its own run lock for the repository (molt-agent's
//! `RunLock`), and only for files that no one but molt writes. Those are the
//! refs under `refs/heads/molt/` and `refs/heads/molt-task/`, their reflogs,
//! and the administrative files of molt's own linked worktrees
//! (`.git/worktrees/molt-*`). Every other lock (`packed-refs.lock`,
//! `config.lock`, the main worktree's `index.lock` and `HEAD.lock`, the
//! user's refs) may belong to a git the user is running right now; molt
//! reports it and leaves it alone.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::repo::MigrationRepo;
use crate::{Error, Result};

/// The ref folders under git's common directory that only molt writes.
const MOLT_REF_DIRS: [&str; 4] =
    ["refs/heads/molt", "refs/heads/molt-task", "logs/refs/heads/molt", "logs/refs/heads/molt-task"];

/// What [`MigrationRepo::clear_stale_locks`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaleLocks {
    /// molt's own lock files that a killed molt left, now removed; relative
    /// to the repository's root where they lie inside it.
    pub removed: Vec<PathBuf>,
    /// Lock files that may belong to the user's own git, left alone.
    pub foreign: Vec<PathBuf>,
}

impl MigrationRepo {
    /// Removes the lock files that only a molt process can have left in the
    /// repository's git directory, and lists the other lock files present.
    ///
    /// Call it only while holding molt's run lock for the repository: then
    /// no molt process is at work, so none of molt's lock files is held.
    pub fn clear_stale_locks(&self) -> Result<StaleLocks> {
        let common = self.git().commondir().to_path_buf();
        let mut found = StaleLocks::default();
        for dir in MOLT_REF_DIRS {
            for lock in lock_files_under(&common.join(dir)) {
                self.remove_lock(&lock, &mut found)?;
            }
        }
        // molt's linked worktrees keep HEAD, index and the like in
        // `.git/worktrees/molt-<migration>-<task>/`.
        if let Ok(entries) = std::fs::read_dir(common.join("worktrees")) {
            for entry in entries.flatten() {
                let molts = entry.file_name().to_string_lossy().starts_with("molt-");
                for lock in lock_files_under(&entry.path()) {
                    if molts {
                        self.remove_lock(&lock, &mut found)?;
                    } else {
                        found.foreign.push(self.shown(&lock));
                    }
                }
            }
        }
        // The rest of the common directory is the user's: packed-refs,
        // config, the main worktree's HEAD and index, every other ref.
        let main_gitdir = self.git().path().to_path_buf();
        for dir in [&common, &main_gitdir] {
            if let Ok(entries) = std::fs::read_dir(dir) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.is_file() && is_lock(&path) {
                        found.foreign.push(self.shown(&path));
                    }
                }
            }
        }
        for lock in lock_files_under(&common.join("refs")).into_iter().chain(lock_files_under(&common.join("logs"))) {
            let shown = self.shown(&lock);
            if !found.removed.contains(&shown) && !is_molts_ref(&common, &lock) {
                found.foreign.push(shown);
            }
        }
        found.foreign.sort();
        found.foreign.dedup();
        Ok(found)
    }

    fn remove_lock(&self, lock: &Path, found: &mut StaleLocks) -> Result<()> {
        match std::fs::remove_file(lock) {
            Ok(()) => found.removed.push(self.shown(lock)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Io { action: "removing the stale lock", path: lock.to_owned(), source }),
        }
        Ok(())
    }

    /// `path` relative to the repository's root when it lies inside it.
    fn shown(&self, path: &Path) -> PathBuf {
        path.strip_prefix(self.root()).map_or_else(|_| path.to_owned(), Path::to_path_buf)
    }
}

fn is_lock(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "lock")
}

fn is_molts_ref(common: &Path, lock: &Path) -> bool {
    MOLT_REF_DIRS.iter().any(|d| lock.starts_with(common.join(d)))
}

/// Every `*.lock` file under `dir`, at any depth; none when it is missing.
fn lock_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else { continue };
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() && is_lock(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The lock file named in a libgit2 "failed to lock file '…'" error.
fn locked_path(e: &git2::Error) -> Option<PathBuf> {
    let message = e.message();
    let start = message.find('\'')? + 1;
    let len = message[start..].find('\'')?;
    Some(PathBuf::from(&message[start..start + len]))
}

/// How long a git lock is waited for: a few short back-offs, about 1.3 s in
/// all, since git holds a lock only for the moment of one write.
const LOCK_BACKOFF: [Duration; 6] = [
    Duration::from_millis(20),
    Duration::from_millis(40),
    Duration::from_millis(80),
    Duration::from_millis(160),
    Duration::from_millis(320),
    Duration::from_millis(640),
];

/// Runs `op`, again after a short back-off while it fails on a git lock that
/// someone else holds. A lock that outlasts the back-offs becomes
/// [`Error::Locked`], which names the file and what to do about it.
pub(crate) fn retry_locked<T>(mut op: impl FnMut() -> Result<T>) -> Result<T> {
    let mut waits = LOCK_BACKOFF.iter();
    loop {
        match op() {
            Err(Error::Git(e)) if e.code() == git2::ErrorCode::Locked => match waits.next() {
                Some(wait) => std::thread::sleep(*wait),
                None => {
                    let path = locked_path(&e).unwrap_or_default();
                    let molts =
                        path.to_str().is_some_and(|p| p.contains("/refs/heads/molt") || p.contains("/worktrees/molt-"));
                    return Err(Error::Locked { path, molts });
                }
            },
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_file_is_read_from_libgit2s_message() {
        let e = git2::Error::new(
            git2::ErrorCode::Locked,
            git2::ErrorClass::Os,
            "failed to lock file '/r/.git/refs/heads/molt-task/p/t08.lock' for writing: ",
        );
        assert_eq!(locked_path(&e), Some(PathBuf::from("/r/.git/refs/heads/molt-task/p/t08.lock")));
        let e = git2::Error::new(git2::ErrorCode::Locked, git2::ErrorClass::Os, "locked");
        assert_eq!(locked_path(&e), None);
    }

    #[test]
    fn a_lock_that_stays_held_ends_the_back_off_with_its_name() {
        let mut tries = 0;
        let err = retry_locked::<()>(|| {
            tries += 1;
            Err(Error::Git(git2::Error::new(
                git2::ErrorCode::Locked,
                git2::ErrorClass::Os,
                "failed to lock file '/r/.git/packed-refs.lock' for writing: ",
            )))
        })
        .unwrap_err();
        assert_eq!(tries, LOCK_BACKOFF.len() + 1);
        assert!(matches!(&err, Error::Locked { path, molts: false } if path.ends_with("packed-refs.lock")), "{err}");
        assert!(err.to_string().contains("no git process"), "{err}");
    }

    #[test]
    fn a_lock_let_go_during_the_back_off_is_not_an_error() {
        let mut tries = 0;
        let got = retry_locked(|| {
            tries += 1;
            if tries < 3 {
                Err(Error::Git(git2::Error::new(git2::ErrorCode::Locked, git2::ErrorClass::Os, "failed to lock")))
            } else {
                Ok(tries)
            }
        });
        assert_eq!(got.unwrap(), 3);
    }
}
