//! The `molt` binary: argument parsing, wiring and output. Every command's
//! logic lives in a library crate; this crate only decides how to show it.

mod cmd;
mod exit;
mod output;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit::Exit;
use crate::output::{ColorChoice, Output};

/// molt migrates a code base with agents whose every edit is checked.
///
/// It finds every place a migration touches, plans the work as a graph of
/// small tasks, lets deterministic rules or a model make each edit on the
/// syntax tree, and keeps an edit only after the project's own checks pass.
#[derive(Debug, Parser)]
#[command(name = "molt", version, propagate_version = true, max_term_width = 100)]
#[command(after_long_help = EXIT_CODES)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

const EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  migration incomplete, or checks failed
  2  usage or spec error
  3  environment error (a missing tool, an unreachable server)";

/// Options every command takes.
#[derive(Debug, clap::Args)]
pub struct Global {
    /// Print JSON lines on stdout instead of text, for CI bots and scripts.
    #[arg(long, global = true)]
    pub json: bool,
    /// More logging on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// When to use colors.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(cmd::init::Args),
    Index(cmd::index::Args),
    Find(cmd::find::Args),
    Edit(cmd::edit::Args),
    Plan(cmd::plan::Args),
    Run(cmd::run::Args),
    /// Continue a stopped or crashed run; committed tasks are kept, none is committed twice.
    Resume(cmd::run::Args),
    Status(cmd::status::Args),
    Verify(cmd::verify::Args),
    Report(cmd::report::Args),
    Pr(cmd::pr::Args),
    Recipe(cmd::recipe::Args),
    Mcp(cmd::mcp::Args),
    Fleet(cmd::fleet::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with exit 0, usage errors to
            // stderr with exit 2; keep both behaviours.
            let _ = e.print();
            return if e.use_stderr() { Exit::Usage.into() } else { Exit::Done.into() };
        }
    };
    init_logging(&cli.global);
    let ci = matches!(&cli.command, Command::Run(args) | Command::Resume(args) if args.ci);
    let out = if ci { Output::ci(&cli.global) } else { Output::new(&cli.global) };
    let result = match cli.command {
        Command::Init(args) => cmd::init::run(args, &out),
        Command::Index(args) => cmd::index::run(args, &out),
        Command::Find(args) => cmd::find::run(args, &out),
        Command::Edit(args) => cmd::edit::run(args, &out),
        Command::Plan(args) => cmd::plan::run(args, &out),
        Command::Run(args) => cmd::run::run(args, &out, false),
        Command::Resume(args) => cmd::run::run(args, &out, true),
        Command::Status(args) => cmd::status::run(args, &out),
        Command::Verify(args) => cmd::verify::run(args, &out),
        Command::Report(args) => cmd::report::run(args, &out),
        Command::Pr(args) => cmd::pr::run(args, &out),
        Command::Recipe(args) => cmd::recipe::run(args, &out),
        Command::Mcp(args) => cmd::mcp::run(args),
        Command::Fleet(args) => cmd::fleet::run(args, &out),
    };
    match result {
        Ok(code) => code.into(),
        Err(err) => exit::report(&err, &out).into(),
    }
}

fn init_logging(global: &Global) {
    use tracing_subscriber::EnvFilter;
    let level = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(output::stderr_color(global.color))
        .with_target(false)
        .without_time()
        .try_init();
}
