//! System packages the suite and the demo need, installed with apt-get when we
//! are root on a Debian-like machine, otherwise named exactly so a person can.

use std::process::Command;

use anyhow::{bail, Result};

/// (program that must be on PATH, Debian package that provides it)
pub type Requirement = (&'static str, &'static str);

/// What `cargo xtask test` needs: C and C++ compilers for fixtures, the
/// aarch64 cross toolchains (C and C++: CMake projects enable both) and qemu for cross-architecture checks, make and git, and
/// Chromium to load `molt report`'s page headless.
pub const TEST_PACKAGES: &[Requirement] = &[
    ("cc", "gcc"),
    ("c++", "g++"),
    ("make", "make"),
    ("git", "git"),
    ("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"),
    ("aarch64-linux-gnu-g++", "g++-aarch64-linux-gnu"),
    ("qemu-aarch64", "qemu-user"),
    ("chromium", "chromium"),
    ("cmake", "cmake"),
];

/// What only the suite needs beyond `TEST_PACKAGES`: Python's venv and npm,
/// for the real clients and validators its tests drive (see `test_env`).
pub const CLIENT_PACKAGES: &[Requirement] = &[("python3", "python3-venv"), ("npm", "npm")];

pub fn has_program(name: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else { return false };
    std::env::split_paths(&path).any(|dir| dir.join(name).is_file())
}

/// Installs what is missing, or fails with the exact command to run.
pub fn ensure(reqs: &[Requirement]) -> Result<()> {
    let mut missing: Vec<&str> = reqs.iter().filter(|(prog, _)| !has_program(prog)).map(|(_, pkg)| *pkg).collect();
    missing.dedup();
    if missing.is_empty() {
        return Ok(());
    }
    let line = format!("apt-get install -y {}", missing.join(" "));
    if !is_root() || !has_program("apt-get") {
        bail!("missing system packages; install them with:\n    sudo apt-get update && sudo {line}");
    }
    eprintln!("installing missing system packages: {}", missing.join(" "));
    let status = Command::new("apt-get").arg("update").status()?;
    if !status.success() {
        bail!("apt-get update failed; run it by hand, then: {line}");
    }
    let status = Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()?;
    if !status.success() {
        bail!("`{line}` failed");
    }
    let still: Vec<&str> = reqs.iter().filter(|(prog, _)| !has_program(prog)).map(|(p, _)| *p).collect();
    if !still.is_empty() {
        bail!("installed packages, but these programs are still missing: {}", still.join(", "));
    }
    Ok(())
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}
