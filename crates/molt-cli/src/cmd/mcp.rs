//! `molt mcp`: molt's checked, syntax-tree tools as a Model Context Protocol
//! server on stdio, for the agents people already use.
//!
//! The server is wiring: every tool calls the code the matching `molt`
//! command calls (molt-syntax's index, search and edit sets, molt-verify's
//! checks and judging, molt-agent's spec, plan, state and scheduler), under
//! the spec's one path policy. [`tools`] is the table of tools (schemas,
//! annotations, handlers), [`server`] speaks the protocol through `rmcp`,
//! [`schema`] checks arguments against the tools' JSON schemas, and [`page`]
//! keeps every answer under [`page::ANSWER_MAX_BYTES`].

mod handlers;
mod page;
mod resources;
mod schema;
mod server;
mod tools;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::exit::{EnvironmentError, Exit, UsageError};

/// Serve molt's tools to an MCP client (Claude Code, Codex, goose, ...) on stdio.
///
/// Start it in a repository that has a molt.toml (or pass --spec). The client
/// gets molt's tools: index, find, read_symbol, edit (an edit set, all or
/// nothing, re-parsed before it is written; dry_run gives the diff), verify
/// (the spec's checks, judged against .molt/baseline.json), plan, status,
/// run_task (one task of the plan in its worktree, through `molt run`'s gate)
/// and recipe_test; and resources: the plan, the report, each task's
/// transcript. Paths follow the spec: only `include` minus `protected` may be
/// written, never .git, .molt or the spec itself; there is no shell tool.
/// Every answer stays under about 10k tokens: long lists come a page at a
/// time (pass the answer's `next_cursor` as `cursor`), long check output is
/// cut, and the answer says so. stdout carries only the protocol; logs go to
/// stderr.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Register it with your agent (run these in the repository that holds molt.toml):

  Claude Code:
    claude mcp add molt -- molt mcp
  or, shared with the project, in .mcp.json:
    { \"mcpServers\": { \"molt\": { \"command\": \"molt\", \"args\": [\"mcp\"] } } }

  Codex, in ~/.codex/config.toml:
    [mcp_servers.molt]
    command = \"molt\"
    args = [\"mcp\", \"--spec\", \"/path/to/repo/molt.toml\"]
    tool_timeout_sec = 600

  goose, in ~/.config/goose/config.yaml:
    extensions:
      molt:
        name: molt
        type: stdio
        cmd: molt
        args: [mcp, --spec, /path/to/repo/molt.toml]
        enabled: true
        timeout: 600

Try it by hand with the MCP Inspector:
  npx @modelcontextprotocol/inspector --cli molt mcp --method tools/list")]
pub struct Args {
    /// The spec; its folder is the repository the tools work on.
    #[arg(long, value_name = "FILE", default_value = "molt.toml")]
    pub spec: PathBuf,
}

/// What every tool works on: the repository, its spec and its path policy.
#[derive(Debug)]
pub struct Repo {
    /// The repository root: the spec's folder, canonical.
    pub root: PathBuf,
    /// The spec file, canonical.
    pub spec_path: PathBuf,
    pub spec: molt_core::Spec,
    /// Where a client may write: the spec's `include` minus `protected`,
    /// never `.git`, `.molt` or the spec (the coder agent's policy).
    pub policy: molt_core::PathPolicy,
}

impl Repo {
    pub fn open(spec: &std::path::Path) -> anyhow::Result<Repo> {
        let spec_path = spec.canonicalize().map_err(|_| {
            UsageError(format!("{}: no such spec; run `molt init` to write one, or pass --spec FILE", spec.display()))
        })?;
        let root = spec_path.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/"));
        let spec = molt_agent::spec::load_spec(&spec_path)?;
        let policy = molt_agent::spec::path_policy(&spec)?;
        Ok(Repo { root, spec_path, spec, policy })
    }
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let repo = Repo::open(&args.spec)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| EnvironmentError(format!("starting the async runtime: {e}")))?;
    let served = runtime.block_on(server::serve(repo)).context("serving MCP on stdio");
    // A client that goes away mid-call leaves a blocking tool (a check, a
    // task) running: its checks are killed (nobody would watch their
    // timeouts), and the process ends rather than wait for the rest.
    molt_verify::kill_running_checks();
    runtime.shutdown_timeout(Duration::from_millis(200));
    served?;
    Ok(Exit::Done)
}
