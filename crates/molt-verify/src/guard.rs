//! The gaming guard on edits: protected paths (tests, by default) that no edit
//! may touch.

use globset::{Glob, GlobSetBuilder};

use crate::{Error, Result};

/// The changed paths that match a protected glob, in the order given. Paths are
/// relative to the repository root, `/`-separated (a leading `./` is ignored).
/// `*` also matches `/` here, so a glob errs on the side of protecting more.
pub fn protected_violations(changed_paths: &[String], protected_globs: &[String]) -> Result<Vec<String>> {
    let mut builder = GlobSetBuilder::new();
    for glob in protected_globs {
        let g = Glob::new(glob).map_err(|e| Error::Glob { glob: glob.clone(), message: e.kind().to_string() })?;
        builder.add(g);
    }
    let set = builder.build().map_err(|e| Error::Glob { glob: protected_globs.join(", "), message: e.to_string() })?;
    Ok(changed_paths
        .iter()
        .filter(|p| {
            let p = p.trim_start_matches("./");
            set.is_match(p)
        })
        .cloned()
        .collect())
}

#[cfg(test)]
mod tests;
