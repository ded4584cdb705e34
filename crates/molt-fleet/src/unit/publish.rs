//! A unit's branch on the remote and its pull request, made idempotent.
//!
//! The clone fetched the remote's branches, so the migration branch already
//! there (from an earlier run of the same unit) is known before pushing. A
//! run made again makes the same change with other commit ids; what counts
//! is the tree and the base: the same tree on the same base is up to date,
//! nothing is pushed, and an open pull request for it is left alone. A
//! different tree (another change, or the same on a newer base) replaces the
//! remote branch when every commit on it is molt's; when a person pushed to
//! it, only with `force`. Then the pull request's text is updated.

use std::path::Path;

use molt_core::Spec;
use molt_git::{MigrationRepo, PullRequestDraft, RemoteBranch, RepoSlug};

use super::{step, StageError, UnitOptions};
use crate::result::{PullAction, PullRequest, PushAction, Stage, UnitResult};

/// Where and how to publish.
#[derive(Clone, PartialEq, Eq)]
pub struct Publish {
    /// The repository on GitHub, when the clone's URL does not name it.
    pub github: Option<String>,
    pub api_url: String,
    /// A GitHub token; `None` is an error at the pull request stage.
    pub token: Option<String>,
    /// The pull request's base (default: the branch the clone checked out,
    /// else the remote's default branch).
    pub base: Option<String>,
    /// Replace a remote branch that holds something else.
    pub force: bool,
}

impl std::fmt::Debug for Publish {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publish")
            .field("github", &self.github)
            .field("api_url", &self.api_url)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("base", &self.base)
            .field("force", &self.force)
            .finish()
    }
}

const REMOTE: &str = "origin";

pub(super) fn publish(
    git: &MigrationRepo,
    spec: &Spec,
    root: &Path,
    checked_out: Option<String>,
    publish: &Publish,
    opts: &UnitOptions,
    result: &mut UnitResult,
) -> Result<(), StageError> {
    let Some(branch) = result.branch.as_mut() else { return Ok(()) };
    if branch.commits.is_empty() {
        step(opts, "nothing was committed: no branch to push, no pull request");
        return Ok(());
    }
    let url = molt_git::remote_url(git, REMOTE).map_err(|e| (Stage::Push, e.to_string()))?;
    let slug = match &publish.github {
        Some(given) => RepoSlug::parse(given).map_err(|e| (Stage::PullRequest, e.to_string()))?,
        None => RepoSlug::from_remote_url(&url).ok_or_else(|| {
            (
                Stage::PullRequest,
                format!(
                    "cannot tell the GitHub repository from the URL {}; name it (--github OWNER/NAME, or github in fleet.toml)",
                    molt_git::strip_userinfo(&url)
                ),
            )
        })?,
    };
    let base = publish.base.clone().or(checked_out).ok_or_else(|| {
        (
            Stage::PullRequest,
            "the revision is not a branch and the remote has no default branch; name the base branch".to_owned(),
        )
    })?;
    let token = publish.token.clone().ok_or_else(|| (Stage::PullRequest, molt_git::Error::NoToken.to_string()))?;
    let github = molt_git::GitHub::new(&publish.api_url, &token).map_err(|e| (Stage::PullRequest, e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (Stage::PullRequest, format!("cannot start the HTTP runtime: {e}")))?;
    // Asking for the open pull request first proves the token and the
    // repository before anything is pushed.
    let existing = runtime
        .block_on(github.find_open_pull(&slug, &branch.name))
        .map_err(|e| (Stage::PullRequest, e.to_string()))?;

    let remote = git.compare_remote_branch(REMOTE, &branch.base).map_err(|e| (Stage::Push, e.to_string()))?;
    let push_token = (url.starts_with("https://") || url.starts_with("http://")).then_some(token.as_str());
    branch.push = match remote {
        RemoteBranch::UpToDate { .. } => PushAction::UpToDate,
        RemoteBranch::Absent | RemoteBranch::Differs { .. } => {
            let force = match remote {
                RemoteBranch::Differs { molts_only, .. } => molts_only || publish.force,
                _ => false,
            };
            let pushed = molt_git::push_migration_branch(git, REMOTE, push_token, force).map_err(|e| {
                let message = e.to_string().replace(
                    "pass --force to replace it",
                    "it has commits that are not molt's; pass --force-push (or force_push = true in fleet.toml) to replace it",
                );
                (Stage::Push, message)
            })?;
            step(opts, &format!("pushed {} ({})", pushed.branch, &pushed.commit[..pushed.commit.len().min(10)]));
            if matches!(remote, RemoteBranch::Absent) {
                PushAction::Created
            } else {
                PushAction::Updated
            }
        }
    };
    let up_to_date = branch.push == PushAction::UpToDate;

    let (pull, action) = match existing {
        Some(open) if up_to_date => (open, PullAction::Unchanged),
        existing => {
            let report = molt_agent::report::load(&molt_agent::workspace::Workspace::new(root), spec)
                .map_err(|e| (Stage::PullRequest, e.to_string()))?;
            let text = molt_agent::report::pull_request(&report);
            let draft =
                PullRequestDraft { title: text.title, body: text.body, head: branch.name.clone(), base: base.clone() };
            let answer = match &existing {
                Some(open) => runtime.block_on(github.update_pull(&slug, open.number, &draft)),
                None => runtime.block_on(github.create_pull(&slug, &draft)),
            };
            let pull = answer.map_err(|e| (Stage::PullRequest, e.to_string()))?;
            (pull, if existing.is_some() { PullAction::Updated } else { PullAction::Created })
        }
    };
    step(opts, &format!("pull request #{} on {slug}: {}", pull.number, pull.html_url));
    result.up_to_date = up_to_date && action == PullAction::Unchanged;
    result.pull_request = Some(PullRequest { repo: slug.to_string(), number: pull.number, url: pull.html_url, action });
    Ok(())
}
