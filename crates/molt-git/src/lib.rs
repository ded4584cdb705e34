//! molt-git: the only crate that uses git2. Migration branches, reusable
//! slot worktrees, commits with trailers, merges in DAG order.
//!
//! It must not run checks or call models, and it never touches the user's own
//! branch, index or working tree: the migration branch `molt/<name>` is created
//! from HEAD as a plain ref; tasks run in linked worktrees that are reused,
//! one slot per job (`_slot-N` in the folder molt-agent's `Workspace` names,
//! `.molt/worktrees/`), each task resetting its slot to the task's base on
//! its branch `molt-task/<name>/<task>` (a killed run's slots are found and
//! removed by `remove_task_worktrees`); merges are
//! done in memory (`merge_commits`) and land by moving the migration branch's
//! ref with a compare-and-swap, so a conflict or a crash leaves it as it was.
//! `.molt/` is kept out of `git status` through `.git/info/exclude`, never the
//! user's `.gitignore`.
//!
//! Commit ids cross this crate's boundary as hex strings, so no other crate
//! needs git2. `molt pr` pushes the migration branch (`remote`) and opens or
//! updates its pull request through the GitHub REST API (`forge`); the token
//! it is given goes into a request header or a `git` child's environment and
//! nowhere else.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod clone;
mod forge;
mod locks;
mod message;
mod pinned;
mod remote;
mod repo;

use std::path::PathBuf;

pub use clone::{clone_at, Cloned, RemoteBranch};
pub use forge::{
    remote_web_url, GitHub, PullAction, PullRequest, PullRequestDraft, RepoSlug, API_VERSION, DEFAULT_API_URL,
};
pub use locks::StaleLocks;
pub use message::{CommitMessage, MERGE_TRAILER, TASK_TRAILER};
pub use pinned::{fetch_pinned, recipe_cache_dir, PinnedRef, PREFIX as PINNED_PREFIX};
pub use remote::{credential_helper_token, current_branch, push_migration_branch, remote_url, strip_userinfo, Pushed};
pub use repo::{identity_from_config, CommitInfo, Merged, MigrationRepo, TaskWorktree, FALLBACK_EMAIL, FALLBACK_NAME};

/// Everything that can go wrong here, each with a message a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{} is not inside a git repository: {source}", path.display())]
    NotARepository {
        path: PathBuf,
        #[source]
        source: git2::Error,
    },
    #[error("{} is a bare repository; molt needs a working tree", .0.display())]
    Bare(PathBuf),
    #[error("{what} is in progress in {}; {hint}, then run molt again", path.display())]
    InProgress { what: &'static str, hint: &'static str, path: PathBuf },
    #[error(
        "the working tree has uncommitted changes in paths the migration includes: {}{}; commit or stash them, or pass --allow-dirty (the migration starts from HEAD and ignores them)",
        .paths.iter().take(10).cloned().collect::<Vec<_>>().join(", "),
        if .paths.len() > 10 { format!(" and {} more", .paths.len() - 10) } else { String::new() }
    )]
    Dirty { paths: Vec<String> },
    #[error("the repository has no commits yet; commit something first, molt branches from HEAD")]
    NoCommits,
    #[error("\"{0}\" cannot be used in a branch name; use letters, digits, '.', '_' and '-'")]
    BadName(String),
    #[error("path \"{0}\" is outside the worktree")]
    BadPath(String),
    #[error("bad glob \"{glob}\": {message}")]
    Glob { glob: String, message: String },
    #[error("branch {0} does not exist")]
    NoBranch(String),
    #[error("{0} is checked out in the main working tree; check out another branch so molt can move it")]
    BranchCheckedOut(String),
    #[error("task {task} conflicts with the migration branch in {}; the migration branch is unchanged", .paths.join(", "))]
    MergeConflict { task: String, paths: Vec<String> },
    #[error("there is no remote \"{remote}\"{}", if .known.is_empty() { "; add one with `git remote add origin URL`".to_owned() } else { format!(" (the repository has {})", .known.join(", ")) })]
    NoRemote { remote: String, known: Vec<String> },
    #[error("pushing {branch} to {remote} failed: {message}")]
    Push { remote: String, branch: String, message: String },
    #[error("\"{0}\" is not a repository on the forge; write it as OWNER/NAME")]
    BadRepoSlug(String),
    #[error("no GitHub token; set GITHUB_TOKEN (or GH_TOKEN), or store one in git's credential helper")]
    NoToken,
    #[error("GitHub answered {status} to {what}: {message}{}", forge_hint(*.status))]
    Forge { status: u16, what: String, message: String },
    #[error("could not talk to GitHub ({what}): {message}")]
    ForgeRequest { what: String, message: String },
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not clone {url}: {message}")]
    Clone { url: String, message: String },
    #[error("{reference}: {why}")]
    BadPin { reference: String, why: String },
    #[error("could not fetch commit {commit} of {url}: {message}")]
    Fetch { url: String, commit: String, message: String },
    /// A git lock file that stayed held through molt's back-off.
    #[error("{}", locked_message(path, *molts))]
    Locked {
        path: PathBuf,
        /// Whether the lock is one only molt takes.
        molts: bool,
    },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

fn locked_message(path: &std::path::Path, molts: bool) -> String {
    if molts {
        format!(
            "git lock {} is held; molt removes the locks a killed molt left when its next run or resume starts, so run `molt resume`",
            path.display()
        )
    } else {
        format!(
            "git lock {} is held by another git process (a git command, an editor or an IDE at work in this repository); wait for it to finish and run `molt resume`, or, if no git process is running, delete that file first",
            path.display()
        )
    }
}

/// What to do about a status the GitHub API answered with.
fn forge_hint(status: u16) -> &'static str {
    match status {
        401 => " (the token was refused: check GITHUB_TOKEN or GH_TOKEN)",
        403 => " (the token may not do this: it needs `contents: write` and `pull-requests: write` on the repository)",
        404 => " (no such repository, or the token cannot see it: check --repo and --api-url)",
        422 => " (GitHub refused the pull request as written)",
        _ => "",
    }
}

impl Error {
    /// Whether this is a merge conflict: the task failed, nothing is broken.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::MergeConflict { .. })
    }

    /// Whether this is the machine's fault rather than the migration's: a
    /// git lock someone holds, a full disk, or another I/O failure.
    pub fn is_environment(&self) -> bool {
        match self {
            Error::Locked { .. } | Error::Io { .. } => true,
            Error::Git(e) => matches!(e.code(), git2::ErrorCode::Locked) || e.class() == git2::ErrorClass::Os,
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
