//! `molt plan`: build the task DAG and write `.molt/plan.json`.

use std::path::PathBuf;

use anyhow::Context;

use crate::exit::{Exit, UsageError};
use crate::output::Output;

/// Find every site and plan the work as a DAG of small tasks.
///
/// Writes .molt/plan.json and prints the tasks in the order they can run.
/// With a [model] in molt.toml, a planner agent refines the rules' plan (or,
/// without a recipe, plans from the goal); its answer is validated first.
/// The file is meant to be edited by hand (split, merge or reorder tasks,
/// change instructions or the checks that gate a task); `molt run` validates
/// it on load and follows it as edited.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt plan                     plan the migration described by ./molt.toml
  molt plan --json              the plan as JSON, one task a line
  molt plan --force             plan afresh, replacing an edited .molt/plan.json
  molt plan --no-model          the rules' plan only, even when molt.toml has a [model]")]
pub struct Args {
    /// The spec file; its folder is the repository to migrate.
    #[arg(long, default_value = "molt.toml", value_name = "FILE")]
    pub spec: PathBuf,
    /// Replace an existing .molt/plan.json.
    #[arg(long)]
    pub force: bool,
    /// Keep the rules' plan even when molt.toml has a [model]: no planner agent.
    #[arg(long)]
    pub no_model: bool,
    /// Append the planner agent's model traffic to this JSONL cassette.
    #[arg(long, value_name = "FILE", conflicts_with = "replay")]
    pub record: Option<PathBuf>,
    /// Answer the planner agent's model requests from this cassette.
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
}

pub fn run(args: Args, out: &Output) -> anyhow::Result<Exit> {
    let spec_path = args
        .spec
        .canonicalize()
        .map_err(|_| UsageError(format!("{}: no such spec; run `molt init` to write one", args.spec.display())))?;
    let repo = spec_path.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    let spec = molt_agent::spec::load_spec(&spec_path)?;
    let workspace = molt_agent::workspace::Workspace::new(&repo);
    let plan = match workspace.load_plan()? {
        Some(p) if !args.force => p,
        _ => {
            // Planning adds a worktree and a branch: not beside a running molt.
            let _run_lock = workspace.lock()?;
            let runtime = molt_agent::workspace::setup::model_runtime()?;
            let model = if args.no_model {
                None
            } else {
                let cassette = match (&args.record, &args.replay) {
                    (Some(f), _) => molt_llm::CassetteMode::Record(f.clone()),
                    (_, Some(f)) if !f.is_file() => {
                        return Err(UsageError(format!("{}: no such cassette", f.display())).into())
                    }
                    (_, Some(f)) => molt_llm::CassetteMode::Replay(f.clone()),
                    _ => molt_llm::CassetteMode::Off,
                };
                workspace.model(
                    &spec,
                    &molt_agent::workspace::ModelOverride::default(),
                    &cassette,
                    &molt_llm::Env::process(),
                    &runtime,
                )?
            };
            let planned = molt_agent::run::make_plan(&repo, &repo, &spec, model.as_ref().map(|m| (&m.rt, &m.client)))
                .context("planning")?;
            for note in &planned.notes {
                out.note(&format!("warning: {note}"));
            }
            planned.plan
        }
    };
    if out.json {
        for t in &plan.tasks {
            out.result(t, "")?;
        }
        return Ok(Exit::Done);
    }
    let order = plan.topological_order().unwrap_or_default();
    let sites: usize = plan.tasks.iter().map(|t| t.sites.len()).sum();
    out.line(&format!("{}: {} tasks, {sites} sites (.molt/plan.json)", plan.migration, plan.tasks.len()));
    for id in &order {
        let Some(t) = plan.task(id) else { continue };
        let deps = if t.depends_on.is_empty() {
            String::new()
        } else {
            format!("  after {}", t.depends_on.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", "))
        };
        out.line(&format!("  {:<28} {} [{} sites]{deps}", t.id.as_str(), t.title, t.sites.len()));
    }
    out.line("next: edit .molt/plan.json if you like, then `molt run`");
    Ok(Exit::Done)
}
