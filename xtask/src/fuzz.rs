//! `cargo xtask fuzz [--secs N] [TARGET...]`: runs each cargo-fuzz target of
//! `fuzz/` for a fixed time (60 s each by default), one after another, and
//! prints the executions each managed. Installs cargo-fuzz when it is
//! missing; cargo-fuzz needs a nightly toolchain, and without one the task
//! fails saying how to get it.
//!
//! Each target starts from the inputs in `fuzz/seeds/<target>/` (committed:
//! real specs, a real plan, provider streams, C/Rust/Python files with edits)
//! plus what earlier runs found in `fuzz/corpus/<target>/` (ignored).
//!
//! A crash stops the task with the target's name and the input libFuzzer kept
//! under `fuzz/artifacts/<target>/`; fix the library, then keep the input as
//! a regression test in the owning crate's unit tests, so stable CI runs it.

use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::{project_root, run};

/// Every target of `fuzz/Cargo.toml`, in the order they run.
pub const TARGETS: &[&str] = &["sse", "bedrock_stream", "spec", "plan", "edit"];

pub fn fuzz(args: &[String]) -> Result<()> {
    let mut secs: u64 = 60;
    let mut targets: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--secs" => secs = it.next().context("--secs needs a number")?.parse().context("--secs")?,
            t if TARGETS.contains(&t) => targets.push(t.to_owned()),
            other => bail!("unknown option or target {other} (targets: {})", TARGETS.join(", ")),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| (*t).to_owned()).collect();
    }
    ensure_nightly()?;
    ensure_cargo_fuzz()?;
    let mut figures = Vec::new();
    for target in &targets {
        let corpus = project_root().join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
        // New inputs go to the (ignored) corpus; the committed seeds are read too.
        let seeds = project_root().join("fuzz/seeds").join(target);
        eprintln!(
            "$ cargo +nightly fuzz run {target} {} {} -- -max_total_time={secs}",
            corpus.display(),
            seeds.display()
        );
        let out = Command::new("cargo")
            .args(["+nightly", "fuzz", "run", target])
            .arg(&corpus)
            .arg(&seeds)
            .args(["--", &format!("-max_total_time={secs}")])
            .current_dir(project_root().join("fuzz"))
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped())
            .output()
            .with_context(|| format!("running cargo fuzz for {target}"))?;
        let log = String::from_utf8_lossy(&out.stderr);
        let execs = executions(&log);
        if !out.status.success() {
            let tail: Vec<&str> = log.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
            bail!(
                "fuzz target {target} failed after {} executions; the input is under fuzz/artifacts/{target}/\n{}",
                execs.map_or("?".to_owned(), |n| n.to_string()),
                tail.join("\n")
            );
        }
        figures.push((target.clone(), execs));
    }
    println!("fuzzing, {secs} s a target:");
    for (target, execs) in figures {
        println!("  {target:<16} {} executions, no crash", execs.map_or("?".to_owned(), |n| n.to_string()));
    }
    Ok(())
}

/// The executions libFuzzer reported last (`#1234 DONE ...` or `Done 1234 runs`).
fn executions(log: &str) -> Option<u64> {
    log.lines().rev().find_map(|line| {
        if let Some(rest) = line.strip_prefix("Done ") {
            return rest.split_whitespace().next()?.parse().ok();
        }
        let rest = line.strip_prefix('#')?;
        let (n, what) = rest.split_once(char::is_whitespace)?;
        what.trim_start().starts_with("DONE").then(|| n.parse().ok()).flatten()
    })
}

fn ensure_nightly() -> Result<()> {
    let ok = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        bail!(
            "cargo-fuzz needs a nightly Rust toolchain (libFuzzer's instrumentation uses -Z flags), and \
             `rustup run nightly rustc --version` failed: install one with `rustup toolchain install nightly`"
        );
    }
    Ok(())
}

fn ensure_cargo_fuzz() -> Result<()> {
    let have = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executions_are_read_from_libfuzzers_last_words() {
        assert_eq!(
            executions("#2 INITED\n#123456\tDONE   cov: 10 ft: 20\nDone 123456 runs in 61 second(s)\n"),
            Some(123456)
        );
        assert_eq!(executions("#99\tDONE cov: 1"), Some(99));
        assert_eq!(executions("nothing here"), None);
    }

    #[test]
    fn every_target_is_in_the_fuzz_manifest_and_has_seeds() {
        let manifest = std::fs::read_to_string(project_root().join("fuzz/Cargo.toml")).unwrap();
        for t in TARGETS {
            assert!(manifest.contains(&format!("name = \"{t}\"")), "{t} missing from fuzz/Cargo.toml");
            let seeds = std::fs::read_dir(project_root().join("fuzz/seeds").join(t)).map_or(0, |d| d.count());
            assert!(seeds > 0, "fuzz/seeds/{t} has no seed");
        }
    }
}
