//! Pull requests through the GitHub REST API (github.com or GitHub
//! Enterprise, whose API lives under another base URL).
//!
//! Three calls: find the open pull request whose head is the migration
//! branch (`GET /repos/{owner}/{repo}/pulls?head=OWNER:BRANCH&state=open`),
//! update it (`PATCH .../pulls/{number}`) or, when there is none, open one
//! (`POST .../pulls`). So running `molt pr` again after another run updates
//! the same pull request instead of opening a second.
//!
//! The token goes only into the `Authorization` header; [`GitHub`]'s `Debug`
//! leaves it out, and an error carries GitHub's own message, never a request.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Error, Result};

/// github.com's API.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// The API version molt speaks (`X-GitHub-Api-Version`).
pub const API_VERSION: &str = "2022-11-28";

/// A repository on the forge, `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepoSlug {
    pub owner: String,
    pub name: String,
}

impl std::fmt::Display for RepoSlug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

fn slug_part(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

impl RepoSlug {
    /// `owner/name`, as `--repo` and `GITHUB_REPOSITORY` give it.
    pub fn parse(s: &str) -> Result<RepoSlug> {
        match s.trim().split_once('/') {
            Some((owner, name)) if slug_part(owner) && slug_part(name) => {
                Ok(RepoSlug { owner: owner.to_owned(), name: name.to_owned() })
            }
            _ => Err(Error::BadRepoSlug(s.to_owned())),
        }
    }

    /// The repository a remote URL names: `https://host/owner/name(.git)`,
    /// `ssh://git@host[:port]/owner/name(.git)` or `git@host:owner/name(.git)`.
    /// `None` for a local path or anything without an owner and a name.
    pub fn from_remote_url(url: &str) -> Option<RepoSlug> {
        let path = if let Some((scheme, rest)) = url.split_once("://") {
            if scheme == "file" {
                return None;
            }
            let (_authority, path) = rest.split_once('/')?;
            path
        } else {
            // scp-like `[user@]host:path`; a path with a slash before the
            // colon, or no colon, is a local path.
            let (host, path) = url.split_once(':')?;
            if host.is_empty() || host.contains('/') || path.starts_with('/') {
                return None;
            }
            path
        };
        let path = path.trim_end_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        let mut parts = path.rsplit('/');
        let name = parts.next()?;
        let owner = parts.next()?;
        RepoSlug::parse(&format!("{owner}/{name}")).ok()
    }
}

/// The web address of the host a remote URL names (`https://github.com`),
/// for asking git's credential helpers; `None` for a local path.
pub fn remote_web_url(url: &str) -> Option<String> {
    let host = if let Some((scheme, rest)) = url.split_once("://") {
        if scheme == "file" {
            return None;
        }
        let authority = rest.split('/').next()?;
        let host = authority.rsplit('@').next()?;
        // An ssh port is not the web port.
        if scheme.starts_with("ssh") || scheme.starts_with("git") {
            host.split(':').next()?
        } else {
            host
        }
    } else {
        let (host, path) = url.split_once(':')?;
        if host.is_empty() || host.contains('/') || path.starts_with('/') {
            return None;
        }
        host.rsplit('@').next()?
    };
    (!host.is_empty()).then(|| format!("https://{host}"))
}

/// A pull request as GitHub returns it (the fields molt uses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub html_url: String,
    pub state: String,
    pub title: String,
}

/// What to open or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestDraft {
    pub title: String,
    pub body: String,
    /// The branch with the changes (the migration branch), in the same repository.
    pub head: String,
    /// The branch to merge into.
    pub base: String,
}

/// Whether [`GitHub::open_or_update`] opened a pull request or updated one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PullAction {
    Created,
    Updated,
}

/// A GitHub API client for one token.
pub struct GitHub {
    client: reqwest::Client,
    api: String,
    token: String,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub").field("api", &self.api).field("token", &"[redacted]").finish()
    }
}

