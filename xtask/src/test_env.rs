//! The Python and npm packages the suite's tests drive (real MCP clients,
//! real validators), installed once into a cache and handed to the tests.
//!
//! The pins live in `xtask/test-env/requirements.txt` (pip, `name==version`)
//! and `xtask/test-env/package.json` with its `package-lock.json` (npm). Each
//! set is installed into a folder named by the hash of its pin files under
//! `$XDG_CACHE_HOME/molt/test-env` (or `~/.cache/molt/test-env`), so a
//! changed pin gets a fresh folder and an unchanged one is reused across
//! runs. A folder is used only once its install finished (`.complete`); a
//! killed install is redone from scratch.
//!
//! The tests find them through the variables that `cargo xtask test` sets:
//! `MOLT_TEST_PYTHON` (the venv's interpreter), `MOLT_TEST_NODE_MODULES`
//! (the npm packages' `node_modules`) and `MOLT_TEST_TORCH_PYTHON`.
//!
//! PyTorch and PyTorch/XLA (`xtask/test-env/torch-requirements.txt`) get a
//! venv of their own, `torch-venv-<hash>`: about 7 GB with the CUDA
//! libraries the torch wheel pulls, so a change to the small packages'
//! pins does not download it again. `cargo xtask demo trainium` installs
//! only this one.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

/// The variables the tests read, with their values.
pub fn prepare(root: &Path) -> Result<Vec<(&'static str, PathBuf)>> {
    let pins = root.join("xtask/test-env");
    let cache = cache_dir()?;
    let python = python_venv(&pins.join("requirements.txt"), &cache, "venv", "the suite's Python packages")?;
    let node_modules = npm_packages(&pins, &cache)?;
    let torch = torch_python(root)?;
    Ok(vec![("MOLT_TEST_PYTHON", python), ("MOLT_TEST_NODE_MODULES", node_modules), ("MOLT_TEST_TORCH_PYTHON", torch)])
}

/// The interpreter of the venv with torch and torch-xla, installed once.
pub fn torch_python(root: &Path) -> Result<PathBuf> {
    let requirements = root.join("xtask/test-env/torch-requirements.txt");
    python_venv(&requirements, &cache_dir()?, "torch-venv", "torch and torch-xla (about 7 GB, a few minutes)")
}

fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("molt/test-env"));
    }
    let home = std::env::var_os("HOME").context("neither XDG_CACHE_HOME nor HOME is set")?;
    Ok(PathBuf::from(home).join(".cache/molt/test-env"))
}

/// A short hash of the files that decide what a folder holds.
fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hex::encode(&hash.finalize()[..8])
}

/// A venv named `prefix-<hash>` with `requirements` installed; returns its
/// interpreter.
fn python_venv(requirements: &Path, cache: &Path, prefix: &str, what: &str) -> Result<PathBuf> {
    let wanted = std::fs::read(requirements).with_context(|| format!("reading {}", requirements.display()))?;
    let version = output(Command::new("python3").arg("--version")).context(
        "python3 is needed for the suite's Python clients; install it with: sudo apt-get install -y python3-venv",
    )?;
    let dir = cache.join(format!("{prefix}-{}", fingerprint(&[&wanted, version.as_bytes()])));
    let python = dir.join("bin/python");
    if dir.join(".complete").is_file() {
        return Ok(python);
    }
    fresh(&dir)?;
    eprintln!("installing {what} into {} (once)", dir.display());
    run(Command::new("python3").args(["-m", "venv"]).arg(&dir))
        .context("`python3 -m venv` failed; on Debian install it with: sudo apt-get install -y python3-venv")?;
    run(Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input", "-r"])
        .arg(requirements))
    .with_context(|| format!("installing {} failed", requirements.display()))?;
    std::fs::write(dir.join(".complete"), "")?;
    Ok(python)
}

/// `npm ci` of the pinned lock file; returns its `node_modules`.
fn npm_packages(pins: &Path, cache: &Path) -> Result<PathBuf> {
    let manifest = std::fs::read(pins.join("package.json")).context("reading xtask/test-env/package.json")?;
    let lock = std::fs::read(pins.join("package-lock.json")).context("reading xtask/test-env/package-lock.json")?;
    let dir = cache.join(format!("npm-{}", fingerprint(&[&manifest, &lock])));
    let node_modules = dir.join("node_modules");
    if dir.join(".complete").is_file() {
        return Ok(node_modules);
    }
    fresh(&dir)?;
    std::fs::write(dir.join("package.json"), &manifest)?;
    std::fs::write(dir.join("package-lock.json"), &lock)?;
    eprintln!("installing the suite's npm packages into {} (once)", dir.display());
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(&dir))
        .context("`npm ci` failed; npm comes with Debian's package: sudo apt-get install -y npm")?;
    std::fs::create_dir_all(&node_modules)?;
    std::fs::write(dir.join(".complete"), "")?;
    Ok(node_modules)
}

/// An empty folder at `dir`: what a killed install left there is removed.
fn fresh(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing the unfinished {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// Runs an installer with its output on stderr: stdout is the variables
/// that `eval "$(cargo xtask test-env)"` reads.
fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .stdout(std::process::Stdio::from(std::io::stderr()))
        .status()
        .with_context(|| format!("starting {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} exited with {status}");
    }
    Ok(())
}

fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("starting {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} exited with {}", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
