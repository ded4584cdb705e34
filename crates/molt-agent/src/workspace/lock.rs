//! molt's run lock, `.molt/run.lock`.

use std::io::Write;
use std::path::Path;

use super::Workspace;
use crate::{Error, Result};

/// molt's lock on a repository, `.molt/run.lock`: one `molt run`, `resume`
/// or `plan` at a time. The kernel lets go of it when the process ends,
/// however it ends, so a `kill -9` never leaves it held. While it is held no
/// other molt process is at work in the repository, so any git lock file in
/// molt's own namespaces was left by a dead one and may be removed
/// ([`molt_git::MigrationRepo::clear_stale_locks`]).
#[derive(Debug)]
pub struct RunLock {
    _file: std::fs::File,
}

impl RunLock {
    /// Takes the lock, or says which process holds it.
    ///
    /// A child process that a killed molt had just forked holds the lock too
    /// until it has started its program (the lock is shared across `fork`
    /// and let go at `exec`), which under load takes a moment. So when the
    /// molt that wrote its pid into the file is gone, the lock is waited for
    /// (at most [`RUN_LOCK_WAIT`]); when that molt is alive, the answer is
    /// at once.
    pub fn acquire(workspace: &Workspace) -> Result<RunLock> {
        let dir = workspace.dir();
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = workspace.lock_path();
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let started = std::time::Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => {
                    // The holder's pid, for the message another molt shows.
                    let _ = file.set_len(0);
                    let _ = write!(file, "{}", std::process::id());
                    return Ok(RunLock { _file: file });
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default().trim().to_owned();
                    let alive = holder.parse::<u32>().is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
                    if alive || started.elapsed() >= RUN_LOCK_WAIT {
                        return Err(Error::Busy(format!(
                            "another molt{} is running in {}; wait for it to end (or stop it) and try again",
                            if alive { format!(" (pid {holder})") } else { String::new() },
                            workspace.root().display()
                        )));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
    }
}

/// How long [`RunLock::acquire`] waits for a lock whose molt is gone.
pub(super) const RUN_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(15);
