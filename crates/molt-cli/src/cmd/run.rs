//! `molt run` and `molt resume`: execute the plan.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use molt_agent::run::{RunConfig, RunSummary};
use molt_core::{Event, EventKind};

use crate::exit::{Exit, UsageError};
use crate::output::Output;

/// Run the migration: plan, baseline, tasks in worktrees, checks, commits.
///
/// Each task runs in its own git worktree; the recipe's rules edit the code,
/// the spec's checks run, and only a green task is committed and merged into
/// the migration branch `molt/<name>`. Your own branch, index and working tree
/// are never touched. State is kept in .molt/, so after a crash or Ctrl-C
/// `molt resume` continues where the run stopped without repeating a commit.
///
/// One molt runs in a repository at a time (.molt/run.lock); a second is
/// refused. On start molt removes the git lock files that a killed molt left
/// in its own branches and worktrees; a lock file of your own git (such as
/// .git/index.lock) is named in a warning and left alone.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt run                      plan (if .molt/plan.json is absent) and run every task
  molt run --jobs 4             four tasks at once
  molt run --json               JSON-lines events on stdout, for CI bots
  molt run --ci                 for CI: JSON-lines events on stdout, the steps and a summary on stderr
  molt run --record run.jsonl   keep the model traffic; `--replay run.jsonl` reruns it offline
  molt plan && $EDITOR .molt/plan.json && molt run    run a plan you edited
  molt run --repo https://github.com/acme/engine@main --out result.json --pr
                                a fresh clone migrated in a scratch folder, its pull request opened,
                                and result.json written (see `molt fleet`)

In CI:
  Every option can come from the environment instead (MOLT_JOBS=4, MOLT_CI=1, ...: see [env:]
  above), the model's settings from molt.toml's [model] and the provider's key from its usual
  variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, the AWS chain). --ci never prompts, draws no
  progress bars and assumes no terminal. stdout carries only JSON lines: one per event (the last
  one `run_finished`), then `{\"summary\": ...}`, or `{\"error\": ..., \"exit\": N}` when molt
  cannot run. The exit code says how it went:
    0  every task committed and every final check passing
    1  migration incomplete, or checks failed (the report in .molt/ says what)
    2  usage or spec error (molt.toml, .molt/plan.json, a flag)
    3  environment error (a missing tool, an unreachable model server, another molt running here)")]
pub struct Args {
    /// The spec file; its folder is the repository to migrate [default: molt.toml]. With --repo,
    /// a fleet-wide spec on this machine instead of the repository's own molt.toml.
    #[arg(long, env = "MOLT_SPEC", value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Clone this repository (URL, or URL@REV for a branch, a tag or a commit) into a scratch
    /// folder and migrate it there; writes the result file --out names (a fleet's unit of work).
    #[arg(long, value_name = "URL[@REV]", requires = "out")]
    pub repo: Option<String>,
    /// The result file of a --repo run (its schema: docs/schemas/fleet-result.schema.json).
    #[arg(long, value_name = "FILE", requires = "repo")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub publish: crate::cmd::fleet::PublishArgs,
    /// Tasks to run at once (default: the number of cores).
    #[arg(long, short = 'j', env = "MOLT_JOBS", value_name = "N")]
    pub jobs: Option<usize>,
    /// Start even when files the migration includes have uncommitted changes.
    #[arg(long, env = "MOLT_ALLOW_DIRTY", value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_dirty: bool,
    /// Run each bench check this many times instead of the spec's `runs`.
    #[arg(long, env = "MOLT_BENCH_RUNS", value_name = "K")]
    pub bench_runs: Option<u32>,
    /// The model provider, over molt.toml's [model] provider.
    #[arg(long, env = "MOLT_PROVIDER", value_parser = ["openai", "anthropic", "bedrock"])]
    pub provider: Option<String>,
    /// The model, over molt.toml's [model] model.
    #[arg(long, env = "MOLT_MODEL", value_name = "NAME")]
    pub model: Option<String>,
    /// Append every model request and answer to this JSONL cassette (no keys are written).
    #[arg(long, env = "MOLT_RECORD", value_name = "FILE", conflicts_with = "replay")]
    pub record: Option<PathBuf>,
    /// Answer model requests from this cassette instead of the network.
    #[arg(long, env = "MOLT_REPLAY", value_name = "FILE")]
    pub replay: Option<PathBuf>,
    /// CI mode: JSON-lines events on stdout, the steps and a summary for people on stderr, no
    /// progress bars, no colors (unless --color always), no prompts; in GitHub Actions the report
    /// is added to the job's summary (GITHUB_STEP_SUMMARY). Exit codes below.
    #[arg(long, env = "MOLT_CI", value_parser = clap::builder::BoolishValueParser::new())]
    pub ci: bool,
}

