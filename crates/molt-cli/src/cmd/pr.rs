//! `molt pr`: push the migration branch and open or update its pull request.

use std::path::PathBuf;

use molt_git::{MigrationRepo, PullRequestDraft, RepoSlug};

use crate::exit::{EnvironmentError, Exit, UsageError};
use crate::output::Output;

/// Push the migration branch and open (or update) its pull request on GitHub.
///
/// The branch `molt/<name>` goes to the remote's branch of the same name; the
/// pull request's description is the run's report (goal, tasks, checks before
/// and after, benchmarks, coverage, unmapped sites), built from .molt/. When
/// an open pull request from that branch exists already, its title and
/// description are replaced instead of opening another, so `molt resume &&
/// molt pr` keeps one pull request up to date.
///
/// The token comes from GITHUB_TOKEN, else GH_TOKEN, else git's credential
/// helper for the remote's host. It is sent to the API and, for an https
/// remote, to `git push`; it is never printed or written anywhere. Other
/// remotes (ssh, a path) are pushed to with git's own configuration.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt pr                           push to origin, open or update the pull request into this branch
  molt pr --base main --json        into main; print the pull request as JSON
  molt pr --repo acme/engine        when the remote's URL does not name the GitHub repository
  molt pr --api-url https://ghe.example.com/api/v3     GitHub Enterprise

In GitHub Actions, GITHUB_REPOSITORY and GITHUB_API_URL are set for you; give the job
`contents: write` and `pull-requests: write` permissions and pass GITHUB_TOKEN.")]
pub struct Args {
    /// The spec file; its folder is the repository, with .molt/ from a run.
    #[arg(long, env = "MOLT_SPEC", default_value = "molt.toml", value_name = "FILE")]
    pub spec: PathBuf,
    /// The git remote to push the migration branch to.
    #[arg(long, env = "MOLT_PR_REMOTE", default_value = "origin", value_name = "NAME")]
    pub remote: String,
    /// The repository on GitHub (default: read from the remote's URL).
    #[arg(long, env = "GITHUB_REPOSITORY", value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// The branch to merge into (default: the branch checked out here).
    #[arg(long, env = "MOLT_PR_BASE", value_name = "BRANCH")]
    pub base: Option<String>,
    /// The GitHub API's base URL; for GitHub Enterprise, https://HOST/api/v3.
    #[arg(long, env = "GITHUB_API_URL", default_value = molt_git::DEFAULT_API_URL, value_name = "URL")]
    pub api_url: String,
    /// Replace the remote branch even when it has commits the migration branch lacks.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args, out: &Output) -> anyhow::Result<Exit> {
    let spec_path = args
        .spec
        .canonicalize()
        .map_err(|_| UsageError(format!("{}: no such spec; run `molt init` to write one", args.spec.display())))?;
    let root = spec_path.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    let spec = molt_agent::spec::load_spec(&spec_path)?;
    let workspace = molt_agent::workspace::Workspace::new(&root);
    let repo = MigrationRepo::open(&root, &spec.migration.name).map_err(git_error)?;
    let branch = repo.migration_branch();
    repo.branch_tip(&branch)
        .map_err(|_| UsageError(format!("there is no migration branch {branch}; run `molt run` first")))?;
    if !workspace.has_state() {
        return Err(UsageError(format!(
            "no run in {} (.molt/state.json is missing); the pull request shows a run's report, start one with `molt run`",
            root.display()
        ))
        .into());
    }

