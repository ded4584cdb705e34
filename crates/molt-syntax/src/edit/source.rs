//! Where a transaction reads files from: memory (tests, dry runs of a
//! model's edits) or a repository on disk, behind the path policy, the
//! protected globs and the hashes recorded at indexing.

use std::collections::BTreeMap;
use std::path::Path;

use crate::compiler::ProjectMacros;
use crate::paths::confine;
use crate::{Error, Result};

/// Where file contents come from during a transaction.
pub(super) trait Source {
    /// The file's text, `None` if it does not exist.
    fn read(&self, path: &str) -> Result<Option<String>>;
    /// What the project's compiler says of its macros, when known.
    fn project(&self) -> Option<&ProjectMacros> {
        None
    }
    /// Whether the set is a recipe's ([`super::ApplyOptions::recipe`]).
    fn recipe(&self) -> bool {
        false
    }
}

pub(super) struct Memory<'a>(pub(super) &'a BTreeMap<String, String>);

impl Source for Memory<'_> {
    fn read(&self, path: &str) -> Result<Option<String>> {
        if path.split('/').any(|p| p == "..") || path.starts_with('/') {
            return Err(Error::OutsideRepo { path: path.to_owned(), why: "not a relative path inside".to_owned() });
        }
        Ok(self.0.get(path).cloned())
    }
}

pub(super) struct Disk<'a> {
    pub(super) root: &'a Path,
    pub(super) policy: Option<&'a molt_core::PathPolicy>,
    pub(super) protected: Option<globset::GlobSet>,
    pub(super) globs: &'a [String],
    pub(super) expected: &'a BTreeMap<String, String>,
    pub(super) project: Option<std::sync::Arc<ProjectMacros>>,
    pub(super) recipe: bool,
}

impl Source for Disk<'_> {
    fn project(&self) -> Option<&ProjectMacros> {
        self.project.as_deref()
    }

    fn recipe(&self) -> bool {
        self.recipe
    }

    fn read(&self, path: &str) -> Result<Option<String>> {
        if let Some(policy) = self.policy {
            policy.writable(path).map_err(|r| Error::Refused(r.to_string()))?;
        }
        let abs = confine(self.root, path)?;
        if let Some(set) = &self.protected {
            if let Some(i) = set.matches(path).first() {
                return Err(Error::Protected { path: path.to_owned(), glob: self.globs[*i].clone() });
            }
        }
        let bytes = match std::fs::read(&abs) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if self.expected.contains_key(path) {
                    return Err(Error::Changed { path: path.to_owned() });
                }
                return Ok(None);
            }
            Err(e) => return Err(Error::io(abs, e)),
        };
        if let Some(hash) = self.expected.get(path) {
            if *hash != crate::content_hash(&bytes) {
                return Err(Error::Changed { path: path.to_owned() });
            }
        }
        String::from_utf8(bytes).map(Some).map_err(|_| Error::NotUtf8 { path: path.to_owned() })
    }
}
