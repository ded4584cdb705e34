//! Remotes: which remote a migration branch goes to, pushing it there, and
//! the credentials for it.
//!
//! Reading the repository (remote URLs, the branch HEAD is on, the credential
//! helper's answer) goes through git2. Pushing runs the `git` program, as
//! `pinned.rs` fetches with it: the vendored libgit2 is built without TLS or
//! SSH, and the `git` program already speaks every transport with the user's
//! own configuration (ssh keys, proxies, `insteadOf` rewrites). A token is
//! handed to that `git` through a one-off credential helper that reads it from
//! the child's environment, so it appears on no command line, in no file and
//! in no message; `GIT_TERMINAL_PROMPT=0` keeps `git` from ever asking.

use std::path::Path;
use std::process::{Command, Stdio};

use git2::Repository;

use crate::repo::MigrationRepo;
use crate::{Error, Result};

/// The variable that carries a token to the `git` child.
const TOKEN_VAR: &str = "MOLT_GIT_PUSH_TOKEN";

/// Where a push went.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pushed {
    pub remote: String,
    /// The remote's URL with any user and password taken out.
    pub url: String,
    pub branch: String,
    /// The commit the remote branch now points at.
    pub commit: String,
}

fn open(root: &Path) -> Result<Repository> {
    Repository::open(root).map_err(|source| Error::NotARepository { path: root.to_owned(), source })
}

/// The URL of `remote` (its push URL when it has one).
pub fn remote_url(repo: &MigrationRepo, remote: &str) -> Result<String> {
    let git = open(repo.root())?;
    let no_remote = |git: &Repository| Error::NoRemote {
        remote: remote.to_owned(),
        known: git.remotes().map(|r| r.iter().flatten().map(str::to_owned).collect()).unwrap_or_default(),
    };
    let found = git.find_remote(remote).map_err(|_| no_remote(&git))?;
    let url = found.pushurl().or(found.url()).map(str::to_owned);
    url.ok_or_else(|| no_remote(&git))
}

/// The branch HEAD is on, or `None` when HEAD is detached or unborn.
pub fn current_branch(repo: &MigrationRepo) -> Result<Option<String>> {
    let git = open(repo.root())?;
    let head = match git.head() {
        Ok(head) => head,
        Err(_) => return Ok(None),
    };
    Ok(if head.is_branch() { head.shorthand().map(str::to_owned) } else { None })
}

/// The password git's credential helpers hold for `url` (a GitHub token, when
/// the helper is `gh auth git-credential` or a store of one), without ever
/// prompting.
pub fn credential_helper_token(repo: &MigrationRepo, url: &str) -> Option<String> {
    let git = open(repo.root()).ok()?;
    let config = git.config().ok()?;
    git2::CredentialHelper::new(url).config(&config).execute().map(|(_, password)| password)
}

/// Pushes the migration branch to the branch of the same name on `remote`.
/// With `token`, an https remote is authenticated as `x-access-token` with
/// it (how GitHub takes app and Actions tokens); without, `git` uses the
/// user's own credentials. Without `force` a remote branch that has commits
/// the migration branch lacks is left alone and the push fails.
pub fn push_migration_branch(repo: &MigrationRepo, remote: &str, token: Option<&str>, force: bool) -> Result<Pushed> {
    let branch = repo.migration_branch();
    let commit = repo.branch_tip(&branch)?;
    let url = remote_url(repo, remote)?;
    let refspec = format!("{}refs/heads/{branch}:refs/heads/{branch}", if force { "+" } else { "" });

    let mut cmd = Command::new("git");
    cmd.current_dir(repo.root()).env("GIT_TERMINAL_PROMPT", "0").env_remove(TOKEN_VAR);
    if let Some(token) = token {
        // An empty helper first drops the user's helpers for this command, so
        // the token is the only credential offered.
        cmd.args(["-c", "credential.helper="]).arg("-c").arg(format!(
            "credential.helper=!f() {{ test \"$1\" = get || exit 0; echo username=x-access-token; echo \"password=${TOKEN_VAR}\"; }}; f"
        ));
        cmd.env(TOKEN_VAR, token);
    }
    cmd.args(["push", "--porcelain", remote, &refspec]).stdin(Stdio::null());
    let out = cmd.output().map_err(|source| Error::Io {
        action: "running git push in",
        path: repo.root().to_owned(),
        source,
    })?;
    if !out.status.success() {
        let mut message = String::from_utf8_lossy(&out.stderr).into_owned();
        // `--porcelain` puts the per-ref verdict on stdout: `!\tsrc:dst\t[rejected] (non-fast-forward)`.
        for line in String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.starts_with('!')) {
            message.push_str(line);
            message.push('\n');
        }
        let mut message = redact(message.trim(), token);
        if message.contains("non-fast-forward") || message.contains("fetch first") {
            message.push_str(&format!(
                "; {remote}'s {branch} has commits the local one lacks (pushed by someone else, or an older run): pass --force to replace it"
            ));
        }
        return Err(Error::Push { remote: remote.to_owned(), branch, message });
    }
    Ok(Pushed { remote: remote.to_owned(), url: strip_userinfo(&url), branch, commit })
}

/// `text` with `token` and any `user:password@` in URLs taken out.
fn redact(text: &str, token: Option<&str>) -> String {
    let mut text = text.to_owned();
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        text = text.replace(token, "[token]");
    }
    text.split(' ').map(strip_userinfo).collect::<Vec<_>>().join(" ")
}

/// `https://user:secret@host/x` as `https://host/x`; anything else as it is.
pub fn strip_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests;
