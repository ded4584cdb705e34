//! `molt edit`: apply an edit set as one transaction, or show its diff.

use std::path::PathBuf;

use anyhow::Context;
use molt_syntax::{ApplyOptions, EditSet};

use crate::exit::{Exit, UsageError};
use crate::output::Output;

/// Apply an edit set (JSON) to a repository, all of it or nothing.
///
/// Edits address items by qualified path (`src/kernels.c::dot`). Every edited
/// file must re-parse without new syntax errors before anything is written;
/// writes are atomic. With --dry-run, print the unified diff instead. The
/// JSON format is documented in crates/molt-syntax/EDITS.md.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt edit --edits port.json --dry-run    show the diff, write nothing
  molt edit --edits port.json              apply it
  molt edit --edits - < port.json          read the edit set from stdin
  molt edit --edits port.json --protect 'tests/**' vendor")]
pub struct Args {
    /// The edit set, a JSON file (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub edits: PathBuf,
    /// Print the unified diff; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Globs of paths no edit may touch (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub protect: Vec<String>,
    /// The repository root the edit set's paths are relative to.
    #[arg(default_value = ".")]
    pub path: PathBuf,
}

pub fn run(args: Args, out: &Output) -> anyhow::Result<Exit> {
    let json = if args.edits.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading the edit set from stdin")?
    } else {
        std::fs::read_to_string(&args.edits).with_context(|| format!("reading {}", args.edits.display()))?
    };
    let set = EditSet::from_json(&json).map_err(|e| UsageError(format!("{}: {e}", args.edits.display())))?;
    let options = ApplyOptions {
        protected: args.protect.clone(),
        policy: None,
        expected: Default::default(),
        dry_run: args.dry_run,
        scratch: false,
        macros: molt_agent::macros::project_macros(&args.path),
        recipe: false,
    };
    let applied = molt_syntax::apply_to_repo(&args.path, &set, &options).map_err(|e| UsageError(e.to_string()))?;
    let files: Vec<&str> = applied.changes.iter().map(|c| c.path.as_str()).collect();
    if args.dry_run {
        if out.json {
            out.result(&serde_json::json!({ "dry_run": true, "files": files, "diff": applied.diff() }), "")?;
        } else {
            out.line(applied.diff().trim_end());
        }
    } else {
        out.result(
            &serde_json::json!({ "dry_run": false, "files": files, "edits": set.edits.len() }),
            &format!("applied {} edits to {} files: {}", set.edits.len(), files.len(), files.join(", ")),
        )?;
    }
    Ok(Exit::Done)
}
