//! molt-test-support: helpers for molt's tests only: scripted model servers
//! that speak each provider's wire format (wiremock on loopback), a scripted
//! GitHub REST API for pull requests, temporary git repositories, and fixture
//! loading.
//!
//! It is a dev-dependency everywhere and must never be a normal dependency.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod crash;
pub mod github_server;
pub mod model_server;
pub mod repo;

/// The interpreter of the suite's cached venv (`xtask/test-env/requirements.txt`),
/// which `cargo xtask test` installs and names in `MOLT_TEST_PYTHON`. A test
/// that drives a Python client fails without it; it never passes by skipping.
pub fn test_python() -> std::path::PathBuf {
    test_env_path("MOLT_TEST_PYTHON")
}

/// The `node_modules` of the suite's pinned npm packages
/// (`xtask/test-env/package.json`), named by `cargo xtask test` in
/// `MOLT_TEST_NODE_MODULES`.
pub fn test_node_modules() -> std::path::PathBuf {
    test_env_path("MOLT_TEST_NODE_MODULES")
}

fn test_env_path(var: &str) -> std::path::PathBuf {
    match std::env::var_os(var) {
        Some(path) if std::path::Path::new(&path).exists() => path.into(),
        Some(path) => panic!("{var} names {}, which does not exist; rerun `cargo xtask test`", path.to_string_lossy()),
        None => panic!(
            "{var} is not set: run the suite with `cargo xtask test`, which installs the pinned Python and npm \
             packages (xtask/test-env/) into a cached folder and names them"
        ),
    }
}
