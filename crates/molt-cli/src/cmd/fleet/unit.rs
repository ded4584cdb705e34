//! Running one unit from the command line: `molt run --repo URL[@REV]` and
//! `molt fleet run --index I` both end here.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use molt_fleet::fleet::split_rev;
use molt_fleet::result::UnitResult;
use molt_fleet::unit::{Publish, SpecSource, Unit, UnitOptions};

use super::RunArgs;
use crate::exit::{Exit, UsageError};
use crate::output::Output;

/// Publishing and scratch options shared by `molt run --repo` and `molt fleet run`.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "A fleet's unit (molt run --repo, molt fleet run)")]
pub struct PublishArgs {
    /// Push the migration branch and open (or update) its pull request; fleet.toml's
    /// pull_requests = true does the same.
    #[arg(long, env = "MOLT_PR", value_parser = clap::builder::BoolishValueParser::new())]
    pub pr: bool,
    /// The repository on GitHub, when the URL does not name it.
    #[arg(long, value_name = "OWNER/NAME")]
    pub github: Option<String>,
    /// The pull request's base branch (default: the branch cloned).
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,
    /// The GitHub API's base URL (default: fleet.toml's api_url, else GitHub's).
    #[arg(long, env = "GITHUB_API_URL", value_name = "URL")]
    pub api_url: Option<String>,
    /// Replace a remote migration branch that holds another change.
    #[arg(long)]
    pub force_push: bool,
    /// Where the scratch folder is made (default: the system's temporary folder).
    #[arg(long, env = "MOLT_WORK_DIR", value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Keep the scratch folder afterwards, to look at .molt/ and the clone.
    #[arg(long)]
    pub keep: bool,
}

/// `molt run --repo URL[@REV] --out FILE`.
pub(crate) fn run_repo(
    args: &crate::cmd::run::Args,
    repo: &str,
    out_file: &Path,
    out: &Output,
) -> anyhow::Result<Exit> {
    let (url, rev) = split_rev(repo);
    let spec = match &args.spec {
        Some(path) => {
            SpecSource::Fleet(path.canonicalize().map_err(|_| UsageError(format!("{}: no such spec", path.display())))?)
        }
        None => SpecSource::Repository("molt.toml".into()),
    };
    let unit = Unit {
        url: url.to_owned(),
        rev: rev.map(str::to_owned),
        name: molt_fleet::fleet::name_from_url(url),
        labels: Vec::new(),
        index: None,
        spec,
        max_usd: None,
    };
    let publish = args.publish.pr.then(|| publish(&args.publish, None, &args.publish.api_url, false));
    let jobs = args.jobs.unwrap_or_else(default_jobs);
    let model_override = crate::cmd::run::model_override(args)?;
    finish(&unit, options(&args.publish, jobs, publish, model_override, out), out_file, out)
}

/// `molt fleet run --index I`.
pub(crate) fn run_index(args: RunArgs, out: &Output) -> anyhow::Result<Exit> {
    let fleet = super::load(&args.fleet)?;
    let repo = fleet.repo(args.index)?.clone();
    let spec = match (&repo.spec, &fleet.spec) {
        (Some(rel), _) => SpecSource::Repository(rel.clone()),
        (None, Some(path)) => SpecSource::Fleet(path.canonicalize().map_err(|_| {
            UsageError(format!("{}: fleet.spec names {}, which does not exist", args.fleet.display(), path.display()))
        })?),
        (None, None) => SpecSource::Repository("molt.toml".into()),
    };
    let unit = Unit {
        url: repo.url.clone(),
        rev: repo.rev.clone(),
        name: repo.name.clone(),
        labels: repo.labels.clone(),
        index: Some(args.index),
        spec,
        max_usd: fleet.cap_usd(&repo),
    };
    let out_file = match (&args.out, &args.out_dir) {
        (Some(f), _) => f.clone(),
        (None, Some(dir)) => dir.join(format!("result-{}.json", args.index)),
        (None, None) => return Err(UsageError("give --out FILE or --out-dir DIR".into()).into()),
    };
    let publish = (args.publish.pr || fleet.pull_requests).then(|| {
        let mut p = publish(
            &args.publish,
            repo.github.clone(),
            &args.publish.api_url.clone().or(fleet.api_url.clone()),
            fleet.force_push,
        );
        if p.base.is_none() && repo.rev_is_branch {
            p.base = repo.rev.clone();
        }
        p
    });
    let jobs = args.jobs.or(fleet.jobs).unwrap_or_else(default_jobs);
    let opts = options(&args.publish, jobs, publish, molt_agent::run::ModelOverride::default(), out);
    finish(&unit, opts, &out_file, out)
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn publish(args: &PublishArgs, github: Option<String>, api_url: &Option<String>, force: bool) -> Publish {
    Publish {
        github: args.github.clone().or(github),
        api_url: api_url.clone().unwrap_or_else(|| molt_git::DEFAULT_API_URL.to_owned()),
        token: token(),
        base: args.base.clone(),
        force: args.force_push || force,
    }
}

/// GITHUB_TOKEN, else GH_TOKEN. (A unit has no repository before its clone
/// to ask a credential helper in; CI engines pass tokens as variables.)
fn token() -> Option<String> {
    ["GITHUB_TOKEN", "GH_TOKEN"]
        .iter()
        .find_map(|var| std::env::var(var).ok().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()))
}

fn options(
    args: &PublishArgs,
    jobs: usize,
    publish: Option<Publish>,
    model_override: molt_agent::run::ModelOverride,
    out: &Output,
) -> UnitOptions {
    let quiet = out.quiet;
    UnitOptions {
        work_dir: args.work_dir.clone().unwrap_or_else(std::env::temp_dir),
        keep: args.keep,
        jobs: jobs.max(1),
        publish,
        observer: Some(crate::cmd::run::observer(out)),
        steps: Some(Arc::new(move |line: &str| {
            if !quiet {
                eprintln!("molt: {line}");
            }
        })),
        model_override,
        cassette: molt_llm::CassetteMode::Off,
        env: molt_llm::Env::process(),
    }
}

fn finish(unit: &Unit, opts: UnitOptions, out_file: &Path, out: &Output) -> anyhow::Result<Exit> {
    let result = molt_fleet::unit::run_unit(unit, &opts);
    result.write(out_file)?;
    out.result(&serde_json::json!({ "result": &result, "file": out_file }), &text(&result, out_file))?;
    Ok(match result.exit_code() {
        0 => Exit::Done,
        1 => Exit::Incomplete,
        2 => Exit::Usage,
        _ => Exit::Environment,
    })
}

fn text(r: &UnitResult, file: &Path) -> String {
    let mut s = format!("{}: {}", r.repository.name, r.outcome);
    if let Some(reason) = &r.reason {
        s.push_str(&format!(" ({reason})"));
    }
    if let Some(e) = &r.error {
        s.push_str(&format!("\n{} failed: {}", e.stage.as_str(), e.message));
    }
    if let Some(c) = &r.coverage {
        s.push_str(&format!("\n{} of {} sites migrated", c.migrated(), c.total));
    }
    if let Some(p) = &r.pull_request {
        let action =
            serde_json::to_value(p.action).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        s.push_str(&format!("\npull request #{} ({action}): {}", p.number, p.url));
    }
    if r.up_to_date {
        s.push_str("\nthe branch and the pull request were already up to date; left alone");
    }
    s.push_str(&format!("\nresult: {}", file.display()));
    s
}
