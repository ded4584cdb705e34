//! `molt fleet`: one migration across the repositories of a fleet file, fanned
//! out by an engine the user already runs (GitHub Actions, Kubernetes).

mod unit;

use std::path::PathBuf;

use molt_fleet::fleet::Fleet;

use crate::exit::{Exit, UsageError};
use crate::output::Output;

pub(crate) use unit::run_repo;
pub use unit::PublishArgs;

/// Migrate a fleet of repositories: shard it for an engine, run one index, aggregate the results.
///
/// molt does not schedule a fleet: GitHub Actions (a matrix) or Kubernetes
/// (an Indexed Job) runs one `molt fleet run` per repository, each a
/// hermetic unit (a fresh clone in a scratch folder, the migration, an
/// optional pull request, one result file), and `molt fleet report` reads
/// the result files. See examples/github-actions/molt-fleet.yml and
/// examples/kubernetes/molt-fleet-job.yaml.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    Matrix(MatrixArgs),
    Run(RunArgs),
    Report(ReportArgs),
}

/// Print the GitHub Actions matrix: one JSON line per chunk of at most 256 jobs.
///
/// GitHub runs at most 256 jobs from one matrix per workflow run; a larger
/// fleet is dispatched once per chunk (--chunk K prints only chunk K). Each
/// job is {"index": I, "name": NAME}; the job runs `molt fleet run --index I`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt fleet matrix                      every chunk, one JSON line each
  molt fleet matrix --chunk 0            the first chunk only, for a workflow's output:
    echo \"matrix=$(molt fleet matrix --chunk \"$CHUNK\")\" >> \"$GITHUB_OUTPUT\"")]
pub struct MatrixArgs {
    /// The fleet file.
    #[arg(long, env = "MOLT_FLEET", default_value = "fleet.toml", value_name = "FILE")]
    pub fleet: PathBuf,
    /// Print only this chunk (0-based).
    #[arg(long, value_name = "K")]
    pub chunk: Option<usize>,
    /// Jobs per chunk, at most 256.
    #[arg(long, default_value_t = 256, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=256))]
    pub max_jobs: u64,
}

/// Run the fleet's I-th repository as a hermetic unit and write its result file.
///
/// The repository is cloned into a fresh scratch folder (removed afterwards),
/// migrated there with the fleet's spec or its own, and, when the fleet says
/// pull_requests = true (or --pr), its branch is pushed and its pull request
/// opened. Running an index again is safe: a branch already on the remote with
/// the same change is not pushed again and its pull request is left alone.
/// The result file is written whole or not at all, whatever happened; the exit
/// code says how it went (below).
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt fleet run --index 3 --out result.json
  JOB_COMPLETION_INDEX=3 molt fleet run --out-dir /results     writes /results/result-3.json

Exit codes (an engine retries 3, not 1 or 2):
  0  migrated
  1  incomplete, or checks failed (the result says why)
  2  the fleet file or the spec is wrong
  3  environment: the clone, the machine, the push or GitHub")]
pub struct RunArgs {
    /// The fleet file.
    #[arg(long, env = "MOLT_FLEET", default_value = "fleet.toml", value_name = "FILE")]
    pub fleet: PathBuf,
    /// The repository to run, 0-based; a Kubernetes Indexed Job sets JOB_COMPLETION_INDEX.
    #[arg(long, env = "JOB_COMPLETION_INDEX", value_name = "I")]
    pub index: usize,
    /// Where to write the result file.
    #[arg(long, value_name = "FILE", required_unless_present = "out_dir", conflicts_with = "out_dir")]
    pub out: Option<PathBuf>,
    /// A folder to write result-<I>.json into.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Tasks to run at once inside the repository (default: fleet.toml's jobs, else the cores).
    #[arg(long, short = 'j', env = "MOLT_JOBS", value_name = "N")]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub publish: PublishArgs,
}

/// Aggregate a folder of result files into fleet-report.md, .json and .html.
///
/// The folder is searched to any depth (GitHub's download-artifact puts each
/// artifact in a folder of its own). When an index has more than one result
/// (a retry), the one that started last counts.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt fleet report results/                  write results/fleet-report.{md,json,html}
  molt fleet report results/ --out site/      somewhere else
  molt fleet report results/ --json           and print the report as JSON")]
pub struct ReportArgs {
    /// The folder of result files.
    pub dir: PathBuf,
    /// Where to write the three files (default: DIR).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The report's title (default: the migration's name).
    #[arg(long)]
    pub title: Option<String>,
}

pub fn run(args: Args, out: &Output) -> anyhow::Result<Exit> {
    match args.command {
        Command::Matrix(a) => matrix(a, out),
        Command::Run(a) => unit::run_index(a, out),
        Command::Report(a) => report(a, out),
    }
}

fn load(path: &std::path::Path) -> anyhow::Result<Fleet> {
    if !path.is_file() {
        return Err(UsageError(format!("{}: no such fleet file", path.display())).into());
    }
    Ok(Fleet::load(path)?)
}

fn matrix(args: MatrixArgs, out: &Output) -> anyhow::Result<Exit> {
    let fleet = load(&args.fleet)?;
    let chunks = molt_fleet::matrix::chunks(&fleet, args.max_jobs as usize);
    let shown = match args.chunk {
        Some(k) => vec![chunks.get(k).cloned().ok_or_else(|| {
            UsageError(format!("there is no chunk {k}: the fleet makes {} (0 to {})", chunks.len(), chunks.len() - 1))
        })?],
        None => chunks,
    };
    // The matrix is machine output whatever --json says: one JSON line per chunk.
    for chunk in &shown {
        println!("{}", serde_json::to_string(chunk)?);
    }
    if args.chunk.is_none() && shown.len() > 1 {
        out.note(&format!(
            "{} repositories in {} chunks of at most {}: dispatch the workflow once per chunk (--chunk K)",
            fleet.repos.len(),
            shown.len(),
            args.max_jobs
        ));
    }
    Ok(Exit::Done)
}

fn report(args: ReportArgs, out: &Output) -> anyhow::Result<Exit> {
    if !args.dir.is_dir() {
        return Err(UsageError(format!("{}: no such folder", args.dir.display())).into());
    }
    let results = molt_fleet::report::load(&args.dir)?;
    let title = args.title.clone().unwrap_or_else(|| {
        results.iter().find_map(|r| r.migration.as_ref().map(|m| m.name.clone())).unwrap_or_else(|| "fleet".into())
    });
    let report = molt_fleet::report::build(&title, &results, &molt_fleet::report::now());
    let paths = molt_fleet::report::write(&report, args.out.as_deref().unwrap_or(&args.dir))?;
    let mut text = molt_fleet::report::summary(&report);
    for p in &paths {
        text.push_str(&format!("\nwrote {}", p.display()));
    }
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    out.result(&serde_json::json!({ "fleet_report": report, "files": shown }), &text)?;
    Ok(Exit::Done)
}
