//! `molt find`: structural search with enclosing items.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use molt_syntax::{Lang, Pattern, SearchOptions, Searcher, StructuralQuery};

use crate::exit::{Exit, UsageError};
use crate::output::Output;

/// Find code by structure: a pattern with metavariables, or a tree-sitter query.
///
/// A pattern is code in the language with `$NAME` for one node and `$$$` (or
/// `$$$NAME`) for any number of nodes: `$F($$$ARGS)`, `torch.cuda.$M($$$)`.
/// `--where NAME=REGEX` narrows a metavariable. A query file holds a
/// tree-sitter S-expression query; the capture `@match` (or the first) is
/// reported. Each match comes with the item that holds it. Files without the
/// literals a match needs are not even parsed.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt find --lang c --pattern '_mm256_fmadd_ps($A, $B, $C)'
  molt find --lang c --pattern '$F($$$)' --where 'F=^_mm'     every call to an _mm* intrinsic
  molt find --lang python --pattern 'torch.cuda.$M($$$)' src
  molt find --lang c --query calls.scm --json
Exit status: 0 when something matched, 1 when nothing did.")]
pub struct Args {
    /// A code pattern with $METAVARIABLES.
    #[arg(long, conflicts_with = "query", required_unless_present = "query")]
    pub pattern: Option<String>,
    /// A file holding a tree-sitter S-expression query.
    #[arg(long, value_name = "FILE")]
    pub query: Option<PathBuf>,
    /// The language of the pattern or query.
    #[arg(long)]
    pub lang: String,
    /// NAME=REGEX: metavariable NAME must match REGEX (patterns only; repeatable).
    #[arg(long = "where", value_name = "NAME=REGEX")]
    pub constraints: Vec<String>,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Print only the number of matches.
    #[arg(long)]
    pub count: bool,
    /// The repository (or folder) to search.
    #[arg(default_value = ".")]
    pub path: PathBuf,
}

pub fn parse_langs(names: &[String]) -> anyhow::Result<Vec<Lang>> {
    names.iter().map(|n| parse_lang(n)).collect()
}

fn parse_lang(name: &str) -> anyhow::Result<Lang> {
    let lang = Lang::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Lang::ALL.iter().map(|l| l.name()).collect();
        UsageError(format!("unknown language \"{name}\"; known: {}", known.join(", ")))
    })?;
    if !lang.is_enabled() {
        return Err(UsageError(format!("this molt was built without the {lang} grammar")).into());
    }
    Ok(lang)
}

pub fn run(args: Args, out: &Output) -> anyhow::Result<Exit> {
    let lang = parse_lang(&args.lang)?;
    let searcher: Searcher = match (&args.pattern, &args.query) {
        (Some(p), _) => {
            let mut pattern = Pattern::new(lang, p).map_err(|e| UsageError(e.to_string()))?;
            for c in &args.constraints {
                let (name, re) =
                    c.split_once('=').ok_or_else(|| UsageError(format!("--where wants NAME=REGEX, got \"{c}\"")))?;
                pattern = pattern.constrain(name, re).map_err(|e| UsageError(e.to_string()))?;
            }
            pattern.into()
        }
        (None, Some(file)) => {
            if !args.constraints.is_empty() {
                return Err(
                    UsageError("--where works with --pattern; put #match? predicates in the query".into()).into()
                );
            }
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            StructuralQuery::new(lang, &text).map_err(|e| UsageError(format!("{}: {e}", file.display())))?.into()
        }
        (None, None) => return Err(UsageError("give --pattern or --query".into()).into()),
    };
    let started = Instant::now();
    let report = molt_syntax::search_repo(
        &args.path,
        &searcher,
        &SearchOptions {
            threads: args.threads,
            macros: molt_agent::macros::project_macros(&args.path),
            ..Default::default()
        },
    )
    .with_context(|| format!("searching {}", args.path.display()))?;
    let elapsed = started.elapsed();
    if args.count {
        out.result(
            &serde_json::json!({ "matches": report.matches.len(), "files": report.files, "parsed": report.parsed, "seconds": elapsed.as_secs_f64() }),
            &report.matches.len().to_string(),
        )?;
    } else {
        for m in &report.matches {
            let first_line = m.text.lines().next().unwrap_or("");
            let symbol = m.symbol.as_deref().map(|s| format!("  ({s})")).unwrap_or_default();
            out.result(m, &format!("{}:{}:{}: {first_line}{symbol}", m.path, m.line, m.column))?;
        }
        if !out.json {
            out.line(&format!(
                "{} matches; {} of {} files parsed after the literal prefilter; {:.2}s",
                report.matches.len(),
                report.parsed,
                report.files,
                elapsed.as_secs_f64()
            ));
        }
    }
    Ok(if report.matches.is_empty() { Exit::Incomplete } else { Exit::Done })
}
