//! `.molt/baseline.json`: the checks' results on the untouched tree, which
//! every candidate is judged against.

use std::collections::BTreeMap;
use std::io::Write;
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

    /// `<root>/.molt/baseline.json`.
    pub fn path(root: &Path) -> PathBuf {
        root.join(".molt").join("baseline.json")
    }

    /// The baseline result of check `name`.
    pub fn get(&self, name: &str) -> Option<&CheckResult> {
        self.checks.get(name)
    }

    /// Loads `<root>/.molt/baseline.json`; `None` when there is none yet.
    pub fn load(root: &Path) -> Result<Option<Baseline>> {
        let path = Self::path(root);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|source| Error::BadBaseline { path, source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(Error::Io { action: "reading", path, source }),
        }
    }

    /// Writes `<root>/.molt/baseline.json` atomically (a temp file in the same
    /// folder, then a rename), so a crash never leaves half a baseline.
    pub fn save(&self, root: &Path) -> Result<PathBuf> {
        let path = Self::path(root);
        let dir = root.join(".molt");
        std::fs::create_dir_all(&dir).map_err(|source| Error::Io { action: "creating", path: dir.clone(), source })?;
        let mut json =
            serde_json::to_string_pretty(self).map_err(|source| Error::BadBaseline { path: path.clone(), source })?;
        json.push('\n');
        // Check output may print a secret (a test's fixture, a build's echo).
        let json = molt_core::redact::redact(&json).into_owned();
        let tmp = dir.join(format!(".baseline.json.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(json.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|source| {
            let _ = std::fs::remove_file(&tmp);
            Error::Io { action: "writing", path: path.clone(), source }
        })?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests;
