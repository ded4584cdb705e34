//! `molt verify`: run the spec's checks on the current tree.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;
use molt_verify::{judge, run_check, Baseline, Outcome, RunOptions, Verdict};

use crate::exit::{Exit, UsageError};
use crate::output::Output;

/// Run the spec's checks on the tree as it is, and judge them against the
/// baseline when `.molt/baseline.json` exists.
///
/// Checks run one after another, each with its timeout, in the folder of the
/// spec, with a scrubbed environment (no API keys, no AWS credentials). With a
/// baseline, a check that already failed there does not count as a failure,
/// fewer tests than the baseline fail, and benchmarks are compared median to
/// median.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt verify                        all checks, as a table
  molt verify --check x86-test       one check (repeat --check for more)
  molt verify --json                 one JSON object per check, then a summary
  molt verify --save-baseline        run them and store .molt/baseline.json")]
pub struct Args {
    /// Run only this check; may be given more than once.
    #[arg(long = "check", value_name = "NAME")]
    pub checks: Vec<String>,
    /// The spec; the checks run in its folder.
    #[arg(long, value_name = "FILE", default_value = "molt.toml")]
    pub spec: PathBuf,
    /// Store the results as the baseline (.molt/baseline.json) that later runs
    /// are judged against.
    #[arg(long)]
    pub save_baseline: bool,
    /// Runs per bench check, overriding the spec's `runs`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub bench_runs: Option<u32>,
}

pub fn run(args: Args, out: &Output) -> anyhow::Result<Exit> {
    let text = match std::fs::read_to_string(&args.spec) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(UsageError(format!(
                "{} not found; run `molt init` to write one, or pass --spec FILE",
                args.spec.display()
            ))
            .into())
        }
        Err(e) => return Err(e).with_context(|| format!("reading {}", args.spec.display())),
    };
    let spec = molt_core::Spec::parse(&args.spec.display().to_string(), &text)?;
    let tree = tree_of(&args.spec)?;

    let checks = select_checks(&spec, &args.checks, &args.spec.display().to_string()).map_err(UsageError)?;

    let workspace = molt_agent::workspace::Workspace::new(&tree);
    let stored = workspace.load_baseline()?;
    // Saving a baseline judges the run on its own: it becomes the reference.
    let reference = if args.save_baseline { Baseline::default() } else { stored.clone().unwrap_or_default() };
    let options = RunOptions { bench_runs: args.bench_runs, ..RunOptions::default() };
    let progress = !out.json && !out.quiet && std::io::stderr().is_terminal();
    let mut verdicts = Vec::new();
    for check in checks {
        if progress {
            if check.kind == molt_core::CheckKind::Absent {
                eprintln!(
                    "running {} (absent): {} patterns in {}",
                    check.name,
                    check.patterns.len(),
                    check.files.join(", ")
                );
            } else {
                eprintln!("running {} ({}): {}", check.name, check.kind, check.run);
            }
        }
        let result = run_check(check, &tree, &options);
        let verdict = judge(&reference, &result, check);
        if out.json {
            out.result(&verdict, "")?;
        }
        verdicts.push(verdict);
    }

    let blocking = verdicts.iter().filter(|v| v.blocking).count();
    if args.save_baseline {
        let mut baseline = stored.clone().unwrap_or_default();
        for v in &verdicts {
            baseline.checks.insert(v.check.clone(), v.result.clone());
        }
        let path = workspace.save_baseline(&baseline)?;
        if !out.json {
            out.line(&format!("baseline written to {}", path.display()));
        }
    }
    if out.json {
        out.result(
            &serde_json::json!({ "checks": verdicts.len(), "blocking": blocking, "passed": blocking == 0 }),
            "",
        )?;
    } else {
        for line in render_table(&verdicts, out) {
            out.line(&line);
        }
        for v in verdicts.iter().filter(|v| v.outcome == Outcome::Fail) {
            out.line("");
            let why = if v.reasons.is_empty() { "failed".to_owned() } else { v.reasons.join("; ") };
            out.line(&format!("--- {}: {why} ---", v.check));
            for line in last_lines(&v.result.output, 40) {
                out.line(line);
            }
        }
        if stored.is_none() && !args.save_baseline {
            out.line("");
            out.line(
                "no baseline (.molt/baseline.json): results are not compared; `molt verify --save-baseline` stores one",
            );
        }
    }
    Ok(if blocking == 0 { Exit::Done } else { Exit::Incomplete })
}