pub fn run(args: Args, out: &Output, resume: bool) -> anyhow::Result<Exit> {
    if let (Some(repo), Some(out_file)) = (&args.repo, &args.out) {
        if resume {
            return Err(UsageError("--repo runs a fresh clone; there is nothing to resume".into()).into());
        }
        return crate::cmd::fleet::run_repo(&args, repo, out_file, out);
    }
    let p = &args.publish;
    if p.pr || p.github.is_some() || p.base.is_some() || p.force_push || p.keep {
        return Err(UsageError(
            "--pr, --github, --base, --force-push and --keep go with --repo; for the repository here, use `molt pr`"
                .into(),
        )
        .into());
    }
    let spec_arg = args.spec.clone().unwrap_or_else(|| PathBuf::from("molt.toml"));
    let spec = spec_arg
        .canonicalize()
        .map_err(|_| UsageError(format!("{}: no such spec; run `molt init` to write one", spec_arg.display())))?;
    let repo = spec.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    if resume && !molt_agent::workspace::Workspace::new(&repo).has_state() {
        return Err(
            UsageError("there is no run to resume here (.molt/state.json is missing); use `molt run`".into()).into()
        );
    }
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())).max(1);
    let observer = observer(out);
    let model_override = model_override(&args)?;
    let cassette = match (&args.record, &args.replay) {
        (Some(f), _) => molt_llm::CassetteMode::Record(f.clone()),
        (_, Some(f)) => {
            if !f.is_file() {
                return Err(UsageError(format!("{}: no such cassette", f.display())).into());
            }
            molt_llm::CassetteMode::Replay(f.clone())
        }
        _ => molt_llm::CassetteMode::Off,
    };
    let cfg = RunConfig {
        repo: repo.clone(),
        spec,
        jobs,
        allow_dirty: args.allow_dirty,
        bench_runs: args.bench_runs,
        observer: Some(observer),
        model_override,
        cassette,
        env: molt_llm::Env::process(),
        only: None,
    };
    let summary = molt_agent::run::run(&cfg).context("the run stopped")?;
    print_summary(&summary, out)?;
    if let Some(stopped) = &summary.stopped {
        if out.ci {
            out.note(&format!("stopped: {stopped}"));
        } else {
            out.line(&format!("stopped: {stopped}"));
        }
    }
    if out.ci {
        step_summary(&summary)?;
    }
    Ok(if summary.passed { Exit::Done } else { Exit::Incomplete })
}

/// `--provider` and `--model`.
pub(crate) fn model_override(args: &Args) -> anyhow::Result<molt_agent::run::ModelOverride> {
    Ok(molt_agent::run::ModelOverride {
        provider: args.provider.as_deref().map(|p| p.parse()).transpose().map_err(UsageError)?,
        model: args.model.clone(),
        max_usd: None,
    })
}

/// In GitHub Actions (`GITHUB_STEP_SUMMARY` names a file), appends the run's
/// report.md there, so the job's page shows the report.
fn step_summary(summary: &RunSummary) -> anyhow::Result<()> {
    use std::io::Write;
    let Some(target) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()) else { return Ok(()) };
    let Some(md) = summary.reports.iter().find(|p| p.extension().is_some_and(|e| e == "md")) else { return Ok(()) };
    let text = std::fs::read_to_string(md).with_context(|| format!("reading {}", md.display()))?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&target)
        .with_context(|| format!("opening GITHUB_STEP_SUMMARY ({})", PathBuf::from(&target).display()))?;
    writeln!(file, "{text}")
        .with_context(|| format!("writing GITHUB_STEP_SUMMARY ({})", PathBuf::from(&target).display()))?;
    Ok(())
}

