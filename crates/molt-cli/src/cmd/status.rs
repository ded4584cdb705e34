//! `molt status`: where a run stands.

use std::path::PathBuf;

use crate::exit::{Exit, UsageError};
use crate::output::Output;

/// Show each task's state, attempts, agent, tokens, cost and checks.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt status                   the table for the run in this folder
  molt status --json            one JSON object per task")]
pub struct Args {
    /// The repository (the folder holding .molt/).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

pub fn run(args: Args, out: &Output) -> anyhow::Result<Exit> {
    let Some(state) = molt_agent::workspace::Workspace::new(&args.dir).load_state()? else {
        return Err(UsageError(format!(
            "no run in {} (.molt/state.json is missing); start one with `molt run`",
            args.dir.display()
        ))
        .into());
    };
    if out.json {
        for (id, rec) in &state.tasks {
            out.result(&serde_json::json!({ "task": id, "record": rec }), "")?;
        }
        return Ok(Exit::Done);
    }
    out.line(&format!(
        "{} on {} ({})",
        state.migration,
        state.branch,
        if state.finished { "finished" } else { "in progress or stopped" }
    ));
    out.line(&format!(
        "{:<28} {:<10} {:>3} {:<8} {:>8} {:>8}  checks",
        "task", "state", "try", "agent", "tokens", "cost"
    ));
    for (id, rec) in &state.tasks {
        let checks = rec.checks.iter().map(|c| format!("{}={}", c.name, c.outcome)).collect::<Vec<_>>().join(" ");
        out.line(&format!(
            "{:<28} {:<10} {:>3} {:<8} {:>8} {:>8}  {checks}",
            id.as_str(),
            rec.state.as_str(),
            rec.attempts,
            rec.agent.as_deref().unwrap_or("-"),
            rec.tokens,
            format!("${:.2}", rec.cost_usd),
        ));
        if let Some(e) = &rec.error {
            out.line(&format!("    {e}"));
        }
    }
    let done = state.tasks.values().all(|r| r.state == molt_core::TaskState::Committed);
    Ok(if done && state.finished { Exit::Done } else { Exit::Incomplete })
}
