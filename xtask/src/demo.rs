//! `cargo xtask demo`: the README's main job. Ports the tiny-infer fixture's
//! x86 AVX2/FMA kernels to aarch64 NEON with the rules agent (no model), in a
//! fresh git repository in a temporary folder, and proves the port with a
//! cross compiler and qemu.
//!
//! `cargo xtask demo trainium`: the second one. Ports the tiny-train
//! fixture's CUDA training loop and generate function to the Neuron/XLA
//! device the same way, and proves it on PyTorch/XLA's CPU device: its
//! tests, the training and inference run with no graph compiled after the
//! warm-up, and its losses and logits against CPU eager. torch and
//! torch-xla come from the cached venv of `test_env::torch_python`, whose
//! `bin` goes first on the checks' `PATH`.
//!
//! Every figure printed comes from that run: molt's own summary, the commits
//! on the migration branch and the diff stat.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{cargo, project_root, run, system};

/// One demo: the fixture it ports and the branch molt makes.
struct Demo {
    fixture: &'static str,
    branch: &'static str,
    first_commit: &'static str,
    /// Prepended to `PATH` for molt and its checks.
    path_first: Option<PathBuf>,
    /// Whether tasks holding only sites the rules cannot map (left for a
    /// model, with their reasons) may fail without failing the demo.
    model_tasks_expected: bool,
}

pub fn demo(args: &[String]) -> Result<()> {
    let keep_dir = args.iter().position(|a| a == "--dir").and_then(|i| args.get(i + 1)).map(PathBuf::from);
    let demo = match args.first().map(String::as_str) {
        Some("trainium") => {
            let python = crate::test_env::torch_python(&project_root())?;
            Demo {
                fixture: "tiny-train",
                branch: "molt/neuron-port",
                first_commit: "tiny-train: CUDA-only",
                path_first: python.parent().map(Path::to_path_buf),
                model_tasks_expected: true,
            }
        }
        Some("--dir") | None => {
            system::ensure(system::TEST_PACKAGES)?;
            Demo {
                fixture: "tiny-infer",
                branch: "molt/graviton-port",
                first_commit: "tiny-infer: x86-only",
                path_first: None,
                model_tasks_expected: false,
            }
        }
        Some(other) => bail!("unknown demo `{other}`: `cargo xtask demo` or `cargo xtask demo trainium`"),
    };
    run(cargo().args(["build", "--quiet", "-p", "molt-cli"]))?;
    let molt = project_root().join("target/debug/molt");

    let dir = match keep_dir {
        Some(d) => {
            if d.exists() {
                bail!("{} already exists; pick a new folder", d.display());
            }
            d
        }
        None => std::env::temp_dir().join(format!("molt-demo-{}", std::process::id())),
    };
    let repo = dir.join(demo.fixture);
    copy_tree(&project_root().join("fixtures").join(demo.fixture), &repo)?;
    git(&repo, &["init", "--quiet", "--initial-branch=main"])?;
    git(&repo, &["add", "-A"])?;
    git(
        &repo,
        &["-c", "user.name=demo", "-c", "user.email=demo@localhost", "commit", "--quiet", "-m", demo.first_commit],
    )?;
    eprintln!("\n== the fixture: {} (a git repository, branch main)", repo.display());
    let mut command = Command::new(&molt);
    command.args(["run", "--spec", "molt.toml"]).current_dir(&repo);
    if let Some(first) = &demo.path_first {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let joined = std::env::join_paths(std::iter::once(first.clone()).chain(std::env::split_paths(&path)))?;
        eprintln!("== the checks' python: {}", first.join("python").display());
        command.env("PATH", joined);
    }
    eprintln!("== molt run: rules agent only, no model\n");
    let status = command.status().with_context(|| format!("starting {}", molt.display()))?;
    let branch = demo.branch;

    eprintln!("\n== the migration branch");
    git(
        &repo,
        &["log", "--format=%h %s%n%(trailers:key=Molt-Checks,valueonly,separator=%x2C )", &format!("main..{branch}")],
    )?;
    eprintln!("\n== what changed (git diff --stat main...{branch})");
    git(&repo, &["diff", "--stat", &format!("main...{branch}")])?;
    eprintln!("\n== your branch is untouched:");
    git(&repo, &["status", "--short", "--branch"])?;
    eprintln!("\nThe repository stays at {} for you to look at (molt status, git log -p {branch}).", repo.display());
    if status.success() {
        return Ok(());
    }
    if demo.model_tasks_expected {
        let left = rules_work_done(&repo)?;
        eprintln!(
            "\nEvery rule task is committed and every check passes; {left} task(s) hold only sites the rules \
             cannot map (named above with their reasons), left for a model: `molt resume --provider ... --model ...`."
        );
        return Ok(());
    }
    bail!("molt run exited with {status}")
}

/// For a run that ended incomplete: the number of failed tasks, when each
/// of them holds only sites the rules cannot map and every final check
/// passed; an error naming what else went wrong otherwise.
fn rules_work_done(repo: &Path) -> Result<usize> {
    let path = repo.join(".molt/report.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let report: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut left = 0;
    for task in report["tasks"].as_array().context("report.json has no tasks")? {
        match task["state"].as_str() {
            Some("committed") => {}
            Some("failed") if task["sites_rules"] == 0 && task["sites_unmapped"] == task["sites"] => left += 1,
            state => bail!("task {} ended {}", task["id"], state.unwrap_or("in no known state")),
        }
    }
    for check in report["checks"].as_array().context("report.json has no checks")? {
        let outcome = check["after"]["outcome"].as_str().unwrap_or("not run");
        if outcome != "pass" && outcome != "fixed" {
            bail!("check {} ended {outcome} on the migration branch", check["name"]);
        }
    }
    Ok(left)
}

fn git(repo: &Path, args: &[&str]) -> Result<()> {
    let status = Command::new("git").args(args).current_dir(repo).status().context("running git")?;
    if !status.success() {
        bail!("git {} failed", args.join(" "));
    }
    Ok(())
}

/// Copies a fixture, leaving out build outputs.
pub(crate) fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "build" || name.to_string_lossy().ends_with(".bin") {
            continue;
        }
        let src = entry.path();
        let dst = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).with_context(|| format!("copying {}", src.display()))?;
        }
    }
    Ok(())
}