/// The checks named in `names` (all of them when it is empty), in the
/// spec's order; an unknown name is an error that lists the spec's checks.
/// `molt mcp`'s `verify` selects the same way.
pub fn select_checks<'a>(
    spec: &'a molt_core::Spec,
    names: &[String],
    spec_name: &str,
) -> Result<Vec<&'a molt_core::Check>, String> {
    let known: Vec<&str> = spec.checks.iter().map(|c| c.name.as_str()).collect();
    for name in names {
        if !known.contains(&name.as_str()) {
            let name: String = name.chars().take(64).collect();
            return Err(format!(
                "no check \"{name}\" in {spec_name}; its checks are {}",
                if known.is_empty() { "none".to_owned() } else { known.join(", ") }
            ));
        }
    }
    let checks: Vec<&molt_core::Check> =
        spec.checks.iter().filter(|c| names.is_empty() || names.contains(&c.name)).collect();
    if checks.is_empty() {
        return Err(format!("{spec_name} has no [[check]] to run"));
    }
    Ok(checks)
}

/// The folder the spec is in: the tree the checks run in.
fn tree_of(spec: &Path) -> anyhow::Result<PathBuf> {
    let dir = match spec.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    dir.canonicalize().with_context(|| format!("resolving {}", dir.display()))
}

fn last_lines(text: &str, n: usize) -> impl Iterator<Item = &str> {
    let lines: Vec<&str> = text.lines().collect();
    let skip = lines.len().saturating_sub(n);
    lines.into_iter().skip(skip)
}

/// The table: check, kind, result, duration, then counts, bench medians with
/// spreads, and reasons.
fn render_table(verdicts: &[Verdict], out: &Output) -> Vec<String> {
    let rows: Vec<[String; 5]> = verdicts
        .iter()
        .map(|v| {
            [
                v.check.clone(),
                v.kind.to_string(),
                result_word(v),
                format!("{:.1}s", v.result.duration_ms as f64 / 1000.0),
                v.detail(),
            ]
        })
        .collect();
    let header = ["check", "kind", "result", "time", "detail"].map(str::to_owned);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    std::iter::once(&header)
        .chain(&rows)
        .enumerate()
        .map(|(i, row)| {
            let mut line = String::new();
            for (col, cell) in row.iter().enumerate().take(4) {
                let pad = widths[col].saturating_sub(cell.chars().count());
                let shown = if i > 0 && col == 2 { paint(out, verdicts[i - 1].outcome, cell) } else { cell.clone() };
                if col == 3 {
                    line.push_str(&format!("{}{shown}  ", " ".repeat(pad)));
                } else {
                    line.push_str(&format!("{shown}{}  ", " ".repeat(pad)));
                }
            }
            line.push_str(&row[4]);
            line.trim_end().to_owned()
        })
        .collect()
}

pub fn result_word(v: &Verdict) -> String {
    match (v.outcome, v.result.status) {
        (Outcome::Fail, molt_verify::Status::Timeout) => "timeout".to_owned(),
        (Outcome::Fail, molt_verify::Status::Error) => "error".to_owned(),
        (outcome, _) => outcome.as_str().to_owned(),
    }
}

fn paint(out: &Output, outcome: Outcome, text: &str) -> String {
    match outcome {
        Outcome::Pass | Outcome::Fixed => out.good(text),
        Outcome::Fail => out.bad(text),
        Outcome::StillFailing => text.to_owned(),
    }
}
