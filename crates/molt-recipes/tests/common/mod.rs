//! Shared by the integration tests that build and run what the recipe wrote.

use std::process::Command;

/// Runs `cmd`, fails the test with its output unless it succeeds, and returns its stdout.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e} (cargo xtask test installs the toolchain)"));
    assert!(
        out.status.success(),
        "{cmd:?}\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
