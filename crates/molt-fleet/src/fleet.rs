//! `fleet.toml`: the repositories of a fleet and its budget.
//!
//! ```toml
//! [fleet]
//! name = "graviton"            # the report's title
//! spec = "molt.toml"           # a fleet-wide spec, relative to this file; without
//!                              # it each repository's own molt.toml is used
//! pull_requests = true         # push each branch and open its pull request
//! api_url = "https://api.github.com"
//! jobs = 2                     # tasks at once inside one repository
//!
//! [budget]
//! max_usd_per_repo = 5.0       # the model's spending cap for one repository
//! max_usd = 200.0              # for the whole fleet: each repository gets at most
//!                              # this divided by the number of repositories
//!
//! [[repo]]
//! url = "https://github.com/acme/engine.git"
//! branch = "main"              # or rev = "v1.4.2" (a tag or a commit); neither: the default branch
//! name = "engine"              # default: the URL's last part
//! spec = "services/molt.toml"  # this repository's own spec, over the fleet's
//! github = "acme/engine"       # when the URL does not name the GitHub repository
//! labels = ["team-infra", "c"]
//! max_usd = 2.0                # over the budget's per-repository cap (the lower holds)
//! ```
//!
//! The total is split evenly ahead of time because the units of a fleet run
//! on different machines with nothing shared between them: a static share is
//! the only cap that holds without a coordinator.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::{Error, Result};

/// A fleet file, loaded and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Fleet {
    /// The file it was read from.
    pub path: PathBuf,
    pub name: String,
    /// The fleet-wide spec, resolved against the fleet file's folder.
    pub spec: Option<PathBuf>,
    pub pull_requests: bool,
    pub api_url: Option<String>,
    pub force_push: bool,
    pub jobs: Option<usize>,
    pub budget: Budget,
    pub repos: Vec<Repo>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Budget {
    pub max_usd_per_repo: Option<f64>,
    pub max_usd: Option<f64>,
}

