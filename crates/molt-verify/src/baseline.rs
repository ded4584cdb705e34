//! The baseline (`.molt/baseline.json`, which molt-agent's `Workspace` reads
//! and writes): the checks' results on the untouched tree, which
//! every candidate is judged against.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::result::CheckResult;
use crate::{Error, Result};

/// The format version written to the file.
const VERSION: u32 = 1;

/// Per check, its result on the untouched tree (status, test counts, bench
/// metrics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    #[serde(default = "version")]
    pub version: u32,
    /// The commit the baseline was taken on, when the caller knows it; a
    /// baseline of another commit is stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub checks: BTreeMap<String, CheckResult>,
}

fn version() -> u32 {
    VERSION
}

impl Default for Baseline {
    fn default() -> Self {
        Self { version: VERSION, commit: None, checks: BTreeMap::new() }
    }
}

impl Baseline {
    /// A baseline of these results.
    pub fn from_results(results: impl IntoIterator<Item = CheckResult>, commit: Option<String>) -> Self {
        Self { version: VERSION, commit, checks: results.into_iter().map(|r| (r.name.clone(), r)).collect() }
    }

    /// The baseline result of check `name`.
    pub fn get(&self, name: &str) -> Option<&CheckResult> {
        self.checks.get(name)
    }

    /// Parses a baseline file's text; `path` names it in the error.
    pub fn parse(path: &Path, text: &str) -> Result<Baseline> {
        serde_json::from_str(text).map_err(|source| Error::BadBaseline { path: path.to_owned(), source })
    }

    /// The file's text: pretty JSON ending in a newline. molt-agent's
    /// `Workspace` writes it to `.molt/baseline.json` (the one writer of
    /// `.molt/`, which redacts it and replaces the file atomically).
    pub fn to_json(&self) -> Result<String> {
        let mut json = serde_json::to_string_pretty(self)
            .map_err(|source| Error::BadBaseline { path: PathBuf::from("baseline.json"), source })?;
        json.push('\n');
        Ok(json)
    }
}

#[cfg(test)]
mod tests;
