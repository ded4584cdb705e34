//! End-to-end tests: the `molt` binary run on real git repositories made in
//! temporary folders, with real compilers and qemu.

mod cassette;
mod ci;
mod cli;
mod demo;
mod demo_trainium;
mod faults;
mod fleet;
mod fleet_examples;
mod hostile;
mod locks;
mod mcp;
mod model;
mod model_faults;
mod pr;
mod recipe_file;
mod report;
mod resume;
mod secrets;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use molt_test_support::repo::{copy_tree, git};

/// The `molt` binary of this workspace. `cargo xtask test` (nextest over the
/// workspace) builds it before any test runs; a lone `cargo test -p molt-e2e`
/// does not, so it is built here when missing or older than any source file.
/// Building it unconditionally would rebuild dependencies with other features
/// under each test process.
pub fn molt_bin() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("test executable path");
            // target/<profile>/deps/e2e-HASH -> target/<profile>/molt
            let profile_dir = exe.parent().and_then(Path::parent).expect("target dir").to_path_buf();
            let bin = profile_dir.join("molt");
            let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
            if built.is_some_and(|t| newest_source(&workspace_root().join("crates")).is_none_or(|s| s <= t)) {
                return bin;
            }
            let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["build", "--quiet", "-p", "molt-cli"])
                .current_dir(workspace_root())
                .status()
                .expect("cargo build");
            assert!(status.success(), "building molt failed");
            assert!(bin.exists(), "{} missing after build", bin.display());
            bin
        })
        .clone()
}

/// The newest modification time of the sources under `dir`.
fn newest_source(dir: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let path = e.path();
        let t = if path.is_dir() {
            if e.file_name() == "target" || e.file_name() == "build" {
                None
            } else {
                newest_source(&path)
            }
        } else if path.extension().is_some_and(|x| x == "rs" || x == "toml" || x == "h") {
            e.metadata().and_then(|m| m.modified()).ok()
        } else {
            None
        };
        newest = newest.max(t);
    }
    newest
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// Runs molt in `dir` and returns its output.
pub fn molt(dir: &Path, args: &[&str]) -> Output {
    Command::new(molt_bin())
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        // `molt index` caches under it: not in the user's own cache.
        .env("XDG_CACHE_HOME", std::env::temp_dir().join("molt-e2e-cache"))
        .output()
        .expect("running molt")
}

/// What one run of molt printed, and how it ended.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {:?}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Every file under `dir`, depth first.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Copies a fixture (without build outputs) into a fresh git repository.
pub fn fixture_repo(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&workspace_root().join("fixtures").join(name), dir.path());
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "user.name", "Test"]);
    git(dir.path(), &["config", "user.email", "test@localhost"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "fixture"]);
    dir
}

/// [`fixture_repo`] with the `[model]` table taken out of its molt.toml and
/// committed, so only the recipe's rules run.
pub fn rules_only_repo(name: &str) -> tempfile::TempDir {
    let dir = fixture_repo(name);
    let spec = dir.path().join("molt.toml");
    let mut table: toml::Table = std::fs::read_to_string(&spec).expect("molt.toml").parse().expect("toml");
    assert!(table.remove("model").is_some(), "{name} has no [model] to take out");
    std::fs::write(&spec, toml::to_string(&table).expect("toml")).expect("write molt.toml");
    git(dir.path(), &["commit", "-q", "-am", "rules only"]);
    dir
}