/// One repository of the fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct Repo {
    pub url: String,
    pub name: String,
    /// A branch, a tag or a commit to check out.
    pub rev: Option<String>,
    /// Whether `rev` came from `branch = ...` (it is then the pull request's base).
    pub rev_is_branch: bool,
    /// The repository's own spec, relative to its root.
    pub spec: Option<String>,
    pub github: Option<String>,
    pub labels: Vec<String>,
    pub max_usd: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    fleet: RawFleet,
    #[serde(default)]
    budget: RawBudget,
    #[serde(default)]
    repo: Vec<RawRepo>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFleet {
    name: Option<String>,
    spec: Option<String>,
    #[serde(default)]
    pull_requests: bool,
    api_url: Option<String>,
    #[serde(default)]
    force_push: bool,
    jobs: Option<Spanned<usize>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    max_usd_per_repo: Option<Spanned<f64>>,
    max_usd: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRepo {
    url: Spanned<String>,
    name: Option<Spanned<String>>,
    rev: Option<String>,
    branch: Option<String>,
    spec: Option<String>,
    github: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
    max_usd: Option<Spanned<f64>>,
}

impl Fleet {
    /// Reads and validates a fleet file.
    pub fn load(path: &Path) -> Result<Fleet> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
        Fleet::parse(path, &text)
    }

    /// Validates `text` as the fleet file at `path` (which names it in errors
    /// and anchors the fleet-wide spec).
    pub fn parse(path: &Path, text: &str) -> Result<Fleet> {
        let file = path.file_name().map_or_else(|| "fleet.toml".to_owned(), |n| n.to_string_lossy().into_owned());
        let at = |offset: usize, message: String| Error::FleetFile {
            file: file.clone(),
            line: text[..offset.min(text.len())].matches('\n').count() + 1,
            message,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            at(offset, e.message().trim().to_owned())
        })?;
        let positive = |v: &Spanned<f64>, field: &str| -> Result<f64> {
            let x = *v.get_ref();
            if x.is_finite() && x > 0.0 {
                Ok(x)
            } else {
                Err(at(v.span().start, format!("{field}: must be a positive number of dollars, not {x}")))
            }
        };
        let budget = Budget {
            max_usd_per_repo: raw
                .budget
                .max_usd_per_repo
                .as_ref()
                .map(|v| positive(v, "budget.max_usd_per_repo"))
                .transpose()?,
            max_usd: raw.budget.max_usd.as_ref().map(|v| positive(v, "budget.max_usd")).transpose()?,
        };
        if let Some(jobs) = &raw.fleet.jobs {
            if *jobs.get_ref() == 0 {
                return Err(at(jobs.span().start, "fleet.jobs: must be at least 1".into()));
            }
        }
        if raw.repo.is_empty() {
            return Err(at(text.len(), "the fleet has no repositories; add a [[repo]] table with a url".into()));
        }
        let mut repos: Vec<Repo> = Vec::with_capacity(raw.repo.len());
        let mut lines: Vec<usize> = Vec::with_capacity(raw.repo.len());
        for r in &raw.repo {
            let start = r.url.span().start;
            let url = r.url.get_ref().trim().to_owned();
            if url.is_empty() {
                return Err(at(start, "repo.url: must not be empty".into()));
            }
            if url.starts_with('-') {
                return Err(at(start, "repo.url: a URL cannot start with '-'".into()));
            }
            if r.rev.is_some() && r.branch.is_some() {
                return Err(at(start, format!("repo {url}: give rev or branch, not both")));
            }
            let name = match &r.name {
                Some(n) => {
                    let n = n.get_ref().clone();
                    if !valid_name(&n) {
                        return Err(at(
                            r.name.as_ref().map_or(start, |n| n.span().start),
                            format!("repo.name: \"{n}\" must be letters, digits, '.', '_' and '-'"),
                        ));
                    }
                    n
                }
                None => name_from_url(&url),
            };
            if let Some(i) = repos.iter().position(|o| o.name == name) {
                return Err(at(
                    start,
                    format!(
                        "repo {url}: the name \"{name}\" is taken by the repository on line {}; give one of them name = \"...\"",
                        lines[i]
                    ),
                ));
            }
            if let Some(spec) = &r.spec {
                if spec.starts_with('/') || spec.split('/').any(|p| p == "..") {
                    return Err(at(start, format!("repo {url}: spec \"{spec}\" must be a path inside the repository")));
                }
            }
            if let Some(gh) = &r.github {
                if molt_git::RepoSlug::parse(gh).is_err() {
                    return Err(at(start, format!("repo {url}: github \"{gh}\" must be OWNER/NAME")));
                }
            }
            let max_usd = r.max_usd.as_ref().map(|v| positive(v, "repo.max_usd")).transpose()?;
            lines.push(text[..start.min(text.len())].matches('\n').count() + 1);
            repos.push(Repo {
                url,
                name,
                rev_is_branch: r.branch.is_some(),
                rev: r.branch.clone().or_else(|| r.rev.clone()),
                spec: r.spec.clone(),
                github: r.github.clone(),
                labels: r.labels.clone(),
                max_usd,
            });
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let name = raw.fleet.name.clone().unwrap_or_else(|| {
            path.file_stem().map_or_else(|| "fleet".to_owned(), |s| s.to_string_lossy().into_owned())
        });
        Ok(Fleet {
            path: path.to_owned(),
            name,
            spec: raw.fleet.spec.as_ref().map(|s| base.join(s)),
            pull_requests: raw.fleet.pull_requests,
            api_url: raw.fleet.api_url.clone(),
            force_push: raw.fleet.force_push,
            jobs: raw.fleet.jobs.as_ref().map(|j| *j.get_ref()),
            budget,
            repos,
        })
    }

    /// The `index`-th repository.
    pub fn repo(&self, index: usize) -> Result<&Repo> {
        self.repos.get(index).ok_or(Error::NoSuchIndex { index, count: self.repos.len() })
    }

    /// The spending cap of one repository: the lowest of its own cap, the
    /// per-repository cap and its even share of the fleet's total.
    pub fn cap_usd(&self, repo: &Repo) -> Option<f64> {
        let share = self.budget.max_usd.map(|total| total / self.repos.len().max(1) as f64);
        [repo.max_usd, self.budget.max_usd_per_repo, share].into_iter().flatten().reduce(f64::min)
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The last part of a URL without `.git`, with anything unsafe for a job or
/// an artifact name made `-`.
pub fn name_from_url(url: &str) -> String {
    let tail = url.trim_end_matches('/').rsplit(['/', ':']).next().unwrap_or(url);
    let tail = tail.strip_suffix(".git").unwrap_or(tail);
    let name: String =
        tail.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' }).collect();
    if name.is_empty() {
        "repo".to_owned()
    } else {
        name
    }
}

/// Splits `URL@REV`: the revision is what follows the last `@` when that
/// `@` comes after the URL's last `/` and the rest has no `:` (so
/// `git@host:org/repo` and `https://user@host/repo` keep their `@`). A
/// revision with a `/` in it goes in the fleet file's `rev` or `branch`.
pub fn split_rev(spec: &str) -> (&str, Option<&str>) {
    match spec.rsplit_once('@') {
        Some((url, rev)) if !url.is_empty() && !rev.is_empty() && !rev.contains([':', '/']) && url.contains('/') => {
            (url, Some(rev))
        }
        _ => (spec, None),
    }
}

#[cfg(test)]
mod tests;