    // Everything is checked before anything is pushed.
    let url = molt_git::remote_url(&repo, &args.remote).map_err(git_error)?;
    let slug = match &args.repo {
        Some(given) => RepoSlug::parse(given).map_err(git_error)?,
        None => RepoSlug::from_remote_url(&url).ok_or_else(|| {
            UsageError(format!(
                "cannot tell the GitHub repository from {}'s URL {}; pass --repo OWNER/NAME",
                args.remote,
                molt_git::strip_userinfo(&url)
            ))
        })?,
    };
    let base = match &args.base {
        Some(b) => b.clone(),
        None => molt_git::current_branch(&repo).map_err(git_error)?.ok_or_else(|| {
            UsageError("HEAD is not on a branch, so the pull request has no base; pass --base BRANCH".into())
        })?,
    };
    let token =
        token(&repo, &url, &args.api_url).ok_or_else(|| EnvironmentError(molt_git::Error::NoToken.to_string()))?;
    let report = molt_agent::report::load(&workspace, &spec)?;
    let text = molt_agent::report::pull_request(&report);
    let github = molt_git::GitHub::new(&args.api_url, &token).map_err(git_error)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| EnvironmentError(format!("cannot start the HTTP runtime: {e}")))?;
    // Asking for the open pull request first proves the token and the
    // repository before anything is pushed.
    let existing = runtime.block_on(github.find_open_pull(&slug, &branch)).map_err(git_error)?;

    // The token authenticates the push only over http(s); ssh and local
    // remotes use what git is configured with.
    let push_token = (url.starts_with("https://") || url.starts_with("http://")).then_some(token.as_str());
    let pushed = molt_git::push_migration_branch(&repo, &args.remote, push_token, args.force).map_err(git_error)?;

    let draft = PullRequestDraft { title: text.title, body: text.body, head: branch.clone(), base: base.clone() };
    let (pull, action, verb) = match existing {
        Some(open) => {
            let pull = runtime.block_on(github.update_pull(&slug, open.number, &draft)).map_err(git_error)?;
            (pull, molt_git::PullAction::Updated, "updated")
        }
        None => {
            let pull = runtime.block_on(github.create_pull(&slug, &draft)).map_err(git_error)?;
            (pull, molt_git::PullAction::Created, "opened")
        }
    };
    let text = format!(
        "pushed {branch} to {} ({})\n{verb} pull request #{} on {slug} ({branch} into {base}): {}",
        pushed.remote,
        pushed.commit.get(..10).unwrap_or(&pushed.commit),
        pull.number,
        pull.html_url
    );
    let value = serde_json::json!({
        "pushed": pushed,
        "pull_request": {
            "repo": slug.to_string(),
            "number": pull.number,
            "url": pull.html_url,
            "action": action,
            "head": branch,
            "base": base,
            "title": draft.title,
        },
    });
    out.result(&value, &text)?;
    Ok(Exit::Done)
}

/// GITHUB_TOKEN, GH_TOKEN, or git's credential helper for the remote's host
/// (for a local remote, the API's host).
fn token(repo: &MigrationRepo, remote_url: &str, api_url: &str) -> Option<String> {
    for var in ["GITHUB_TOKEN", "GH_TOKEN"] {
        if let Some(t) = std::env::var(var).ok().filter(|t| !t.trim().is_empty()) {
            return Some(t.trim().to_owned());
        }
    }
    let web = molt_git::remote_web_url(remote_url).or_else(|| {
        let rest = api_url.split_once("://")?.1;
        let host = rest.split('/').next()?;
        Some(format!("https://{}", host.strip_prefix("api.").unwrap_or(host)))
    })?;
    molt_git::credential_helper_token(repo, &web).filter(|t| !t.trim().is_empty())
}

/// The exit code a molt-git error deserves: the user's input is 2, the
/// machine, the network or the forge's refusal is 3.
fn git_error(e: molt_git::Error) -> anyhow::Error {
    use molt_git::Error as E;
    match &e {
        E::NotARepository { .. } | E::Bare(_) | E::NoRemote { .. } | E::NoBranch(_) | E::BadRepoSlug(_) => {
            UsageError(e.to_string()).into()
        }
        E::Forge { status: 422, .. } => UsageError(e.to_string()).into(),
        E::NoToken | E::Forge { .. } | E::ForgeRequest { .. } | E::Push { .. } | E::Io { .. } => {
            EnvironmentError(e.to_string()).into()
        }
        _ => e.into(),
    }
}
