//! The spec as molt-agent uses it: loaded and validated, and the path
//! policy its globs make. The recipe it names and its model are set up by
//! [`crate::workspace::Workspace::recipe`] and [`crate::workspace::Workspace::model`].

use std::path::Path;

use molt_core::Spec;

use crate::{Error, Result};

/// Loads and validates the spec.
pub fn load_spec(path: &Path) -> Result<Spec> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Spec::parse(&name, &text)?)
}

/// The spec's path policy: where agents may write.
pub fn path_policy(spec: &Spec) -> Result<molt_core::PathPolicy> {
    molt_core::PathPolicy::new(&spec.migration.include, &spec.migration.protected, SPEC_FILE).map_err(Error::from)
}

/// The spec's file name, which no agent may read or write.
pub(crate) const SPEC_FILE: &str = "molt.toml";
