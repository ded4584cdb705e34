//! molt-fleet: one migration across many repositories, on engines that
//! users already run (a GitHub Actions matrix, a Kubernetes Indexed Job).
//! molt does not schedule a fleet itself: the engine fans out indices, and
//! each index is one hermetic unit of work.
//!
//! - [`fleet`]: `fleet.toml`, the repositories (URL, revision or branch, an
//!   optional spec, labels) and the budget, with line-precise errors.
//! - [`unit`]: one repository: a fresh clone in a scratch folder, the
//!   migration run there, optionally its branch pushed and its pull request
//!   opened, and a [`result::UnitResult`]. Running a unit again is
//!   idempotent: a branch whose tree and base are already on the remote is not
//!   pushed again and its pull request is left alone.
//! - [`result`]: the result file (`result.json`), versioned, with its JSON
//!   Schema in `docs/schemas/fleet-result.schema.json`.
//! - [`matrix`]: GitHub Actions matrices, at most 256 jobs per workflow run.
//! - [`report`]: the aggregate of a folder of result files, as markdown,
//!   JSON and a self-contained HTML page.
//!
//! It must not print (the CLI shows what it returns) and must not keep state
//! of its own between units: everything a unit knows comes from its
//! arguments, the repository and its remote, so any engine may retry any
//! index at any time.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod fleet;
pub mod matrix;
pub mod report;
pub mod result;
pub mod unit;

use std::path::PathBuf;

/// Everything that can go wrong outside a unit (a unit's own failures are
/// data in its result).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A malformed fleet file: `fleet.toml:LINE: message`.
    #[error("{file}:{line}: {message}")]
    FleetFile { file: String, line: usize, message: String },
    #[error("index {index} is out of range: the fleet has {count} repositories (0 to {})", .count.saturating_sub(1))]
    NoSuchIndex { index: usize, count: usize },
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a molt result file: {source}", path.display())]
    ResultFile {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}: result format version {found}; this molt reads version {}", path.display(), result::VERSION)]
    ResultVersion { path: PathBuf, found: u64 },
    #[error("{}: no result files (*.json) in this folder", .0.display())]
    NoResults(PathBuf),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { action, path: path.into(), source }
    }
}