/// JSON lines under --json; otherwise a line per task event on stderr. CI
/// mode gets both: the JSON on stdout and the lines on stderr.
pub(crate) fn observer(out: &Output) -> Arc<dyn Fn(&Event) + Send + Sync> {
    let json = out.json;
    let quiet = out.quiet;
    let ci = out.ci;
    if !json && !quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let progress = crate::progress::Progress::new();
        return Arc::new(move |event: &Event| progress.on(event));
    }
    Arc::new(move |event: &Event| {
        use std::io::Write;
        if json {
            let _ = writeln!(std::io::stdout().lock(), "{}", event.to_line());
            if !ci {
                return;
            }
        }
        if quiet {
            return;
        }
        let line = match &event.kind {
            EventKind::RunStarted { migration, branch, tasks, jobs } => {
                format!("molt: {migration}: {tasks} tasks, {jobs} at a time, onto {branch}")
            }
            EventKind::TaskStarted { task, attempt } if *attempt > 1 => format!("  start   {task} (attempt {attempt})"),
            EventKind::TaskStarted { task, .. } => format!("  start   {task}"),
            EventKind::TaskCommitted { task, commit } => {
                format!("  commit  {task} {}", commit.get(..10).unwrap_or(commit))
            }
            EventKind::TaskFailed { task, reason, .. } => format!("  FAILED  {task}: {reason}"),
            EventKind::TaskBlocked { task, by } => format!("  blocked {task} (needs {by})"),
            EventKind::StaleLocksRemoved { paths } => {
                format!("  removed the git locks a killed molt left: {}", paths.join(", "))
            }
            EventKind::Warning { message } => format!("  warning: {message}"),
            EventKind::CheckFinished { task: None, check, passed, duration_ms, .. } => {
                format!(
                    "  check   {check}: {} in {:.1}s",
                    if *passed { "pass" } else { "fail" },
                    *duration_ms as f64 / 1000.0
                )
            }
            _ => return,
        };
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    })
}

fn print_summary(s: &RunSummary, out: &Output) -> anyhow::Result<()> {
    let total = s.committed + s.failed + s.blocked + s.pending;
    let mut text = String::new();
    text.push_str(&format!(
        "\n{}: {} of {total} tasks committed on {}{}\n",
        s.migration,
        s.committed,
        s.branch,
        if s.failed + s.blocked > 0 { format!(" ({} failed, {} blocked)", s.failed, s.blocked) } else { String::new() }
    ));
    text.push_str(&format!("{}\n\n", s.coverage.line()));
    text.push_str(&format!("{:<14} {:<34} {}\n", "check", "before (base commit)", "after (migration branch)"));
    for after in &s.final_checks {
        let before = s.baseline.iter().find(|b| b.name == after.name);
        let before = before.map(|b| format!("{} ({})", b.outcome, b.detail)).unwrap_or_default();
        let outcome = if molt_verify::Outcome::from_name(&after.outcome).is_some_and(molt_verify::Outcome::passed) {
            out.good(&after.outcome)
        } else {
            out.bad(&after.outcome)
        };
        let detail =
            if after.detail.is_empty() { String::new() } else { format!(" ({})", truncate(&after.detail, 90)) };
        text.push_str(&format!("{:<14} {:<34} {outcome}{detail}\n", after.name, truncate(&before, 34)));
    }
    if let Some(html) = s.reports.iter().find(|p| p.extension().is_some_and(|e| e == "html")) {
        text.push_str(&format!("\nreport: {} (and report.md, report.json beside it)", html.display()));
    }
    text.push_str(&format!(
        "\nresult: {}\nnext: git log --oneline {b}   |   git diff HEAD...{b}   |   molt status",
        if s.passed { out.good("migration complete") } else { out.bad("migration incomplete") },
        b = s.branch
    ));
    out.result(&serde_json::json!({ "summary": s }), &text)?;
    if out.ci {
        out.note(text.trim_start());
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
