//! `molt report`: write the run's report as markdown, JSON and HTML.

use std::path::PathBuf;

use crate::exit::{Exit, UsageError};
use crate::output::Output;

/// Write .molt/report.md, .molt/report.json and a self-contained .molt/report.html.
///
/// The report shows the goal, each task's state, agent, attempts, tokens, cost
/// and checks, every check before (baseline) and after (final checks), each
/// benchmark with its spread, the coverage of sites and what was left
/// unmapped. The HTML page draws its charts as inline SVG and loads nothing,
/// so it can be archived or attached as it is.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt report                   write the three files for the run in this folder
  molt report --json            the same, and print their paths as JSON")]
pub struct Args {
    /// The spec file; its folder holds .molt/.
    #[arg(long, default_value = "molt.toml", value_name = "FILE")]
    pub spec: PathBuf,
}

pub fn run(args: Args, out: &Output) -> anyhow::Result<Exit> {
    let spec_path = args
        .spec
        .canonicalize()
        .map_err(|_| UsageError(format!("{}: no such spec; run `molt init` to write one", args.spec.display())))?;
    let repo = spec_path.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    let spec = molt_agent::spec::load_spec(&spec_path)?;
    let workspace = molt_agent::workspace::Workspace::new(&repo);
    if !workspace.has_state() {
        return Err(UsageError(format!(
            "no run in {} (.molt/state.json is missing); start one with `molt run`",
            repo.display()
        ))
        .into());
    }
    let paths = molt_agent::report::write_reports(&workspace, &spec)?;
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let text = shown.iter().map(|p| format!("wrote {p}")).collect::<Vec<_>>().join("\n");
    out.result(&serde_json::json!({ "report": shown }), &text)?;
    Ok(Exit::Done)
}