/// GitHub's error body: `{"message": ..., "errors": [{"message": ...}]}`.
#[derive(Debug, Deserialize)]
struct ApiError {
    message: Option<String>,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

fn error_message(body: &str) -> String {
    let Ok(parsed) = serde_json::from_str::<ApiError>(body) else {
        let body = body.trim();
        return if body.is_empty() { "no message".to_owned() } else { body.chars().take(300).collect() };
    };
    let mut message = parsed.message.unwrap_or_else(|| "no message".to_owned());
    let details: Vec<String> = parsed
        .errors
        .iter()
        .filter_map(|e| {
            e.get("message").and_then(|m| m.as_str()).map(str::to_owned).or_else(|| e.as_str().map(str::to_owned))
        })
        .collect();
    if !details.is_empty() {
        message.push_str(": ");
        message.push_str(&details.join("; "));
    }
    message
}

/// `err` with its causes, for a one-line message.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl GitHub {
    /// A client for the API at `api_url` (no trailing slash needed).
    pub fn new(api_url: &str, token: &str) -> Result<GitHub> {
        if token.trim().is_empty() {
            return Err(Error::NoToken);
        }
        let api = api_url.trim_end_matches('/').to_owned();
        if !(api.starts_with("https://") || api.starts_with("http://")) {
            return Err(Error::ForgeRequest {
                what: "the API URL".to_owned(),
                message: format!("{api} is not an http(s) URL"),
            });
        }
        let client = reqwest::Client::builder()
            .user_agent(concat!("molt/", env!("CARGO_PKG_VERSION")))
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| Error::ForgeRequest { what: "the HTTP client".to_owned(), message: chain(&e) })?;
        Ok(GitHub { client, api, token: token.to_owned() })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<serde_json::Value>,
    ) -> Result<serde_json::Value> {
        let what = format!("{method} {path}");
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.api))
            .query(query)
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| Error::ForgeRequest {
            what: format!("{what} at {}", self.api),
            message: chain(&e.without_url()),
        })?;
        let status = response.status();
        let text = response.text().await.map_err(|e| Error::ForgeRequest {
            what: format!("{what} at {}", self.api),
            message: chain(&e.without_url()),
        })?;
        if !status.is_success() {
            return Err(Error::Forge { status: status.as_u16(), what, message: error_message(&text) });
        }
        serde_json::from_str(&text)
            .map_err(|e| Error::ForgeRequest { what, message: format!("an answer that is not JSON: {e}") })
    }

    /// The open pull request from `branch` of `repo` into anything, if any.
    pub async fn find_open_pull(&self, repo: &RepoSlug, branch: &str) -> Result<Option<PullRequest>> {
        let head = format!("{}:{branch}", repo.owner);
        let path = format!("/repos/{}/{}/pulls", repo.owner, repo.name);
        let found = self.call(reqwest::Method::GET, &path, &[("head", &head), ("state", "open")], None).await?;
        let pulls: Vec<PullRequest> = serde_json::from_value(found).map_err(|e| Error::ForgeRequest {
            what: format!("GET {path}"),
            message: format!("an unexpected answer: {e}"),
        })?;
        Ok(pulls.into_iter().min_by_key(|p| p.number))
    }

    /// Opens a pull request.
    pub async fn create_pull(&self, repo: &RepoSlug, draft: &PullRequestDraft) -> Result<PullRequest> {
        let path = format!("/repos/{}/{}/pulls", repo.owner, repo.name);
        let body = json!({ "title": draft.title, "body": draft.body, "head": draft.head, "base": draft.base });
        let made = self.call(reqwest::Method::POST, &path, &[], Some(body)).await?;
        serde_json::from_value(made).map_err(|e| Error::ForgeRequest {
            what: format!("POST {path}"),
            message: format!("an unexpected answer: {e}"),
        })
    }

    /// Replaces pull request `number`'s title and body.
    pub async fn update_pull(&self, repo: &RepoSlug, number: u64, draft: &PullRequestDraft) -> Result<PullRequest> {
        let path = format!("/repos/{}/{}/pulls/{number}", repo.owner, repo.name);
        let body = json!({ "title": draft.title, "body": draft.body });
        let made = self.call(reqwest::Method::PATCH, &path, &[], Some(body)).await?;
        serde_json::from_value(made).map_err(|e| Error::ForgeRequest {
            what: format!("PATCH {path}"),
            message: format!("an unexpected answer: {e}"),
        })
    }

    /// Updates the open pull request from `draft.head`, or opens one.
    pub async fn open_or_update(&self, repo: &RepoSlug, draft: &PullRequestDraft) -> Result<(PullRequest, PullAction)> {
        match self.find_open_pull(repo, &draft.head).await? {
            Some(existing) => Ok((self.update_pull(repo, existing.number, draft).await?, PullAction::Updated)),
            None => Ok((self.create_pull(repo, draft).await?, PullAction::Created)),
        }
    }
}

#[cfg(test)]
mod tests;
