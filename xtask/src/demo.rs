//! `cargo xtask demo`: the README's main job. Ports the tiny-infer fixture's
//! x86 AVX2/FMA kernels to aarch64 NEON with the rules agent (no model), in a
//! fresh git repository in a temporary folder, and proves the port with a
//! cross compiler and qemu.
//!
//! Every figure printed comes from that run: molt's own summary, the commits
//! on the migration branch and the diff stat.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{cargo, project_root, run, system};

pub fn demo(args: &[String]) -> Result<()> {
    let keep_dir = args.iter().position(|a| a == "--dir").and_then(|i| args.get(i + 1)).map(PathBuf::from);
    system::ensure(system::TEST_PACKAGES)?;
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
    let repo = dir.join("tiny-infer");
    copy_tree(&project_root().join("fixtures/tiny-infer"), &repo)?;
    git(&repo, &["init", "--quiet", "--initial-branch=main"])?;
    git(&repo, &["add", "-A"])?;
    git(
        &repo,
        &["-c", "user.name=demo", "-c", "user.email=demo@localhost", "commit", "--quiet", "-m", "tiny-infer: x86-only"],
    )?;
    eprintln!("\n== the fixture: {} (a git repository, branch main)", repo.display());
    eprintln!("== molt run: rules agent only, no model\n");
    let status = Command::new(&molt)
        .args(["run", "--spec", "molt.toml"])
        .current_dir(&repo)
        .status()
        .with_context(|| format!("starting {}", molt.display()))?;

    eprintln!("\n== the migration branch");
    git(
        &repo,
        &["log", "--format=%h %s%n%(trailers:key=Molt-Checks,valueonly,separator=%x2C )", "main..molt/graviton-port"],
    )?;
    eprintln!("\n== what changed (git diff --stat main...molt/graviton-port)");
    git(&repo, &["diff", "--stat", "main...molt/graviton-port"])?;
    eprintln!("\n== your branch is untouched:");
    git(&repo, &["status", "--short", "--branch"])?;
    eprintln!(
        "\nThe repository stays at {} for you to look at (molt status, git log -p molt/graviton-port).",
        repo.display()
    );
    if !status.success() {
        bail!("molt run exited with {status}");
    }
    Ok(())
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
